"""RPKI end to end on the local test internet: RTR and every VRP file format agree, route sources agree,
the world's routing cases give their verdicts, `mamori rpki`, and bad data or a dead RTR cache fail clearly."""
import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from harness import RESOLVER, SOURCE, audit_json, finding_ids, main, mamori  # noqa: E402

RTR = os.environ.get("MAMORI_RTR", "")
VRPS = os.environ.get("MAMORI_VRPS", os.path.join(SOURCE, "fixtures", "world", "vrps.json"))
PFX2AS = os.environ.get("MAMORI_PFX2AS", os.path.join(SOURCE, "fixtures", "world", "routes.pfx2as"))
FIXTURES = os.path.join(SOURCE, "fixtures", "rpki")
NOW = ("--now", "2026-11-22T12:00:00Z")  # 12 hours after the VRP files' build time
VRP_FILES = ["world-vrps.routinator.json", "world-vrps.jsonext.json", "world-vrps.routinator.csv",
             "world-vrps.ripe.csv", "world-vrps.array.json"]
TARGETS = ["rpki-invalid.go.jp", "rpki-mixed.go.jp", "example-isp.ne.jp", "good.go.jp", "AS64500", "AS64497",
           "AS64501", "AS64503", "AS64506", "127.53.50.0/24", "127.53.51.0/24", "127.53.61.0/24", "2001:db8:2::/48"]


def rpki_audit(*targets, vrps=("--vrps", VRPS), routes=("--pfx2as", PFX2AS), extra=()):
    proc, doc = audit_json(*targets, extra=("--checks", "rpki", *NOW, *vrps, *routes, *extra))
    return proc, doc


def rpki_check(target_doc):
    return next(c for c in target_doc["checks"] if c["check"] == "rpki")


def findings(target_doc, finding_id):
    return [f for f in rpki_check(target_doc)["findings"] if f["id"] == finding_id]


def comparable(doc):
    """Facts and findings of every target, without the names of the data sources."""
    out = {}
    for t in doc["targets"]:
        c = rpki_check(t)
        found = []
        for f in c["findings"]:
            evidence = {k: v for k, v in f["evidence"].items() if k not in ("vrp_source", "route_source")}
            found.append((f["id"], json.dumps(evidence, sort_keys=True)))
        out[t["target"]] = (c["status"], json.dumps(c["facts"], sort_keys=True), sorted(found))
    return out


def world_vrps():
    with open(VRPS) as f:
        return {(r["asn"], r["prefix"], r["maxLength"]) for r in json.load(f)["roas"]}


class FixtureFiles(unittest.TestCase):
    def test_each_converted_file_holds_exactly_the_worlds_vrps(self):
        expected = world_vrps()
        for name in VRP_FILES:
            with self.subTest(file=name), open(os.path.join(FIXTURES, name)) as f:
                if name.endswith(".csv"):
                    rows = [line.strip().split(",") for line in f][1:]
                    got = {(int(r[0][2:]), r[1], int(r[2])) for r in rows}
                else:
                    doc = json.load(f)
                    roas = doc if isinstance(doc, list) else doc["roas"]
                    got = {(int(str(r["asn"]).removeprefix("AS")), r["prefix"], int(r["maxLength"])) for r in roas}
                self.assertEqual(got, expected)

    def test_the_bgpdump_file_holds_the_worlds_routes(self):
        expected = set()
        with open(PFX2AS) as f:
            for line in f:
                addr, length, origins = line.split()
                for group in origins.split("_"):
                    expected.add(("%s/%s" % (addr, length), group))
        got = set()
        with open(os.path.join(FIXTURES, "world-routes.bgpdump.txt")) as f:
            for line in f:
                fields = line.split("|")
                got.add((fields[5], fields[6].split()[-1].strip("{}")))
        self.assertEqual(got, expected)


