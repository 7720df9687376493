// Independent checker of a qualsig evidence bundle ("qualsig-evidence/1" JSON) for the evidence
// tests, written from RFC 9162 §2.1, C2SP signed-note / tlog-checkpoint and RFC 5652 with Node's
// crypto and PKI.js 4; it shares no code with qualsig.
//
// usage: node verify_evidence_check.mjs BUNDLE.json
// Checks: the checkpoint note's ECDSA signature (type 0x02, key ID = SHA-256(SPKI)[:4]) with the
// bundle's log key; every entry's leaf hash with its inclusion proof to the checkpoint root at
// index = seq; the entry's own "seq"; the CMS signature over the document (PKI.js SignedData.verify,
// signer 0, chain to the bundle's root), when the document is in the bundle; the document's hash.
// Prints "ok <checks>" and exits 0, or one line per failure ("entries[3]: ...", "signature: ...")
// and exits 1.
import { createHash, webcrypto } from 'node:crypto';
import { readFileSync } from 'node:fs';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { leafHash, openCheckpoint, rootFromInclusion, sha256 } from './tlog.mjs';

pkijs.setEngine('node', new pkijs.CryptoEngine({ name: 'node', crypto: webcrypto }));

const b64 = (s) => Buffer.from(s, 'base64');

const toArrayBuffer = (buf) => buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength);

async function checkSignature(bundle, failures) {
  const der = b64(bundle.signature.der);
  const asn1 = asn1js.fromBER(toArrayBuffer(der));
  if (asn1.offset === -1) { failures.push('signature: not BER'); return; }
  const contentInfo = new pkijs.ContentInfo({ schema: asn1.result });
  const signedData = new pkijs.SignedData({ schema: contentInfo.content });
  const params = { signer: 0, checkChain: true, extendedMode: true, passedWhenNotRevValues: true,
                   trustedCerts: [pkijs.Certificate.fromBER(toArrayBuffer(b64(bundle.certificates.chain.at(-1))))] };
  if (bundle.document.content !== undefined) params.data = toArrayBuffer(b64(bundle.document.content));
  try {
    const r = await signedData.verify(params);
    if (r.signatureVerified !== true) failures.push(`signature: ${r.message}`);
  } catch (e) {
    failures.push(`signature: ${e.message ?? e}`);
  }
}

async function main() {
  const bundle = JSON.parse(readFileSync(process.argv[2], 'utf8'));
  const failures = [];
  let checks = 0;
  const log = bundle.log;
  const cp = openCheckpoint(log.checkpoint, log.origin, b64(log.public_key));
  ++checks;
  if (typeof cp === 'string') failures.push(`checkpoint: ${cp}`);
  const sep = log.checkpoint.indexOf('\n\n');
  const lines = log.checkpoint.slice(0, sep).split('\n');
  const size = Number(lines[1]);
  const root = b64(lines[2] ?? '');
  log.entries.forEach((e, i) => {
    ++checks;
    const parsed = JSON.parse(e.entry);
    if (parsed.seq !== e.seq) failures.push(`entries[${i}]: the entry says seq ${parsed.seq}`);
    const r = rootFromInclusion(e.seq, size, leafHash(e.entry), e.proof.map(b64));
    if (!r || !r.equals(root)) failures.push(`entries[${i}]: inclusion proof does not lead to the checkpoint root`);
  });
  if (bundle.document.content !== undefined) {
    ++checks;
    const [alg, hex] = bundle.document.hash.split(':');
    const h = createHash(alg).update(b64(bundle.document.content)).digest('hex');
    if (h !== hex) failures.push('document: hash differs');
  }
  ++checks;
  await checkSignature(bundle, failures);
  if (failures.length > 0) {
    for (const f of failures) console.log(f);
    process.exit(1);
  }
  console.log(`ok ${checks}`);
}

main().catch((err) => {
  console.log(`error: ${err.message}`);
  process.exit(1);
});
