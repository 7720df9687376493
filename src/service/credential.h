#pragma once
// Which credential (certificate + key in the token) an identity signs with, and why it
// cannot sign when it cannot: the identity's state and its certificates' status are checked
// at the moment of signing, and the answer names what is wrong (issue: "a suspended or
// offboarded identity or a revoked/expired/suspended certificate cannot sign, and the error
// says which").

#include <string>

#include "service/trust_service.h"
#include "store/records.h"

namespace qualsig::service {

struct Credential {
  store::IdentityRecord identity;
  store::CertificateRecord certificate;
};

// The identity must be active, and have a certificate that is valid (not revoked, not
// suspended) with not_before <= now < not_after; the most recently issued such certificate is
// the credential. Errors: not_found (no such identity), denied naming the state or the
// certificate and its status/expiry.
Result<Credential> usable_credential(TrustService& svc, const std::string& identity, TimePoint now);

// The same checks for a given certificate (a SAD is bound to one credential): denied if the
// identity or that certificate can no longer sign at `now`.
Result<Credential> check_credential(TrustService& svc, const std::string& identity, const std::string& serial_hex,
                                    TimePoint now);

}  // namespace qualsig::service
