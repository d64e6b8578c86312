"""End-to-end `mamori audit --checks dnssec,ns` on the local test internet: one zone per DNSSEC or nameserver defect."""
import json
import os
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from harness import RESOLVER, SOURCE, audit_json, finding_ids, main, mamori  # noqa: E402

ANCHOR = os.environ.get("MAMORI_TRUST_ANCHOR", os.path.join(SOURCE, "fixtures", "world", "root-anchor.ds"))
NOW = "2026-06-01T00:00:00Z"  # inside the world's default signature window (2026-01-01 … 2036-12-31)

# The exact dnssec findings of each zone (zones.list gives how each one is broken).
DNSSEC_CASES = {
    "good.go.jp": [],
    "dnssec-unsigned.go.jp": ["DNSSEC-UNSIGNED"],
    "dnssec-dsmismatch.go.jp": ["DNSSEC-BOGUS", "DNSSEC-DS-MISMATCH"],
    "dnssec-dsstale.go.jp": ["DNSSEC-DS-ORPHAN", "DNSSEC-NSEC-WALKABLE"],
    "dnssec-dssha1.go.jp": ["DNSSEC-DS-SHA1", "DNSSEC-NSEC-WALKABLE"],
    "dnssec-expired.go.jp": ["DNSSEC-BOGUS", "DNSSEC-SIG-EXPIRED"],
    "dnssec-notyet.go.jp": ["DNSSEC-BOGUS", "DNSSEC-SIG-NOT-YET-VALID"],
    "dnssec-expiring.go.jp": ["DNSSEC-NSEC-WALKABLE", "DNSSEC-SIG-EXPIRING"],
    "dnssec-norrsig.go.jp": ["DNSSEC-BOGUS", "DNSSEC-NSEC-WALKABLE", "DNSSEC-RRSIG-MISSING"],
    "dnssec-denial.go.jp": ["DNSSEC-BOGUS", "DNSSEC-DENIAL-INVALID", "DNSSEC-NSEC-WALKABLE"],
    "dnssec-rsasha1.go.jp": ["DNSSEC-ALGO-DEPRECATED", "DNSSEC-NSEC-WALKABLE"],
    "dnssec-rsashort.go.jp": ["DNSSEC-NSEC-WALKABLE", "DNSSEC-RSA-SHORT"],
    "dnssec-nsec3.go.jp": ["DNSSEC-NSEC3-ITERATIONS", "DNSSEC-NSEC3-SALT"],
    "dnssec-cds.go.jp": ["DNSSEC-CDS", "DNSSEC-NSEC-WALKABLE"],
}

NS_CASES = {
    "good.go.jp": [],
    "ns-single.go.jp": ["NS-SINGLE"],
    "ns-lame.go.jp": ["NS-LAME"],
    "ns-inconsistent.go.jp": ["NS-INCONSISTENT"],
    "nomx.go.jp": ["NS-NO-DIVERSITY"],
}


def dnssec_audit(*targets, extra=(), now=NOW):
    return audit_json(*targets, extra=("--checks", "dnssec", "--trust-anchor", ANCHOR, "--now", now, *extra))


def check_of(target_doc, check):
    return next(c for c in target_doc["checks"] if c["check"] == check)


def finding(target_doc, finding_id):
    return next(f for c in target_doc["checks"] for f in c["findings"] if f["id"] == finding_id)


