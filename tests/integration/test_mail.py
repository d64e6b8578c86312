"""End-to-end dmarc, dkim, mta-sts, tlsrpt, dane and bimi checks on the local test internet.

Each case domain is its own zone under go.jp (fixtures/world/zones), built for one finding; the MTA-STS
policies come from the world's HTTPS server (fixtures/world/https) whose test CA is $MAMORI_CA_FILE.
"""
import json
import os
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from harness import BIN, RESOLVER, SOURCE, audit_json, main, mamori  # noqa: E402

CA_FILE = os.environ.get("MAMORI_CA_FILE", "")
CHECKS = ("dmarc", "dkim", "mta-sts", "tlsrpt", "dane", "bimi")
PREFIXES = ("DMARC-", "DKIM-", "MTASTS-", "TLSRPT-", "DANE-", "BIMI-")
SKIP = "skip"  # the check does not apply (null MX: the domain takes no mail)

# domain -> {check: exact sorted finding ids, or SKIP}; checks not named must pass with no finding.
PARKED = {"mta-sts": SKIP, "tlsrpt": SKIP, "dane": SKIP}
CASES = {
    "good.go.jp": {},
    "nullmx.go.jp": {"dmarc": ["DMARC-NO-RUA"], **PARKED},
    "dmarc-missing.go.jp": {"dmarc": ["DMARC-MISSING"], **PARKED},
    "dmarc-multiple.go.jp": {"dmarc": ["DMARC-MULTIPLE"], **PARKED},
    "dmarc-syntax.go.jp": {"dmarc": ["DMARC-SYNTAX"], **PARKED},
    "dmarc-none.go.jp": {"dmarc": ["DMARC-POLICY-NONE"], **PARKED},
    "dmarc-quarantine.go.jp": {"dmarc": ["DMARC-POLICY-QUARANTINE"], **PARKED},
    "dmarc-pct.go.jp": {"dmarc": ["DMARC-PCT"], **PARKED},
    "dmarc-sp-weaker.go.jp": {"dmarc": ["DMARC-SP-WEAKER"], **PARKED},
    "dmarc-rua-syntax.go.jp": {"dmarc": ["DMARC-RUA-SYNTAX"], **PARKED},
    "dmarc-rua-external.go.jp": {"dmarc": ["DMARC-RUA-UNAUTHORIZED"], **PARKED},
    "dmarc-rua-authorized.go.jp": {**PARKED},
    "dmarc-inherited.go.jp": {**PARKED},
    "sub.dmarc-inherited.go.jp": {"dmarc": ["DMARC-INHERITED"], **PARKED},
    "dmarc-noauth.go.jp": {"dmarc": ["DMARC-NO-AUTH"], "dkim": ["DKIM-NOT-FOUND"], "mta-sts": ["MTASTS-MISSING"],
                           "tlsrpt": ["TLSRPT-MISSING"], "dane": ["DANE-NONE"]},
    "dkim-invalid.go.jp": {"dkim": ["DKIM-KEY-INVALID"], **PARKED},
    "dkim-revoked.go.jp": {"dkim": ["DKIM-KEY-REVOKED"], **PARKED},
    "dkim-weak.go.jp": {"dkim": ["DKIM-RSA-WEAK", "DKIM-RSA-WEAK"], **PARKED},
    "dkim-testing.go.jp": {"dkim": ["DKIM-TESTING"], **PARKED},
    "dkim-sha1.go.jp": {"dkim": ["DKIM-SHA1"], **PARKED},
    "dkim-ed25519.go.jp": {"dkim": ["DKIM-ED25519"], **PARKED},
    "mtasts-txt-syntax.go.jp": {"mta-sts": ["MTASTS-TXT-SYNTAX"]},
    "mtasts-unreachable.go.jp": {"mta-sts": ["MTASTS-POLICY-UNREACHABLE"]},
    "mtasts-redirect.go.jp": {"mta-sts": ["MTASTS-POLICY-UNREACHABLE"]},
    "mtasts-cert-invalid.go.jp": {"mta-sts": ["MTASTS-CERT-INVALID"]},
    "mtasts-policy-syntax.go.jp": {"mta-sts": ["MTASTS-POLICY-SYNTAX"]},
    "mtasts-testing.go.jp": {"mta-sts": ["MTASTS-MODE-TESTING"]},
    "mtasts-none.go.jp": {"mta-sts": ["MTASTS-MODE-NONE"]},
    "mtasts-mismatch.go.jp": {"mta-sts": ["MTASTS-MX-MISMATCH"]},
    "mtasts-max-age.go.jp": {"mta-sts": ["MTASTS-MAX-AGE-SHORT"]},
    "tlsrpt-syntax.go.jp": {"tlsrpt": ["TLSRPT-SYNTAX"]},
    "tlsrpt-multiple.go.jp": {"tlsrpt": ["TLSRPT-MULTIPLE"]},
    "dane-usage.go.jp": {"dane": ["DANE-USAGE"]},
    "dane-full.go.jp": {"dane": ["DANE-MATCHING-FULL"]},
    "dane-syntax.go.jp": {"dane": ["DANE-SYNTAX"]},
    "dane-unsigned.go.jp": {"dane": ["DANE-INEFFECTIVE"]},
    "dane-partial.go.jp": {"dane": ["DANE-PARTIAL"]},
    "bimi.go.jp": {"bimi": ["BIMI-PRESENT"], **PARKED},
}