class SourcesAgree(unittest.TestCase):
    def test_rtr_and_every_vrp_file_format_give_the_same_verdicts(self):
        proc, reference = rpki_audit(*TARGETS)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        expected = comparable(reference)
        self.assertEqual(set(expected), set(TARGETS))
        sources = [("--rtr", RTR)] + [("--vrps", os.path.join(FIXTURES, name)) for name in VRP_FILES]
        for source in sources:
            with self.subTest(source=source[1]):
                proc, doc = rpki_audit(*TARGETS, vrps=source)
                self.assertEqual(proc.returncode, 0, proc.stderr)
                self.assertEqual(comparable(doc), expected)

    def test_route_sources_agree_pfx2as_bgpdump_and_origin_zone(self):
        domains = ["rpki-invalid.go.jp", "rpki-mixed.go.jp", "example-isp.ne.jp", "good.go.jp", "nomx.go.jp",
                   "127.53.50.0/24", "127.53.51.0/24", "127.53.61.0/24", "127.53.62.0/24", "2001:db8:1::/48"]
        _, reference = rpki_audit(*domains)
        expected = comparable(reference)
        for routes in (("--pfx2as", os.path.join(FIXTURES, "world-routes.bgpdump.txt")),
                       ("--origin-zone", "origin.asn.jp")):
            with self.subTest(routes=routes[1]):
                proc, doc = rpki_audit(*domains, routes=routes)
                self.assertEqual(proc.returncode, 0, proc.stderr)
                self.assertEqual(comparable(doc), expected)


class DomainCases(unittest.TestCase):
    def test_mail_server_on_an_invalid_route_is_rpki_invalid_with_route_and_vrps(self):
        proc, doc = rpki_audit("rpki-invalid.go.jp", vrps=("--rtr", RTR), extra=("--fail-on", "error"))
        self.assertEqual(proc.returncode, 1, proc.stderr)  # an error finding fails the gate
        t = doc["targets"][0]
        self.assertEqual(rpki_check(t)["status"], "fail")
        self.assertEqual(finding_ids(t, "rpki"), ["RPKI-INVALID", "RPKI-VALID", "RPKI-VALID"])
        invalid = findings(t, "RPKI-INVALID")[0]
        self.assertEqual(invalid["severity"], "error")
        self.assertEqual(invalid["evidence"]["route"], {"prefix": "127.53.30.0/24", "origin": "AS64502"})
        self.assertEqual(invalid["evidence"]["vrps"], [{"prefix": "127.53.30.0/24", "max_length": 24, "asn": "AS64501"}])
        self.assertEqual(invalid["evidence"]["addresses"],
                         [{"address": "127.53.30.26", "roles": ["mx"], "hosts": ["mail.rpki-invalid.go.jp"]}])
        self.assertIn("mail server mail.rpki-invalid.go.jp", invalid["message"])
        self.assertIn("prefix 127.53.30.0/24, maxLength 24, origin AS64502", invalid["remedy"])
        self.assertEqual(invalid["ref"], "RFC 6811 §2")
        facts = rpki_check(t)["facts"]
        mx = [r for r in facts["routes"] if r["role"] == "mx"]
        self.assertEqual([(r["address"], r["prefix"], r["origin"], r["state"]) for r in mx],
                         [("127.53.30.26", "127.53.30.0/24", "AS64502", "invalid")])
        self.assertEqual(facts["no_route"], [])

    def test_every_routing_case_of_the_mixed_domain(self):
        _, doc = rpki_audit("rpki-mixed.go.jp")
        t = doc["targets"][0]
        states = {(r["address"], r["origin"]): (r["prefix"], r["state"]) for r in rpki_check(t)["facts"]["routes"]}
        self.assertEqual(states[("2001:db8:2::1", "AS64502")], ("2001:db8:2::/48", "invalid"))  # IPv6, origin
        self.assertEqual(states[("127.53.61.81", "AS64503")], ("127.53.61.0/24", "invalid"))  # length
        self.assertEqual(states[("127.53.40.81", "AS64504")], ("127.53.40.0/24", "not-found"))
        self.assertEqual(states[("127.53.50.25", "AS64500")], ("127.53.50.0/24", "valid"))  # multi-origin
        self.assertEqual(states[("127.53.50.25", "AS64505")], ("127.53.50.0/24", "invalid"))
        self.assertEqual(rpki_check(t)["facts"]["no_route"], ["127.53.77.25"])
        length = [f for f in findings(t, "RPKI-INVALID") if f["evidence"]["route"]["prefix"] == "127.53.61.0/24"][0]
        self.assertIn("longer than the maxLength 22", length["message"])
        self.assertEqual(length["evidence"]["vrps"], [{"prefix": "127.53.60.0/22", "max_length": 22, "asn": "AS64503"}])
        moas = findings(t, "RPKI-MOAS")[0]
        self.assertEqual(moas["evidence"]["origins"], [{"origin": "AS64500", "state": "valid"},
                                                       {"origin": "AS64505", "state": "invalid"}])
        self.assertEqual(findings(t, "RPKI-NO-ROUTE")[0]["evidence"]["addresses"][0]["address"], "127.53.77.25")
        self.assertEqual(len(findings(t, "RPKI-NOT-FOUND")), 1)

    def test_a_valid_domain_is_valid_on_ipv4_and_ipv6(self):
        _, doc = rpki_audit("good.go.jp")
        check = rpki_check(doc["targets"][0])
        self.assertEqual(check["status"], "pass")
        self.assertTrue(check["facts"]["routes"])
        self.assertTrue(all(r["state"] == "valid" for r in check["facts"]["routes"]))
        self.assertIn("2001:db8:1::1", {r["address"] for r in check["facts"]["routes"]})
        self.assertEqual(set(finding_ids(doc["targets"][0], "rpki")), {"RPKI-VALID"})


