"""Real routing data from the shared corpora ($MAMORI_CORPORA/rpki): every file loads, in its own format,
with exactly the entries the file holds; and StayRTR serving a real VRP file gives the same VRPs over RTR."""
import gzip
import json
import os
import re
import subprocess
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from harness import main, mamori  # noqa: E402

CORPORA = os.environ.get("MAMORI_CORPORA", "")
RPKI = os.path.join(CORPORA, "rpki") if CORPORA else ""
HAVE = bool(RPKI) and os.path.isdir(RPKI)
WHY = "no corpora: set MAMORI_CORPORA to the shared corpora folder (it has rpki/)"

VRP_FILES = {  # file -> the format mamori must recognise
    "massimocandela_rpki-validator_test_vrps_5000.json": "JSON array of VRPs",
    "rpkilog_roa_test.rpkiclient2023_json.json": "rpki-client JSON",
    "rpkilog_roa_test.rpkiclient2021_json.json": "rpki-client JSON",
    "rpkilog_roa_test.routinator_jsonext.json": "Routinator jsonext",
    "stayrtr_test.rpki.json": "rpki-client JSON",
    "ripe-irrstats_roas.csv": "CSV (3 columns)",
}
ROUTE_FILES = {
    "pyasn_ipasn_20140513.dat.gz": "pyasn",
    "pyasn_ipasn6_20151101.dat.gz": "pyasn",
    "ripe-irrstats_ris-ipv4.txt": "RIS whois dump",
    "ripe-irrstats_ris-ipv6.txt": "RIS whois dump",
}
LOADED_VRPS = re.compile(r"mamori: info: (.+): (\d+) VRPs \((\d+) entries, (.+)\) loaded")
LOADED_ROUTES = re.compile(r"mamori: info: (.+): (\d+) routes \((\d+) lines, (.+)\) loaded")


def vrps_in(path):
    """(entries, distinct (asn, prefix, maxLength)) of a corpus VRP file, read independently of mamori."""
    if path.endswith(".csv"):
        with open(path) as f:
            rows = [line.strip().split(",") for line in f if line.strip()][1:]
        keys = [(int(r[0].removeprefix("AS")), r[1].lower(), int(r[2])) for r in rows]
    else:
        with open(path) as f:
            doc = json.load(f)
        roas = doc if isinstance(doc, list) else doc["roas"]
        keys = [(int(str(r["asn"]).removeprefix("AS")), r["prefix"].lower(), int(r["maxLength"])) for r in roas]
    return len(keys), len(set(keys))


def routes_in(path):
    """(data lines, distinct prefixes) of a corpus route file."""
    opener = gzip.open if path.endswith(".gz") else open
    lines, prefixes = 0, set()
    with opener(path, "rt") as f:
        for line in f:
            line = line.strip()
            if not line or line[0] in ";%#":
                continue
            fields = line.split()
            lines += 1
            prefixes.add(fields[0] if "/" in fields[0] else fields[1])
    return lines, len(prefixes)


