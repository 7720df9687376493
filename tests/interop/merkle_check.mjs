// Independent check of the audit log's Merkle tree, proofs and checkpoints, written from
// RFC 9162 §2.1 and C2SP signed-note with nothing but Node's crypto module.
//
// usage: node merkle_check.mjs DUMP.json
// DUMP: { entries: [text...], public_key_spki_b64, origin,
//         sizes: [{ size, root_b64, inclusion: [{index, proof: [b64...]}],
//                   consistency: [{from, proof: [b64...]}], checkpoint?: note }] }
// Prints "ok <checks>" and exits 0, or prints every failure and exits 1.
import { readFileSync } from "node:fs";
import { leafHash, nodeHash, openCheckpoint as checkNote, rootFromInclusion, sha256 } from "./tlog.mjs";


// MTH (RFC 9162 §2.1.1), recursive as written there.
function mth(leaves) {
  if (leaves.length === 0) return sha256(Buffer.alloc(0));
  if (leaves.length === 1) return leaves[0];
  let k = 1;
  while (k * 2 < leaves.length) k *= 2;
  return nodeHash(mth(leaves.slice(0, k)), mth(leaves.slice(k)));
}

// RFC 9162 §2.1.4.2: verifying a consistency proof.
function verifyConsistency(first, second, firstHash, secondHash, proof) {
  if (first === second) return proof.length === 0 && firstHash.equals(secondHash);
  if (first === 0 || first > second) return false;
  let path = proof.slice();
  const isPow2 = (n) => (n & (n - 1)) === 0;
  if (isPow2(first)) path = [firstHash, ...path];
  if (path.length === 0) return false;
  let fn = BigInt(first - 1), sn = BigInt(second - 1);
  while (fn % 2n === 1n) { fn >>= 1n; sn >>= 1n; }
  let fr = path[0], sr = path[0];
  for (const c of path.slice(1)) {
    if (sn === 0n) return false;
    if (fn % 2n === 1n || fn === sn) {
      fr = nodeHash(c, fr); sr = nodeHash(c, sr);
      if (fn % 2n === 0n) while (fn % 2n === 0n && fn !== 0n) { fn >>= 1n; sn >>= 1n; }
    } else {
      sr = nodeHash(sr, c);
    }
    fn >>= 1n; sn >>= 1n;
  }
  return fr.equals(firstHash) && sr.equals(secondHash) && sn === 0n;
}

const dump = JSON.parse(readFileSync(process.argv[2], "utf8"));
const leaves = dump.entries.map(leafHash);
const spki = Buffer.from(dump.public_key_spki_b64, "base64");
const failures = [];
let checks = 0;
const roots = new Map();
for (const s of dump.sizes) {
  const root = mth(leaves.slice(0, s.size));
  roots.set(s.size, root);
  checks++;
  if (!root.equals(Buffer.from(s.root_b64, "base64"))) failures.push(`size ${s.size}: root differs`);
  for (const inc of s.inclusion) {
    checks++;
    const r = rootFromInclusion(inc.index, s.size, leaves[inc.index], inc.proof.map((p) => Buffer.from(p, "base64")));
    if (!r || !r.equals(root)) failures.push(`size ${s.size}: inclusion proof of ${inc.index} does not verify`);
    // A proof must not verify for a different leaf.
    const other = leaves[(inc.index + 1) % s.size];
    if (s.size > 1) {
      const bad = rootFromInclusion(inc.index, s.size, other, inc.proof.map((p) => Buffer.from(p, "base64")));
      if (bad && bad.equals(root)) failures.push(`size ${s.size}: proof of ${inc.index} also proves another leaf`);
    }
  }
  for (const c of s.consistency) {
    checks++;
    const firstRoot = mth(leaves.slice(0, c.from));
    if (!verifyConsistency(c.from, s.size, firstRoot, root, c.proof.map((p) => Buffer.from(p, "base64"))))
      failures.push(`size ${s.size}: consistency proof from ${c.from} does not verify`);
  }
  if (s.checkpoint) {
    checks++;
    const cp = checkNote(s.checkpoint, dump.origin, spki);
    if (typeof cp === "string") failures.push(`size ${s.size}: checkpoint ${cp}`);
    else if (cp.size !== s.size || !cp.root.equals(root)) failures.push(`size ${s.size}: checkpoint names another tree`);
  }
}
if (failures.length > 0) {
  for (const f of failures.slice(0, 50)) console.log(f);
  process.exit(1);
}
console.log(`ok ${checks}`);