class AsAndPrefixTargets(unittest.TestCase):
    def test_as64500_coverage_unused_roa_loose_maxlength(self):
        proc, doc = rpki_audit("AS64500")
        self.assertEqual(proc.returncode, 0, proc.stderr)
        check = rpki_check(doc["targets"][0])
        self.assertEqual(check["facts"]["coverage"]["valid"], 4)
        self.assertEqual(check["facts"]["coverage"]["total"], 5)
        self.assertAlmostEqual(check["facts"]["coverage"]["address_share"], 0.875)  # IPv4 3/4, IPv6 1/1
        states = {r["prefix"]: r["state"] for r in check["facts"]["routes"]}
        self.assertEqual(states, {"127.53.10.0/24": "valid", "127.53.20.0/24": "valid", "127.53.50.0/24": "valid",
                                  "127.53.51.0/24": "not-found", "2001:db8:1::/48": "valid"})
        unused = findings(doc["targets"][0], "ROA-UNUSED")
        self.assertEqual([f["evidence"]["vrp"]["prefix"] for f in unused], ["127.53.70.0/24"])
        loose = findings(doc["targets"][0], "ROA-MAXLENGTH-LOOSE")
        self.assertEqual([f["evidence"]["vrp"]["prefix"] for f in loose], ["2001:db8::/32"])
        self.assertIn("prefix 2001:db8:1::/48, maxLength 48, origin AS64500", loose[0]["remedy"])
        self.assertEqual(loose[0]["ref"], "RFC 9319 §5")

    def test_audit_of_an_as_prints_coverage_and_needs_no_resolver(self):
        proc = mamori("audit", "AS64500", "--vrps", VRPS, "--pfx2as", PFX2AS, *NOW, "--resolver", "127.0.0.1@9")
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertIn("AS64500 originates 5 prefixes: 4 valid, 0 invalid, 1 not found; ROA coverage 80.0 % by count",
                      proc.stdout)

    def test_loose_maxlength_as0_and_an_as_that_announces_nothing(self):
        _, doc = rpki_audit("AS64497", "AS64506", "AS64501")
        as64497, as64506, as64501 = doc["targets"]
        loose = findings(as64497, "ROA-MAXLENGTH-LOOSE")[0]
        self.assertEqual(loose["evidence"]["announced"], ["127.53.1.0/24", "127.53.2.0/24", "127.53.3.0/24"])
        self.assertEqual(loose["evidence"]["unannounced_examples"][0], "127.53.0.0/22")
        self.assertEqual(finding_ids(as64506, "rpki"), ["ROA-AS0", "RPKI-COVERAGE", "RPKI-INVALID"])
        self.assertEqual(findings(as64506, "RPKI-INVALID")[0]["evidence"]["vrps"][0]["asn"], "AS0")
        self.assertEqual(finding_ids(as64501, "rpki"), ["ROA-UNUSED", "RPKI-NO-ROUTE"])
        self.assertEqual(rpki_check(as64501)["facts"]["coverage"]["total"], 0)

    def test_prefix_targets(self):
        _, doc = rpki_audit("127.53.50.0/24", "127.53.51.0/24", "127.53.62.0/24")
        moas, as_set, covered = doc["targets"]
        self.assertEqual(sorted(finding_ids(moas, "rpki")), ["RPKI-INVALID", "RPKI-MOAS", "RPKI-VALID"])
        routes = rpki_check(as_set)["facts"]["routes"]
        self.assertEqual({(r["origin"], r["state"], r.get("as_set")) for r in routes},
                         {("AS64500", "not-found", "{AS64500,AS64505}"), ("AS64505", "not-found", "{AS64500,AS64505}")})
        self.assertEqual(finding_ids(covered, "rpki"), ["RPKI-NO-ROUTE"])
        self.assertEqual(rpki_check(covered)["facts"]["covering_route"]["prefix"], "127.53.60.0/22")


