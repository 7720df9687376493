// Independent checker of CAdES signatures (ETSI EN 319 122-1) for qualsig's interop tests, built on
// PKI.js 4 / asn1js 4 (Peculiar Ventures) and Node's crypto. Nothing here shares code with qualsig.
//
// Run: node tests/interop/cades_check.mjs <signature.p7s> [--root root.der] [--content doc]
//        [--digest hex]
//   --root     DER or PEM trust anchor; the signer's chain is then built and checked by PKI.js
//              (revocation data in the SignedData is used when PKI.js understands it)
//   --content  the detached document (or nothing for an enveloping signature)
//   --digest   the detached document's digest (hex), instead of --content, for the archive
//              time-stamp checks only
//
// Prints one JSON object:
//   { "signature": {"ok": true|false, "message": "..."},          // SignedData.verify, signer 0
//     "signed_fields_sha256": "hex",     // over the raw SignerInfo fields version .. signature
//     "signature_value_sha256": "hex",   // over signer 0's signature value (the OCTET STRING's content)
//     "counter_signatures": [{"ok": bool, "message": "...", "signature_value_sha256": "hex"}],  // RFC 5652 §11.4, Node crypto
//     "signature_timestamps": [{"imprint_ok": bool}],           // EN 319 122-1 §5.3
//     "archive_timestamps": [{"imprint_ok": bool, "index_ok": bool, "hash": "SHA-256",
//                             "index_sizes": [certificates, crls, unsigned attribute values]}] }
//                                                               // EN 319 122-1 §5.5.2/§5.5.3
// index_ok: every hash in the ats-hash-index-v3 names an element the signature holds.
// The archive-time-stamp-v3 imprint is computed here from the raw TLVs asn1js kept while parsing,
// independently of qualsig's implementation. Exit status 0 when the input parses (the verdicts
// are in the JSON), 1 with a message on stderr otherwise.

import { readFileSync } from 'node:fs';
import { createHash, X509Certificate, verify as nodeVerify, webcrypto } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';

pkijs.setEngine('node', new pkijs.CryptoEngine({ name: 'node', crypto: webcrypto }));

const OID = {
  messageDigest: '1.2.840.113549.1.9.4',
  contentType: '1.2.840.113549.1.9.3',
  countersignature: '1.2.840.113549.1.9.6',
  signatureTimeStamp: '1.2.840.113549.1.9.16.2.14',
  archiveTimestampV3: '0.4.0.1733.2.4',
  atsHashIndexV3: '0.4.0.19122.1.5',
};
const HASHES = {
  '2.16.840.1.101.3.4.2.1': 'sha256',
  '2.16.840.1.101.3.4.2.2': 'sha384',
  '2.16.840.1.101.3.4.2.3': 'sha512',
};

function parseArgs(argv) {
  const args = { file: null, root: null, content: null, digest: null };
  for (let i = 2; i < argv.length; ++i) {
    if (argv[i] === '--root') args.root = argv[++i];
    else if (argv[i] === '--content') args.content = argv[++i];
    else if (argv[i] === '--digest') args.digest = argv[++i];
    else if (!args.file) args.file = argv[i];
    else throw new Error(`unexpected argument ${argv[i]}`);
  }
  if (!args.file) throw new Error('usage: cades_check.mjs sig.p7s [--root root] [--content doc] [--digest hex]');
  return args;
}

function readDerOrPem(path) {
  const bytes = readFileSync(path);
  const text = bytes.toString('latin1');
  if (!text.includes('-----BEGIN')) return new Uint8Array(bytes);
  const b64 = text.replace(/-----[^-]+-----/g, '').replace(/\s+/g, '');
  return new Uint8Array(Buffer.from(b64, 'base64'));
}

function parseDer(bytes) {
  const asn1 = asn1js.fromBER(bytes);
  if (asn1.offset === -1 || asn1.offset !== bytes.byteLength) throw new Error('not exactly one BER element');
  return asn1.result;
}

const raw = (block) => Buffer.from(block.valueBeforeDecodeView);
const hash = (alg, ...parts) => {
  const h = createHash(alg);
  for (const p of parts) h.update(p);
  return h.digest();
};
const isContext = (block, n) => block.idBlock.tagClass === 3 && block.idBlock.tagNumber === n;

