#pragma once
// Records of API access to `qualsig serve` (issue 9): API clients that authenticate with a
// secret (admins, approvers, auditors, workloads using OAuth 2.0 client credentials) and the
// short-lived access tokens the token endpoint issues. Plain values; the rules live in
// service/api_auth.

#include <optional>
#include <string>
#include <vector>

#include "core/time.h"

namespace qualsig::store {

// A principal that authenticates with a client secret. Only an argon2id hash of the secret is
// kept (RFC 9106; PHC string format "$argon2id$v=19$m=...,t=...,p=...$salt$hash").
struct ApiClientRecord {
  std::string client_id;           // "qsc_<hex>"
  std::string principal;           // "identity:NAME" | "person:NAME" | "operator:NAME"
  std::vector<std::string> roles;  // admin | approver | auditor | signer
  std::string secret_hash;         // argon2id PHC string
  std::string description;
  TimePoint created_at;
  std::string created_by;
  std::optional<TimePoint> disabled_at;
};

// An OAuth 2.0 bearer access token (RFC 6750) issued by the token endpoint. 256 random bits, so
// only its SHA-256 is kept; a token is valid until expires_at unless revoked (RFC 7009).
struct AccessTokenRecord {
  std::string token_hash;          // "sha256:<hex>"
  std::string principal;           // as ApiClientRecord::principal
  std::vector<std::string> roles;
  std::string client_id;           // the API client it was issued to; "" for mTLS / JWT grants
  std::string grant;               // client_credentials | jwt-bearer | mtls | password
  TimePoint issued_at;
  TimePoint expires_at;
  std::optional<TimePoint> revoked_at;
};

}  // namespace qualsig::store