class RpkiCommand(unittest.TestCase):
    def test_validate_prints_the_state_and_the_vrps(self):
        proc = mamori("rpki", "validate", "127.53.61.0/24", "AS64503", "--rtr", RTR)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertEqual(proc.stdout.splitlines()[0], "127.53.61.0/24 AS64503: invalid")
        self.assertIn("127.53.60.0/22-22 AS64503", proc.stdout)
        proc = mamori("rpki", "validate", "127.53.20.0/24", "64500", "--vrps", VRPS, "--format", "json")
        doc = json.loads(proc.stdout)
        self.assertEqual((doc["state"], doc["origin"]), ("valid", "AS64500"))
        self.assertEqual(doc["vrps"], [{"prefix": "127.53.20.0/24", "max_length": 24, "asn": "AS64500"}])
        proc = mamori("rpki", "validate", "127.53.40.0/24", "AS64504", "--vrps", VRPS, "--format", "json")
        self.assertEqual(json.loads(proc.stdout)["state"], "not-found")

    def test_coverage_prints_the_table(self):
        proc = mamori("rpki", "coverage", "AS64500", "--vrps", VRPS, "--pfx2as", PFX2AS, *NOW)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertIn("AS64500: 5 prefixes, 4 valid, 0 invalid, 1 not-found; coverage 80.0 % by count", proc.stdout)
        self.assertRegex(proc.stdout, r"127\.53\.51\.0/24 \(AS_SET\) +not-found")
        self.assertIn("ROA-UNUSED", proc.stdout)
        proc = mamori("rpki", "coverage", "AS64503", "--rtr", RTR, "--pfx2as", PFX2AS, "--format", "json", *NOW)
        doc = json.loads(proc.stdout)
        self.assertEqual({r["prefix"]: r["state"] for r in doc["routes"]},
                         {"127.53.60.0/22": "valid", "127.53.61.0/24": "invalid"})
        self.assertEqual(doc["coverage"]["valid"], 1)
        self.assertIn("RPKI-INVALID", [f["id"] for f in doc["findings"]])

    def test_usage_errors(self):
        self.assertEqual(mamori("rpki", "validate", "127.53.61.0/24", "AS64503").returncode, 2)
        self.assertEqual(mamori("rpki", "validate", "127.53.61.1/24", "AS1", "--vrps", VRPS).returncode, 2)
        self.assertEqual(mamori("rpki", "validate", "127.53.61.0/24", "ASX", "--vrps", VRPS).returncode, 2)
        self.assertEqual(mamori("rpki", "coverage", "AS1", "--vrps", VRPS).returncode, 2)  # no routes


