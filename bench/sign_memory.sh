#!/usr/bin/env bash
# Peak RSS of `qualsig sign --detached` on a 1 GiB document (issue: "signing a 1 GB document
# uses under 64 MB of RSS"), beside `openssl dgst -sha256` reading the same file (the peer: the
# streamed hash alone). The document is a sparse file, so the run needs no 1 GiB of disk.
# Usage: bench/sign_memory.sh [path/to/qualsig]   (default build/release/qualsig)
set -euo pipefail
QUALSIG=$(realpath "${1:-build/release/qualsig}")
WORK=$(mktemp -d /tmp/qualsig-signmem.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
cd "$WORK"
q() { "$QUALSIG" --data d "$@" >/dev/null; }
q init
q identity register --name invoice-bot --kind service-account --sponsor "Finance Lead"
q identity proof invoice-bot --method sponsor --by admin-a
q identity confirm invoice-bot --by admin-b
q cert issue --identity invoice-bot
printf '{"schema": "qualsig-policy/1", "name": "bench", "version": 1, "document_types": ["invoice"]}' >p.json
q policy set --identity invoice-bot --file p.json
truncate -s 1G doc.bin
python3 - "$QUALSIG" <<'P'
import resource, subprocess, sys, time
def peak(cmd):
    t = time.monotonic()
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, time.monotonic() - t
# The larger peak is what RUSAGE_CHILDREN reports, so the smaller process runs first.
o_rss, o_t = peak(["openssl", "dgst", "-sha256", "doc.bin"])
q_rss, q_t = peak([sys.argv[1], "--data", "d", "sign", "--identity", "invoice-bot", "--in", "doc.bin",
                   "--out", "doc.p7s", "--detached", "--level", "B-T", "--type", "invoice"])
print(f"openssl dgst -sha256, 1 GiB:             peak RSS {o_rss / 1024:6.1f} MiB, {o_t:5.2f} s")
print(f"qualsig sign --detached --level B-T, 1 GiB: peak RSS {max(q_rss, o_rss) / 1024:6.1f} MiB, {q_t:5.2f} s")
P
openssl cms -verify -binary -inform DER -in doc.p7s -content doc.bin -noverify -purpose any -out /dev/null 2>/dev/null \
  && echo "signature verified by openssl cms" || { echo "signature did not verify"; exit 1; }
