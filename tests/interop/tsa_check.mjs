// Independent reader and verifier of RFC 3161 time-stamp responses and tokens for qualsig's TSA
// tests: TimeStampResp and TSTInfo are read with PeculiarVentures' ASN.1 schemas
// (@peculiar/asn1-tsp), the CMS SignedData by pkijs, the signing-certificate-v2 attribute
// (RFC 5035 / RFC 5816) with asn1js, and the token signature, its message imprint and the
// certificate chain are verified by pkijs (SignedData.verify).
//
// Reads one JSON object on stdin:
//   { "tsaCert": "<base64 DER>",            // the TSA certificate; its hash is compared with ESSCertIDv2
//     "root": "<base64 DER>",               // optional: trust anchor for pkijs' chain check
//     "extraCerts": ["<base64 DER>", ...],  // optional: added when a token carries no certificates
//     "items": [ { "response": "<base64 TimeStampResp>" | "token": "<base64 TimeStampToken>",
//                  "data": "<base64 of the time-stamped data>" }, ... ] }
// and prints one JSON array, an object per item:
//   { "status": 0, "statusText": [...], "failInfo": ["badAlg", ...],   // responses only
//     "token": { "certificates": 3, "eContentType": "1.2.840.113549.1.9.16.1.4",
//                "tst": { "version": 1, "policy": "...", "hashAlg": "<oid>", "imprint": "<hex>",
//                         "serial": "<hex>", "genTime": "<ISO 8601>", "accuracy": {...} | null,
//                         "ordering": false, "nonce": "<hex>" | null, "tsa": false, "extensions": false },
//                "signingCertificateV2": { "hashAlg": "<oid>", "certHash": "<hex>", "matchesTsaCert": true } | null,
//                "signingCertificateV1": false,
//                "signatureVerified": true, "chainVerified": true | null, "error": null } | null }
// failInfo bits are decoded here from the BIT STRING by their RFC 3161 §2.4.2 numbers.
// Exit status 0 unless the input itself cannot be read; per-item problems are reported in "error".
//
// Run: echo '{...}' | node tests/interop/tsa_check.mjs   (after scripts/install-deps)

import { createHash, webcrypto } from 'node:crypto';
import { AsnConvert } from '@peculiar/asn1-schema';
import { TimeStampResp, TSTInfo } from '@peculiar/asn1-tsp';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';

pkijs.setEngine('node', new pkijs.CryptoEngine({ name: 'node', crypto: webcrypto }));

const kSigningCertificateV2 = '1.2.840.113549.1.9.16.2.47';  // RFC 5035 §3 id-aa-signingCertificateV2
const kSigningCertificate = '1.2.840.113549.1.9.16.2.12';    // RFC 2634 §5.4 id-aa-signingCertificate
const kSha256 = '2.16.840.1.101.3.4.2.1';
const kHashNames = { '2.16.840.1.101.3.4.2.1': 'sha256', '2.16.840.1.101.3.4.2.2': 'sha384', '2.16.840.1.101.3.4.2.3': 'sha512' };
// RFC 3161 §2.4.2 PKIFailureInfo bit numbers.
const kFailureBits = { 0: 'badAlg', 2: 'badRequest', 5: 'badDataFormat', 14: 'timeNotAvailable', 15: 'unacceptedPolicy',
  16: 'unacceptedExtension', 17: 'addInfoNotAvailable', 25: 'systemFailure' };

const hex = (buf) => Buffer.from(buf).toString('hex');
const ab = (buf) => buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength);
const b64 = (s) => Buffer.from(s, 'base64');

function failureNames(bitString) {
  if (!bitString) return [];
  const bytes = new Uint8Array(bitString.value);
  const names = [];
  for (let i = 0; i < bytes.length * 8; ++i) {
    if ((bytes[i >> 3] >> (7 - (i & 7))) & 1) names.push(kFailureBits[i] ?? `bit${i}`);
  }
  return names;
}

// SigningCertificateV2 ::= SEQUENCE { certs SEQUENCE OF ESSCertIDv2, policies ... OPTIONAL }
// ESSCertIDv2 ::= SEQUENCE { hashAlgorithm AlgorithmIdentifier DEFAULT {algorithm id-sha256},
//                            certHash OCTET STRING, issuerSerial IssuerSerial OPTIONAL }
function signingCertificateV2(value, tsaCertDer) {
  const parsed = asn1js.fromBER(value);
  if (parsed.offset === -1) throw new Error('signingCertificateV2 does not parse');
  const first = parsed.result.valueBlock.value[0].valueBlock.value[0].valueBlock.value;
  let i = 0;
  let hashAlg = kSha256;
  if (first[0] instanceof asn1js.Sequence) {
    hashAlg = first[0].valueBlock.value[0].valueBlock.toString();
    i = 1;
  }
  const certHash = Buffer.from(first[i].valueBlock.valueHexView);
  const expected = createHash(kHashNames[hashAlg] ?? 'sha256').update(tsaCertDer).digest();
  return { hashAlg, certHash: hex(certHash), matchesTsaCert: certHash.equals(expected), issuerSerial: first.length > i + 1 };
}

