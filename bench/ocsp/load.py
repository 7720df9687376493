#!/usr/bin/env python3
"""OCSP load generator for responders that wrk cannot drive (openssl ocsp answers HTTP/1.0 and
closes every connection, and hangs on wrk's connection pattern). Sends the same DER request from
N threads for D seconds, one TCP connection per request unless the server keeps it alive, and
reports requests/second and latency percentiles. Also used against qualsig so that both
responders are measured by the same client in the same run.

usage: load.py URL REQUEST.der [--threads N] [--seconds D]
"""
import argparse, http.client, threading, time, urllib.parse

ap = argparse.ArgumentParser()
ap.add_argument("url")
ap.add_argument("request")
ap.add_argument("--threads", type=int, default=8)
ap.add_argument("--seconds", type=float, default=10)
a = ap.parse_args()
u = urllib.parse.urlsplit(a.url)
body = open(a.request, "rb").read()
path = u.path or "/"
lat, errors, lock = [], [0], threading.Lock()
stop = time.monotonic() + a.seconds

def worker():
    conn, mine, bad = None, [], 0
    while time.monotonic() < stop:
        t0 = time.perf_counter()
        try:
            if conn is None:
                conn = http.client.HTTPConnection(u.hostname, u.port, timeout=5)
            conn.request("POST", path, body, {"Content-Type": "application/ocsp-request"})
            r = conn.getresponse()
            data = r.read()
            if r.status != 200 or not data:
                bad += 1
            if r.getheader("Connection", "").lower() == "close" or r.version == 10:
                conn.close(); conn = None
            mine.append(time.perf_counter() - t0)
        except Exception:
            bad += 1
            if conn: conn.close()
            conn = None
    with lock:
        lat.extend(mine); errors[0] += bad

ts = [threading.Thread(target=worker) for _ in range(a.threads)]
t0 = time.monotonic()
for t in ts: t.start()
for t in ts: t.join()
elapsed = time.monotonic() - t0
lat.sort()
p = lambda q: lat[min(len(lat) - 1, int(q * len(lat)))] * 1000 if lat else float("nan")
print(f"{len(lat) / elapsed:10.1f} req/s  p50 {p(0.50):.2f}ms  p99 {p(0.99):.2f}ms  errors {errors[0]}  ({len(lat)} in {elapsed:.1f}s, {a.threads} threads)")
