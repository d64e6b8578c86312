"""`mamori zone` over Knot DNS's semantic-check zones: agree with kzonecheck where the defect is DNSSEC, never crash or hang.

The corpus (../shared/corpora/dnssec/knot-semantic-check, or $MAMORI_CORPORA/dnssec/knot-semantic-check)
lists each zone with kzonecheck's verdict and the message it expects (expected.tsv).
"""
import json
import os
import re
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from harness import BIN  # noqa: E402

CORPORA = os.environ.get("MAMORI_CORPORA", os.path.join(os.path.dirname(__file__), "..", "..", "..", "shared", "corpora"))
CORPUS = os.path.join(CORPORA, "dnssec", "knot-semantic-check")
NOW = "2026-06-01T00:00:00Z"  # the corpus signatures run 2020/2021 … 2040/2060

VALIDITY = {"DNSSEC-BOGUS", "DNSSEC-SIG-INVALID", "DNSSEC-SIG-EXPIRED", "DNSSEC-SIG-NOT-YET-VALID",
            "DNSSEC-RRSIG-MISSING", "DNSSEC-DENIAL-INVALID", "DNSSEC-NSEC-CHAIN", "DNSSEC-DS-MISMATCH"}
SIGNATURE = {"DNSSEC-SIG-INVALID", "DNSSEC-SIG-EXPIRED", "DNSSEC-SIG-NOT-YET-VALID", "DNSSEC-RRSIG-MISSING"}

# kzonecheck's message → the findings of which mamori must report at least one.
IN_SCOPE = [
    (r"no valid signature for a record", SIGNATURE),
    (r"NSEC\\\(3\\\) chain|missing NSEC\\\(3\\\)|NSEC\\\(3\\\) bitmap|superfluous NSEC|NSEC3PARAM|NSEC3 opt-out",
     {"DNSSEC-NSEC-CHAIN"}),
    (r"CDS|CDNSKEY", {"DNSSEC-CDS"}),
    (r"invalid DNSKEY|unknown algorithm in DS", VALIDITY),  # an unusable key: some signature cannot verify
]

# Verdicts mamori does not share, each with the reason. They are still run (no crash, no hang).
OUT_OF_SCOPE = {
    "dnskey_keytags.many": "two DNSKEYs with one key tag are legal (RFC 4034 App. B); validators try each",
    "nsec3_optout_ent.invalid": "RFC 5155 §7.1 lets opt-out omit an empty non-terminal that leads only to insecure "
                                "delegations; kzonecheck requires its NSEC3",
    "cdnskey.nodnskey": "kzonecheck's expected message is undefined upstream; mamori's CDS finding is checked below",
}
# "correct" zones whose DNSKEY set holds an algorithm that signs nothing: RFC 4035 §2.2 wants every RRset
# signed by each algorithm of the DNSKEY set (mamori: DNSSEC-RRSIG-MISSING); kzonecheck does not ask it.
EVERY_ALGORITHM = {"cdnskey.cds", "cdnskey.delete.both"}
NOT_DNSSEC = ("SOA", "CNAME", "DNAME", "glue", "NS record", "DS at the zone apex", "DELEG", "NS at the zone apex")


def load_expected():
    rows = []
    with open(os.path.join(CORPUS, "expected.tsv")) as f:
        for line in f:
            if line.startswith("#") or not line.strip():
                continue
            cols = line.rstrip("\n").split("\t")
            cols += [""] * (7 - len(cols))
            rows.append(dict(zip(("file", "check", "dnssec", "origin", "fatal", "errors", "regex"), cols)))
    return rows


def run_zone(row):
    args = [BIN, "zone", os.path.join(CORPUS, "zones", row["file"]), "--checks", "dnssec", "--now", NOW,
            "--format", "json"]
    if row["origin"] != "auto":
        args += ["--origin", row["origin"]]
    return subprocess.run(args, capture_output=True, text=True, timeout=60)


def findings(proc, errors_only=True):
    doc = json.loads(proc.stdout)
    return {f["id"] for c in doc["targets"][0]["checks"] for f in c["findings"]
            if not errors_only or f["severity"] in ("error", "warning") and f["id"] != "DNSSEC-RSA-SHORT"}


@unittest.skipUnless(os.path.isdir(CORPUS), "corpus not found: %s (set MAMORI_CORPORA)" % CORPUS)
class KnotSemanticCheck(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.rows = load_expected()
        cls.results = {}
        for row in cls.rows:
            key = (row["file"], row["origin"])
            if key not in cls.results:
                cls.results[key] = run_zone(row)

    def test_never_crashes_or_hangs(self):
        self.assertGreaterEqual(len(self.results), 60)
        for (name, origin), proc in self.results.items():
            with self.subTest(zone=name, origin=origin):
                self.assertIn(proc.returncode, (0, 1, 2), proc.stderr[-2000:])
                self.assertNotIn("internal error", proc.stdout + proc.stderr)
                if proc.returncode == 2:
                    self.assertRegex(proc.stderr, r"mamori: error: .*" + re.escape(name))
                else:
                    json.loads(proc.stdout)

    def test_agrees_on_dnssec_errors(self):
        checked = 0
        for row in self.rows:
            if row["check"] != "error" or row["dnssec"] != "on" or row["file"] in OUT_OF_SCOPE:
                continue
            wanted = next((ids for pattern, ids in IN_SCOPE if re.search(pattern, row["regex"])), None)
            if wanted is None:
                self.assertTrue(any(word in row["regex"] for word in NOT_DNSSEC) or "upstream var" in row["regex"]
                                or row["file"].startswith("soa."),
                                "unclassified kzonecheck message: %r" % row["regex"])
                continue
            proc = self.results[(row["file"], row["origin"])]
            with self.subTest(zone=row["file"], kzonecheck=row["regex"]):
                self.assertEqual(proc.returncode, 0, proc.stderr)
                got = findings(proc)
                self.assertTrue(got & wanted, "mamori found %s, expected one of %s" % (sorted(got), sorted(wanted)))
                checked += 1
        self.assertGreaterEqual(checked, 35)

    def test_agrees_on_correct_zones(self):
        checked = 0
        for row in self.rows:
            if row["check"] != "correct" or row["dnssec"] != "on":
                continue
            proc = self.results[(row["file"], row["origin"])]
            with self.subTest(zone=row["file"]):
                self.assertEqual(proc.returncode, 0, proc.stderr)
                got = findings(proc) & (VALIDITY | {"DNSSEC-CDS"})
                if row["file"] in EVERY_ALGORITHM:
                    self.assertEqual(got, {"DNSSEC-BOGUS", "DNSSEC-RRSIG-MISSING"})
                    self.assertIn("with algorithm RSASHA256 (8)", proc.stdout)
                else:
                    self.assertEqual(got, set())
                checked += 1
        self.assertGreaterEqual(checked, 14)

    def test_cds_without_dnskey_is_reported(self):
        proc = self.results[("cdnskey.nodnskey", "example.com")]
        self.assertIn("DNSSEC-CDS", findings(proc))


if __name__ == "__main__":
    unittest.main(module="__main__", verbosity=2)
