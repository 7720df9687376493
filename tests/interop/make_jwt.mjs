// Independent JWT/JWS maker for qualsig's identity tests (tests/identity/oidc_test.cpp).
//
// Keys, JWKS documents and tokens come from the `jose` package (Filip Skokan's JOSE
// implementation), so qualsig's verifier is checked against tokens it did not make itself.
// Deliberately bad tokens are made here too, each the way an attacker would make it.
//
// Reads one JSON request on stdin:
//   {
//     "keys":   [{"id": "es256", "alg": "ES256", "modulusLength": 2048?}, ...],
//     "sets":   {"main": [{"key": "es256", "kid": "es256-key" | null, "alg": true | false}], ...},
//     "tokens": [{"name": "...", "key": "es256", "kid": "es256-key" | null, "alg": "ES256"?,
//                 "header": {...}?, "claims": {...}, "mode": "sign", "crit": ["ext"]?,
//                 "payload": "raw text"?, "tamperedClaims": {...}?}, ...]
//   }
// and writes one JSON object: {"sets": {name: JWKS}, "tokens": {name: compact JWS}}.
//
// Token modes:
//   sign            jose SignJWT over `claims` (or CompactSign over the raw `payload` text);
//                   header {alg, kid, ...header}; `crit` names extensions jose is told it knows
//   none            jose UnsecuredJWT: header {"alg":"none"}, empty signature
//   hs256-confusion HS256 with the RSA key's public SPKI PEM as the HMAC secret (key confusion)
//   tamper-payload  signed over `claims`, then the payload part replaced by `tamperedClaims`
//   der-signature   ES256/ES384 signed by node:crypto with dsaEncoding "der" instead of raw R||S
// A token spec's "embedJwkOf": key id puts that key's public JWK into the header as "jwk" (an
// attacker's self-supplied key, which a verifier must ignore). A key spec whose modulusLength is
// below 2048 is made by node:crypto, as jose refuses to make one.
// Exit status 0 on success; 1 with a message on stderr otherwise.
//
// Run: node tests/interop/make_jwt.mjs < request.json   (after scripts/install-deps)

import { generateKeyPairSync, sign as nodeSign } from 'node:crypto';
import {
  CompactSign, SignJWT, UnsecuredJWT, base64url, exportJWK, exportSPKI, generateKeyPair,
} from 'jose';

async function readStdin () {
  const chunks = [];
  for await (const chunk of process.stdin) chunks.push(chunk);
  return Buffer.concat(chunks).toString('utf8');
}

const hashFor = { ES256: 'sha256', ES384: 'sha384' };

async function makeToken (spec, keys) {
  const key = keys.get(spec.key);
  if (spec.key !== undefined && key === undefined) throw new Error(`token ${spec.name}: unknown key ${spec.key}`);
  const alg = spec.alg ?? key?.alg;
  const header = { alg };
  if (spec.kid !== null && spec.kid !== undefined) header.kid = spec.kid;
  Object.assign(header, spec.header ?? {});
  if (spec.embedJwkOf !== undefined) header.jwk = await exportJWK(keys.get(spec.embedJwkOf).publicKey);
  const crit = Object.fromEntries((spec.crit ?? []).map((name) => [name, true]));
  const mode = spec.mode ?? 'sign';

  if (mode === 'none') return new UnsecuredJWT(spec.claims).encode();
  if (mode === 'hs256-confusion') {
    const secret = new TextEncoder().encode(await exportSPKI(key.publicKey));
    return new SignJWT(spec.claims).setProtectedHeader({ ...header, alg: 'HS256' }).sign(secret);
  }
  if (mode === 'der-signature') {
    const head = base64url.encode(JSON.stringify(header));
    const body = base64url.encode(JSON.stringify(spec.claims));
    const signature = nodeSign(hashFor[alg], Buffer.from(`${head}.${body}`),
      { key: key.privateKey, dsaEncoding: 'der' });
    return `${head}.${body}.${base64url.encode(signature)}`;
  }
  let token;
  if (spec.payload !== undefined) {
    token = await new CompactSign(new TextEncoder().encode(spec.payload))
      .setProtectedHeader(header).sign(key.privateKey, { crit });
  } else {
    token = await new SignJWT(spec.claims).setProtectedHeader(header).sign(key.privateKey, { crit });
  }
  if (mode === 'tamper-payload') {
    const [head, , signature] = token.split('.');
    return `${head}.${base64url.encode(JSON.stringify(spec.tamperedClaims))}.${signature}`;
  }
  if (mode !== 'sign') throw new Error(`token ${spec.name}: unknown mode ${mode}`);
  return token;
}

try {
  const request = JSON.parse(await readStdin());
  const keys = new Map();
  for (const k of request.keys ?? []) {
    let pair;
    if (k.modulusLength !== undefined && k.modulusLength < 2048) {
      // jose refuses to make weak RSA keys; node:crypto makes one for the "too small" tests.
      pair = generateKeyPairSync('rsa', { modulusLength: k.modulusLength });
    } else {
      const options = { extractable: true };
      if (k.modulusLength !== undefined) options.modulusLength = k.modulusLength;
      pair = await generateKeyPair(k.alg, options);
    }
    keys.set(k.id, { alg: k.alg, ...pair });
  }
  const sets = {};
  for (const [name, members] of Object.entries(request.sets ?? {})) {
    const jwks = { keys: [] };
    for (const m of members) {
      const key = keys.get(m.key);
      if (key === undefined) throw new Error(`set ${name}: unknown key ${m.key}`);
      const jwk = await exportJWK(key.publicKey);
      if (m.kid !== null && m.kid !== undefined) jwk.kid = m.kid;
      if (m.alg) jwk.alg = key.alg;
      jwk.use = 'sig';
      jwks.keys.push(jwk);
    }
    sets[name] = jwks;
  }
  const tokens = {};
  for (const spec of request.tokens ?? []) {
    if (spec.name in tokens) throw new Error(`duplicate token name ${spec.name}`);
    tokens[spec.name] = await makeToken(spec, keys);
  }
  process.stdout.write(JSON.stringify({ sets, tokens }) + '\n');
} catch (err) {
  process.stderr.write(`make_jwt: ${err.stack ?? err.message}\n`);
  process.exitCode = 1;
}
