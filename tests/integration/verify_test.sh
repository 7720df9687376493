#!/usr/bin/env bash
# `qualsig verify` (EN 319 102-1 validation + TS 119 615 qualification) and `qualsig trust
# export-tl` (TS 119 612): our own signatures validate TOTAL-PASSED and qualify as QESeal under
# our exported list (which xmlsec1 verifies), as AdESeal-QC claims without it; tampering, unknown
# formats and untrusted lists give clear answers.
source "$(dirname "$0")/lib.sh"

init_with_signer po-agent purchase-order
printf 'PURCHASE ORDER 7: 48,000.00 EUR\n' >po.txt

expect_exit 0 "trust export-tl" -- "$QUALSIG" --data d trust export-tl --out tl.xml
# (output captured first: `grep -q` in a pipe would end xmlsec1 with SIGPIPE under pipefail)
if xs=$(xmlsec1 --verify --trusted-pem ca/root.pem --id-attr:Id SignedProperties tl.xml 2>&1) && grep -q '^OK$' <<<"$xs"; then
  pass "the exported list's XMLDSig verifies (xmlsec1)"
else fail "xmlsec1 does not verify the exported list: $xs"; fi
contains "the list names our CA as a granted CA/QC service" "$(cat tl.xml)" "Svctype/CA/QC"
contains "granted" "$(cat tl.xml)" "Svcstatus/granted"

# Revocation data for levels without it inside (B-B, B-T): the CRLs of the issuing CA and root.
"$QUALSIG" --data d crl export --issuer issuing --out issuing.crl >/dev/null
"$QUALSIG" --data d crl export --issuer root --out root.crl >/dev/null
REV=(--crl issuing.crl --crl root.crl)
level_of() {  # json-file signature-index -> qualification level or certificate claims
  python3 -c 'import json,sys; s=json.load(open(sys.argv[1]))["signatures"][0]; print(s.get("qualification",{}).get("level") or s.get("certificateClaims",""))' "$1"
}
for level in B-B B-T B-LT B-LTA; do
  for mode in detached enveloping; do
    f=po-$level-$mode.p7s
    "$QUALSIG" --data d sign --identity po-agent --in po.txt --out "$f" --level "$level" --type purchase-order \
      $([ $mode = detached ] && echo --detached) >/dev/null
    detached=(); [ $mode = detached ] && detached=(--detached po.txt)
    expect_exit 0 "CAdES $level $mode: TOTAL-PASSED" -- "$QUALSIG" --json verify "$f" "${detached[@]}" "${REV[@]}" --tl tl.xml --tl-signer ca/root.pem
    printf '%s' "$OUT" >v.json
    [ "$(level_of v.json)" = QESeal ] && pass "CAdES $level $mode qualifies as QESeal under our list" || fail "qualification: $(level_of v.json)"
    contains "CAdES $level $mode: the level is recognised" "$OUT" "CAdES-BASELINE-${level#B-}"
  done
done
# The other formats qualsig makes validate and qualify the same way.
printf '%%!PS\n/Helvetica findfont 14 scalefont setfont\n72 720 moveto (Contract) show\nshowpage\n' >c.ps
gs -q -dSAFER -dNOPAUSE -dBATCH -sDEVICE=pdfwrite -o c.pdf c.ps
printf '<Order xmlns="urn:example:po"><Total currency="EUR">48000.00</Total></Order>\n' >po.xml
printf '{"order": 7, "total": "48000.00"}' >po.json
for spec in "pades B-LTA c.pdf" "xades B-LTA po.xml" "jades B-LTA po.json"; do
  read -r fmt lvl in <<<"$spec"
  "$QUALSIG" --data d sign --identity po-agent --format "$fmt" --level "$lvl" --in "$in" --out "signed-$fmt" --type purchase-order >/dev/null
  expect_exit 0 "$fmt $lvl: TOTAL-PASSED" -- "$QUALSIG" --json verify "signed-$fmt" "${REV[@]}" --tl tl.xml --tl-signer ca/root.pem
  printf '%s' "$OUT" >v.json
  [ "$(level_of v.json)" = QESeal ] && pass "$fmt $lvl qualifies as QESeal under our list" || fail "$fmt qualification: $(level_of v.json)"
done
expect_exit 0 "PAdES B-LTA validates from its own DSS (no --crl)" -- "$QUALSIG" verify signed-pades --trust-anchor ca/root.pem
expect_exit 0 "without a trusted list, our root as trust anchor" -- "$QUALSIG" --json verify po-B-LT-detached.p7s --detached po.txt --trust-anchor ca/root.pem "${REV[@]}"
printf '%s' "$OUT" >v.json
contains "without a list: AdESeal-QC from the certificate's claims" "$(level_of v.json)" "^AdESeal-QC"
contains "the list is private, never EU" "$("$QUALSIG" verify po-B-T-detached.p7s --detached po.txt "${REV[@]}" --tl tl.xml --tl-signer ca/root.pem)" "not a qualification under EU law"

# ETSI TS 119 102-2 report, read back with xmllint (not our parser).
expect_exit 0 "--report etsi" -- "$QUALSIG" verify po-B-LTA-detached.p7s --detached po.txt --tl tl.xml --tl-signer ca/root.pem \
  --report etsi --report-out report.xml
