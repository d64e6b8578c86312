"""End-to-end `mamori audit` on the local test internet: MX cases, formats, exit codes, bad input."""
import csv
import io
import json
import os
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from harness import RESOLVER, SOURCE, UdpServer, audit_json, finding_ids, main, mamori  # noqa: E402

# One test-internet domain per MX case, with the exact findings it must yield.
MX_CASES = {
    "good.go.jp": [],
    "nomx.go.jp": ["MX-NONE"],
    "nullmx.go.jp": ["MX-NULL"],
    "nullmixed.go.jp": ["MX-NULL-MIXED"],
    "mxnoaddr.go.jp": ["MX-TARGET-NOADDR"],
    "mxcname.go.jp": ["MX-TARGET-CNAME"],
    "mxip.go.jp": ["MX-TARGET-IP"],
}


class MxCases(unittest.TestCase):
    def test_each_domain_yields_exactly_its_findings(self):
        proc, doc = audit_json(*MX_CASES, extra=("--checks", "mx"))
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertEqual([t["target"] for t in doc["targets"]], list(MX_CASES))
        for t in doc["targets"]:
            with self.subTest(domain=t["target"]):
                self.assertEqual(finding_ids(t, "mx"), MX_CASES[t["target"]])
                for c in t["checks"]:
                    for f in c["findings"]:
                        self.assertTrue(f["remedy"] and f["ref"] and f["message"] and f["evidence"])

    def test_facts(self):
        _, doc = audit_json("good.go.jp", "nullmx.go.jp", extra=("--checks", "mx"))
        good, nullmx = doc["targets"]
        mx = good["checks"][0]["facts"]
        self.assertEqual(mx["hosts"], ["mail.good.go.jp"])
        self.assertFalse(mx["null_mx"])
        self.assertEqual(mx["records"][0]["addresses"], ["127.53.20.10"])
        self.assertTrue(nullmx["checks"][0]["facts"]["null_mx"])
        self.assertEqual(doc["summary"]["adoption"]["mx"], {"mx": 1, "null_mx": 1, "none": 0})

    def test_dead_nameserver_is_an_error_for_that_domain_and_the_batch_goes_on(self):
        proc, doc = audit_json("good.go.jp", "lame.go.jp", "nullmx.go.jp", extra=("--timeout", "1500", "--checks", "mx"))
        self.assertEqual(proc.returncode, 0, proc.stderr)
        statuses = {t["target"]: t["checks"][0]["status"] for t in doc["targets"]}
        self.assertEqual(statuses, {"good.go.jp": "pass", "lame.go.jp": "error", "nullmx.go.jp": "pass"})
        lame = doc["targets"][1]["checks"][0]
        self.assertIn("lame.go.jp", lame["error"])
        self.assertEqual(doc["targets"][1]["score"], 0)

    def test_unicode_and_trailing_dot_targets_are_normalised(self):
        proc, doc = audit_json("GOOD.go.jp.", extra=("--checks", "mx"))
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertEqual(doc["targets"][0]["target"], "good.go.jp")


