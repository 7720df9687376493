#pragma once
// Who is calling `qualsig serve` (issue 9 "Authentication and authorisation"). Four ways in:
//   * an OAuth 2.0 access token (RFC 6750 Bearer) issued by our token endpoint for
//       - an API client's id and secret (client_credentials, RFC 6749 §4.4; CSC auth/login),
//       - a workload's OIDC JWT (jwt-bearer grant, RFC 7523 §2.1) verified against the configured
//         issuer, audience and JWKS, mapped to the identity proofed with that iss+sub;
//   * a TLS client certificate (mTLS): a certificate we issued to an identity (chain to our CA,
//     status read from the store at every request, so a revoked certificate stops working at
//     once), or a SPIFFE X.509-SVID from the configured trust bundle, mapped to the identity
//     registered with that SPIFFE ID.
// Roles: admin, approver, auditor, signer. An identity is only ever a signer and only for its own
// credentials; approvers are people (service/people_service); admins and auditors are
// operators or people. Client secrets are 256 random bits stored as argon2id (RFC 9106) hashes;
// access tokens are 256 random bits stored as SHA-256 (nothing to guess), valid 10 minutes.
// No function here puts a secret into an error message.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/secret.h"
#include "service/trust_service.h"
#include "store/api_records.h"

namespace qualsig::service {

inline constexpr const char* kRoleAdmin = "admin";
inline constexpr const char* kRoleApprover = "approver";
inline constexpr const char* kRoleAuditor = "auditor";
inline constexpr const char* kRoleSigner = "signer";
inline constexpr std::chrono::seconds kAccessTokenLifetime{600};

// An authenticated caller.
struct Principal {
  std::string name;                // "identity:NAME" | "person:NAME" | "operator:NAME"
  std::vector<std::string> roles;
  std::string method;              // access_token | mtls | spiffe
  std::string client_id;           // the API client behind an access token, else ""
  bool has_role(std::string_view role) const;
  // NAME when the principal is an identity / a person.
  std::optional<std::string> identity() const;
  std::optional<std::string> person() const;
};

// Checks a principal string and the roles it may hold: identities only "signer"; "approver"
// only for people; admin/auditor for operators and people. The principal must exist (an
// identity or person in the store). invalid_input / not_found otherwise.
Result<void> check_principal_roles(TrustService& svc, const std::string& principal, const std::vector<std::string>& roles);

struct NewApiClient {
  store::ApiClientRecord client;
  Secret secret;  // shown once; only its argon2id hash is stored
};
// Registers an API client ("qsc_<hex>") for `principal` with `roles` and logs it (operator_note).
Result<NewApiClient> add_api_client(TrustService& svc, const std::string& principal, const std::vector<std::string>& roles,
                                    const std::string& description, const std::string& actor, TimePoint now);
// Disables the client and revokes its principal's unexpired access tokens; logged.
Result<store::ApiClientRecord> disable_api_client(TrustService& svc, const std::string& client_id, const std::string& actor,
                                                  TimePoint now);
Result<std::vector<store::ApiClientRecord>> list_api_clients(TrustService& svc);

// argon2id PHC string of a secret (m=19 MiB, t=2, p=1: OWASP's minimum), and its check in
// constant time. hash_secret fails with crypto; verify_secret returns false on any mismatch or
// malformed hash.
Result<std::string> hash_secret(const Secret& secret);
bool verify_secret(const Secret& secret, const std::string& phc);

struct IssuedToken {
  Secret access_token;  // "qst_" + base64url(32 random bytes)
  store::AccessTokenRecord record;
};
// client_credentials (and CSC auth/login): the client must exist, be enabled, its secret match
// and its principal still be usable (identity active, person not disabled). Every failure is
// the same `denied` "invalid client credentials" (no hint which part was wrong).
Result<IssuedToken> token_for_client(TrustService& svc, const std::string& client_id, const Secret& secret, TimePoint now);
// jwt-bearer (RFC 7523): the JWT is verified as an OIDC token of the configured issuer
// (proofing.oidc_*), and its iss+sub must be the verified OIDC proofing of an active identity.
Result<IssuedToken> token_for_jwt(TrustService& svc, std::string_view jwt, TimePoint now);
// A token for a principal already authenticated otherwise (mTLS at the token endpoint).
Result<IssuedToken> token_for_principal(TrustService& svc, const Principal& principal, TimePoint now);

// Resolves a Bearer access token: unknown, expired or revoked tokens are `denied` with that word
// (never the token). The principal's state is re-checked (a suspended identity, a disabled
// client or person loses access before the token expires).
Result<Principal> authenticate_bearer(TrustService& svc, const Secret& token, TimePoint now);
// RFC 7009: revoking an unknown token is not an error for the caller (returns ok).
Result<void> revoke_token(TrustService& svc, const Secret& token, TimePoint now);

// A client certificate chain (DER, leaf first): our own identity certificate (verified to our
// root at `now`, status valid in the store, identity active) or a SPIFFE X.509-SVID from the
// configured bundle whose SPIFFE ID is an active identity's. `denied` naming why otherwise.
Result<Principal> principal_from_certificate(TrustService& svc, const std::vector<std::string>& chain_der, TimePoint now);

}  // namespace qualsig::service