_report = None


def report():
    """One audit of every case (the world is the same for every test of this module)."""
    global _report
    if _report is None:
        proc, doc = audit_json(*CASES, extra=("--checks", ",".join(CHECKS), "--ca-file", CA_FILE))
        if proc.returncode != 0:
            raise AssertionError("audit failed (%d): %s" % (proc.returncode, proc.stderr))
        _report = {t["target"]: t for t in doc["targets"]}
        _report["__doc__"] = doc
    return _report


def check_of(target, check_id):
    return next(c for c in target["checks"] if c["check"] == check_id)


def catalogue_ids():
    """Every finding id of these checks, from `mamori explain`."""
    out = mamori("explain").stdout.splitlines()
    return {line.split()[0] for line in out if line.startswith("  ") and line.split()[0].startswith(PREFIXES)}


class MailCases(unittest.TestCase):
    def test_each_domain_yields_exactly_its_findings(self):
        rep = report()
        for domain, expected in CASES.items():
            target = rep[domain]
            for check_id in CHECKS:
                with self.subTest(domain=domain, check=check_id):
                    c = check_of(target, check_id)
                    want = expected.get(check_id, [])
                    self.assertNotEqual(c["status"], "error", c.get("error"))
                    if want == SKIP:
                        self.assertEqual(c["status"], "skip")
                        self.assertEqual(c["findings"], [])
                    else:
                        self.assertEqual(sorted(f["id"] for f in c["findings"]), want)

    def test_every_finding_has_evidence_remedy_and_reference(self):
        for domain in CASES:
            for c in report()[domain]["checks"]:
                for f in c["findings"]:
                    with self.subTest(domain=domain, id=f["id"]):
                        self.assertTrue(f["message"] and f["evidence"] and f["remedy"] and f["ref"])

    def test_every_declared_finding_is_produced_by_a_test_domain(self):
        produced = {f["id"] for d in CASES for c in report()[d]["checks"] for f in c["findings"]}
        declared = catalogue_ids()
        self.assertGreaterEqual(len(declared), 30)  # the listing was read
        self.assertEqual(declared - produced, set())

    def test_good_domain_facts(self):
        good = report()["good.go.jp"]
        self.assertEqual(check_of(good, "dmarc")["facts"]["policy"], "reject")
        self.assertEqual(check_of(good, "dmarc")["facts"]["source"], "_dmarc.good.go.jp")
        self.assertEqual(check_of(good, "dmarc")["facts"]["pct"], 100)
        self.assertEqual(check_of(good, "dkim")["facts"]["selectors"]["selector1"],
                         {"key": "rsa", "bits": 2048, "revoked": False, "testing": False, "valid": True})
        sts = check_of(good, "mta-sts")["facts"]
        self.assertEqual((sts["mode"], sts["max_age"], sts["mx"]), ("enforce", 1209600, ["mail.good.go.jp"]))
        self.assertEqual(check_of(good, "tlsrpt")["facts"]["rua"], ["mailto:tlsrpt@good.go.jp"])
        dane = check_of(good, "dane")["facts"]["hosts"]["mail.good.go.jp"]
        self.assertTrue(dane["secure"])
        self.assertTrue(dane["tlsa"][0].startswith("3 1 1 306BB708"))

    def test_dmarc_details(self):
        rep = report()
        inherited = check_of(rep["sub.dmarc-inherited.go.jp"], "dmarc")
        self.assertEqual(inherited["facts"]["source"], "_dmarc.dmarc-inherited.go.jp")
        self.assertEqual(inherited["findings"][0]["evidence"]["organizational_domain"], "dmarc-inherited.go.jp")
        self.assertEqual(check_of(rep["dmarc-missing.go.jp"], "dmarc")["findings"][0]["remedy"],
                         '_dmarc.dmarc-missing.go.jp. TXT "v=DMARC1; p=reject"')
        self.assertEqual(check_of(rep["dmarc-none.go.jp"], "dmarc")["facts"]["policy"], "none")
        self.assertEqual(check_of(rep["dmarc-syntax.go.jp"], "dmarc")["facts"]["policy"], "missing")
        self.assertEqual(check_of(rep["nullmx.go.jp"], "dmarc")["findings"][0]["severity"], "info")
        unauth = check_of(rep["dmarc-rua-external.go.jp"], "dmarc")["findings"][0]
        self.assertEqual(unauth["evidence"]["query"], "dmarc-rua-external.go.jp._report._dmarc.good.go.jp TXT")
        self.assertEqual(rep["__doc__"]["summary"]["adoption"]["dmarc_policy"]["quarantine"], 1)

    def test_policy_fetch_failures_say_why(self):
        rep = report()
        missing = check_of(rep["mtasts-unreachable.go.jp"], "mta-sts")["findings"][0]
        self.assertEqual(missing["evidence"]["status"], 404)
        moved = check_of(rep["mtasts-redirect.go.jp"], "mta-sts")["findings"][0]
        self.assertEqual(moved["evidence"]["status"], 301)
        self.assertEqual(moved["evidence"]["location"], "https://www.mtasts-redirect.go.jp/mta-sts.txt")
        self.assertIn("not follow redirects", moved["message"])

    def test_severities_chosen_per_instance(self):
        rep = report()
        weak = {f["evidence"]["bits"]: f["severity"] for f in check_of(rep["dkim-weak.go.jp"], "dkim")["findings"]}
        self.assertEqual(weak, {1024: "warning", 512: "error"})
        self.assertEqual(check_of(rep["dkim-revoked.go.jp"], "dkim")["findings"][0]["severity"], "warning")
        self.assertEqual(check_of(rep["dane-usage.go.jp"], "dane")["findings"][0]["severity"], "error")
        self.assertEqual(check_of(rep["mtasts-policy-syntax.go.jp"], "mta-sts")["findings"][0]["severity"], "error")
        self.assertEqual(check_of(rep["dmarc-noauth.go.jp"], "tlsrpt")["findings"][0]["severity"], "info")

    def test_report_validates_against_the_schema(self):
        import jsonschema
        with open(os.path.join(SOURCE, "report", "schema", "report-v1.schema.json")) as f:
            jsonschema.validate(report()["__doc__"], json.load(f))


