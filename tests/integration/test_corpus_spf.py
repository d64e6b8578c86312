"""The RFC 7208 test suite (openspf/pyspf rfc7208-tests.yml) against `mamori spf`, served by real DNS servers.

For each scenario, its zonedata becomes one zone file for the root "." (so every name it does not
list gets NXDOMAIN), served by an NSD on 127.54.0.1; an Unbound on 127.54.0.53 (no DNSSEC) has a
stub zone "." pointing at that NSD. A name whose TXT lookup the suite makes time out ("TIMEOUT")
gets a stub zone of its own pointing at 127.54.0.99, where nothing listens, so that Unbound really
fails (SERVFAIL); names below it that hold data get stub zones back to the NSD. Every test is a
real `mamori spf --format json` run through that Unbound; its result must be one the suite allows,
and its explanation must match when the suite gives one ("DEFAULT": no exp= explanation, which
mamori prints as ""). Both servers are stopped after each scenario.

Runs inside the local test internet's private network namespace (fixtures/world/session), so the
fixed 127.54.x addresses collide with nothing. Reads $MAMORI_CORPORA/spf/rfc7208-tests.yml and
reports itself skipped when that folder is absent.
"""
import json
import os
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import time

BIN = os.environ.get("MAMORI_BIN", "mamori")
CORPORA = os.environ.get("MAMORI_CORPORA", "")
SUITE = os.path.join(CORPORA, "spf", "rfc7208-tests.yml")
NSD_ADDR = "127.54.0.1"
RESOLVER_ADDR = "127.54.0.53"
DEAD_ADDR = "127.54.0.99"
QUERIED_TYPES = ("TXT", "A", "AAAA", "MX", "PTR")

# Unbound answers these itself (RFC 6761/6303 local zones) unless told not to; the suite uses
# 192.168/16, 192.0.2/24 and 2001:db8::/32 reverse names among others.
UNBOUND_DEFAULT_ZONES = [
    "localhost.", "127.in-addr.arpa.", "home.arpa.", "resolver.arpa.", "service.arpa.", "onion.", "test.",
    "invalid.", "10.in-addr.arpa.", "168.192.in-addr.arpa.", "0.in-addr.arpa.", "254.169.in-addr.arpa.",
    "2.0.192.in-addr.arpa.", "100.51.198.in-addr.arpa.", "113.0.203.in-addr.arpa.",
    "255.255.255.255.in-addr.arpa.", "d.f.ip6.arpa.", "8.e.f.ip6.arpa.", "9.e.f.ip6.arpa.", "a.e.f.ip6.arpa.",
    "b.e.f.ip6.arpa.", "8.b.d.0.1.0.0.2.ip6.arpa.",
    "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.ip6.arpa.",
    "0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.ip6.arpa.",
] + ["%d.172.in-addr.arpa." % n for n in range(16, 32)] + ["%d.100.in-addr.arpa." % n for n in range(64, 128)]


def to_bytes(text):
    """YAML gives str; "\\xEF" escapes are code points < 256 meant as bytes, the rest is UTF-8."""
    if isinstance(text, bytes):
        return text
    try:
        return text.encode("latin-1")
    except UnicodeEncodeError:
        return text.encode("utf-8")


def zone_name(name):
    """A name in zone-file form: absolute, every byte but letters, digits, '-' and '_' as \\DDD."""
    name = to_bytes(name).rstrip(b".")
    if not name:
        return "."
    labels = []
    for label in name.split(b"."):
        labels.append("".join(chr(b) if chr(b).isalnum() and b < 128 or b in b"-_" else "\\%03d" % b for b in label))
    return ".".join(labels) + "."


def txt_rdata(strings):
    """The character-strings of a TXT record, split at 255 bytes, escaped for a zone file."""
    out = []
    for s in strings:
        data = to_bytes(s)
        for i in range(0, max(len(data), 1), 255):
            piece = data[i:i + 255]
            out.append('"' + "".join(chr(b) if 0x20 <= b < 0x7F and b not in b'"\\' else "\\%03d" % b for b in piece) + '"')
    return " ".join(out)


