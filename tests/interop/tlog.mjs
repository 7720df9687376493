// RFC 9162 §2.1 hashing and inclusion proofs, and C2SP signed-note checkpoints, with nothing but
// Node's crypto module: shared by merkle_check.mjs and verify_evidence_check.mjs. Written from
// the specifications; shares no code with qualsig.
import { createHash, createPublicKey, verify } from "node:crypto";

export const sha256 = (...parts) => { const h = createHash("sha256"); for (const p of parts) h.update(p); return h.digest(); };
export const leafHash = (entry) => sha256(Buffer.from([0]), Buffer.from(entry, "utf8"));
export const nodeHash = (l, r) => sha256(Buffer.from([1]), l, r);

// RFC 9162 §2.1.3.2: the root an inclusion proof leads to, or null.
export function rootFromInclusion(index, size, leaf, proof) {
  if (index >= size) return null;
  let fn = BigInt(index), sn = BigInt(size - 1), r = leaf;
  for (const p of proof) {
    if (p.length !== 32 || sn === 0n) return null;
    if (fn % 2n === 1n || fn === sn) {
      r = nodeHash(p, r);
      if (fn % 2n === 0n) while (fn % 2n === 0n && fn !== 0n) { fn >>= 1n; sn >>= 1n; }
    } else {
      r = nodeHash(r, p);
    }
    fn >>= 1n; sn >>= 1n;
  }
  return sn === 0n ? r : null;
}

// C2SP signed-note with an ECDSA (type 0x02, key ID = SHA-256(SPKI DER)[:4]) signature by `spki`
// under `origin`, holding a tlog-checkpoint: {size, root} or a string saying what is wrong.
export function openCheckpoint(note, origin, spki) {
  const sep = note.indexOf("\n\n");
  if (sep < 0) return "no blank line";
  const text = note.slice(0, sep + 1);
  const keyId = sha256(spki).subarray(0, 4);
  const key = createPublicKey({ key: spki, format: "der", type: "spki" });
  let verified = false;
  for (const line of note.slice(sep + 2).split("\n").filter((l) => l.length > 0)) {
    const [dash, name, sig64] = line.split(" ");
    if (dash !== "\u2014" || !sig64) return "bad signature line";
    const sig = Buffer.from(sig64, "base64");
    if (name !== origin || !sig.subarray(0, 4).equals(keyId)) continue;
    if (!verify("sha256", Buffer.from(text, "utf8"), key, sig.subarray(4))) return "signature does not verify";
    verified = true;
  }
  if (!verified) return "not signed by the log key";
  const lines = text.split("\n");
  if (lines[0] !== origin) return "origin differs";
  return { size: Number(lines[1]), root: Buffer.from(lines[2], "base64") };
}