xmllint --noout report.xml && pass "the ETSI report is well-formed XML" || fail "report.xml is not well-formed"
xp() { xmllint --xpath "string(//*[local-name()='$1'])" report.xml; }
main=$(xmllint --xpath "string(//*[local-name()='SignatureValidationReport']/*[local-name()='SignatureValidationStatus']/*[local-name()='MainIndication'])" report.xml)
[ "$main" = "urn:etsi:019102:mainindication:total-passed" ] && pass "report: MainIndication total-passed" || fail "report MainIndication: $main"
[ "$(xp SignatureQualityInformation)" = "urn:cef:dss:signatureQualification:QESeal" ] && pass "report: signature quality QESeal" ||
  fail "report quality: $(xp SignatureQualityInformation)"
[ "$(xp SignatureValidationProcessID)" = "urn:etsi:019102:validationprocess:LTA" ] && pass "report: LTA process" ||
  fail "report process: $(xp SignatureValidationProcessID)"
expect_exit 2 "--report without --report-out" -- "$QUALSIG" verify po-B-B-enveloping.p7s --report etsi

printf 'PURCHASE ORDER 7: 98,000.00 EUR\n' >forged.txt
expect_exit 1 "another document: not TOTAL-PASSED" -- "$QUALSIG" --json verify po-B-B-detached.p7s --detached forged.txt --trust-anchor ca/root.pem "${REV[@]}"
contains "HASH_FAILURE" "$OUT" "HASH_FAILURE"
"$QUALSIG" verify po-B-B-detached.p7s --detached forged.txt --trust-anchor ca/root.pem "${REV[@]}" --report etsi --report-out bad.xml >/dev/null 2>&1 || true
[ "$(xmllint --xpath "string(//*[local-name()='SignatureValidationStatus']/*[local-name()='SubIndication'])" bad.xml)" = \
  "urn:etsi:019102:subindication:HASH_FAILURE" ] && pass "report: SubIndication HASH_FAILURE" || fail "report of the forged document"
expect_one_error_line "the error line counts the failures" "not TOTAL-PASSED"
python3 -c 'import json,sys; json.loads(sys.argv[1])' "$OUT" && pass "--json prints one JSON document also on failure" || fail "--json output is not one JSON document"
expect_exit 1 "no trust anchor: INDETERMINATE" -- "$QUALSIG" --json verify po-B-B-enveloping.p7s
contains "NO_CERTIFICATE_CHAIN_FOUND" "$OUT" "NO_CERTIFICATE_CHAIN_FOUND"
head -c 300 po-B-T-enveloping.p7s >truncated.p7s
expect_exit 1 "a truncated signature" -- "$QUALSIG" verify truncated.p7s --trust-anchor ca/root.pem
head -c 4096 /dev/urandom >random.bin
expect_exit 1 "random bytes" -- "$QUALSIG" verify random.bin
expect_one_error_line "random bytes: one error line" "error:"
expect_exit 2 "--tl without --tl-signer" -- "$QUALSIG" verify po-B-B-enveloping.p7s --tl tl.xml
expect_exit 1 "a list signed by someone else is refused" -- "$QUALSIG" verify po-B-B-enveloping.p7s --tl tl.xml --tl-signer ca/issuing.pem
sed 's/Svcstatus\/granted/Svcstatus\/withdrawn/' tl.xml >tl-changed.xml
expect_exit 1 "a changed list is refused" -- "$QUALSIG" verify po-B-B-enveloping.p7s --tl tl-changed.xml --tl-signer ca/root.pem
expect_exit 1 "a missing file" -- "$QUALSIG" verify no-such.p7s

# A third country's qualified signature, recognised through the EU pilot LOTL's mutual recognition
# agreement (the DSS corpus; skipped on a clone without it): the ZZ list is announced by the pointer
# to one of its own DistributionPoints, read through the MRA equivalences, and the result names it.
DSS="$HERE/../../../shared/corpus/dss"
if [ -f "$DSS/pades/john-doe-lta.pdf" ]; then
  ZZ="$DSS/extracted/ThirdCountryLOTLTest"
  # The four certificates DSS's ThirdCountryLOTLTest trusts beside the lists (CA, root, OCSP
  # responder, TSA).
  MRA=(--at 2022-07-29T00:00:00Z --lotl "$DSS/tl/mra-lotl.xml" --lotl-signer "$ZZ/01-cert-ZZ-LOTL-signer.pem"
       --member-tl "$DSS/tl/mra-zz-tl.xml")
  for cert in "$ZZ"/0[2-5]-cert-*.pem; do MRA+=(--trust-anchor "$cert"); done
  expect_exit 0 "MRA: john-doe PAdES TOTAL-PASSED" -- "$QUALSIG" verify "$DSS/pades/john-doe-lta.pdf" "${MRA[@]}"
  contains "MRA: QESig under EU lists" "$OUT" "qualification: QESig (EU trusted lists)"
  contains "MRA: the list it rests on" "$OUT" "third-country trusted list recognised by mutual recognition agreement"
  contains "MRA: the equivalence applied" "$OUT" "MRA equivalence QCForESig"
  expect_exit 0 "MRA: john-doe XAdES --json" -- "$QUALSIG" --json verify "$DSS/xades/john-doe-lta.xml" "${MRA[@]}"
  contains "MRA: XAdES QESig" "$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["signatures"][0]["qualification"]["level"])' "$OUT")" "^QESig$"
  # Without the LOTL, the same ZZ list cannot be loaded as a member-state list.
  expect_exit 2 "MRA: --member-tl without --lotl" -- "$QUALSIG" verify "$DSS/pades/john-doe-lta.pdf" --member-tl "$DSS/tl/mra-zz-tl.xml"
else
  echo "skip: DSS corpus absent ($DSS): the MRA checks need it"
fi

"$QUALSIG" --data d audit verify >/dev/null && pass "audit log verifies (export-tl is logged)" || fail "audit verify"
finish
