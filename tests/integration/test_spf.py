"""SPF on the local test internet: the exact finding ids of each test domain, the lookup tree, and `mamori spf`."""
import json
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from harness import RESOLVER, UdpServer, audit_json, finding_ids, main, mamori  # noqa: E402

# One test-internet domain per SPF finding (named for it), plus the domains that must stay clean.
SPF_CASES = {
    "good.go.jp": [],
    "nullmx.go.jp": [],
    "spf-missing.go.jp": ["SPF-MISSING"],
    "spf-null-recommended.go.jp": ["SPF-MISSING", "SPF-NULL-RECOMMENDED"],
    "spf-multiple.go.jp": ["SPF-MULTIPLE"],
    "spf-syntax.go.jp": ["SPF-SYNTAX"],
    "spf-lookup-limit.go.jp": ["SPF-LOOKUP-LIMIT"],
    "spf-void-limit.go.jp": ["SPF-VOID-LIMIT"],
    "spf-mx-limit.go.jp": ["SPF-MX-LIMIT"],
    "spf-ptr-limit.go.jp": ["SPF-PTR", "SPF-PTR-LIMIT"],
    "spf-ptr.go.jp": ["SPF-PTR"],
    "spf-include-none.go.jp": ["SPF-INCLUDE-NONE"],
    "spf-loop.go.jp": ["SPF-LOOP"],
    "spf-all-pass.go.jp": ["SPF-ALL-PASS"],
    "spf-all-neutral.go.jp": ["SPF-ALL-NEUTRAL"],
    "spf-softfail-all.go.jp": ["SPF-SOFTFAIL-ALL"],
    "spf-no-all.go.jp": ["SPF-NO-ALL"],
    "spf-overbroad.go.jp": ["SPF-OVERBROAD"],
    "spf-rr-type99.go.jp": ["SPF-RR-TYPE99"],
    "spf-too-long.go.jp": ["SPF-TOO-LONG"],
}
# The `all` fact the adoption summary counts ("absent" for a permerror policy).
ALL = {
    "good.go.jp": "-all", "nullmx.go.jp": "-all", "spf-missing.go.jp": "none", "spf-null-recommended.go.jp": "none",
    "spf-multiple.go.jp": None, "spf-syntax.go.jp": None, "spf-lookup-limit.go.jp": None, "spf-void-limit.go.jp": None,
    "spf-mx-limit.go.jp": None, "spf-ptr-limit.go.jp": "-all", "spf-ptr.go.jp": "-all", "spf-include-none.go.jp": None,
    "spf-loop.go.jp": None, "spf-all-pass.go.jp": "+all", "spf-all-neutral.go.jp": "?all", "spf-softfail-all.go.jp": "~all",
    "spf-no-all.go.jp": "none", "spf-overbroad.go.jp": "-all", "spf-rr-type99.go.jp": "-all", "spf-too-long.go.jp": "-all",
}


def spf_json(domain, *args):
    proc = mamori("spf", domain, "--resolver", RESOLVER, "--format", "json", *args)
    return proc, (json.loads(proc.stdout) if proc.returncode == 0 and proc.stdout else None)


