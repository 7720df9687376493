// Speed peer for the PAdES benchmark: signs one PDF again and again with the npm package
// @signpdf/signpdf 3.3 (placeholder added by @signpdf/placeholder-plain, CMS made by
// @signpdf/signer-p12 with node-forge from a PKCS#12 held in memory) for a fixed time.
//
//   node signpdf_peer.mjs FILE P12 PASS SECONDS [OUT]
//
// Prints one JSON line: {"signed_per_second", "peak_rss_mb", "file_bytes", "signatures",
// "seconds", "sub_filter", "level"}. OUT, when given, receives the last signed file so that a test
// can check it with pdfsig. Each iteration does the whole job a signing service does for one
// request: add the signature field and placeholder as an incremental update, hash the byte range,
// sign, embed. The key must be RSA (node-forge has no EC), and @signpdf has no timestamping, so
// the peer makes a B-B-shaped ETSI.CAdES.detached signature without signature timestamp; the
// qualsig side of the comparison adds one (B-T). Exits 1 with a message on any failure.
import { readFileSync, writeFileSync } from 'node:fs';
import signpdfModule from '@signpdf/signpdf';
import { P12Signer } from '@signpdf/signer-p12';
import { plainAddPlaceholder } from '@signpdf/placeholder-plain';
import { SUBFILTER_ETSI_CADES_DETACHED } from '@signpdf/utils';

const signpdf = signpdfModule.default ?? signpdfModule;

async function main() {
  const [file, p12Path, pass, secondsArg, out] = process.argv.slice(2);
  const seconds = Number(secondsArg);
  if (!file || !p12Path || pass === undefined || !(seconds > 0)) {
    throw new Error('usage: node signpdf_peer.mjs FILE P12 PASS SECONDS [OUT]');
  }
  const pdf = readFileSync(file);
  const p12 = readFileSync(p12Path);

  const signOnce = async () => {
    const withPlaceholder = plainAddPlaceholder({
      pdfBuffer: pdf,
      reason: 'qualsig benchmark peer',
      contactInfo: 'bench@example.invalid',
      name: 'signpdf peer',
      location: 'bench',
      subFilter: SUBFILTER_ETSI_CADES_DETACHED,
    });
    // A new P12Signer per signature: signer-p12 3.3.0 keeps the PKCS#12 in a node-forge
    // ByteBuffer that asn1.fromDer consumes, so a second sign() on one instance fails with
    // "Too few bytes to parse DER". The PKCS#12 bytes stay in memory; they are parsed per call.
    return signpdf.sign(withPlaceholder, new P12Signer(p12, { passphrase: pass }));
  };

  let last = await signOnce(); // warm-up, also proves the inputs work before timing
  let count = 0;
  const start = process.hrtime.bigint();
  const deadline = start + BigInt(Math.round(seconds * 1e9));
  let now = start;
  while (now < deadline) {
    last = await signOnce();
    count += 1;
    now = process.hrtime.bigint();
  }
  const elapsed = Number(now - start) / 1e9;
  if (out) writeFileSync(out, last);
  const result = {
    signed_per_second: count / elapsed,
    peak_rss_mb: process.resourceUsage().maxRSS / 1024, // maxRSS is in kilobytes
    file_bytes: pdf.length,
    signatures: count,
    seconds: elapsed,
    sub_filter: SUBFILTER_ETSI_CADES_DETACHED,
    level: 'B-B (no signature timestamp: @signpdf has none)',
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

main().catch((e) => {
  process.stderr.write(`signpdf_peer: ${e && e.message ? e.message : e}\n`);
  process.exit(1);
});
