#!/usr/bin/env bash
# PAdES benchmark (issue 7), in one run:
#   1. qualsig: PAdES B-T per second through the service (bench/pades_bench.cpp), 100-page and 10 MB PDFs;
#   2. the peer: @signpdf/signpdf 3.3 signing the same files with an in-memory RSA-2048 key
#      (tests/interop/signpdf_peer.mjs; node-forge has no EC keys and @signpdf no time-stamps, so
#      the peer makes B-B-shaped signatures);
#   3. peak RSS of `qualsig sign --format pades --level B-T` for a 10 MB and a 100 MB PDF: memory
#      beyond the document itself must not grow with its size.
# Usage: bench/pades/run.sh [bench-dir] [qualsig]   (defaults: build/release/bench, build/release/qualsig)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BENCH=$(realpath "${1:-build/release/bench}")
QUALSIG=$(realpath "${2:-build/release/qualsig}")
SECONDS_EACH=${PADES_BENCH_SECONDS:-10}
WORK=$(mktemp -d /tmp/qualsig-padesbench.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
"$BENCH/pades_bench" --files "$WORK/files" --benchmark_min_time="$SECONDS_EACH"
cd "$WORK"
openssl req -x509 -newkey rsa:2048 -nodes -keyout peer.key -out peer.crt -subj "/CN=signpdf peer" -days 30 2>/dev/null
# No key-derivation iterations: the peer opens the PKCS#12 for every signature (signer-p12 3.3
# consumes it), and PBKDF2 would otherwise dominate its time.
openssl pkcs12 -export -inkey peer.key -in peer.crt -out peer.p12 -passout pass:bench -noiter -nomaciter
for f in pages-100.pdf large-10485760.pdf; do
  printf '@signpdf/signpdf %-20s ' "$f"
  node "$ROOT/tests/interop/signpdf_peer.mjs" "files/$f" peer.p12 bench "$SECONDS_EACH"
done
q() { "$QUALSIG" --data d "$@" >/dev/null; }
q init
q identity register --name contract-agent --kind service-account --sponsor "Legal Lead"
q identity proof contract-agent --method sponsor --by admin-a
q identity confirm contract-agent --by admin-b
q cert issue --identity contract-agent
printf '{"schema": "qualsig-policy/1", "name": "bench", "version": 1, "document_types": ["contract"]}' >p.json
q policy set --identity contract-agent --file p.json
# The PDFs are written by one Python process and measured from another: a child forked from a
# process holding 200 MB would report that in its peak RSS (Linux keeps the high-water mark
# across exec).
python3 - <<'P'
def make(n):
    # One page with an uncompressed image of about n bytes (the construction of make_large_pdf).
    w, h = 1024, (n - 512 + 3071) // 3072
    img = b"\x5a" * (w * h * 3)
    objs = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /XObject << /Im1 5 0 R >> >> >>"]
    out = bytearray(b"%PDF-1.4\n"); offs = []
    for i, o in enumerate(objs, 1):
        offs.append(len(out)); out += b"%d 0 obj\n%s\nendobj\n" % (i, o)
    content = b"q 500 0 0 500 56 146 cm /Im1 Do Q"
    offs.append(len(out)); out += b"4 0 obj\n<< /Length %d >>\nstream\n%s\nendstream\nendobj\n" % (len(content), content)
    offs.append(len(out)); out += b"5 0 obj\n<< /Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceRGB /BitsPerComponent 8 /Length %d >>\nstream\n" % (w, h, len(img)) + img + b"\nendstream\nendobj\n"
    x = len(out); out += b"xref\n0 6\n0000000000 65535 f \n" + b"".join(b"%010d 00000 n \n" % o for o in offs)
    out += b"trailer\n<< /Size 6 /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % x
    open("mem-%d.pdf" % n, "wb").write(out)
for n in (10 << 20, 100 << 20):
    make(n)
P
python3 - "$QUALSIG" <<'P'
import os, resource, subprocess, sys
for n in (10 << 20, 100 << 20):
    f = "mem-%d.pdf" % n
    subprocess.run([sys.argv[1], "--data", "d", "sign", "--identity", "contract-agent", "--format", "pades", "--level", "B-T",
                    "--in", f, "--out", f + ".signed", "--type", "contract"], check=True, stdout=subprocess.DEVNULL)
    # RUSAGE_CHILDREN is the largest child so far: the 10 MB run comes first.
    rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    size = os.path.getsize(f) / 2**20
    print(f"qualsig sign --format pades --level B-T, {size:6.1f} MiB PDF: peak RSS {rss:7.1f} MiB "
          f"(beyond the document: {rss - size:6.1f} MiB)")
P
