#!/usr/bin/env python3
"""Sends each pre-built signHash body once, spread over one or more nodes (issue 9 two-node test).

usage: send_bodies.py CAFILE TOKEN BODIES PORT [PORT...] [--parallel N] [--host localhost]
                      [--connect 127.0.0.1] [--signed-out FILE]

Body i goes to node i % len(PORTS) over HTTPS keep-alive connections (N threads, each with one
connection per node; the certificate is checked against CAFILE for --host). Prints one line
"status COUNT" per HTTP status seen, e.g. "200 12" and "409 3000". --signed-out appends the line
number (0-based) of each body answered 200 to FILE. Exit 0 unless a request failed at the
transport level (connection refused, reset, timeout), which exits 1.
"""
import argparse
import collections
import http.client
import ssl
import sys
import threading


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("cafile")
    ap.add_argument("token")
    ap.add_argument("bodies")
    ap.add_argument("ports", nargs="+", type=int)
    ap.add_argument("--parallel", type=int, default=4)
    ap.add_argument("--host", default="localhost")
    ap.add_argument("--connect", default="127.0.0.1")
    ap.add_argument("--signed-out")
    a = ap.parse_args()
    ctx = ssl.create_default_context(cafile=a.cafile)

    class Conn(http.client.HTTPSConnection):
        """TCP to --connect, TLS with --host as the server name (certificate check)."""
        def connect(self):
            http.client.HTTPConnection.connect(self)
            self.sock = ctx.wrap_socket(self.sock, server_hostname=a.host)

    bodies = [line for line in open(a.bodies).read().split("\n") if line]
    lock = threading.Lock()
    counts = collections.Counter()
    signed = []
    errors = []
    next_index = [0]

    def worker():
        conns = {p: Conn(a.connect, p, timeout=120) for p in a.ports}
        while True:
            with lock:
                if errors or next_index[0] >= len(bodies):
                    return
                i = next_index[0]
                next_index[0] += 1
            port = a.ports[i % len(a.ports)]
            try:
                conns[port].request("POST", "/csc/v2/signatures/signHash", body=bodies[i],
                                    headers={"Content-Type": "application/json", "Authorization": "Bearer " + a.token,
                                             "Host": f"{a.host}:{port}"})
                resp = conns[port].getresponse()
                resp.read()
            except (OSError, http.client.HTTPException) as e:
                with lock:
                    errors.append(f"body {i} to port {port}: {e!r}")
                return
            with lock:
                counts[resp.status] += 1
                if resp.status == 200:
                    signed.append(i)

    threads = [threading.Thread(target=worker) for _ in range(a.parallel)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for status in sorted(counts):
        print(status, counts[status])
    if a.signed_out:
        with open(a.signed_out, "a") as f:
            f.write("".join(f"{i}\n" for i in sorted(signed)))
    if errors:
        print("transport error: " + errors[0], file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