class SilentServer:
    """A TCP server on a free loopback port that accepts and never says a word."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(4)
        self.address = "127.0.0.1:%d" % self.sock.getsockname()[1]

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.sock.close()


class DataAndEnvironmentFailures(unittest.TestCase):
    def bad_file(self, content, suffix):
        f = tempfile.NamedTemporaryFile("w", suffix=suffix, delete=False)
        f.write(content)
        f.close()
        self.addCleanup(os.unlink, f.name)
        return f.name

    def test_garbage_in_any_data_file_is_exit_2_naming_file_and_line(self):
        with open(VRPS) as f:
            truncated = f.read()[:400]
        cases = [
            (("--vrps", self.bad_file(truncated, ".json")), "{}:%d: the JSON ends in the middle" % (truncated.rstrip().count("\n") + 1)),
            (("--vrps", self.bad_file("ASN,IP Prefix,Max Length\nAS1,10.0.0.0/8,8\nAS2,banana,8\n", ".csv")), "{}:3:"),
            (("--pfx2as", self.bad_file("127.53.20.0\t24\t64500\n127.53.30.0\t24\tAS-X\n", ".pfx2as")), "{}:2:"),
            (("--pfx2as", self.bad_file("\x00\x01\x02garbage\n", ".pfx2as")), "{}:1:"),
        ]
        for option, where in cases:
            with self.subTest(option=option):
                extra = option + (("--pfx2as", PFX2AS) if option[0] == "--vrps" else ("--vrps", VRPS))
                proc = mamori("audit", "AS64500", "--checks", "rpki", *extra)
                self.assertEqual(proc.returncode, 2, proc.stderr)
                self.assertIn("mamori: error: " + where.format(option[1]), proc.stderr)
                self.assertEqual(proc.stdout, "")
        proc = mamori("audit", "AS64500", "--vrps", "/nonexistent/vrps.json", "--pfx2as", PFX2AS)
        self.assertEqual(proc.returncode, 2)
        self.assertIn("/nonexistent/vrps.json: cannot read", proc.stderr)

    def test_unreachable_or_silent_rtr_cache_is_exit_3(self):
        proc = mamori("audit", "AS64500", "--rtr", "127.53.80.1:9", "--pfx2as", PFX2AS)
        self.assertEqual(proc.returncode, 3, proc.stderr)
        self.assertIn("RTR cache 127.53.80.1:9: could not connect", proc.stderr)
        with SilentServer() as server:
            proc = mamori("audit", "AS64500", "--rtr", server.address, "--rtr-timeout", "1", "--pfx2as", PFX2AS)
        self.assertEqual(proc.returncode, 3, proc.stderr)
        self.assertIn("no full sync within 1000 ms", proc.stderr)
        self.assertEqual(mamori("audit", "AS1", "--rtr", "nonsense", "--pfx2as", PFX2AS).returncode, 2)
        self.assertEqual(mamori("audit", "AS1", "--rtr", RTR, "--vrps", VRPS, "--pfx2as", PFX2AS).returncode, 2)

    def test_rtrlib_debug_log_stays_off_stderr_unless_verbose(self):
        proc = mamori("rpki", "validate", "127.53.20.0/24", "AS64500", "--rtr", RTR)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertEqual(proc.stderr, "")
        proc = mamori("rpki", "validate", "127.53.20.0/24", "AS64500", "--rtr", RTR, "--verbose")
        self.assertIn("RTR_MGR", proc.stderr)
        self.assertIn("mamori: info: %s: 10 VRPs" % RTR, proc.stderr)

    def test_without_a_vrp_source_the_check_is_skipped_with_the_reason(self):
        proc, doc = audit_json("good.go.jp", "AS64500", extra=("--checks", "rpki"))
        self.assertEqual(proc.returncode, 0, proc.stderr)
        for t in doc["targets"]:
            check = rpki_check(t)
            self.assertEqual(check["status"], "skip")
            self.assertIn("--vrps", check["facts"]["skipped"])

    def test_stale_vrp_files_are_reported_and_rtr_data_is_not(self):
        later = ("--now", "2026-11-25T00:00:00Z")
        _, doc = audit_json("AS64503", extra=("--checks", "rpki", "--vrps", VRPS, "--pfx2as", PFX2AS, *later))
        stale = findings(doc["targets"][0], "RPKI-VRPS-STALE")
        self.assertEqual(len(stale), 1)
        self.assertEqual(stale[0]["evidence"]["build_time"], "2026-11-22T00:00:00Z")
        self.assertEqual(stale[0]["evidence"]["age_hours"], 72)
        _, doc = audit_json("AS64503", extra=("--checks", "rpki", "--vrps", VRPS, "--pfx2as", PFX2AS, *NOW))
        self.assertEqual(findings(doc["targets"][0], "RPKI-VRPS-STALE"), [])
        _, doc = audit_json("AS64503", extra=("--checks", "rpki", "--rtr", RTR, "--pfx2as", PFX2AS, *later))
        self.assertEqual(findings(doc["targets"][0], "RPKI-VRPS-STALE"), [])


class RtrOverSsh(unittest.TestCase):
    """StayRTR's SSH transport with key authentication, started inside the world's namespace."""

    ADDRESS = "127.53.81.1"
    PORT = 8283

    def test_rtr_over_ssh_gives_the_same_vrps_as_tcp(self):
        tmp = tempfile.mkdtemp()
        self.addCleanup(subprocess.run, ["rm", "-rf", tmp])
        for name in ("host", "client"):
            subprocess.run(["ssh-keygen", "-q", "-t", "ecdsa", "-m", "PEM", "-N", "", "-f", os.path.join(tmp, name)],
                           check=True)
        server = subprocess.Popen(
            ["stayrtr", "-bind", "%s:8282" % self.ADDRESS, "-ssh.bind", "%s:%d" % (self.ADDRESS, self.PORT),
             "-ssh.key", os.path.join(tmp, "host"), "-ssh.method.key",
             "-ssh.auth.key.file", os.path.join(tmp, "client.pub"), "-cache", VRPS, "-checktime=false",
             "-metrics.addr", "%s:9848" % self.ADDRESS],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.addCleanup(server.wait)
        self.addCleanup(server.terminate)
        ssh = ("--rtr", "%s:%d" % (self.ADDRESS, self.PORT), "--rtr-ssh-key", os.path.join(tmp, "client"),
               "--rtr-timeout", "10")
        proc = None
        for _ in range(50):  # StayRTR needs a moment to load the cache and listen
            proc = mamori("rpki", "validate", "127.53.30.0/24", "AS64502", *ssh, "--format", "json")
            if proc.returncode == 0:
                break
            subprocess.run(["sleep", "0.2"])
        self.assertEqual(proc.returncode, 0, proc.stderr)
        over_ssh = json.loads(proc.stdout)
        self.assertEqual(over_ssh["state"], "invalid")
        self.assertEqual(over_ssh["vrp_source"], "rtr %s:%d" % (self.ADDRESS, self.PORT))
        _, tcp_doc = rpki_audit(*TARGETS, vrps=("--rtr", RTR))
        _, ssh_doc = rpki_audit(*TARGETS, vrps=ssh)
        self.assertEqual(comparable(ssh_doc), comparable(tcp_doc))
        wrong = mamori("rpki", "validate", "127.53.30.0/24", "AS64502", *ssh[:2], "--rtr-ssh-key",
                       os.path.join(tmp, "host"), "--rtr-timeout", "5")
        self.assertEqual(wrong.returncode, 3, wrong.stderr)
        self.assertIn("(SSH)", wrong.stderr)


if __name__ == "__main__":
    main()