class MtaStsOverHttps(unittest.TestCase):
    def test_without_the_test_ca_the_certificate_does_not_verify(self):
        proc, doc = audit_json("good.go.jp", extra=("--checks", "mta-sts"))
        self.assertEqual(proc.returncode, 0, proc.stderr)
        c = doc["targets"][0]["checks"][0]
        self.assertEqual([f["id"] for f in c["findings"]], ["MTASTS-CERT-INVALID"])
        self.assertIn("certificate", c["findings"][0]["evidence"]["error"])

    def test_the_policy_host_is_resolved_through_the_given_resolver(self):
        # The system resolver (resolv.conf) points at an address where nothing listens, and proxy
        # variables point nowhere: the policy still comes, because libcurl is pinned to the
        # addresses that mamori's own DNS layer got from --resolver and uses no proxy.
        with tempfile.NamedTemporaryFile("w", suffix=".conf") as decoy:
            decoy.write("nameserver 127.53.99.1\n")
            decoy.flush()
            env = dict(os.environ, http_proxy="http://127.0.0.1:9", https_proxy="http://127.0.0.1:9",
                       ALL_PROXY="http://127.0.0.1:9")
            proc = subprocess.run(
                ["unshare", "--mount", "sh", "-c", 'mount --bind "$0" /etc/resolv.conf && exec "$@"', decoy.name,
                 BIN, "audit", "--format", "json", "--resolver", RESOLVER, "--no-progress", "--checks", "mta-sts",
                 "--ca-file", CA_FILE, "good.go.jp"],
                capture_output=True, text=True, timeout=120, env=env)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        c = json.loads(proc.stdout)["targets"][0]["checks"][0]
        self.assertEqual(c["findings"], [])
        self.assertEqual(c["facts"]["mode"], "enforce")

    def test_ca_file_errors_are_usage_errors(self):
        proc = mamori("audit", "--resolver", RESOLVER, "--ca-file", "/nonexistent/ca.pem", "good.go.jp")
        self.assertEqual(proc.returncode, 2)
        self.assertIn("--ca-file", proc.stderr)
        self.assertIn("/nonexistent/ca.pem", proc.stderr)
        with tempfile.NamedTemporaryFile("w", suffix=".pem") as junk:
            junk.write("not a certificate\n")
            junk.flush()
            proc = mamori("audit", "--resolver", RESOLVER, "--ca-file", junk.name, "good.go.jp")
            self.assertEqual(proc.returncode, 2)
            self.assertIn("no PEM certificate", proc.stderr)


