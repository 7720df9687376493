// Verifies a JWS (JAdES) with the jose package, independently of qualsig.
// Usage: node jades_check.mjs <jws-file> <signer-cert.pem> <alg> [--payload <detached-payload-file>]
// Prints {"verified":true,"protectedHeader":{...},"payloadHex":"..."} and exits 0, or prints the
// jose error and exits 1. "sigT" and "sigD" are declared understood (ETSI TS 119 182-1 §5.2.1 and
// §5.2.8.1 make them critical). A JWS whose protected header has sigD signs its objects by
// reference and has an empty payload (§5.2.8): jose verifies the signature over the header, and the
// caller compares sigD's hashV with digests it computes itself.
import { readFileSync } from 'node:fs';
import { importX509, compactVerify, flattenedVerify } from 'jose';

const [file, certFile, alg, flag, payloadFile] = process.argv.slice(2);
if (!file || !certFile || !alg || (flag && (flag !== '--payload' || !payloadFile))) {
  console.error('usage: jades_check.mjs <jws> <cert.pem> <alg> [--payload <file>]');
  process.exit(2);
}
const text = readFileSync(file, 'utf8');
const detached = flag ? new Uint8Array(readFileSync(payloadFile)) : undefined;
const options = { crit: { sigT: true, sigD: true }, algorithms: [alg] };

try {
  const key = await importX509(readFileSync(certFile, 'utf8'), alg);
  let jws;
  if (text.trimStart().startsWith('{')) {
    jws = JSON.parse(text);
  } else {
    const parts = text.split('.');
    if (parts.length !== 3) throw new Error('not a compact JWS');
    jws = { protected: parts[0], payload: parts[1], signature: parts[2] };
  }
  const header = JSON.parse(Buffer.from(jws.protected, 'base64url').toString('utf8'));
  if (header.sigD !== undefined) {
    if (detached !== undefined) throw new Error('sigD: the objects are named by digest, not given');
    if (jws.payload !== undefined && jws.payload !== '') throw new Error('sigD with a payload');
    jws.payload = '';
  }
  if (detached !== undefined) {
    if (jws.payload !== undefined && jws.payload !== '') throw new Error('payload is attached');
    const b64 = JSON.parse(Buffer.from(jws.protected, 'base64url').toString('utf8')).b64 !== false;
    jws.payload = b64 ? Buffer.from(detached).toString('base64url') : detached;
  }
  // compactVerify for the compact form when the payload is in it, flattenedVerify otherwise.
  const result = !text.trimStart().startsWith('{') && detached === undefined && header.sigD === undefined
    ? await compactVerify(text, key, options)
    : await flattenedVerify(jws, key, options);
  console.log(JSON.stringify({
    verified: true,
    protectedHeader: result.protectedHeader,
    unprotectedHeader: result.unprotectedHeader ?? null,
    payloadHex: Buffer.from(result.payload).toString('hex'),
  }));
} catch (e) {
  console.log(`jose: ${e.code ?? ''} ${e.message}`);
  process.exit(1);
}