async function checkToken(tokenDer, input) {
  const out = { certificates: 0, eContentType: null, tst: null, signingCertificateV2: null, signingCertificateV1: false,
    signatureVerified: false, chainVerified: null, error: null };
  // CMS through pkijs: @peculiar/asn1-cms cannot read SignedData here (its CertificateChoices
  // refer to @peculiar/asn1-x509-attr, which the lock file resolves to a version with its own
  // copy of @peculiar/asn1-schema, so the schema lookup fails).
  const pk = new pkijs.SignedData({ schema: pkijs.ContentInfo.fromBER(ab(tokenDer)).content });
  out.certificates = pk.certificates ? pk.certificates.length : 0;
  out.eContentType = pk.encapContentInfo.eContentType;
  const tst = AsnConvert.parse(pk.encapContentInfo.eContent.getValue(), TSTInfo);
  out.tst = {
    version: tst.version, policy: tst.policy, hashAlg: tst.messageImprint.hashAlgorithm.algorithm,
    hashParams: tst.messageImprint.hashAlgorithm.parameters ? hex(tst.messageImprint.hashAlgorithm.parameters) : null,
    imprint: hex(tst.messageImprint.hashedMessage.buffer), serial: hex(tst.serialNumber),
    genTime: tst.genTime.toISOString(),
    accuracy: tst.accuracy ? { seconds: tst.accuracy.seconds ?? null, millis: tst.accuracy.millis ?? null,
      micros: tst.accuracy.micros ?? null } : null,
    ordering: tst.ordering, nonce: tst.nonce ? hex(tst.nonce) : null, tsa: !!tst.tsa, extensions: !!tst.extensions,
  };
  for (const attr of pk.signerInfos[0].signedAttrs?.attributes ?? []) {
    if (attr.type === kSigningCertificateV2) out.signingCertificateV2 = signingCertificateV2(attr.values[0].toBER(), input.tsaCert);
    if (attr.type === kSigningCertificate) out.signingCertificateV1 = true;
  }
  // pkijs: signer found by sid among the certificates, TSTInfo imprint checked against the data,
  // messageDigest and signature checked, and with a root the chain at genTime.
  if (!pk.certificates || pk.certificates.length === 0) {
    pk.certificates = [input.tsaCert, ...input.extraCerts].map((c) => pkijs.Certificate.fromBER(ab(c)));
  }
  try {
    const result = await pk.verify({ signer: 0, data: input.data ? ab(input.data) : new ArrayBuffer(0),
      checkChain: !!input.root, trustedCerts: input.root ? [pkijs.Certificate.fromBER(ab(input.root))] : [],
      extendedMode: true });
    out.signatureVerified = result.signatureVerified === true;
    if (input.root) out.chainVerified = result.signerCertificateVerified === true;
  } catch (e) {
    out.error = `${e.code ?? ''} ${e.message ?? e}`.trim();
  }
  return out;
}

async function main() {
  const request = JSON.parse(await new Promise((resolve) => {
    let text = '';
    process.stdin.on('data', (c) => { text += c; });
    process.stdin.on('end', () => resolve(text));
  }));
  const common = { tsaCert: b64(request.tsaCert), root: request.root ? b64(request.root) : null,
    extraCerts: (request.extraCerts ?? []).map(b64) };
  const results = [];
  for (const item of request.items) {
    const input = { ...common, data: item.data !== undefined ? b64(item.data) : null };
    const result = {};
    try {
      let tokenDer = item.token ? b64(item.token) : null;
      if (item.response) {
        const resp = AsnConvert.parse(b64(item.response), TimeStampResp);
        result.status = resp.status.status;
        result.statusText = resp.status.statusString ? Array.from(resp.status.statusString, (s) => s.toString()) : [];
        result.failInfo = failureNames(resp.status.failInfo);
        tokenDer = resp.timeStampToken ? Buffer.from(AsnConvert.serialize(resp.timeStampToken)) : null;
      }
      result.token = tokenDer ? await checkToken(tokenDer, input) : null;
    } catch (e) {
      result.error = `${e.message ?? e}`;
    }
    results.push(result);
  }
  process.stdout.write(JSON.stringify(results) + '\n');
}

main().catch((err) => {
  process.stderr.write(`tsa_check: ${err.message}\n`);
  process.exitCode = 1;
});
