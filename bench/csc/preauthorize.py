#!/usr/bin/env python3
"""Pre-authorizes CSC signHash work for a load run (issue 9 load test and benchmark).

Calls credentials/authorize with 64 distinct document hashes per call (CSC multisign, the most
one SAD may cover) over HTTPS keep-alive connections in parallel, and writes one signatures/
signHash request body per hash to OUT, one JSON object per line: each body names one hash of
its SAD, so each is answered 200 exactly once (a second use of that hash is 409).

usage: preauthorize.py URL CAFILE TOKEN CREDENTIAL_ID COUNT OUT [--parallel N] [--client-data JSON]
                       [--append] [--tag T]
  URL     https://localhost:PORT (the certificate is checked against CAFILE for "localhost";
          connect to 127.0.0.1 via --connect)
  COUNT   number of bodies wanted, rounded up to a multiple of 64

Prints "authorized N hashes in S s (R hashes/s)" on success. Any response other than 200 ends
the run with exit 1 and the status and body on stderr.
"""
import argparse
import base64
import hashlib
import http.client
import json
import os
import ssl
import sys
import threading
import time

MULTISIGN = 64
SHA256_OID = "2.16.840.1.101.3.4.2.1"      # NIST CSOR id-sha256
ECDSA_SHA256_OID = "1.2.840.10045.4.3.2"   # RFC 5758 §3.2 ecdsa-with-SHA256


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("url")
    ap.add_argument("cafile")
    ap.add_argument("token")
    ap.add_argument("credential")
    ap.add_argument("count", type=int)
    ap.add_argument("out")
    ap.add_argument("--parallel", type=int, default=4)
    ap.add_argument("--connect", default="127.0.0.1", help="address to connect to (the URL's host is the TLS name)")
    ap.add_argument("--client-data", default="")
    ap.add_argument("--append", action="store_true")
    ap.add_argument("--tag", default=os.urandom(8).hex(), help="makes the documents distinct between runs")
    a = ap.parse_args()

    host_port = a.url.split("://", 1)[1].rstrip("/")
    host, port = host_port.rsplit(":", 1)
    ctx = ssl.create_default_context(cafile=a.cafile)
    calls = (a.count + MULTISIGN - 1) // MULTISIGN
    next_call = [0]
    lock = threading.Lock()
    failure = []
    out = open(a.out, "a" if a.append else "w")

    class Conn(http.client.HTTPSConnection):
        """TCP to --connect, TLS with the URL's host as the server name (certificate check)."""
        def connect(self):
            http.client.HTTPConnection.connect(self)
            self.sock = ctx.wrap_socket(self.sock, server_hostname=host)

    def connect():
        return Conn(a.connect, int(port), context=ctx, timeout=300)

    def worker():
        conn = connect()
        while True:
            with lock:
                if failure or next_call[0] >= calls:
                    return
                n = next_call[0]
                next_call[0] += 1
            digests = [hashlib.sha256(f"qualsig load {a.tag} document {n * MULTISIGN + i}".encode()).digest()
                       for i in range(MULTISIGN)]
            hashes = [base64.b64encode(d).decode() for d in digests]
            req = {"credentialID": a.credential, "numSignatures": MULTISIGN, "hashes": hashes,
                   "hashAlgorithmOID": SHA256_OID}
            if a.client_data:
                req["clientData"] = a.client_data
            conn.request("POST", "/csc/v2/credentials/authorize", body=json.dumps(req),
                         headers={"Content-Type": "application/json", "Authorization": "Bearer " + a.token,
                                  "Host": host_port})
            resp = conn.getresponse()
            body = resp.read()
            if resp.status != 200:
                with lock:
                    failure.append(f"authorize: HTTP {resp.status}: {body[:500]!r}")
                return
            sad = json.loads(body)["SAD"]
            lines = "".join(json.dumps({"credentialID": a.credential, "SAD": sad, "hashes": [h],
                                        "hashAlgorithmOID": SHA256_OID, "signAlgo": ECDSA_SHA256_OID},
                                       separators=(",", ":")) + "\n" for h in hashes)
            with lock:
                out.write(lines)

    start = time.monotonic()
    threads = [threading.Thread(target=worker) for _ in range(a.parallel)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    out.close()
    elapsed = time.monotonic() - start
    if failure:
        print(failure[0], file=sys.stderr)
        return 1
    n = calls * MULTISIGN
    print(f"authorized {n} hashes in {elapsed:.1f} s ({n / elapsed:.0f} hashes/s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
