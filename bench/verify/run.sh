#!/usr/bin/env bash
# Validation benchmark (issue 8): whole-process validations per second of a CAdES B-LT file —
# `qualsig verify` (EN 319 102-1: format, signing certificate, chain, revocation, crypto
# constraints, signature, time-stamp) beside `openssl cms -verify` (signature and chain only) on the
# same file in the same run, each process started once per validation. When qualsig validates
# PAdES, the same for a PAdES B-LT file beside `pdfsig` (which checks signature and chain only).
# Usage: bench/verify/run.sh [qualsig] [N]   (default build/release/qualsig, 200 runs)
set -euo pipefail
QUALSIG=$(realpath "${1:-build/release/qualsig}")
N=${2:-200}
WORK=$(mktemp -d /tmp/qualsig-verifybench.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
cd "$WORK"
q() { "$QUALSIG" --data d "$@" >/dev/null; }
q init
q ca export --out ca
q identity register --name po-agent --kind ai-agent --sponsor "Procurement Lead"
q identity proof po-agent --method sponsor --by admin-a
q identity confirm po-agent --by admin-b
q cert issue --identity po-agent
printf '{"schema": "qualsig-policy/1", "name": "b", "version": 1, "document_types": ["po", "contract"]}' >p.json
q policy set --identity po-agent --file p.json
head -c 100000 /dev/urandom >po.bin
q sign --identity po-agent --in po.bin --out po.p7s --detached --level B-LT --type po
"$QUALSIG" verify po.p7s --detached po.bin --trust-anchor ca/root.pem >/dev/null  # must pass before it is timed
openssl cms -verify -binary -inform DER -in po.p7s -content po.bin -CAfile ca/root.pem -purpose any -out /dev/null 2>/dev/null
rate() {  # label command...
  local label=$1; shift
  local t0 t1
  t0=$(date +%s%N)
  for _ in $(seq "$N"); do "$@" >/dev/null 2>&1; done
  t1=$(date +%s%N)
  python3 -c "import sys; n,dt=int(sys.argv[1]),(int(sys.argv[3])-int(sys.argv[2]))/1e9; print(f'{sys.argv[4]:<48} {n/dt:8.1f} runs/s  ({dt/n*1000:6.2f} ms each)')" "$N" "$t0" "$t1" "$label"
}
# The floor each tool starts from: process start (dynamic linking, static initialisers) alone.
rate "process start: qualsig --version" "$QUALSIG" --version
rate "process start: openssl version" openssl version
rate "qualsig verify, CAdES B-LT detached" "$QUALSIG" verify po.p7s --detached po.bin --trust-anchor ca/root.pem
rate "openssl cms -verify, same file" openssl cms -verify -binary -inform DER -in po.p7s -content po.bin -CAfile ca/root.pem -purpose any -out /dev/null
printf '%%!PS\n/Helvetica findfont 14 scalefont setfont\n72 720 moveto (Contract) show\nshowpage\n' >c.ps
gs -q -dSAFER -dNOPAUSE -dBATCH -sDEVICE=pdfwrite -o c.pdf c.ps
q sign --identity po-agent --format pades --level B-LT --in c.pdf --out c-lt.pdf --type contract
# The revocation data comes from the PDF's /DSS.
if "$QUALSIG" verify c-lt.pdf --trust-anchor ca/root.pem >/dev/null 2>&1; then
  mkdir nss && certutil -N -d sql:nss --empty-password && certutil -A -d sql:nss -n root -t "CT,C,C" -i ca/root.pem
  rate "qualsig verify, PAdES B-LT" "$QUALSIG" verify c-lt.pdf --trust-anchor ca/root.pem
  rate "pdfsig, same file" pdfsig -nssdir sql:nss -no-ocsp c-lt.pdf
else
  echo "qualsig verify does not validate this PAdES file: $("$QUALSIG" verify c-lt.pdf --trust-anchor ca/root.pem 2>&1 | tail -3)"
fi