class Zone:
    """One scenario's zonedata as DNS records, following the suite's conventions (pyspf's test driver):
    an SPF entry is also served as TXT unless the name has an explicit TXT entry ("TXT: NONE" = none);
    TIMEOUT makes the lookups of types not listed before it time out."""

    def __init__(self, zonedata):
        self.records = []       # zone-file lines
        self.dead = []          # names whose TXT lookup must time out
        self.notes = []         # approximations worth printing
        self.names = [str(n) for n in zonedata]
        for name, entries in zonedata.items():
            self._add_name(str(name), entries or [])

    def _add_name(self, name, entries):
        owner = zone_name(name)
        has_txt = any(isinstance(e, dict) and "TXT" in e for e in entries)
        generated = []
        seen_before_timeout = set()
        timeout_at = None
        for e in entries:
            if e == "TIMEOUT":
                timeout_at = set(seen_before_timeout)
                continue
            (rtype, value), = e.items()
            if value == "NONE":  # no record, but no SPF-to-TXT copy either
                continue
            seen_before_timeout.add(rtype)
            if rtype in ("TXT", "SPF"):
                strings = value if isinstance(value, list) else [value]
                if not strings:
                    self.notes.append("%s: a %s record of no character-strings is not valid DNS data and NSD "
                                      "cannot serve it; left out" % (name, rtype))
                    continue
                self.records.append("%s 3600 IN %s %s" % (owner, "TXT" if rtype == "TXT" else "SPF", txt_rdata(strings)))
                if rtype == "SPF" and not has_txt:
                    generated.append("%s 3600 IN TXT %s" % (owner, txt_rdata(strings)))
            elif rtype == "MX":
                pref, host = value
                self.records.append("%s 3600 IN MX %d %s" % (owner, int(pref), zone_name(host) if host else "."))
            elif rtype in ("A", "AAAA"):
                self.records.append("%s 3600 IN %s %s" % (owner, rtype, value))
            elif rtype in ("PTR", "CNAME"):
                self.records.append("%s 3600 IN %s %s" % (owner, rtype, zone_name(value)))
            else:
                raise ValueError("zonedata %s: record type %s is not supported by this driver" % (name, rtype))
        self.records.extend(generated)
        if timeout_at is not None:
            if "TXT" in timeout_at:
                answered = sorted(t for t in QUERIED_TYPES if t in timeout_at)
                self.notes.append("%s: its %s lookups answer; the suite would time out the other types, "
                                  "which these tests never ask" % (name, "/".join(answered)))
            else:
                self.dead.append(name)

    def file_text(self):
        head = [
            "$TTL 3600",
            ". 3600 IN SOA ns.corpus-root. hostmaster.corpus-root. 1 3600 600 86400 60",
            ". 3600 IN NS ns.corpus-root.",
            "ns.corpus-root. 3600 IN A %s" % NSD_ADDR,
        ]
        return "\n".join(head + self.records) + "\n"

    def below_dead(self):
        """Names holding data that sit below a dead name: they need their own way back to the NSD."""
        dead = [to_bytes(d).lower().rstrip(b".") for d in self.dead]
        out = []
        for n in self.names:
            b = to_bytes(n).lower().rstrip(b".")
            if b not in dead and any(b.endswith(b"." + d) for d in dead):
                out.append(n)
        return out


def dns_query_ok(address, timeout=0.3):
    """True when `address` answers ". SOA" over UDP on port 53."""
    query = struct.pack(">HHHHHH", 0x5A5A, 0x0100, 1, 0, 0, 0) + b"\x00" + struct.pack(">HH", 6, 1)
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.settimeout(timeout)
        try:
            s.sendto(query, (address, 53))
            data, _ = s.recvfrom(4096)
        except OSError:
            return False
    return len(data) >= 12 and data[:2] == b"\x5a\x5a"


class Servers:
    """NSD + Unbound for one scenario, in the foreground as our children; stopped on exit."""

    def __init__(self, zone, workdir):
        self.zone = zone
        self.dir = workdir
        self.procs = []

    def _write_configs(self):
        d = self.dir
        with open(os.path.join(d, "root.zone"), "w", encoding="latin-1") as f:
            f.write(self.zone.file_text())
        with open(os.path.join(d, "nsd.conf"), "w") as f:
            f.write("""server:
    ip-address: {addr}
    port: 53
    do-ip6: no
    server-count: 1
    reuseport: no
    username: ""
    chroot: ""
    zonesdir: "{d}"
    database: ""
    zonelistfile: "{d}/nsd.zonelist"
    xfrdfile: "{d}/nsd.xfrd.state"
    xfrdir: "{d}"
    pidfile: "{d}/nsd.pid"
    logfile: "{d}/nsd.log"
    cookie-secret-file: "{d}/nsd.cookiesecrets"
    verbosity: 1
remote-control:
    control-enable: no
zone:
    name: "."
    zonefile: "{d}/root.zone"
""".format(addr=NSD_ADDR, d=d))
        stubs = ['stub-zone:\n    name: "."\n    stub-addr: %s\n' % NSD_ADDR]
        stubs += ['stub-zone:\n    name: "%s"\n    stub-addr: %s\n' % (zone_name(n), DEAD_ADDR) for n in self.zone.dead]
        stubs += ['stub-zone:\n    name: "%s"\n    stub-addr: %s\n' % (zone_name(n), NSD_ADDR) for n in self.zone.below_dead()]
        nodefault = "".join('    local-zone: "%s" nodefault\n' % z for z in UNBOUND_DEFAULT_ZONES)
        with open(os.path.join(d, "unbound.conf"), "w") as f:
            f.write("""server:
    verbosity: 1
    interface: {addr}
    port: 53
    do-ip4: yes
    do-ip6: no
    num-threads: 1
    so-reuseport: no
    username: ""
    chroot: ""
    directory: "{d}"
    pidfile: "{d}/unbound.pid"
    logfile: "{d}/unbound.log"
    use-syslog: no
    access-control: 127.0.0.0/8 allow
    do-not-query-localhost: no
    module-config: "iterator"
    qname-minimisation: no
    infra-cache-max-rtt: 300
    infra-host-ttl: 60
    unblock-lan-zones: yes
    insecure-lan-zones: yes
{nodefault}remote-control:
    control-enable: no
{stubs}""".format(addr=RESOLVER_ADDR, d=d, nodefault=nodefault, stubs="".join(stubs)))

    def __enter__(self):
        self._write_configs()
        check = subprocess.run(["nsd-checkzone", ".", os.path.join(self.dir, "root.zone")], capture_output=True, text=True)
        if check.returncode != 0:
            raise RuntimeError("the generated zone does not load: " + check.stdout + check.stderr)
        log = open(os.path.join(self.dir, "servers.out"), "w")
        self.procs.append(subprocess.Popen(["nsd", "-d", "-c", os.path.join(self.dir, "nsd.conf")], stdout=log, stderr=log))
        self.procs.append(subprocess.Popen(["unbound", "-d", "-c", os.path.join(self.dir, "unbound.conf")], stdout=log, stderr=log))
        log.close()
        deadline = time.time() + 10
        while not (dns_query_ok(NSD_ADDR) and dns_query_ok(RESOLVER_ADDR)):
            if time.time() > deadline or any(p.poll() is not None for p in self.procs):
                self.__exit__()
                raise RuntimeError("NSD/Unbound did not start: " + open(os.path.join(self.dir, "servers.out")).read())
            time.sleep(0.05)
        return self

    def __exit__(self, *exc):
        for p in self.procs:
            if p.poll() is None:
                p.terminate()
        for p in self.procs:
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
        self.procs = []