class DnssecCases(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.proc, cls.doc = dnssec_audit(*DNSSEC_CASES)
        cls.by_name = {t["target"]: t for t in cls.doc["targets"]} if cls.doc else {}

    def test_each_zone_yields_exactly_its_findings(self):
        self.assertEqual(self.proc.returncode, 0, self.proc.stderr)
        self.assertEqual(list(self.by_name), list(DNSSEC_CASES))
        for name, expected in DNSSEC_CASES.items():
            with self.subTest(domain=name):
                self.assertEqual(finding_ids(self.by_name[name], "dnssec"), sorted(expected))
                for f in check_of(self.by_name[name], "dnssec")["findings"]:
                    self.assertTrue(f["message"] and f["remedy"] and f["ref"] and f["evidence"], f)

    def test_states_in_facts_and_summary(self):
        states = {n: check_of(t, "dnssec")["facts"]["state"] for n, t in self.by_name.items()}
        self.assertEqual(states["good.go.jp"], "secure")
        self.assertEqual(states["dnssec-unsigned.go.jp"], "insecure")
        for bogus in ("dnssec-dsmismatch.go.jp", "dnssec-expired.go.jp", "dnssec-notyet.go.jp",
                      "dnssec-norrsig.go.jp", "dnssec-denial.go.jp"):
            self.assertEqual(states[bogus], "bogus", bogus)
        self.assertEqual(self.doc["summary"]["adoption"]["dnssec"],
                         {"secure": 8, "insecure": 1, "bogus": 5})

    def test_facts_of_a_good_zone(self):
        facts = check_of(self.by_name["good.go.jp"], "dnssec")["facts"]
        self.assertEqual(facts["algorithms"], [13])
        self.assertEqual(facts["ds_digests"], [2])
        self.assertEqual(facts["nsec"], "nsec3")
        self.assertEqual([link["zone"] for link in facts["chain"]], [".", "jp.", "go.jp.", "good.go.jp."])
        rsa = check_of(self.by_name["dnssec-rsasha1.go.jp"], "dnssec")["facts"]
        self.assertEqual(rsa["algorithms"], [5])
        self.assertEqual(check_of(self.by_name["dnssec-dssha1.go.jp"], "dnssec")["facts"]["ds_digests"], [1])

    def test_a_broken_chain_names_the_link(self):
        mismatch = finding(self.by_name["dnssec-dsmismatch.go.jp"], "DNSSEC-DS-MISMATCH")
        dnskeys = mismatch["evidence"]["dnskeys"]
        self.assertEqual(len(dnskeys), 2)
        self.assertIn("go.jp.", mismatch["message"])
        self.assertRegex(mismatch["message"], r"key tag\(s\) \d+, the zone publishes \d+, \d+")
        bogus = finding(self.by_name["dnssec-dsmismatch.go.jp"], "DNSSEC-BOGUS")
        self.assertIn("dnssec-dsmismatch.go.jp. DNSKEY", bogus["evidence"]["broken_link"])
        expired = finding(self.by_name["dnssec-expired.go.jp"], "DNSSEC-SIG-EXPIRED")
        self.assertIn("expired at 2025-02-01T00:00:00Z", expired["message"])
        self.assertRegex(expired["message"], r"by key \d+ \(algorithm 13\)")
        self.assertEqual(expired["evidence"]["rrsigs"][0]["expiration"], "2025-02-01T00:00:00Z")
        notyet = finding(self.by_name["dnssec-notyet.go.jp"], "DNSSEC-SIG-NOT-YET-VALID")
        self.assertIn("not valid before 2030-01-01T00:00:00Z", notyet["message"])
        missing = finding(self.by_name["dnssec-norrsig.go.jp"], "DNSSEC-RRSIG-MISSING")
        self.assertIn("dnssec-norrsig.go.jp. A", missing["message"])

    def test_severities_and_remedies(self):
        iterations = finding(self.by_name["dnssec-nsec3.go.jp"], "DNSSEC-NSEC3-ITERATIONS")
        self.assertEqual(iterations["severity"], "error")  # 150 > 100
        self.assertEqual(iterations["evidence"]["iterations"], 150)
        self.assertEqual(finding(self.by_name["dnssec-nsec3.go.jp"], "DNSSEC-NSEC3-SALT")["evidence"]["salt"], "abcd")
        sha1 = finding(self.by_name["dnssec-dssha1.go.jp"], "DNSSEC-DS-SHA1")
        self.assertRegex(sha1["remedy"], r"dnssec-dssha1\.go\.jp\.\s+3600\s+IN\s+DS\s+\d+ 13 2 [0-9a-f]{64}")
        stale = finding(self.by_name["dnssec-dsstale.go.jp"], "DNSSEC-DS-ORPHAN")
        self.assertEqual(len(stale["evidence"]["stale_ds"]), 1)
        short = finding(self.by_name["dnssec-rsashort.go.jp"], "DNSSEC-RSA-SHORT")
        self.assertEqual(short["evidence"]["keys"][0]["bits"], 1024)

    def test_expiry_horizon_follows_the_clock_and_the_profile(self):
        _, later = dnssec_audit("dnssec-expiring.go.jp", now="2026-05-01T00:00:00Z")
        self.assertNotIn("DNSSEC-SIG-EXPIRING", finding_ids(later["targets"][0], "dnssec"))
        with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
            json.dump({"name": "long-horizon", "thresholds": {"signature_expiry_days": 40}}, f)
        try:
            _, doc = dnssec_audit("dnssec-expiring.go.jp", now="2026-05-01T00:00:00Z", extra=("--profile", f.name))
            self.assertIn("DNSSEC-SIG-EXPIRING", finding_ids(doc["targets"][0], "dnssec"))
        finally:
            os.unlink(f.name)


class TrustAnchors(unittest.TestCase):
    def test_a_wrong_anchor_breaks_the_chain_at_the_root(self):
        with tempfile.NamedTemporaryFile("w", suffix=".ds", delete=False) as f:
            f.write("; a root KSK that the world's root does not have\n"
                    ". IN DS 12345 13 2 " + "ab" * 32 + "\n")
        try:
            proc, doc = audit_json("good.go.jp", extra=("--checks", "dnssec", "--trust-anchor", f.name, "--now", NOW))
        finally:
            os.unlink(f.name)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        t = doc["targets"][0]
        self.assertEqual(finding_ids(t, "dnssec"), ["DNSSEC-BOGUS", "DNSSEC-DS-MISMATCH"])
        self.assertIn("the trust anchor", finding(t, "DNSSEC-DS-MISMATCH")["message"])
        self.assertIn("12345", finding(t, "DNSSEC-DS-MISMATCH")["message"])

    def test_the_builtin_root_anchor_does_not_trust_the_test_root(self):
        proc, doc = audit_json("good.go.jp", extra=("--checks", "dnssec", "--now", NOW))
        self.assertEqual(proc.returncode, 0, proc.stderr)
        mismatch = finding(doc["targets"][0], "DNSSEC-DS-MISMATCH")
        self.assertIn("20326", mismatch["message"])
        self.assertIn("38696", mismatch["message"])

    def test_a_dnskey_anchor_works_too(self):
        key = os.path.join(SOURCE, "fixtures", "world", "keys", "root.ksk.key")
        proc, doc = audit_json("good.go.jp", extra=("--checks", "dnssec", "--trust-anchor", key, "--now", NOW))
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertEqual(check_of(doc["targets"][0], "dnssec")["facts"]["state"], "secure")

    def test_bad_anchor_files_are_usage_errors(self):
        with tempfile.TemporaryDirectory() as d:
            garbage = os.path.join(d, "garbage.ds")
            with open(garbage, "w") as f:
                f.write(". IN DS 20326 8 2 E06D44B80B8F1D39A95C0B0D7C65D08458E880409BBC683457104237C7F8EC8D\n"
                        "this is not a record\n")
            mx = os.path.join(d, "mx.ds")
            with open(mx, "w") as f:
                f.write("example. IN MX 10 mail.example.\n")
            for path, want in ((garbage, garbage + ":2:"), (mx, "DS or DNSKEY"),
                               (os.path.join(d, "absent.ds"), "cannot read")):
                proc = mamori("audit", "--resolver", RESOLVER, "--checks", "dnssec", "--trust-anchor", path, "good.go.jp")
                self.assertEqual(proc.returncode, 2, (path, proc.stderr))
                self.assertIn("--trust-anchor", proc.stderr)
                self.assertIn(want, proc.stderr)
                self.assertEqual(proc.stdout, "")


class NameserverCases(unittest.TestCase):
    def test_each_zone_yields_exactly_its_findings(self):
        proc, doc = audit_json(*NS_CASES, extra=("--checks", "ns"))
        self.assertEqual(proc.returncode, 0, proc.stderr)
        by_name = {t["target"]: t for t in doc["targets"]}
        for name, expected in NS_CASES.items():
            with self.subTest(domain=name):
                self.assertEqual(finding_ids(by_name[name], "ns"), expected)
        lame = finding(by_name["ns-lame.go.jp"], "NS-LAME")
        self.assertEqual(lame["evidence"]["address"], "127.53.2.1")
        self.assertIn("AA bit", lame["message"])
        serials = finding(by_name["ns-inconsistent.go.jp"], "NS-INCONSISTENT")["evidence"]["serials"]
        self.assertEqual(sorted(serials), ["2026112201", "2026112299"])
        servers = check_of(by_name["good.go.jp"], "ns")["facts"]["servers"]
        self.assertEqual(sorted(s["address"] for s in servers), ["127.53.10.1", "127.53.10.2", "127.53.60.53"])
        self.assertTrue(all(s["authoritative"] and s["tcp"] for s in servers))

    def test_origin_as_diversity_with_routing_data(self):
        pfx2as = os.environ.get("MAMORI_PFX2AS", os.path.join(SOURCE, "fixtures", "world", "routes.pfx2as"))
        proc, doc = audit_json("good.go.jp", "nomx.go.jp", extra=("--checks", "ns", "--pfx2as", pfx2as))
        self.assertEqual(proc.returncode, 0, proc.stderr)
        good, nomx = doc["targets"]
        self.assertEqual(finding_ids(good, "ns"), [])
        diversity = finding(nomx, "NS-NO-DIVERSITY")
        self.assertEqual(diversity["evidence"]["origin_as"], ["AS64500"])

    def test_a_dead_delegation_is_an_error_not_a_finding(self):
        proc, doc = audit_json("lame.go.jp", extra=("--checks", "dnssec,ns", "--timeout", "1500", "--now", NOW,
                                                    "--trust-anchor", ANCHOR))
        self.assertEqual(proc.returncode, 0, proc.stderr)
        for c in doc["targets"][0]["checks"]:
            self.assertEqual(c["status"], "error", c)
            self.assertIn("lame.go.jp", c["error"])


class Reports(unittest.TestCase):
    def test_json_validates_against_the_schema(self):
        import jsonschema
        with open(os.path.join(SOURCE, "report", "schema", "report-v1.schema.json")) as f:
            schema = json.load(f)
        _, doc = audit_json("good.go.jp", "dnssec-expired.go.jp", "dnssec-unsigned.go.jp", "ns-lame.go.jp",
                            extra=("--checks", "dnssec,ns", "--trust-anchor", ANCHOR, "--now", NOW))
        jsonschema.validate(doc, schema)

    def test_fail_on_error_gates_a_bogus_zone(self):
        base = ("audit", "--resolver", RESOLVER, "--checks", "dnssec", "--trust-anchor", ANCHOR, "--now", NOW,
                "--fail-on", "error", "--format", "json")
        self.assertEqual(mamori(*base, "good.go.jp").returncode, 0)
        self.assertEqual(mamori(*base, "dnssec-expired.go.jp").returncode, 1)


if __name__ == "__main__":
    main()
