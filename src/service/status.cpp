#include "service/status.h"

#include "core/fs.h"
#include "core/openssl.h"

namespace qualsig::service {
namespace fs = std::filesystem;

namespace {

Result<TokenStatus> token_status(TrustService& svc, const std::vector<store::CaCertificate>& certs) {
  QS_TRY(auto token, svc.token());
  TokenStatus t;
  t.module = token->module().path().string();
  t.label = token->slot().token_label;
  t.slot = token->slot().id;
  t.manufacturer = token->slot().manufacturer;
  t.model = token->slot().model;
  t.serial = token->slot().serial;
  if (auto slots = token->module().slots())
    for (const auto& s : *slots)
      if (s.token_present && !s.token_initialized) ++t.free_slots;
  std::vector<std::pair<std::string, Bytes>> keys;
  for (const auto& c : certs) keys.emplace_back(c.role, c.key_id);
  QS_TRY(auto service_keys, svc.store().service_keys());
  for (const auto& k : service_keys) keys.emplace_back(k.role, k.key_id);
  for (const auto& [role, id] : keys) {
    KeyStatus ks;
    ks.role = role;
    ks.id_hex = hex_encode(id);
    if (auto kp = token->find_key(id)) {
      ks.present = true;
      ks.label = kp->label;
      ks.type = hsm::key_type_name(kp->type);
      auto sensitive = token->read_bool_attribute(kp->private_key, CKA_SENSITIVE);
      auto extractable = token->read_bool_attribute(kp->private_key, CKA_EXTRACTABLE);
      ks.sensitive = sensitive && *sensitive && extractable && !*extractable;
    }
    t.keys.push_back(std::move(ks));
  }
  return t;
}

}  // namespace

Result<StatusReport> status(TrustService& svc) {
  StatusReport r;
  r.data_dir = svc.data_dir();
  r.organization = svc.config().profile.organization;
  r.organization_identifier = svc.config().profile.organization_identifier;
  r.country = svc.config().profile.country;
  r.base_url = svc.config().profile.base_url;
  QS_TRY(r.certificates, svc.store().ca_certificates());
  r.database = svc.store().describe();
  QS_TRY(r.schema_version, svc.store().schema_version());
  QS_TRY(r.counts, svc.store().counts());
  auto t = token_status(svc, r.certificates);
  if (t) r.token = std::move(*t);
  else r.token_error = t.error().message;
  return r;
}

Result<std::vector<fs::path>> export_ca(TrustService& svc, const fs::path& out_dir) {
  QS_TRY(auto certs, svc.store().ca_certificates());
  std::error_code ec;
  fs::create_directories(out_dir, ec);
  if (ec) return fail(ErrorCode::environment, "cannot create " + out_dir.string() + ": " + ec.message());
  std::map<std::string, std::string> pem;
  for (const auto& c : certs) {
    QS_TRY(auto x, core::x509_from_der(c.der));
    QS_TRY(pem[c.role], core::x509_to_pem(x.get()));
  }
  for (const char* role : {"root", "issuing", "tsa", "ocsp", "tls"})
    if (!pem.count(role)) return fail(ErrorCode::database, std::string("the database has no '") + role + "' certificate");
  std::vector<fs::path> written;
  for (const auto& [role, text] : pem) {
    auto path = out_dir / (role + ".pem");
    QS_TRY_VOID(core::write_file_atomic(path, text));
    written.push_back(path);
  }
  QS_TRY_VOID(core::write_file_atomic(out_dir / "chain.pem", pem["issuing"] + pem["root"]));
  written.push_back(out_dir / "chain.pem");
  return written;
}

Result<Bytes> ca_certificate_der(TrustService& svc, const std::string& role) {
  QS_TRY(auto rec, svc.store().ca_certificate(role));
  return rec.der;
}

Result<void> check_ready(TrustService& svc) {
  QS_TRY_VOID(svc.store().schema_version());
  QS_TRY(auto token, svc.token());
  QS_TRY_VOID(token->module().slots());
  return ok();
}

}  // namespace qualsig::service
