// JSON views of stored records (service/record_json.h).
#include "service/record_json.h"

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "core/bytes.h"
#include "core/openssl.h"

namespace qualsig::service {

namespace {

// The certificate's key named as `cert issue --key-type` names it ("ec-p256", "rsa-3072"),
// read from the certificate itself rather than stored beside it.
std::string key_type_of(ByteView der) {
  auto x = core::x509_from_der(der);
  const EVP_PKEY* key = x ? X509_get0_pubkey(x->get()) : nullptr;
  if (key == nullptr) return "unknown";
  const int bits = EVP_PKEY_get_bits(key);
  switch (EVP_PKEY_get_base_id(key)) {
    case EVP_PKEY_RSA: return "rsa-" + std::to_string(bits);
    case EVP_PKEY_EC: return "ec-p" + std::to_string(bits);
    default: return "unknown";
  }
}

}  // namespace

nlohmann::json identity_json(const store::IdentityRecord& r) {
  nlohmann::json j = {{"name", r.name}, {"kind", r.kind}, {"state", r.state}, {"organization", r.organization},
                      {"organization_identifier", r.organization_identifier}, {"country", r.country},
                      {"sponsor", r.sponsor}, {"purpose", r.purpose}, {"created_at", to_rfc3339(r.created_at)},
                      {"assurance_level", r.assurance_level ? nlohmann::json(*r.assurance_level) : nlohmann::json(nullptr)},
                      {"spiffe_id", r.spiffe_id ? nlohmann::json(*r.spiffe_id) : nlohmann::json(nullptr)}};
  if (r.acts_for) j["acts_for"] = nlohmann::json::parse(*r.acts_for, nullptr, false);
  return j;
}

nlohmann::json cert_json(const store::CertificateRecord& c) {
  nlohmann::json j = {{"serial", c.serial_hex}, {"identity", c.identity_name}, {"status", c.status},
                      {"not_before", to_rfc3339(c.not_before)}, {"not_after", to_rfc3339(c.not_after)},
                      {"key", {{"label", c.key_label}, {"id", hex_encode(c.key_id)}, {"type", key_type_of(c.der)}}}};
  if (c.revoked_at) j["revoked_at"] = to_rfc3339(*c.revoked_at);
  if (c.revocation_reason) j["reason"] = *c.revocation_reason;
  if (c.invalidity_date) j["invalidity_date"] = to_rfc3339(*c.invalidity_date);
  return j;
}

nlohmann::json request_json(const store::SignRequestRecord& r) {
  nlohmann::json j = {{"id", r.id}, {"identity", r.identity_name}, {"status", r.status}, {"requester", r.requester},
                      {"document_type", r.document_type}, {"document_name", r.document_name},
                      {"document_hash", r.document_hash}, {"format", r.format}, {"level", r.level},
                      {"detached", r.detached}, {"format_options", nlohmann::json::parse(r.format_options, nullptr, false)},
                      {"created_at", to_rfc3339(r.created_at)},
                      {"expires_at", to_rfc3339(r.expires_at)}};
  j["attributes"] = nlohmann::json::parse(r.attributes, nullptr, false);
  j["decision"] = nlohmann::json::parse(r.decision, nullptr, false);
  if (r.approval_group) j["approvals"] = {{"group", *r.approval_group}, {"required", r.approvals_required}};
  if (r.signature_id) j["signature_id"] = *r.signature_id;
  if (r.delegation_id) j["delegation"] = *r.delegation_id;
  return j;
}

nlohmann::json person_json(const store::PersonRecord& p) {
  return {{"name", p.name}, {"groups", p.groups}, {"created_at", to_rfc3339(p.created_at)}};
}

nlohmann::json delegation_json(const store::DelegationRecord& d, TimePoint now) {
  nlohmann::json j = {{"id", d.id}, {"delegator", d.delegator}, {"delegate", d.delegate}, {"scopes", d.scopes},
                      {"not_before", to_rfc3339(d.not_before)}, {"expires_at", to_rfc3339(d.expires_at)},
                      {"created_by", d.created_by}};
  if (d.parent_id) j["parent"] = *d.parent_id;
  if (d.revoked_at) j["revoked_at"] = to_rfc3339(*d.revoked_at);
  j["state"] = d.revoked_at && *d.revoked_at <= now ? "revoked" : now >= d.expires_at ? "expired" : now < d.not_before ? "not-yet-valid" : "active";
  return j;
}

nlohmann::json client_json(const store::ApiClientRecord& c) {
  nlohmann::json j = {{"client_id", c.client_id}, {"principal", c.principal}, {"roles", c.roles},
                      {"description", c.description}, {"created_at", to_rfc3339(c.created_at)}, {"created_by", c.created_by}};
  j["state"] = c.disabled_at ? "disabled" : "enabled";
  if (c.disabled_at) j["disabled_at"] = to_rfc3339(*c.disabled_at);
  return j;
}

}  // namespace qualsig::service
