#pragma once
// Use cases of qualified certificates for identities: issue (key generated in the token),
// revoke / suspend / reinstate with immediate effect on the CRL and OCSP, CRLs, OCSP answers.

#include <chrono>
#include <memory>
#include <optional>

#include "hsm/token.h"
#include "pki/crl.h"
#include "service/trust_service.h"
#include "store/records.h"

namespace qualsig::service {

struct IssueRequest {
  std::string identity;
  std::optional<std::chrono::days> validity;  // default: certificates.default_validity_days
  // P-256 unless asked otherwise (`cert issue --key-type`, the API's "key_type"). Every format
  // signs with each type: ECDSA, or RSA with PKCS#1 v1.5 (CAdES, PAdES, XAdES) and PS256 (JAdES).
  hsm::KeyType key_type = hsm::KeyType::ec_p256;
};

// Refuses (denied, naming what is missing) unless the identity is active and proofed at the
// level the certificate policy needs (IAL2 for QCP-l-qscd / QCP-n-qscd).
Result<store::CertificateRecord> issue_certificate(TrustService& svc, const IssueRequest& request,
                                                   const std::string& actor, TimePoint now);

Result<store::CertificateRecord> revoke_certificate(TrustService& svc, const std::string& serial_hex,
                                                    pki::RevocationReason reason,
                                                    std::optional<TimePoint> invalidity_date,
                                                    const std::string& actor, TimePoint now);
// certificateHold (RFC 5280 §5.3.1) and its release.
Result<store::CertificateRecord> suspend_certificate(TrustService& svc, const std::string& serial_hex,
                                                     const std::string& actor, TimePoint now);
Result<store::CertificateRecord> reinstate_certificate(TrustService& svc, const std::string& serial_hex,
                                                       const std::string& actor, TimePoint now);

Result<store::CertificateRecord> find_certificate(TrustService& svc, const std::string& serial_hex);
Result<std::vector<store::CertificateRecord>> list_certificates(TrustService& svc,
                                                                const std::optional<std::string>& identity);

// The current CRL of "issuing" (identity certificates) or "root" (CA certificates): the stored
// one while it is in the first half of its validity, else a newly signed one.
Result<store::CrlRecord> current_crl(TrustService& svc, const std::string& issuer, TimePoint now);

// An RFC 6960 answer to a DER OCSPRequest (always a DER OCSPResponse, also for bad input).
Bytes ocsp_response(TrustService& svc, ByteView request_der, TimePoint now);

}  // namespace qualsig::service