class Formats(unittest.TestCase):
    def test_json_validates_against_the_shipped_schema(self):
        import jsonschema
        with open(os.path.join(SOURCE, "report", "schema", "report-v1.schema.json")) as f:
            schema = json.load(f)
        _, doc = audit_json(*MX_CASES, "lame.go.jp")
        jsonschema.validate(doc, schema)
        self.assertEqual(doc["schema"], "mamori/report/v1")
        self.assertEqual(doc["profile"], "baseline")
        broken = json.loads(json.dumps(doc))
        broken["targets"][0]["checks"][0]["status"] = "maybe"
        with self.assertRaises(jsonschema.ValidationError):
            jsonschema.validate(broken, schema)

    def test_ndjson_is_one_target_per_line(self):
        proc = mamori("audit", "--format", "ndjson", "--resolver", RESOLVER, *MX_CASES)
        lines = proc.stdout.splitlines()
        self.assertEqual(len(lines), len(MX_CASES) + 1)
        objects = [json.loads(line) for line in lines]
        self.assertEqual(sorted(o["target"] for o in objects[:-1]), sorted(MX_CASES))
        self.assertIn("summary", objects[-1])

    def test_csv_columns_and_rows(self):
        proc = mamori("audit", "--format", "csv", "--resolver", RESOLVER, "--checks", "mx", *MX_CASES)
        rows = list(csv.reader(io.StringIO(proc.stdout, newline="")))
        self.assertEqual(rows[0], ["target", "kind", "check", "status", "score", "severity", "finding_ids", "message"])
        by_target = {r[0]: r for r in rows[1:]}
        self.assertEqual(by_target["nullmixed.go.jp"][3], "fail")
        self.assertEqual(by_target["nullmixed.go.jp"][6], "MX-NULL-MIXED")
        self.assertEqual(by_target["good.go.jp"][6], "")

    def test_text_report(self):
        proc = mamori("audit", "--checks", "mx", "--resolver", RESOLVER, "nullmixed.go.jp", "good.go.jp")
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertIn("nullmixed.go.jp", proc.stdout)
        self.assertIn("MX-NULL-MIXED", proc.stdout)
        self.assertNotIn("\x1b", proc.stdout)  # not a TTY: no colour

    def test_output_file_is_written_atomically(self):
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "report.json")
            proc = mamori("audit", "--format", "json", "-o", path, "--resolver", RESOLVER, "good.go.jp")
            self.assertEqual(proc.returncode, 0, proc.stderr)
            self.assertEqual(proc.stdout, "")
            with open(path) as f:
                self.assertEqual(json.load(f)["targets"][0]["target"], "good.go.jp")
            self.assertEqual(os.listdir(d), ["report.json"])
            proc = mamori("audit", "-o", os.path.join(d, "no", "such", "dir.json"), "--resolver", RESOLVER, "good.go.jp")
            self.assertEqual(proc.returncode, 2)
            self.assertIn("no/such/dir.json", proc.stderr)