class SpfAudit(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.proc, cls.doc = audit_json(*SPF_CASES, extra=("--checks", "spf"))

    def test_each_domain_yields_exactly_its_findings(self):
        self.assertEqual(self.proc.returncode, 0, self.proc.stderr)
        self.assertEqual([t["target"] for t in self.doc["targets"]], list(SPF_CASES))
        for t in self.doc["targets"]:
            with self.subTest(domain=t["target"]):
                self.assertEqual(finding_ids(t, "spf"), sorted(SPF_CASES[t["target"]]))
                for f in t["checks"][0]["findings"]:
                    self.assertTrue(f["remedy"] and f["message"] and f["evidence"], f)
                    self.assertTrue(f["ref"].startswith("RFC 7208"), f)

    def test_facts_have_the_fixed_keys_and_the_all_of_the_adoption_view(self):
        for t in self.doc["targets"]:
            with self.subTest(domain=t["target"]):
                facts = t["checks"][0]["facts"]
                want = ALL[t["target"]]
                keys = ["record", "all", "lookups", "void_lookups", "result"] if want else ["record", "lookups", "void_lookups", "result"]
                self.assertEqual(list(facts), keys)
                self.assertEqual(facts.get("all"), want)
                if want is None:
                    self.assertEqual(facts["result"], "permerror")
        summary = self.doc["summary"]["adoption"]["spf_all"]
        self.assertEqual(summary, {"-all": 7, "~all": 1, "?all": 1, "+all": 1, "none": 3})

    def test_the_lookup_limit_finding_carries_the_whole_tree(self):
        target = next(t for t in self.doc["targets"] if t["target"] == "spf-lookup-limit.go.jp")
        facts = target["checks"][0]["facts"]
        self.assertEqual((facts["lookups"], facts["void_lookups"]), (12, 0))
        finding = target["checks"][0]["findings"][0]
        self.assertEqual(finding["evidence"]["lookups"], 12)
        self.assertEqual(finding["evidence"]["limit"], 10)
        tree = finding["evidence"]["tree"]
        self.assertEqual((tree["domain"], tree["lookups"], tree["subtree_lookups"]), ("spf-lookup-limit.go.jp", 3, 12))
        vias = [c["via"] for c in tree["children"]]
        self.assertEqual(vias, ["include:_a.spf-lookup-limit.go.jp", "include:_b.spf-lookup-limit.go.jp"])
        self.assertEqual(tree["children"][0]["subtree_lookups"], 6)
        self.assertEqual(tree["children"][0]["children"][0]["domain"], "_c.spf-lookup-limit.go.jp")
        self.assertEqual(tree["children"][1]["lookups"], 3)

    def test_syntax_error_names_term_and_offset(self):
        target = next(t for t in self.doc["targets"] if t["target"] == "spf-syntax.go.jp")
        ev = target["checks"][0]["findings"][0]["evidence"]
        self.assertEqual(ev["term"], "ip4:127.53.20.300")
        self.assertIn("offset 11", ev["error"])

    def test_text_report_of_the_lookup_limit(self):
        proc = mamori("audit", "--checks", "spf", "--resolver", RESOLVER, "--no-progress", "spf-lookup-limit.go.jp")
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertIn("SPF-LOOKUP-LIMIT", proc.stdout)
        self.assertIn("include:_b.spf-lookup-limit.go.jp", proc.stdout)
        self.assertIn('"subtree_lookups":12', proc.stdout)

    def test_parked_domain_remedy_names_the_record(self):
        target = next(t for t in self.doc["targets"] if t["target"] == "spf-null-recommended.go.jp")
        remedies = {f["id"]: f["remedy"] for f in target["checks"][0]["findings"]}
        self.assertEqual(remedies["SPF-NULL-RECOMMENDED"], 'publish spf-null-recommended.go.jp. TXT "v=spf1 -all"')

    def test_dead_nameservers_are_an_error_not_a_finding(self):
        proc, doc = audit_json("lame.go.jp", extra=("--checks", "spf", "--timeout", "1500"))
        self.assertEqual(proc.returncode, 0, proc.stderr)
        check = doc["targets"][0]["checks"][0]
        self.assertEqual(check["status"], "error")
        self.assertIn("lame.go.jp", check["error"])
        self.assertEqual(check["findings"], [])


class SpfCommand(unittest.TestCase):
    def test_text_result_and_trace(self):
        proc = mamori("spf", "good.go.jp", "--ip", "127.53.20.10", "--resolver", RESOLVER)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        lines = proc.stdout.splitlines()
        self.assertEqual(lines[0].split(), ["result:", "pass"])
        self.assertIn("  good.go.jp: TXT good.go.jp → \"v=spf1 mx -all\"", lines)
        self.assertIn("  good.go.jp: mx → match (127.53.20.10 is in 127.53.20.10/32 (MX mail.good.go.jp))", lines)
        fail = mamori("spf", "good.go.jp", "--ip", "192.0.2.1", "--resolver", RESOLVER)
        self.assertEqual(fail.returncode, 0, fail.stderr)
        self.assertTrue(fail.stdout.startswith("result:       fail\n"), fail.stdout)
        self.assertIn("-all → match", fail.stdout)

    def test_json_is_exactly_the_documented_object(self):
        proc, doc = spf_json("spf-ptr.go.jp", "--ip", "192.0.2.1")
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertEqual(list(doc), ["result", "explanation", "lookups", "void_lookups", "trace"])
        self.assertEqual(doc["result"], "fail")
        self.assertEqual(doc["explanation"], "192.0.2.1 is not a mail server of spf-ptr.go.jp")
        self.assertEqual((doc["lookups"], doc["void_lookups"]), (1, 1))  # 1.2.0.192.in-addr.arpa: NXDOMAIN
        steps = [s["step"] for s in doc["trace"]]
        self.assertEqual(steps[:2], ["dns", "record"])
        self.assertIn("explanation", steps)
        for s in doc["trace"]:
            self.assertEqual(list(s), ["depth", "domain", "step", "term", "outcome", "detail"])
        _, ok = spf_json("spf-ptr.go.jp", "--ip", "127.53.20.22")
        self.assertEqual((ok["result"], ok["explanation"]), ("pass", ""))

    def test_the_twelve_lookup_tree_is_a_permerror_for_an_unlisted_client(self):
        _, doc = spf_json("spf-lookup-limit.go.jp", "--ip", "192.0.2.1")
        self.assertEqual(doc["result"], "permerror")
        self.assertEqual(doc["lookups"], 11)
        self.assertTrue(any(s["step"] == "limit" and "exceeds the limit of 10" in s["detail"] for s in doc["trace"]))
        _, early = spf_json("spf-lookup-limit.go.jp", "--ip", "127.53.20.31")  # h1: matches before the limit
        self.assertEqual(early["result"], "pass")

    def test_sender_and_helo_choose_the_domain(self):
        for args, domain, want in [(["--sender", "someone@spf-softfail-all.go.jp", "--helo", "spf-all-pass.go.jp"],
                                    "spf-softfail-all.go.jp", "softfail"),
                                   (["--helo", "spf-all-pass.go.jp"], "spf-all-pass.go.jp", "pass")]:
            with self.subTest(args=args):
                proc = mamori("spf", "--ip", "192.0.2.1", "--resolver", RESOLVER, "--format", "json", *args)
                self.assertEqual(proc.returncode, 0, proc.stderr)
                doc = json.loads(proc.stdout)
                self.assertEqual(doc["result"], want)
                self.assertEqual(doc["trace"][0]["domain"], domain)

    def test_results_of_the_world(self):
        cases = [("spf-softfail-all.go.jp", "192.0.2.1", "softfail"), ("spf-all-neutral.go.jp", "192.0.2.1", "neutral"),
                 ("spf-all-pass.go.jp", "192.0.2.1", "pass"), ("spf-missing.go.jp", "192.0.2.1", "none"),
                 ("spf-multiple.go.jp", "192.0.2.1", "permerror"), ("spf-include-none.go.jp", "192.0.2.1", "permerror"),
                 ("spf-loop.go.jp", "192.0.2.1", "permerror"), ("spf-void-limit.go.jp", "192.0.2.1", "permerror"),
                 ("spf-mx-limit.go.jp", "127.53.20.41", "permerror"), ("spf-ptr-limit.go.jp", "127.53.20.21", "pass"),
                 ("spf-overbroad.go.jp", "127.1.2.3", "pass"), ("lame.go.jp", "192.0.2.1", "temperror")]
        for domain, ip, want in cases:
            with self.subTest(domain=domain):
                proc, doc = spf_json(domain, "--ip", ip, "--timeout", "1500")
                self.assertEqual(proc.returncode, 0, proc.stderr)
                self.assertEqual(doc["result"], want)

    def test_bad_arguments_exit_2_naming_them(self):
        for args, named in [(["good.go.jp", "--ip", "192.0.2.300"], "192.0.2.300"),
                            (["good.go.jp", "--ip", "mail.example"], "mail.example"),
                            (["bad..domain", "--ip", "192.0.2.1"], "bad..domain"),
                            (["good.go.jp", "--ip", "192.0.2.1", "--format", "xml"], "xml"),
                            (["good.go.jp", "--ip", "192.0.2.1", "--resolver", "nowhere"], "nowhere"),
                            (["good.go.jp", "--ip", "192.0.2.1", "--now", "yesterday"], "yesterday"),
                            (["--ip", "192.0.2.1"], "DOMAIN")]:
            with self.subTest(args=args):
                proc = mamori("spf", *args)
                self.assertEqual(proc.returncode, 2, proc.stdout + proc.stderr)
                self.assertIn(named, proc.stderr)
                self.assertEqual(proc.stdout, "")

    def test_a_resolver_that_never_answers_is_exit_3(self):
        with UdpServer(lambda query: None) as silent:
            proc = mamori("spf", "good.go.jp", "--ip", "192.0.2.1", "--resolver", silent.address, "--timeout", "200")
        self.assertEqual(proc.returncode, 3, proc.stderr)
        self.assertIn(silent.address, proc.stderr)


if __name__ == "__main__":
    main()