// Attributes as { type, values: [asn1 blocks] } from a [0]/[1] attribute block.
function attributesOf(block) {
  if (!block) return [];
  return block.valueBlock.value.map((attr) => ({
    type: attr.valueBlock.value[0].valueBlock.toString(),
    typeBlock: attr.valueBlock.value[0],
    values: attr.valueBlock.value[1].valueBlock.value,
  }));
}

// The raw pieces of a SignedData ContentInfo.
function signedDataParts(contentInfo) {
  const signedData = contentInfo.valueBlock.value[1].valueBlock.value[0];
  const fields = signedData.valueBlock.value;
  const encap = fields[2];
  const parts = { encap, certificates: [], crls: [], signerInfos: [] };
  for (const f of fields.slice(3)) {
    if (isContext(f, 0)) parts.certificates = f.valueBlock.value;
    else if (isContext(f, 1)) parts.crls = f.valueBlock.value;
    else parts.signerInfos = f.valueBlock.value;
  }
  return parts;
}

// SignerInfo ::= SEQUENCE { version, sid, digestAlgorithm, signedAttrs [0] OPTIONAL,
//   signatureAlgorithm, signature, unsignedAttrs [1] OPTIONAL } (sid may itself be a [0]).
function signerInfoParts(signerInfo) {
  const fields = signerInfo.valueBlock.value;
  const hasSigned = isContext(fields[3], 0);
  const signedAttrs = hasSigned ? fields[3] : undefined;
  const signature = fields[hasSigned ? 5 : 4];
  const last = fields[fields.length - 1];
  const unsignedAttrs = fields.length > (hasSigned ? 6 : 5) && isContext(last, 1) ? last : undefined;
  const signedFields = unsignedAttrs ? fields.slice(0, -1) : fields;
  return { fields: signedFields, signedAttrs, unsignedAttrs, signature };
}

// TSTInfo.messageImprint of a TimeStampToken block.
function tstImprint(tokenBlock) {
  const token = new pkijs.SignedData({ schema: tokenBlock.valueBlock.value[1].valueBlock.value[0] });
  const tst = pkijs.TSTInfo.fromBER(token.encapContentInfo.eContent.getValue());
  const alg = HASHES[tst.messageImprint.hashAlgorithm.algorithmId];
  if (!alg) throw new Error(`unsupported time-stamp hash ${tst.messageImprint.hashAlgorithm.algorithmId}`);
  return { alg, digest: Buffer.from(tst.messageImprint.hashedMessage.valueBlock.valueHexView) };
}

function checkCounterSignature(csBlock, parentSignature, certificates) {
  const cs = new pkijs.SignerInfo({ schema: csBlock });
  const alg = HASHES[cs.digestAlgorithm.algorithmId];
  if (!alg) return { ok: false, message: 'unsupported digest' };
  const attrs = cs.signedAttrs ? cs.signedAttrs.attributes : [];
  if (attrs.some((a) => a.type === OID.contentType)) return { ok: false, message: 'content-type in a countersignature' };
  const md = attrs.find((a) => a.type === OID.messageDigest);
  if (!md) return { ok: false, message: 'no message-digest' };
  const expected = hash(alg, Buffer.from(parentSignature.valueBlock.valueHexView));
  if (!expected.equals(Buffer.from(md.values[0].valueBlock.valueHexView)))
    return { ok: false, message: 'message-digest is not the hash of the countersigned signature value' };
  const cert = certificates.find((c) => c instanceof pkijs.Certificate && c.issuer.isEqual(cs.sid.issuer) &&
    c.serialNumber.isEqual(cs.sid.serialNumber));
  if (!cert) return { ok: false, message: 'countersigner certificate not in SignedData.certificates' };
  const signedData = Buffer.from(cs.signedAttrs.encodedValue);
  signedData[0] = 0x31;  // RFC 5652 §5.4: EXPLICIT SET OF tag for the signature input
  const key = new X509Certificate(Buffer.from(cert.toSchema().toBER())).publicKey;
  const value = Buffer.from(cs.signature.valueBlock.valueHexView);
  const ok = nodeVerify(alg, signedData, key, value);
  return { ok, message: ok ? '' : 'countersignature value does not verify', signature_value_sha256: hash('sha256', value).toString('hex') };
}