class Interrupt(unittest.TestCase):
    def test_sigint_leaves_a_valid_ndjson_report_of_the_targets_done(self):
        import signal
        import time

        def root_only(query):
            # Answers the start-up check (". SOA", an empty NOERROR) and nothing else: every
            # domain then costs timeout x attempts, so the run is still going when interrupted.
            return query[:2] + b"\x81\x80" + query[4:] if query[12:13] == b"\x00" else None

        targets = ["d%d.go.jp" % i for i in range(40)]
        with UdpServer(root_only) as server:
            proc = subprocess.Popen([os.environ.get("MAMORI_BIN", "mamori"), "audit", "--format", "ndjson", "--checks",
                                     "mx", "--concurrency", "2", "--timeout", "300", "--resolver", server.address, *targets],
                                    stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            time.sleep(3)
            proc.send_signal(signal.SIGINT)
            out, err = proc.communicate(timeout=60)
        self.assertEqual(proc.returncode, 130, err)
        self.assertIn("interrupted", err)
        objects = [json.loads(line) for line in out.splitlines()]
        done = [o for o in objects if "target" in o]
        self.assertGreaterEqual(len(done), 1)
        self.assertLess(len(done), len(targets))
        self.assertTrue(all(o["checks"][0]["status"] == "error" for o in done))
        self.assertEqual(objects[-1]["summary"]["targets"], len(done))


class Gates(unittest.TestCase):
    # The gates are exercised on the mx check alone, whose verdicts these domains fix.
    def gate(self, *args):
        return mamori("audit", "--checks", "mx", "--resolver", RESOLVER, *args).returncode

    def test_fail_on_error(self):
        self.assertEqual(self.gate("--fail-on", "error", "good.go.jp", "nomx.go.jp"), 0)
        self.assertEqual(self.gate("--fail-on", "error", "good.go.jp", "nullmixed.go.jp"), 1)
        self.assertEqual(self.gate("--fail-on", "error", "--timeout", "1000", "lame.go.jp"), 1)

    def test_fail_on_warning(self):
        self.assertEqual(self.gate("--fail-on", "warning", "nomx.go.jp"), 1)
        self.assertEqual(self.gate("--fail-on", "warning", "nullmx.go.jp"), 0)

    def test_fail_under(self):
        self.assertEqual(self.gate("--fail-under", "100", "nomx.go.jp"), 1)
        self.assertEqual(self.gate("--fail-under", "50", "nomx.go.jp"), 0)


class BadInput(unittest.TestCase):
    def test_unknown_flag(self):
        proc = mamori("audit", "--no-such-flag", "good.go.jp")
        self.assertEqual(proc.returncode, 2)
        self.assertIn("--no-such-flag", proc.stderr)

    def test_unknown_check_and_format(self):
        proc = mamori("audit", "--checks", "mx,nope", "good.go.jp")
        self.assertEqual(proc.returncode, 2)
        self.assertIn("nope", proc.stderr)
        proc = mamori("audit", "--format", "yaml", "good.go.jp")
        self.assertEqual(proc.returncode, 2)
        self.assertIn("yaml", proc.stderr)

    def test_missing_target_file(self):
        proc = mamori("audit", "-f", "/nonexistent/domains.txt")
        self.assertEqual(proc.returncode, 2)
        self.assertIn("/nonexistent/domains.txt", proc.stderr)

    def test_bad_line_names_file_and_line(self):
        with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as f:
            f.write("good.go.jp\n# comment\nbad domain!\n")
        try:
            proc = mamori("audit", "-f", f.name, "--resolver", RESOLVER)
            self.assertEqual(proc.returncode, 2)
            self.assertIn(f.name + ":3:", proc.stderr)
        finally:
            os.unlink(f.name)

    def test_targets_from_stdin(self):
        proc = mamori("audit", "-f", "-", "--format", "json", "--resolver", RESOLVER, stdin="good.go.jp\nnullmx.go.jp\n")
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertEqual(len(json.loads(proc.stdout)["targets"]), 2)

    def test_no_targets(self):
        proc = mamori("audit", "--resolver", RESOLVER)
        self.assertEqual(proc.returncode, 2)

    def test_bad_now_and_profile(self):
        self.assertEqual(mamori("audit", "--now", "yesterday", "good.go.jp").returncode, 2)
        proc = mamori("audit", "--profile", "nosuch", "good.go.jp")
        self.assertEqual(proc.returncode, 2)
        self.assertIn("nosuch", proc.stderr)

    def test_unreachable_resolver_is_exit_3_naming_it(self):
        proc = mamori("audit", "--resolver", "127.0.0.9", "--timeout", "300", "good.go.jp")
        self.assertEqual(proc.returncode, 3, proc.stderr)
        self.assertIn("127.0.0.9", proc.stderr)

    def test_silent_resolver_is_exit_3(self):
        with UdpServer(lambda q: None) as server:
            proc = mamori("audit", "--resolver", server.address, "--timeout", "200", "good.go.jp")
        self.assertEqual(proc.returncode, 3, proc.stderr)
        self.assertIn(server.address.split("@")[0], proc.stderr)

    def test_garbage_answers_do_not_crash(self):
        for name, respond in {
            "garbage": lambda q: b"\xde\xad\xbe\xef" * 5,
            "truncated header": lambda q: q[:6],
            "echo with QR set but no answer": lambda q: q[:2] + b"\x81\x80" + q[4:],
        }.items():
            with self.subTest(name), UdpServer(respond) as server:
                proc = mamori("audit", "--resolver", server.address, "--timeout", "200", "good.go.jp")
                self.assertIn(proc.returncode, (0, 3), proc.stderr)
                self.assertNotIn("Sanitizer", proc.stderr)
                self.assertLess(proc.returncode, 128)


class Explain(unittest.TestCase):
    def test_explain(self):
        proc = mamori("explain", "MX-NULL-MIXED")
        self.assertEqual(proc.returncode, 0)
        self.assertIn("RFC 7505", proc.stdout)
        self.assertEqual(mamori("explain", "NO-SUCH-ID").returncode, 2)
        listing = mamori("explain").stdout
        for ids in MX_CASES.values():
            for i in ids:
                self.assertIn(i, listing)

    def test_version_and_help(self):
        self.assertIn("mamori", mamori("--version").stdout)
        self.assertEqual(mamori("--help").returncode, 0)


if __name__ == "__main__":
    main()
