// Labels, the §3.5 combination and the §4 level table of qualification.md (DSS
// SigQualificationMatrix / CertificateQualification names).

#include "validation/qualification.h"

namespace qualsig::validation {

const char* cert_type_name(CertType type) {
  switch (type) {
    case CertType::esig: return "eSig";
    case CertType::eseal: return "eSeal";
    case CertType::wsa: return "WSA";
    case CertType::unknown: return "unknown type";
  }
  return "unknown type";
}

std::string CertQualification::label() const {
  if (!applicable) return "N/A";
  if (!qualified) return std::string("Cert for ") + cert_type_name(type);
  if (type == CertType::wsa) return "QC for WSA";  // QSCD is not a property of a WSA certificate
  return std::string("QC for ") + cert_type_name(type) + (qscd ? " with QSCD" : "");
}

bool CertQualification::same_as(const CertQualification& other) const {
  return label() == other.label();
}

const char* signature_level_name(SignatureLevel level) {
  switch (level) {
    case SignatureLevel::qesig: return "QESig";
    case SignatureLevel::qeseal: return "QESeal";
    case SignatureLevel::unknown_qc_qscd: return "Unknown-QC-QSCD";
    case SignatureLevel::adesig_qc: return "AdESig-QC";
    case SignatureLevel::adeseal_qc: return "AdESeal-QC";
    case SignatureLevel::unknown_qc: return "Unknown-QC";
    case SignatureLevel::adesig: return "AdESig";
    case SignatureLevel::adeseal: return "AdESeal";
    case SignatureLevel::unknown: return "Unknown";
    case SignatureLevel::indeterminate_qesig: return "Indeterminate QESig";
    case SignatureLevel::indeterminate_qeseal: return "Indeterminate QESeal";
    case SignatureLevel::indeterminate_unknown_qc_qscd: return "Indeterminate Unknown-QC-QSCD";
    case SignatureLevel::indeterminate_adesig_qc: return "Indeterminate AdESig-QC";
    case SignatureLevel::indeterminate_adeseal_qc: return "Indeterminate AdESeal-QC";
    case SignatureLevel::indeterminate_unknown_qc: return "Indeterminate Unknown-QC";
    case SignatureLevel::indeterminate_adesig: return "Indeterminate AdESig";
    case SignatureLevel::indeterminate_adeseal: return "Indeterminate AdESeal";
    case SignatureLevel::indeterminate_unknown: return "Indeterminate Unknown";
    case SignatureLevel::not_ades_qc_qscd: return "Not AdES but QC with QSCD";
    case SignatureLevel::not_ades_qc: return "Not AdES but QC";
    case SignatureLevel::not_ades: return "Not AdES";
    case SignatureLevel::na: return "N/A";
  }
  return "N/A";
}

SignatureLevel signature_level(const CertQualification& q, Indication indication) {
  enum { passed, indeterminate, failed } column = indeterminate;
  switch (indication) {
    case Indication::total_passed:
    case Indication::passed: column = passed; break;
    case Indication::indeterminate: column = indeterminate; break;
    case Indication::failed:
    case Indication::total_failed: column = failed; break;
  }
  using L = SignatureLevel;
  if (!q.applicable) return column == failed ? L::not_ades : L::na;
  if (q.type == CertType::wsa) return L::not_ades;  // a website certificate makes no AdES
  // Rows of the table: (passed, indeterminate, failed) per type.
  struct Row {
    L p, i, f;
  };
  auto pick = [&](Row esig, Row eseal, Row unknown) {
    const Row& row = q.type == CertType::esig ? esig : q.type == CertType::eseal ? eseal : unknown;
    return column == passed ? row.p : column == indeterminate ? row.i : row.f;
  };
  if (q.qualified && q.qscd) {
    return pick({L::qesig, L::indeterminate_qesig, L::not_ades_qc_qscd},
                {L::qeseal, L::indeterminate_qeseal, L::not_ades_qc_qscd},
                {L::unknown_qc_qscd, L::indeterminate_unknown_qc_qscd, L::not_ades_qc_qscd});
  }
  if (q.qualified) {
    return pick({L::adesig_qc, L::indeterminate_adesig_qc, L::not_ades_qc},
                {L::adeseal_qc, L::indeterminate_adeseal_qc, L::not_ades_qc},
                {L::unknown_qc, L::indeterminate_unknown_qc, L::not_ades_qc});
  }
  return pick({L::adesig, L::indeterminate_adesig, L::not_ades}, {L::adeseal, L::indeterminate_adeseal, L::not_ades},
              {L::unknown, L::indeterminate_unknown, L::not_ades});
}

CertQualification combine(const CertQualification& at_issuance, const CertQualification& at_signing) {
  CertQualification out;
  for (const auto& r : at_issuance.reasons) out.reasons.push_back("at issuance: " + r);
  for (const auto& r : at_signing.reasons) out.reasons.push_back("at best-signature-time: " + r);
  if (!at_issuance.applicable || !at_signing.applicable) {
    out.applicable = false;
    out.reasons.emplace_back("qualification is N/A at issuance or at best-signature-time: combined N/A");
    return out;
  }
  if (at_issuance.same_as(at_signing)) {
    out.qualified = at_signing.qualified;
    out.type = at_signing.type;
    out.qscd = at_signing.qscd;
    out.reasons.emplace_back("same qualification at issuance and at best-signature-time: " + out.label());
    return out;
  }
  // eIDAS Art. 32: qualified at signing and issued as qualified (by a QTSP at issuance).
  out.qualified = at_issuance.qualified && at_signing.qualified;
  out.type = at_issuance.type == at_signing.type ? at_signing.type : CertType::unknown;
  // The key must be in a QSCD when the signature is made: only the signing-time value counts.
  out.qscd = out.qualified && at_signing.qscd;
  out.reasons.push_back("qualification differs: " + at_issuance.label() + " at issuance, " + at_signing.label() +
                        " at best-signature-time; combined (DSS) " + out.label());
  out.reasons.emplace_back(
      "TS 119 615 would fail this: it requires the determinations at issuance and at best-signature-time to be "
      "identical (PRO-4.4.4-34/36)");
  return out;
}

}  // namespace qualsig::validation