def run_test(name, test):
    args = [BIN, "spf", "--ip", str(test["host"]), "--resolver", RESOLVER_ADDR, "--format", "json", "--timeout", "2000"]
    if test.get("mailfrom"):
        args += ["--sender", str(test["mailfrom"])]
    if test.get("helo") is not None:
        args += ["--helo", str(test["helo"])]
    proc = subprocess.run(args, capture_output=True, timeout=120)
    if proc.returncode != 0:
        return False, "exit %d: %s" % (proc.returncode, proc.stderr.decode("utf-8", "replace").strip())
    doc = json.loads(proc.stdout)
    expected = test["result"] if isinstance(test["result"], list) else [test["result"]]
    problems = []
    if doc["result"] not in expected:
        problems.append("result %s, expected %s" % (doc["result"], "/".join(expected)))
    if "explanation" in test:
        want = "" if test["explanation"] == "DEFAULT" else str(test["explanation"])
        if doc["explanation"] != want:
            problems.append("explanation %r, expected %r" % (doc["explanation"], want))
    for key in ("lookups", "void_lookups", "trace"):
        if key not in doc:
            problems.append("no %r in the JSON" % key)
    if problems:
        trace = "\n".join("        %s%s: %s %s %s %s" % ("  " * s["depth"], s["domain"], s["step"], s["term"], s["outcome"],
                                                         s["detail"]) for s in doc.get("trace", []))
        return False, "; ".join(problems) + "\n" + trace
    return True, doc["result"]


def main():
    if not CORPORA or not os.path.isdir(os.path.join(CORPORA, "spf")):
        print("skipped: the SPF corpus folder %s is absent (set MAMORI_CORPORA to the shared corpora)" %
              (os.path.join(CORPORA, "spf") if CORPORA else "$MAMORI_CORPORA/spf"))
        return 0
    if not os.environ.get("MAMORI_RESOLVER"):
        raise SystemExit("MAMORI_RESOLVER is not set: run under fixtures/world/session (the servers need its private network)")
    import yaml  # python3-yaml (scripts/install-deps)
    with open(SUITE, encoding="utf-8") as f:
        scenarios = list(yaml.safe_load_all(f))
    passed = failed = 0
    skipped = []
    for scenario in scenarios:
        zone = Zone(scenario.get("zonedata") or {})
        workdir = tempfile.mkdtemp(prefix="mamori-spf-corpus.")
        ok_here = 0
        try:
            with Servers(zone, workdir):
                for name, test in scenario["tests"].items():
                    ok, detail = run_test(name, test)
                    if ok:
                        ok_here += 1
                        passed += 1
                    else:
                        failed += 1
                        print("FAIL %s / %s: %s" % (scenario["description"], name, detail))
        finally:
            shutil.rmtree(workdir, ignore_errors=True)
        print("scenario %-45s %d/%d passed" % ("'%s':" % scenario["description"], ok_here, len(scenario["tests"])))
        for note in zone.notes:
            print("    note: " + note)
    print("skipped tests: %s" % ("none" if not skipped else ", ".join(skipped)))
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
