// Independent reader of the QCStatements extension (RFC 3739 §3.2.6, ETSI EN 319 412-5) for
// qualsig's interop tests, built on PeculiarVentures' ASN.1 schemas (@peculiar/asn1-x509,
// @peculiar/asn1-x509-qualified, @peculiar/asn1-x509-qualified-etsi).
//
// Reads one DER certificate from the file named on the command line and prints one JSON object:
//   { "critical": false, "statements": ["0.4.0.1862.1.1", ...],   // statementIds in order
//     "types": ["0.4.0.1862.1.6.2"], "pds": [{"url": "...", "language": "en"}],
//     "retention": 7, "legislation": ["CH"] }
// Keys of statements that are absent are left out. Exit status: 0 on success; 1 with a message on
// stderr when the certificate, the extension or a known statement does not parse.
//
// Run: node tests/interop/qc_check.mjs cert.der   (after scripts/install-deps)

import { readFileSync } from 'node:fs';
import { AsnConvert } from '@peculiar/asn1-schema';
import { Certificate } from '@peculiar/asn1-x509';
import { QCStatements, id_pe_qcStatements } from '@peculiar/asn1-x509-qualified';
import {
  QcType, QcEuPDS, QcEuRetentionPeriod, QcCClegislation,
  id_etsi_qcs_qcType, id_etsi_qcs_qcPDS, id_etsi_qcs_qcRetentionPeriod, id_etsi_qcs_qcCClegislation
} from '@peculiar/asn1-x509-qualified-etsi';

try {
  if (process.argv.length !== 3) throw new Error('usage: node qc_check.mjs cert.der');
  const cert = AsnConvert.parse(readFileSync(process.argv[2]), Certificate);
  const extensions = (cert.tbsCertificate.extensions ?? []).filter((e) => e.extnID === id_pe_qcStatements);
  if (extensions.length !== 1) throw new Error(`expected one qcStatements extension, found ${extensions.length}`);
  const ext = extensions[0];
  const statements = AsnConvert.parse(ext.extnValue.buffer, QCStatements);
  const out = { critical: ext.critical, statements: [] };
  for (const st of statements) {
    out.statements.push(st.statementId);
    const info = st.statementInfo;
    if (st.statementId === id_etsi_qcs_qcType) {
      out.types = Array.from(AsnConvert.parse(info, QcType));
    } else if (st.statementId === id_etsi_qcs_qcPDS) {
      out.pds = Array.from(AsnConvert.parse(info, QcEuPDS), (p) => ({ url: p.url, language: p.language }));
    } else if (st.statementId === id_etsi_qcs_qcRetentionPeriod) {
      out.retention = AsnConvert.parse(info, QcEuRetentionPeriod).value;
    } else if (st.statementId === id_etsi_qcs_qcCClegislation) {
      out.legislation = Array.from(AsnConvert.parse(info, QcCClegislation));
    }
  }
  process.stdout.write(JSON.stringify(out) + '\n');
} catch (err) {
  process.stderr.write(`qc_check: ${err.message}\n`);
  process.exitCode = 1;
}
