#pragma once
// JSON views of stored records, as the CLI (--json) and the HTTP API show them: one shape for
// both, so that a script can switch between them. Secrets (token hashes, argon2id hashes) are
// never part of a view.

#include <nlohmann/json.hpp>

#include "core/time.h"
#include "store/api_records.h"
#include "store/records.h"
#include "store/signing_records.h"

namespace qualsig::service {

nlohmann::json identity_json(const store::IdentityRecord& identity);
nlohmann::json cert_json(const store::CertificateRecord& certificate);
nlohmann::json request_json(const store::SignRequestRecord& request);
nlohmann::json person_json(const store::PersonRecord& person);
nlohmann::json delegation_json(const store::DelegationRecord& delegation, TimePoint now);
nlohmann::json client_json(const store::ApiClientRecord& client);

}  // namespace qualsig::service
