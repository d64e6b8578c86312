"""DKIM key records of real signers (../shared/corpora/mailauth/stalwart-mail-auth/resources/dkim).

Each file starts with "<selector>._domainkey.<domain> <TXT record>" lines. Every key is published as
selector1._domainkey.<domain> in a zone file and audited offline with `mamori zone --checks dkim`;
the key type and size mamori reports must match what the openssl command line finds in p=.
"""
import base64
import json
import os
import re
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from harness import mamori  # noqa: E402

CORPORA = os.environ.get("MAMORI_CORPORA", "")
DKIM_DIR = os.path.join(CORPORA, "mailauth", "stalwart-mail-auth", "resources", "dkim")


def key_records():
    """(file, domain, record) for every key record line before the blank line of each file."""
    out = []
    for name in sorted(os.listdir(DKIM_DIR)):
        with open(os.path.join(DKIM_DIR, name), encoding="utf-8", errors="replace") as f:
            for line in f:
                if not line.strip():
                    break
                owner, record = line.rstrip("\n").split(" ", 1)
                out.append((name, owner.split("._domainkey.", 1)[1], record))
    return out


def openssl_bits(record):
    """Key type and size of p= according to the openssl command line (the independent oracle)."""
    tags = dict((k.strip(), v.strip()) for k, v in (t.split("=", 1) for t in record.split(";") if "=" in t))
    der = base64.b64decode(re.sub(r"\s", "", tags["p"]))
    if tags.get("k", "rsa") == "ed25519":
        return "ed25519", 256 if len(der) == 32 else None
    with tempfile.NamedTemporaryFile(suffix=".der") as f:
        f.write(der)
        f.flush()
        for cmd in (["openssl", "pkey", "-pubin", "-inform", "DER", "-in", f.name, "-text", "-noout"],
                    ["openssl", "rsa", "-RSAPublicKey_in", "-inform", "DER", "-in", f.name, "-text", "-noout"]):
            proc = subprocess.run(cmd, capture_output=True, text=True)
            m = re.search(r"Public-Key: \((\d+) bit\)", proc.stdout)
            if proc.returncode == 0 and m:
                return "rsa", int(m.group(1))
    return "rsa", None


def audit(domain, record, workdir):
    path = os.path.join(workdir, domain + ".zone")
    chunks = [record[i:i + 200] for i in range(0, len(record), 200)]
    with open(path, "w") as f:
        f.write("$ORIGIN %s.\n$TTL 3600\n@ IN SOA ns1 hostmaster 1 3600 900 1209600 3600\n@ IN NS ns1\n"
                "ns1 IN A 192.0.2.53\n@ IN TXT \"v=spf1 mx -all\"\nselector1._domainkey IN TXT %s\n"
                % (domain, " ".join('"%s"' % c for c in chunks)))
    proc = mamori("zone", path, "--origin", domain, "--checks", "dkim", "--format", "json")
    if proc.returncode not in (0, 1):
        raise AssertionError("mamori zone failed (%d): %s" % (proc.returncode, proc.stderr))
    return json.loads(proc.stdout)["targets"][0]["checks"][0]


class DkimCorpus(unittest.TestCase):
    def setUp(self):
        if not os.path.isdir(DKIM_DIR):
            self.skipTest("corpora not found at %r (set MAMORI_CORPORA to ../shared/corpora)" % DKIM_DIR)

    def test_real_keys_decode_like_openssl_says(self):
        records = key_records()
        self.assertGreaterEqual(len(records), 6)
        with tempfile.TemporaryDirectory() as workdir:
            for name, domain, record in records:
                with self.subTest(file=name, domain=domain):
                    key_type, bits = openssl_bits(record)
                    self.assertIsNotNone(bits, "openssl could not read the key")
                    check = audit(domain, record, workdir)
                    self.assertNotEqual(check["status"], "error", check.get("error"))
                    facts = check["facts"]["selectors"]["selector1"]
                    self.assertEqual((facts["key"], facts["bits"], facts["valid"]), (key_type, bits, True))
                    ids = sorted(f["id"] for f in check["findings"])
                    expected = ["DKIM-ED25519"] if key_type == "ed25519" else (["DKIM-RSA-WEAK"] if bits < 2048 else [])
                    self.assertEqual(ids, expected)


if __name__ == "__main__":
    unittest.main(verbosity=2)
