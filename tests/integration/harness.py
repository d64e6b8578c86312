"""Shared helpers for integration tests: run the real mamori binary inside the local test internet.

Every test script runs under fixtures/world/session, which starts the world in a private network
namespace and exports MAMORI_RESOLVER, MAMORI_TRUST_ANCHOR, MAMORI_RTR, MAMORI_VRPS, MAMORI_PFX2AS.
"""
import json
import os
import socket
import subprocess
import threading
import unittest

BIN = os.environ.get("MAMORI_BIN", "mamori")
SOURCE = os.environ.get("MAMORI_SOURCE_DIR", os.path.join(os.path.dirname(__file__), "..", ".."))
RESOLVER = os.environ.get("MAMORI_RESOLVER", "")


def mamori(*args, stdin=None, timeout=120, env=None):
    """Runs mamori; returns CompletedProcess with text stdout/stderr."""
    full_env = dict(os.environ)
    if env:
        full_env.update(env)
    return subprocess.run([BIN, *args], input=stdin, capture_output=True, text=True,
                          timeout=timeout, env=full_env)


def audit_json(*targets, extra=()):
    """`mamori audit --format json` of the targets against the world's resolver; returns (proc, doc)."""
    proc = mamori("audit", "--format", "json", "--resolver", RESOLVER, "--no-progress", *extra, *targets)
    doc = json.loads(proc.stdout) if proc.stdout else None
    return proc, doc


def finding_ids(target_doc, check=None):
    """Sorted finding ids of one target object (optionally of one check)."""
    out = []
    for c in target_doc["checks"]:
        if check is None or c["check"] == check:
            out.extend(f["id"] for f in c["findings"])
    return sorted(out)


class UdpServer:
    """A UDP 'nameserver' on a free loopback port that answers with `respond(query) -> bytes|None`."""

    def __init__(self, respond, host="127.0.0.1"):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind((host, 0))
        self.sock.settimeout(0.1)
        self.address = "%s@%d" % (host, self.sock.getsockname()[1])
        self.respond = respond
        self.received = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)

    def _serve(self):
        while not self._stop.is_set():
            try:
                data, peer = self.sock.recvfrom(65535)
            except socket.timeout:
                continue
            self.received += 1
            reply = self.respond(data)
            if reply is not None:
                self.sock.sendto(reply, peer)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()
        self.sock.close()


def main():
    """Runs the module's tests; exits non-zero on failure."""
    if not RESOLVER:
        raise SystemExit("MAMORI_RESOLVER is not set: run under fixtures/world/session")
    unittest.main(module="__main__", verbosity=2)
