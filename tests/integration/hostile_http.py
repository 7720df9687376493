#!/usr/bin/env python3
"""A misbehaving HTTP server for `verify --online` tests: every request gets the same bad answer.

Usage: hostile_http.py PORT MODE, MODE one of
  garbage  200 with bytes that are not DER
  huge     200 announcing and sending 8 MiB (over the OCSP response limit)
  status   500 with a body
  hang     accepts and reads the request, then never answers
  slow     answers one byte every 2 s (slowloris in reverse)
Prints "ready" once listening on 127.0.0.1:PORT; runs until killed.
"""
import socket
import sys
import threading
import time

port, mode = int(sys.argv[1]), sys.argv[2]


def handle(conn):
    try:
        conn.settimeout(30)
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = conn.recv(65536)
            if not chunk:
                return
            data += chunk
        if mode == "garbage":
            body = b"this is not DER " * 8
            conn.sendall(b"HTTP/1.0 200 OK\r\nContent-Type: application/ocsp-response\r\nContent-Length: %d\r\n\r\n" % len(body) + body)
        elif mode == "huge":
            size = 8 << 20
            # A DER SEQUENCE header announcing `size` bytes, then the bytes.
            head = b"\x30\x84" + size.to_bytes(4, "big")
            conn.sendall(b"HTTP/1.0 200 OK\r\nContent-Type: application/ocsp-response\r\nContent-Length: %d\r\n\r\n" % (size + 6) + head)
            chunk = b"\x00" * 65536
            for _ in range(size // len(chunk)):
                conn.sendall(chunk)
        elif mode == "status":
            conn.sendall(b"HTTP/1.0 500 Internal Server Error\r\nContent-Length: 5\r\n\r\noops!")
        elif mode == "hang":
            time.sleep(60)
        elif mode == "slow":
            conn.sendall(b"HTTP/1.0 200 OK\r\n")
            for _ in range(30):
                time.sleep(2)
                conn.sendall(b"X")
    except OSError:
        pass
    finally:
        conn.close()


s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", port))
s.listen(16)
print("ready", flush=True)
while True:
    c, _ = s.accept()
    threading.Thread(target=handle, args=(c,), daemon=True).start()
