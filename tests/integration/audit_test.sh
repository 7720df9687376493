#!/usr/bin/env bash
# The audit log through the CLI: verify, prove, checkpoint; and tampering done directly in the
# database (edit, delete, insert, swap, truncate, a checkpoint signed by another key) is
# found, with the entry named. Proofs are re-checked by an independent Python implementation
# of RFC 9162 §2.1.3.2, checkpoint signatures by openssl.
source "$(dirname "$0")/lib.sh"

"$QUALSIG" --data d init >/dev/null
for i in $(seq 1 20); do "$QUALSIG" --data d audit note --text "note $i" >/dev/null; done
expect_exit 0 "checkpoint" -- "$QUALSIG" --data d audit checkpoint
contains "checkpoint is a signed note" "$OUT" "— qualsig.local/"
expect_exit 0 "verify intact log" -- "$QUALSIG" --data d audit verify
contains "21 entries" "$OUT" "21 entries"
contains "key from the token" "$OUT" "log key from token"
expect_exit 0 "show entry 0" -- "$QUALSIG" --data d audit show 0
contains "entry 0 records the initialisation" "$OUT" '"event":"service.initialised"'
expect_exit 1 "show missing entry" -- "$QUALSIG" --data d audit show 999
expect_one_error_line "show missing entry" "no audit log entry 999"

# An inclusion proof, re-checked independently (RFC 9162 §2.1.3.2 in Python) against the
# root in the signed checkpoint, whose signature openssl checks with the log's public key.
expect_exit 0 "prove 7" -- "$QUALSIG" --json --data d audit prove 7
printf '%s' "$OUT" > proof.json
sqlite3 d/qualsig.db "SELECT hex(public_key_der) FROM service_keys WHERE role='audit-log'" | xxd -r -p > logkey.der
python3 - proof.json <<'P' && pass "python re-verifies the inclusion proof" || fail "python rejects the inclusion proof"
import base64, hashlib, json, sys
p = json.load(open(sys.argv[1]))
leaf = hashlib.sha256(b"\x00" + p["entry"].encode()).digest()
assert base64.b64encode(leaf).decode() == p["leaf_hash"]
fn, sn, r = p["seq"], p["tree_size"] - 1, leaf
for h in (base64.b64decode(x) for x in p["inclusion_proof"]):
    assert sn != 0
    if fn % 2 == 1 or fn == sn:
        r = hashlib.sha256(b"\x01" + h + r).digest()
        if fn % 2 == 0:
            while fn % 2 == 0 and fn != 0:
                fn >>= 1; sn >>= 1
    else:
        r = hashlib.sha256(b"\x01" + r + h).digest()
    fn >>= 1; sn >>= 1
assert sn == 0
lines = p["checkpoint"].split("\n")
assert int(lines[1]) == p["tree_size"]
assert base64.b64decode(lines[2]) == r, "root differs"
P
python3 - proof.json <<'P'
import base64, json, sys
p = json.load(open(sys.argv[1]))
text, sigs = p["checkpoint"].split("\n\n", 1)
open("note.txt", "wb").write((text + "\n").encode())
sig = base64.b64decode(sigs.split(" ")[2].strip())
open("note.sig", "wb").write(sig[4:])
P
expect_exit 0 "openssl verifies the checkpoint signature" -- openssl dgst -sha256 -verify <(openssl pkey -pubin -inform DER -in logkey.der) -signature note.sig note.txt

tamper() {  # tamper NAME SQL EXPECTED_MESSAGE
  rm -rf t && cp -a d t
  sqlite3 t/qualsig.db "$2"
  expect_exit 1 "$1 is detected" -- "$QUALSIG" --data t audit verify
  expect_one_error_line "$1 names the entry" "$3"
}
tamper "edited entry text" "UPDATE audit_log SET entry = replace(entry, 'note 7\"', 'note 8\"') WHERE seq = 7" "entry 7 was modified"
tamper "deleted entry" "DELETE FROM audit_log WHERE seq = 5" "entry 5 is missing"
tamper "inserted entry" "INSERT INTO audit_log SELECT 21, entry, leaf_hash FROM audit_log WHERE seq = 3" "entry 21 holds the entry written as 3"
tamper "swapped entries" "UPDATE audit_log SET seq = -1 WHERE seq = 4; UPDATE audit_log SET seq = 4 WHERE seq = 6; UPDATE audit_log SET seq = 6 WHERE seq = -1" "entry 4 holds the entry written as 6"
tamper "removed tail" "DELETE FROM audit_log WHERE seq >= 19" "entries from 19 were removed"

