"""`mamori zone` offline: the test world's signed zone files (one per defect), hand-broken copies, gating, bad input."""
import json
import os
import re
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from harness import SOURCE, main, mamori  # noqa: E402

WORLD = os.environ.get("MAMORI_WORLD", "")
NOW = "2026-06-01T00:00:00Z"
FIXTURES = os.path.join(SOURCE, "fixtures", "zones")

# The same defects as the live audit, found in the zone files alone. DS-side defects (mismatch, stale,
# SHA-1) live at the parent, not in the child's file: offline, dnssec-dsmismatch.go.jp looks healthy.
ZONE_CASES = {
    "good.go.jp": [],
    "dnssec-unsigned.go.jp": ["DNSSEC-UNSIGNED"],
    "dnssec-expired.go.jp": ["DNSSEC-BOGUS", "DNSSEC-NSEC-WALKABLE", "DNSSEC-SIG-EXPIRED"],
    "dnssec-notyet.go.jp": ["DNSSEC-BOGUS", "DNSSEC-NSEC-WALKABLE", "DNSSEC-SIG-NOT-YET-VALID"],
    "dnssec-expiring.go.jp": ["DNSSEC-NSEC-WALKABLE", "DNSSEC-SIG-EXPIRING"],
    "dnssec-norrsig.go.jp": ["DNSSEC-BOGUS", "DNSSEC-NSEC-WALKABLE", "DNSSEC-RRSIG-MISSING"],
    "dnssec-denial.go.jp": ["DNSSEC-BOGUS", "DNSSEC-NSEC-WALKABLE", "DNSSEC-RRSIG-MISSING"],
    "dnssec-rsasha1.go.jp": ["DNSSEC-ALGO-DEPRECATED", "DNSSEC-NSEC-WALKABLE"],
    "dnssec-rsashort.go.jp": ["DNSSEC-NSEC-WALKABLE", "DNSSEC-RSA-SHORT"],
    "dnssec-nsec3.go.jp": ["DNSSEC-NSEC3-ITERATIONS", "DNSSEC-NSEC3-SALT"],
    "dnssec-cds.go.jp": ["DNSSEC-CDS", "DNSSEC-NSEC-WALKABLE"],
    "dnssec-dsmismatch.go.jp": ["DNSSEC-NSEC-WALKABLE"],
}


def world_file(zone):
    base = os.path.join(WORLD, "zones", zone + ".zone")
    return base + ".signed" if os.path.exists(base + ".signed") else base


def zone_json(path, origin, *extra):
    proc = mamori("zone", path, "--origin", origin, "--now", NOW, "--format", "json", *extra)
    doc = json.loads(proc.stdout) if proc.stdout.strip() else None
    return proc, doc


def ids(doc, check="dnssec"):
    return sorted(f["id"] for c in doc["targets"][0]["checks"] if c["check"] == check for f in c["findings"])


def dnssec_result(doc):
    return next(c for c in doc["targets"][0]["checks"] if c["check"] == "dnssec")


class WorldZoneFiles(unittest.TestCase):
    def test_each_zone_file_yields_exactly_its_findings(self):
        for zone, expected in ZONE_CASES.items():
            with self.subTest(zone=zone):
                proc, doc = zone_json(world_file(zone), zone, "--checks", "dnssec")
                self.assertEqual(proc.returncode, 0, proc.stderr)
                self.assertEqual(doc["targets"][0]["kind"], "zone")
                self.assertEqual(ids(doc), expected)
                for c in doc["targets"][0]["checks"]:
                    for f in c["findings"]:
                        self.assertTrue(f["message"] and f["remedy"] and f["ref"] and f["evidence"], f)

    def test_facts_of_the_good_zone(self):
        _, doc = zone_json(world_file("good.go.jp"), "good.go.jp", "--checks", "dnssec")
        facts = dnssec_result(doc)["facts"]
        self.assertEqual(facts["state"], "secure")
        self.assertEqual(facts["algorithms"], [13])
        self.assertEqual(facts["nsec"], "nsec3")
        self.assertGreater(facts["signatures_verified"], 20)

    def test_expired_names_the_window(self):
        _, doc = zone_json(world_file("dnssec-expired.go.jp"), "dnssec-expired.go.jp", "--checks", "dnssec")
        expired = next(f for f in dnssec_result(doc)["findings"] if f["id"] == "DNSSEC-SIG-EXPIRED")
        self.assertIn("expired at 2025-02-01T00:00:00Z", expired["message"])
        self.assertEqual(dnssec_result(doc)["facts"]["state"], "bogus")

    def test_the_mail_checks_run_on_the_zone_records(self):
        proc, doc = zone_json(os.path.join(FIXTURES, "mail.example.zone"), "mail.example")
        self.assertEqual(proc.returncode, 0, proc.stderr)
        checks = {c["check"] for c in doc["targets"][0]["checks"]}
        self.assertTrue({"mx", "dnssec"} <= checks, checks)
        self.assertNotIn("ns", checks)  # nameservers need the network
        self.assertEqual(ids(doc, "mx"), ["MX-NULL-MIXED"])
        self.assertEqual(ids(doc, "dnssec"), ["DNSSEC-UNSIGNED"])


