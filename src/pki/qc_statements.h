#pragma once
// The QCStatements certificate extension (RFC 3739 §3.2.6) with the statements of ETSI EN 319 412-5
// V2.3.1 §4 that make a certificate an EU qualified certificate: QcCompliance, QcSSCD, QcType,
// QcPDS, QcRetentionPeriod and QcCClegislation. Encoding and decoding go through OpenSSL's ASN.1
// templates (qc_statements.cpp); no DER is written by hand.
//
//   QCStatements ::= SEQUENCE OF QCStatement                       -- RFC 3739 §3.2.6
//   QCStatement ::= SEQUENCE {
//       statementId   OBJECT IDENTIFIER,
//       statementInfo ANY DEFINED BY statementId OPTIONAL }

#include <openssl/x509.h>

#include <optional>
#include <string>
#include <vector>

#include "core/bytes.h"
#include "core/result.h"

namespace qualsig::pki {

struct QcStatements {
  // EN 319 412-5 §4.2.1 id-etsi-qcs-QcCompliance (0.4.0.1862.1.1): an EU qualified certificate.
  bool compliance = false;
  // §4.2.2 id-etsi-qcs-QcSSCD (0.4.0.1862.1.4): the private key resides in a QSCD.
  bool sscd = false;
  // §4.2.3 id-etsi-qcs-QcType (0.4.0.1862.1.6): dotted OIDs, normally one of oid::kQctEsign,
  // oid::kQctEseal, oid::kQctWeb. Decoding keeps any OID found (the ASN.1 is extensible).
  std::vector<std::string> types;
  // §4.3.4 id-etsi-qcs-QcPDS (0.4.0.1862.1.5): PKI disclosure statements.
  struct Pds {
    std::string url;       // IA5String; https (§4.3.4)
    std::string language;  // PrintableString (SIZE(2)), ISO 639-1
    bool operator==(const Pds&) const = default;
  };
  std::vector<Pds> pds;
  // §4.3.3 id-etsi-qcs-QcRetentionPeriod (0.4.0.1862.1.3): years after expiry.
  std::optional<int> retention_years;
  // §4.2.4 id-etsi-qcs-QcCClegislation (0.4.0.1862.1.7): ISO 3166 alpha-2 codes of the non-EU
  // legislation(s) the certificate is qualified under. The ASN.1 is SEQUENCE OF CountryName, so this
  // is a list; empty means the statement is absent.
  std::vector<std::string> legislation_countries;
  // Statements found by decoding that this type does not model (e.g. QcLimitValue, the RFC 3739
  // semantics identifiers), as dotted OIDs in certificate order. Decode only: encoding refuses them.
  std::vector<std::string> other_statement_oids;

  bool operator==(const QcStatements&) const = default;
};

// DER of the QCStatements SEQUENCE, to be the value of the non-critical id-pe-qcStatements
// extension (EN 319 412-5 QCS-4.1-02: not critical). Statements are written in the order
// QcCompliance, QcRetentionPeriod, QcSSCD, QcType, QcPDS, QcCClegislation: EN 319 412-5 sets no
// order; this is the one most qualified certificates in the DSS test corpus use (compliance, SSCD,
// type, PDS; retention after compliance, legislation last).
// Fails with invalid_input, naming the rule, when a value breaks EN 319 412-5:
//   * no statement at all, or any other_statement_oids (qualsig issues only what it models);
//   * types: more than one (§4.2.3: "one and only one" purpose), or not esign/eseal/web;
//   * pds: a URL that is not https:// IA5 text without spaces (§4.3.4), a language that is not two
//     lower-case letters (ISO 639-1);
//   * retention_years not positive (§4.3.3);
//   * a legislation country that is not two upper-case letters (§4.2.4, ISO 3166-1 alpha-2).
Result<Bytes> encode_qc_statements(const QcStatements& statements);

// Parses a QCStatements value. Strict DER: the bytes must re-encode identically (no BER lengths,
// no indefinite forms) and nothing may follow the SEQUENCE. Unknown statements are kept in
// other_statement_oids (their statementInfo is not interpreted). A known statement that is
// malformed fails with invalid_input: statementInfo present on QcCompliance/QcSSCD; QcType absent
// or empty; PdsLocations absent or empty, a PdsLocation whose language is not two letters or whose
// URL is empty; a retention period that is not a positive int; a legislation country that is not
// two letters; a known statement that appears twice. Language and country case, and the PDS URL
// scheme, are kept as found (real certificates carry "EN"); judging them is for the validator.
Result<QcStatements> decode_qc_statements(ByteView der);

// The decoded qcStatements extension of `cert` (borrowed). not_found when the certificate has no
// such extension; invalid_input when it has two (RFC 5280 §4.2) or the value is malformed.
Result<QcStatements> qc_statements_of(const X509* cert);

}  // namespace qualsig::pki