class DkimSelectors(unittest.TestCase):
    def test_given_selectors_are_tried(self):
        _, plain = audit_json("dkim-ed25519.go.jp", extra=("--checks", "dkim"))
        self.assertNotIn("mamori2026", plain["targets"][0]["checks"][0]["facts"]["selectors"])
        proc, doc = audit_json("dkim-ed25519.go.jp", extra=("--checks", "dkim", "--dkim-selectors", "mamori2026,other"))
        self.assertEqual(proc.returncode, 0, proc.stderr)
        sel = doc["targets"][0]["checks"][0]["facts"]["selectors"]
        self.assertEqual(sel["mamori2026"]["bits"], 2048)
        self.assertEqual(sel["default"]["key"], "ed25519")

    def test_a_bad_selector_is_a_usage_error(self):
        proc = mamori("audit", "--resolver", RESOLVER, "--dkim-selectors", "bad selector", "good.go.jp")
        self.assertEqual(proc.returncode, 2)
        self.assertIn("--dkim-selectors", proc.stderr)


class Failures(unittest.TestCase):
    def test_dead_nameservers_are_errors_of_each_check(self):
        proc, doc = audit_json("lame.go.jp", extra=("--checks", ",".join(CHECKS), "--timeout", "1500"))
        self.assertEqual(proc.returncode, 0, proc.stderr)
        for c in doc["targets"][0]["checks"]:
            with self.subTest(check=c["check"]):
                self.assertEqual(c["status"], "error")
                self.assertIn("lame.go.jp", c["error"])
                self.assertEqual(c["findings"], [])


if __name__ == "__main__":
    if not CA_FILE:
        raise SystemExit("MAMORI_CA_FILE is not set: run under fixtures/world/session")
    main()