// EN 319 122-1 §5.5.2/§5.5.3, from raw TLVs.
function checkArchiveTimestamp(tokenBlock, parts, si, contentDigestFor) {
  const { alg, digest } = tstImprint(tokenBlock);
  const token = signedDataParts(tokenBlock);
  const tokenSi = signerInfoParts(token.signerInfos[0]);
  const indexAttr = attributesOf(tokenSi.unsignedAttrs).find((a) => a.type === OID.atsHashIndexV3);
  if (!indexAttr) return { imprint_ok: false, index_ok: false, message: 'no ats-hash-index-v3' };
  const indexBlock = indexAttr.values[0];
  const seqs = indexBlock.valueBlock.value;
  const lists = seqs.length === 4 ? seqs.slice(1) : seqs;  // hashIndAlgorithm DEFAULT sha256
  const [certHashes, crlHashes, attrHashes] = lists.map((l) => l.valueBlock.value.map(
    (o) => Buffer.from(o.valueBlock.valueHexView).toString('hex')));
  const have = new Set();
  for (const c of parts.certificates) have.add(hash(alg, raw(c)).toString('hex'));
  for (const c of parts.crls) have.add(hash(alg, raw(c)).toString('hex'));
  for (const a of attributesOf(si.unsignedAttrs))
    for (const v of a.values) have.add(hash(alg, raw(a.typeBlock), raw(v)).toString('hex'));
  const indexOk = [...certHashes, ...crlHashes, ...attrHashes].every((h) => have.has(h));

  const signedFields = si.fields.map(raw);
  const imprint = hash(alg, raw(parts.encap.valueBlock.value[0]), contentDigestFor(alg), ...signedFields, raw(indexBlock));
  return {
    imprint_ok: imprint.equals(digest), index_ok: indexOk, hash: alg.toUpperCase().replace('SHA', 'SHA-'),
    index_sizes: [certHashes.length, crlHashes.length, attrHashes.length],
  };
}

async function main() {
  const args = parseArgs(process.argv);
  const der = new Uint8Array(readFileSync(args.file));
  const contentInfo = parseDer(der);
  const parts = signedDataParts(contentInfo);
  const si = signerInfoParts(parts.signerInfos[0]);
  const signedData = new pkijs.SignedData({ schema: contentInfo.valueBlock.value[1].valueBlock.value[0] });
  const content = args.content ? new Uint8Array(readFileSync(args.content)) : null;
  const eContent = parts.encap.valueBlock.value[1];
  const contentDigestFor = (alg) => {
    if (eContent) return hash(alg, Buffer.from(signedData.encapContentInfo.eContent.getValue()));
    if (content) return hash(alg, content);
    if (args.digest) return Buffer.from(args.digest, 'hex');
    throw new Error('detached signature: --content or --digest needed');
  };

  const out = {
    signature: null,
    // SHA-256 over the raw SignerInfo fields version .. signature: what extensions must not change.
    signed_fields_sha256: hash('sha256', ...si.fields.map(raw)).toString('hex'),
    signature_value_sha256: hash('sha256', Buffer.from(si.signature.valueBlock.valueHexView)).toString('hex'),
    counter_signatures: [], signature_timestamps: [], archive_timestamps: [],
  };
  try {
    const params = { signer: 0, extendedMode: true };
    if (content) params.data = content.buffer.slice(content.byteOffset, content.byteOffset + content.byteLength);
    if (args.root) {
      params.trustedCerts = [pkijs.Certificate.fromBER(readDerOrPem(args.root))];
      params.checkChain = true;
      params.passedWhenNotRevValues = true;  // PKI.js does not read RFC 5940 id-ri-ocsp-response
    }
    const r = await signedData.verify(params);
    out.signature = { ok: r.signatureVerified === true, message: r.message };
  } catch (e) {
    out.signature = { ok: false, message: e.message ?? String(e) };
  }
  const certificates = signedData.certificates ?? [];
  for (const attr of attributesOf(si.unsignedAttrs)) {
    for (const value of attr.values) {
      if (attr.type === OID.countersignature) {
        out.counter_signatures.push(checkCounterSignature(value, si.signature, certificates));
      } else if (attr.type === OID.signatureTimeStamp) {
        const { alg, digest } = tstImprint(value);
        out.signature_timestamps.push({ imprint_ok: hash(alg, Buffer.from(si.signature.valueBlock.valueHexView)).equals(digest) });
      } else if (attr.type === OID.archiveTimestampV3) {
        out.archive_timestamps.push(checkArchiveTimestamp(value, parts, si, contentDigestFor));
      }
    }
  }
  process.stdout.write(JSON.stringify(out) + '\n');
}

main().catch((err) => {
  process.stderr.write(`cades_check: ${err.message}\n`);
  process.exitCode = 1;
});