# An edit that also fixes the stored leaf hash is caught by the next entry's link.
rm -rf t && cp -a d t
python3 - t/qualsig.db <<'P'
import hashlib, sqlite3, sys
db = sqlite3.connect(sys.argv[1])
(entry,) = db.execute("SELECT entry FROM audit_log WHERE seq = 9").fetchone()
entry = entry.replace('note 9"', 'note 0"')
db.execute("UPDATE audit_log SET entry = ?, leaf_hash = ? WHERE seq = 9", (entry, hashlib.sha256(b"\0" + entry.encode()).digest()))
db.commit()
P
expect_exit 1 "consistent edit is detected" -- "$QUALSIG" --data t audit verify
expect_one_error_line "consistent edit names the entry" "entry 9 was modified"

# A checkpoint signed by another key: refused whether it claims the log's key id or its own.
openssl ecparam -name prime256v1 -genkey -noout -out other.pem 2>/dev/null
for variant in forged-key-id own-key-id; do
  rm -rf t && cp -a d t
  sqlite3 t/qualsig.db "SELECT note FROM audit_checkpoints ORDER BY tree_size DESC LIMIT 1" > cp.txt
  python3 - "$variant" <<'P'
import base64, hashlib, subprocess, sys
note = open("cp.txt").read()
text = note.split("\n\n")[0] + "\n"
name = note.split("\n\n")[1].split(" ")[1]
open("t.txt", "w").write(text)
sig = subprocess.run(["openssl", "dgst", "-sha256", "-sign", "other.pem", "t.txt"], capture_output=True, check=True).stdout
if sys.argv[1] == "forged-key-id":
    key_id = base64.b64decode(note.split("\n\n")[1].split(" ")[2])[:4]
else:
    spki = subprocess.run(["openssl", "pkey", "-in", "other.pem", "-pubout", "-outform", "DER"], capture_output=True, check=True).stdout
    key_id = hashlib.sha256(spki).digest()[:4]
open("forged.txt", "w").write(text + "\n— " + name + " " + base64.b64encode(key_id + sig).decode() + "\n")
P
  python3 -c 'import sqlite3,sys; db=sqlite3.connect("t/qualsig.db"); db.execute("UPDATE audit_checkpoints SET note=? WHERE tree_size=(SELECT MAX(tree_size) FROM audit_checkpoints)", (open("forged.txt").read(),)); db.commit()'
  expect_exit 1 "checkpoint signed by another key ($variant) is refused" -- "$QUALSIG" --data t audit verify
  expect_one_error_line "checkpoint signed by another key ($variant)" "is not valid"
done
openssl ec -in other.pem -pubout -out other.pub 2>/dev/null
expect_exit 1 "verify with the wrong --key refuses every checkpoint" -- "$QUALSIG" --data d audit verify --key other.pub
expect_exit 0 "verify with the right --key" -- sh -c "openssl pkey -pubin -inform DER -in logkey.der -out log.pub && '$QUALSIG' --data d audit verify --key log.pub"
expect_exit 1 "verify with a junk --key" -- "$QUALSIG" --data d audit verify --key /etc/hostname
expect_one_error_line "junk --key" "not a PEM public key"

# The audit-log key recorded in the database replaced by another: refused.
rm -rf t && cp -a d t
openssl pkey -in other.pem -pubout -outform DER -out other.der 2>/dev/null
python3 -c 'import sqlite3; db=sqlite3.connect("t/qualsig.db"); db.execute("UPDATE service_keys SET public_key_der=? WHERE role=\"audit-log\"", (open("other.der","rb").read(),)); db.commit()'
expect_exit 1 "database key swapped" -- "$QUALSIG" --data t audit verify
expect_one_error_line "database key swapped" "not the token's key"

expect_exit 0 "consistency proof" -- "$QUALSIG" --json --data d audit consistency --from 5
expect_exit 2 "consistency from 0 refused" -- "$QUALSIG" --data d audit consistency --from 0
finish