@unittest.skipUnless(HAVE, WHY)
class CorpusFiles(unittest.TestCase):
    def test_every_vrp_file_loads_in_its_format_with_all_its_entries(self):
        for name, fmt in VRP_FILES.items():
            with self.subTest(file=name):
                path = os.path.join(RPKI, name)
                proc = mamori("rpki", "validate", "192.0.2.0/24", "AS64500", "--vrps", path, "--verbose")
                self.assertEqual(proc.returncode, 0, proc.stderr)
                m = LOADED_VRPS.search(proc.stderr)
                self.assertIsNotNone(m, proc.stderr)
                entries, unique = vrps_in(path)
                self.assertGreater(entries, 0)
                self.assertEqual((int(m.group(3)), int(m.group(2)), m.group(4)), (entries, unique, fmt))

    def test_known_verdicts_from_real_vrps(self):
        cases = [("rpkilog_roa_test.rpkiclient2023_json.json", "1.0.0.0/24", "AS13335", "valid"),
                 ("rpkilog_roa_test.rpkiclient2023_json.json", "1.0.0.0/24", "AS64500", "invalid"),
                 ("rpkilog_roa_test.rpkiclient2021_json.json", "1.0.4.0/24", "AS38803", "valid"),
                 ("rpkilog_roa_test.routinator_jsonext.json", "2c0f:fff0:1::/48", "AS37125", "valid"),
                 ("ripe-irrstats_roas.csv", "86.106.22.0/24", "AS31207", "valid"),
                 ("ripe-irrstats_roas.csv", "86.106.22.0/25", "AS31207", "invalid"),
                 ("massimocandela_rpki-validator_test_vrps_5000.json", "103.10.112.0/22", "AS1", "invalid")]
        for name, prefix, asn, state in cases:
            with self.subTest(file=name, prefix=prefix, asn=asn):
                proc = mamori("rpki", "validate", prefix, asn, "--vrps", os.path.join(RPKI, name), "--format", "json")
                self.assertEqual(proc.returncode, 0, proc.stderr)
                self.assertEqual(json.loads(proc.stdout)["state"], state)

    def test_every_route_file_loads_with_all_its_prefixes(self):
        vrps = os.path.join(RPKI, "ripe-irrstats_roas.csv")
        for name, fmt in ROUTE_FILES.items():
            with self.subTest(file=name):
                path = os.path.join(RPKI, name)
                started = time.monotonic()
                proc = mamori("rpki", "coverage", "AS15169", "--vrps", vrps, "--pfx2as", path, "--verbose")
                self.assertEqual(proc.returncode, 0, proc.stderr)
                m = LOADED_ROUTES.search(proc.stderr)
                self.assertIsNotNone(m, proc.stderr)
                lines, prefixes = routes_in(path)
                self.assertEqual((int(m.group(3)), int(m.group(2)), m.group(4)), (lines, prefixes, fmt))
                print("  %s: %d routes in %.1f s (whole command)" % (name, prefixes, time.monotonic() - started))

    def test_pyasn_headers_agree(self):
        for name, count in (("pyasn_ipasn_20140513.dat.gz", 512621), ("pyasn_ipasn6_20151101.dat.gz", 633831)):
            with self.subTest(file=name):
                self.assertEqual(routes_in(os.path.join(RPKI, name))[1], count)

    def test_a_real_route_table_and_coverage(self):
        path = os.path.join(RPKI, "pyasn_ipasn_20140513.dat.gz")
        proc = mamori("rpki", "coverage", "AS15169", "--vrps", os.path.join(RPKI, "rpkilog_roa_test.rpkiclient2023_json.json"),
                      "--pfx2as", path, "--format", "json")
        self.assertEqual(proc.returncode, 0, proc.stderr)
        doc = json.loads(proc.stdout)
        self.assertGreater(doc["coverage"]["total"], 10)
        self.assertEqual(doc["coverage"]["total"], len(doc["routes"]))
        states = [r["state"] for r in doc["routes"]]
        self.assertEqual(doc["coverage"]["valid"], states.count("valid"))
        self.assertEqual(doc["coverage"]["not_found"], states.count("not-found"))
        self.assertEqual(len(states), states.count("valid") + states.count("invalid") + states.count("not-found"))


@unittest.skipUnless(HAVE, WHY)
class CorpusOverRtr(unittest.TestCase):
    """StayRTR serves real rpki-client files; mamori's RTR sync must give the file's VRPs, less those whose
    "expires" has passed (StayRTR drops them; mamori keeps a file's VRPs and flags old data as stale)."""

    def test_rtr_gives_the_files_vrps(self):
        for i, name in enumerate(("stayrtr_test.rpki.json", "rpkilog_roa_test.rpkiclient2023_json.json")):
            with self.subTest(file=name):
                path = os.path.join(RPKI, name)
                address = "127.53.84.%d" % (i + 1)
                server = subprocess.Popen(["stayrtr", "-bind", address + ":8323", "-cache", path, "-checktime=false",
                                           "-metrics.addr", address + ":9850"],
                                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                try:
                    from_file = self.validate(["--vrps", path])
                    from_rtr = None
                    for _ in range(50):
                        from_rtr = self.validate(["--rtr", address + ":8323", "--rtr-timeout", "5"])
                        if from_rtr is not None:
                            break
                        time.sleep(0.2)
                    self.assertIsNotNone(from_rtr)
                    with open(path) as f:
                        roas = json.load(f)["roas"]
                    live = {(r["asn"], r["prefix"], r["maxLength"]) for r in roas if r["expires"] > time.time()}
                    self.assertEqual(from_file[0], len({(r["asn"], r["prefix"], r["maxLength"]) for r in roas}))
                    self.assertEqual(from_rtr[0], len(live))
                    if len(live) == from_file[0]:
                        self.assertEqual(from_rtr, from_file)
                finally:
                    server.terminate()
                    server.wait()

    def validate(self, source):
        proc = mamori("rpki", "validate", "1.0.0.0/24", "AS13335", *source, "--verbose", "--format", "json")
        if proc.returncode != 0:
            return None
        m = re.search(r": (\d+) VRPs", proc.stderr)
        return int(m.group(1)), json.loads(proc.stdout)["state"]


if __name__ == "__main__":
    if not HAVE:
        print("skipped: " + WHY)
    main()
