#!/usr/bin/env python3
"""Serves the files of a directory over HTTPS on 127.0.0.1 (an OIDC issuer's jwks_uri for tests).

Usage: https_file_server.py PORT CERT_PEM KEY_PEM DIR
Prints "ready" once listening; logs each request path to stderr; runs until killed.
"""
import functools
import http.server
import ssl
import sys

port, cert, key, root = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=root)
server = http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(cert, key)
server.socket = ctx.wrap_socket(server.socket, server_side=True)
print("ready", flush=True)
server.serve_forever()
