#pragma once
// Records of identities, their proofing evidence and their certificates, as the store keeps
// them. Plain values; the rules about them live in identity/ and service/.

#include <optional>
#include <string>

#include "core/bytes.h"
#include "core/time.h"

namespace qualsig::store {

struct IdentityRecord {
  std::int64_t id = 0;
  std::string name;
  std::string kind;   // service-account | workload | ai-agent | delegated-agent
  std::string state;  // pending-proofing | active | suspended | offboarded
  std::string organization;
  std::string organization_identifier;
  std::string country;
  std::string sponsor;
  std::string purpose;
  std::optional<std::string> acts_for;  // JSON of the natural person a delegated agent acts for
  std::optional<std::string> spiffe_id;
  std::optional<std::string> assurance_level;  // IAL2 once proofed
  TimePoint created_at;
  TimePoint updated_at;
  std::optional<TimePoint> last_used_at;
};

struct ProofingRecord {
  std::int64_t id = 0;
  std::int64_t identity_id = 0;
  std::string method;   // spiffe | oidc | sponsor
  std::string status;   // verified | pending-confirmation | confirmed
  std::string subject;  // the proven workload: SPIFFE ID, OIDC iss+sub, or the sponsor
  std::string evidence; // JSON: what was verified
  std::string evidence_hash;
  std::string assurance_level;
  std::optional<std::string> attested_by;
  std::optional<std::string> confirmed_by;
  TimePoint created_at;
  std::optional<TimePoint> confirmed_at;
};

struct CertificateRecord {
  std::string serial_hex;
  std::int64_t identity_id = 0;
  std::string identity_name;  // filled when read
  Bytes der;
  Bytes key_id;
  std::string key_label;
  std::string status;  // valid | revoked | suspended
  TimePoint issued_at;
  TimePoint not_before;
  TimePoint not_after;
  std::optional<TimePoint> revoked_at;
  std::optional<std::string> revocation_reason;  // RFC 5280 name, e.g. keyCompromise
  std::optional<TimePoint> invalidity_date;
};

struct CrlRecord {
  std::string issuer;  // "issuing"
  std::uint64_t crl_number = 0;
  TimePoint this_update;
  TimePoint next_update;
  Bytes der;
};

}  // namespace qualsig::store
