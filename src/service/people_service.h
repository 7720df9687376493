#pragma once
// The humans of the signing flow: approvers (members of approval groups) and delegators.
// Each authenticates with a random 256-bit bearer token shown once when the person is added;
// only its SHA-256 is stored. (A hash that is not slow is enough for 256 random bits: there
// is nothing to guess. Passwords chosen by people would need argon2id — see docs/decisions.md.)

#include <string>
#include <vector>

#include "core/secret.h"
#include "service/trust_service.h"
#include "store/signing_records.h"

namespace qualsig::service {

struct AddedPerson {
  store::PersonRecord person;
  Secret token;  // give to the person; it is not stored and cannot be shown again
};

// Adds a person (name: an e-mail address or a handle, 1..128 printable characters) with the
// approval groups they belong to. A name that is also a registered identity is refused:
// non-human identities never approve. Logged as operator_note "person added".
Result<AddedPerson> add_person(TrustService& svc, const std::string& name, const std::vector<std::string>& groups,
                               const std::string& actor, TimePoint now);

// Checks a person's token in constant time. Every failure gives the same message (no hint
// whether the name or the token was wrong), code denied.
Result<store::PersonRecord> authenticate_person(TrustService& svc, const std::string& name, const Secret& token);

Result<std::vector<store::PersonRecord>> list_people(TrustService& svc);

// "sha256:<hex>" of a bearer token (people, SAD).
std::string token_hash(const Secret& token);

// A fresh random bearer token with a readable prefix, e.g. "qsp_" + base64url(32 bytes).
Secret new_token(std::string_view prefix);

}  // namespace qualsig::service
