// Independent RFC 8785 (JCS) canonicaliser for qualsig's interop tests.
//
// Reads from stdin one JSON array; writes to stdout, for each element in order, its canonical
// form by the `canonicalize` package (Samuel Erdtman's and Anders Rundgren's reference
// implementation), one per line. A canonical text never holds a raw line feed (RFC 8785
// §3.2.2.2 escapes U+0000..U+001F), so lines separate documents unambiguously.
// Exit status: 0 on success; 1 with a message on stderr otherwise.
//
// Run: node tests/interop/jcs_check.mjs < docs.json   (after scripts/install-deps)

import canonicalize from 'canonicalize';

async function readStdin () {
  const chunks = [];
  for await (const chunk of process.stdin) chunks.push(chunk);
  return Buffer.concat(chunks).toString('utf8');
}

try {
  const documents = JSON.parse(await readStdin());
  if (!Array.isArray(documents)) throw new Error('input must be a JSON array of documents');
  const lines = documents.map((doc, i) => {
    const text = canonicalize(doc);
    if (text === undefined || text.includes('\n')) throw new Error(`document ${i}: no single-line canonical form`);
    return text;
  });
  process.stdout.write(lines.map((line) => line + '\n').join(''));
} catch (err) {
  process.stderr.write(`jcs_check: ${err.message}\n`);
  process.exitCode = 1;
}
