"""DMARC record parsing against the OpenDMARC and checkdmarc parse vectors of ../shared/corpora/mailauth.

Each vector's record is published as _dmarc.<domain> in a zone file and audited offline with
`mamori zone --checks dmarc`. mamori "flags" a record when the dmarc check reports DMARC-SYNTAX,
DMARC-RUA-SYNTAX, DMARC-MISSING or DMARC-MULTIPLE; the corpora's "invalid" verdicts must match,
except for the deviations listed below with their reasons (each checked to still deviate).
"""
import json
import os
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from harness import mamori  # noqa: E402

CORPORA = os.environ.get("MAMORI_CORPORA", "")
MAILAUTH = os.path.join(CORPORA, "mailauth")
FLAGS = {"DMARC-SYNTAX", "DMARC-RUA-SYNTAX", "DMARC-MISSING", "DMARC-MULTIPLE"}

# (corpus, record) -> why mamori's verdict differs on purpose.
DEVIATIONS = {
    ("opendmarc", "v=DMARC1; p=n;"):
        "OpenDMARC accepts abbreviations; RFC 7489 §6.3 allows only none, quarantine, reject",
    ("opendmarc", "v=DMARC1; p=none; rua=ftp://abuse.com"):
        "OpenDMARC accepts any URI; receivers send reports only to mailto: (RFC 7489 §6.2, DMARCbis)",
    ("opendmarc", "v=DMARC1; p=none; ruf=mailto://abuse.com"):
        "OpenDMARC leniency: mailto://abuse.com has no mail address",
    ("opendmarc", "v=DMARC1; p=none; ruf=mailto://abuse.com; foo=bar; buzz=happy;"):
        "OpenDMARC leniency: no mail address in ruf=, and unknown tags are reported as possible typos",
    ("checkdmarc", "v=DMARC1; rua=mailto:dmarc@example.com"):
        "a record without p= is a syntax error of RFC 7489 §6.3 (receivers fall back to p=none); "
        "checkdmarc follows DMARCbis and only warns",
    ("checkdmarc", "v=DMARC1; p=reject; xyz=foo"):
        "unknown tags are reported (warning) as possible typos of known ones",
    ("checkdmarc", "v=DMARC1; p=reject; ri=abc"):
        "ri= is still defined by RFC 7489 §6.3; checkdmarc follows DMARCbis, which removed it",
    ("checkdmarc", "v=DMARC1; p=reject; rf=invalid"):
        "rf= is still defined by RFC 7489 §6.3; checkdmarc follows DMARCbis, which removed it",
}


def vectors():
    """(corpus, record, domain, invalid) for every vector of both corpora."""
    out = []
    with open(os.path.join(MAILAUTH, "opendmarc", "dmarc_parse.json")) as f:
        for v in json.load(f)["vectors"]:
            out.append(("opendmarc", v["record"], v["domain"], not v["expected_valid"]))
    with open(os.path.join(MAILAUTH, "checkdmarc", "dmarc_parse_vectors.json")) as f:
        for v in json.load(f)["vectors"]:
            out.append(("checkdmarc", v["record"], v["domain"], v["expect"]["raises"] is not None))
    return out


def txt_rdata(text):
    """The record as zone-file character-strings (escaped, at most 255 bytes each)."""
    data = text.encode()
    chunks = [data[i:i + 255] for i in range(0, len(data), 255)] or [b""]
    return " ".join('"%s"' % c.decode("latin-1").replace("\\", "\\\\").replace('"', '\\"') for c in chunks)


def audit(record, domain, workdir):
    path = os.path.join(workdir, domain + ".zone")
    with open(path, "w", encoding="latin-1") as f:
        f.write("$ORIGIN %s.\n$TTL 3600\n@ IN SOA ns1 hostmaster 1 3600 900 1209600 3600\n@ IN NS ns1\n"
                "ns1 IN A 192.0.2.53\n_dmarc IN TXT %s\n" % (domain, txt_rdata(record)))
    proc = mamori("zone", path, "--origin", domain, "--checks", "dmarc", "--format", "json")
    if proc.returncode not in (0, 1):
        raise AssertionError("mamori zone failed (%d) for %r: %s" % (proc.returncode, record, proc.stderr))
    check = json.loads(proc.stdout)["targets"][0]["checks"][0]
    if check["status"] == "error":
        raise AssertionError("dmarc check error for %r: %s" % (record, check.get("error")))
    return sorted(f["id"] for f in check["findings"])


class DmarcCorpus(unittest.TestCase):
    def setUp(self):
        if not os.path.isdir(MAILAUTH):
            self.skipTest("corpora not found at %r (set MAMORI_CORPORA to ../shared/corpora)" % MAILAUTH)

    def test_verdicts_agree_except_listed_deviations(self):
        cases = vectors()
        self.assertGreaterEqual(len(cases), 50)
        seen = set()
        with tempfile.TemporaryDirectory() as workdir:
            for corpus, record, domain, invalid in cases:
                with self.subTest(corpus=corpus, record=record):
                    ids = audit(record, domain, workdir)
                    flagged = bool(FLAGS & set(ids))
                    reason = DEVIATIONS.get((corpus, record))
                    if reason is None:
                        self.assertEqual(flagged, invalid, "findings: %s" % ids)
                    else:
                        seen.add((corpus, record))
                        self.assertNotEqual(flagged, invalid, "listed as a deviation but agrees: %s" % ids)
                        print("deviation (%s) %r: %s" % (corpus, record, reason))
        self.assertEqual(set(DEVIATIONS) - seen, set(), "deviations listed for records not in the corpora")

    def test_bad_values_are_named_in_the_evidence(self):
        with tempfile.TemporaryDirectory() as workdir:
            path = os.path.join(workdir, "z.zone")
            with open(path, "w") as f:
                f.write("$ORIGIN abuse.net.\n$TTL 3600\n@ IN SOA ns1 h 1 3600 900 1209600 3600\n@ IN NS ns1\n"
                        "ns1 IN A 192.0.2.53\n_dmarc IN TXT \"v=DMARC1; p=none; pct=500; adkim=bob\"\n")
            proc = mamori("zone", path, "--origin", "abuse.net", "--checks", "dmarc", "--format", "json")
            finding = json.loads(proc.stdout)["targets"][0]["checks"][0]["findings"]
            syntax = next(f for f in finding if f["id"] == "DMARC-SYNTAX")
            self.assertEqual([p["tag"] for p in syntax["evidence"]["problems"]], ["pct", "adkim"])
            self.assertEqual(syntax["severity"], "warning")  # the policy itself still applies


if __name__ == "__main__":
    unittest.main(verbosity=2)