class HandBroken(unittest.TestCase):
    """Copies of the world's signed files, broken the way hand edits break them."""

    def edited(self, zone, edit):
        with open(world_file(zone)) as f:
            text = f.read()
        tmp = tempfile.NamedTemporaryFile("w", suffix=".zone", delete=False)
        tmp.write(edit(text))
        tmp.close()
        self.addCleanup(os.unlink, tmp.name)
        return tmp.name

    def test_a_deleted_nsec_breaks_the_chain(self):
        path = self.edited("nomx.go.jp", lambda t: "\n".join(
            line for line in t.splitlines() if not re.match(r"^www\.nomx\.go\.jp\.\s+\d+\s+IN\s+NSEC\s", line)))
        proc, doc = zone_json(path, "nomx.go.jp", "--checks", "dnssec")
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertIn("DNSSEC-NSEC-CHAIN", ids(doc))
        chain = next(f for f in dnssec_result(doc)["findings"] if f["id"] == "DNSSEC-NSEC-CHAIN")
        self.assertIn("missing NSEC at www.nomx.go.jp.", chain["message"])

    def test_an_edited_record_no_longer_verifies(self):
        path = self.edited("good.go.jp", lambda t: t.replace("127.53.20.10", "127.53.20.11"))
        _, doc = zone_json(path, "good.go.jp", "--checks", "dnssec")
        self.assertIn("DNSSEC-SIG-INVALID", ids(doc))
        invalid = next(f for f in dnssec_result(doc)["findings"] if f["id"] == "DNSSEC-SIG-INVALID")
        self.assertIn("mail.good.go.jp. A", invalid["message"])


class Gate(unittest.TestCase):
    def test_fail_on_and_fail_under_gate_a_zone_file(self):
        good = world_file("good.go.jp")
        self.assertEqual(mamori("zone", good, "--origin", "good.go.jp", "--now", NOW, "--checks", "dnssec",
                                "--fail-on", "error").returncode, 0)
        expired = world_file("dnssec-expired.go.jp")
        proc = mamori("zone", expired, "--origin", "dnssec-expired.go.jp", "--now", NOW, "--fail-on", "error")
        self.assertEqual(proc.returncode, 1, proc.stderr)
        self.assertIn("DNSSEC-SIG-EXPIRED", proc.stdout)
        rsashort = world_file("dnssec-rsashort.go.jp")
        args = ("zone", rsashort, "--origin", "dnssec-rsashort.go.jp", "--now", NOW, "--checks", "dnssec")
        self.assertEqual(mamori(*args, "--fail-on", "error").returncode, 0)
        self.assertEqual(mamori(*args, "--fail-on", "warning").returncode, 1)
        self.assertEqual(mamori(*args, "--fail-under", "90").returncode, 1)
        self.assertEqual(mamori(*args, "--fail-under", "80").returncode, 0)

    def test_the_report_goes_to_a_file(self):
        with tempfile.TemporaryDirectory() as d:
            out = os.path.join(d, "report.json")
            proc = mamori("zone", world_file("good.go.jp"), "--origin", "good.go.jp", "--now", NOW,
                          "--format", "json", "-o", out)
            self.assertEqual(proc.returncode, 0, proc.stderr)
            self.assertEqual(proc.stdout, "")
            with open(out) as f:
                doc = json.load(f)
            self.assertEqual(doc["targets"][0]["target"], "good.go.jp")
            import jsonschema
            with open(os.path.join(SOURCE, "report", "schema", "report-v1.schema.json")) as f:
                jsonschema.validate(doc, json.load(f))

    def test_no_network_is_needed(self):
        # A private network namespace with nothing in it, not even loopback.
        proc = subprocess.run(["unshare", "--net", "--map-root-user", os.environ.get("MAMORI_BIN", "mamori"), "zone",
                               world_file("good.go.jp"), "--origin", "good.go.jp", "--now", NOW, "--checks", "dnssec",
                               "--fail-on", "error"], capture_output=True, text=True, timeout=120)
        self.assertEqual(proc.returncode, 0, proc.stderr)


class BadInput(unittest.TestCase):
    def test_a_syntax_error_names_the_file_and_line(self):
        path = os.path.join(FIXTURES, "bad-syntax.zone")
        proc = mamori("zone", path, "--origin", "bad.example")
        self.assertEqual(proc.returncode, 2)
        self.assertIn(path + ":8:", proc.stderr)
        self.assertEqual(proc.stdout, "")

    def test_usage_errors(self):
        good = world_file("good.go.jp")
        cases = [
            (("zone", "/nonexistent/zone.db"), "/nonexistent/zone.db"),
            (("zone", good, "--origin", "other.example"), "not by the origin"),
            (("zone", good, "--checks", "nosuch"), "unknown check"),
            (("zone", good, "--fail-on", "info"), "--fail-on"),
            (("zone", good, "--now", "yesterday"), "--now"),
            (("zone", good, "--format", "yaml"), "--format"),
            (("zone",), "zonefile"),
        ]
        for args, want in cases:
            with self.subTest(args=args):
                proc = mamori(*args)
                self.assertEqual(proc.returncode, 2, proc.stderr)
                self.assertIn(want, proc.stderr)

    def test_garbage_is_an_error_never_a_crash(self):
        with tempfile.NamedTemporaryFile("wb", suffix=".zone", delete=False) as f:
            f.write(bytes(range(256)) * 40)
        self.addCleanup(os.unlink, f.name)
        proc = mamori("zone", f.name, "--origin", "x.example", timeout=60)
        self.assertEqual(proc.returncode, 2, proc.stderr)
        self.assertIn(f.name, proc.stderr)


if __name__ == "__main__":
    if not WORLD:
        raise SystemExit("MAMORI_WORLD is not set: run under fixtures/world/session")
    unittest.main(module="__main__", verbosity=2)
