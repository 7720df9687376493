// verify_document: trusted lists -> trust anchors -> EN 319 102-1 validation -> TS 119 615
// qualification per signature.
#include "service/verify_service.h"

#include <algorithm>

#include "core/fs.h"
#include "core/http_fetch.h"
#include "core/openssl.h"
#include "service/status.h"
#include "service/trust_service.h"
#include "validation/etsi_report.h"
#include "validation/qc_facts.h"

namespace qualsig::service {
namespace {

const char* authority_name(trust::ListAuthority a) {
  switch (a) {
    case trust::ListAuthority::eu_lotl: return "EU list of trusted lists";
    case trust::ListAuthority::eu_member_state: return "EU member-state trusted list";
    case trust::ListAuthority::eu_mra: return "third-country trusted list recognised by the EU (MRA)";
    case trust::ListAuthority::private_list: return "private trusted list (not an EU list)";
  }
  return "trusted list";
}

Result<void> load_lists(trust::TrustStore& store, const TrustInputs& r, ValidationTrust& out) {
  auto describe = [&out](const trust::LoadedList* l) {
    std::string d = std::string(authority_name(l->authority)) + " " + l->source;
    if (!l->list.territory.empty()) d += " (" + l->list.territory + ", sequence " + std::to_string(l->list.sequence_number) + ")";
    out.lists.push_back(d);
    for (const auto& w : l->warnings) out.warnings.push_back(l->source + ": " + w);
  };
  if (r.lotl) {
    QS_TRY(auto l, store.add_lotl(r.lotl->first, r.lotl_signers, r.lotl->second));
    describe(l);
  }
  for (const auto& [xml, source] : r.member_state_lists) {
    QS_TRY(auto l, store.add_member_state_list(xml, source));
    describe(l);
  }
  for (const auto& [xml, source] : r.private_lists) {
    QS_TRY(auto l, store.add_private_list(xml, r.private_list_signers, source));
    describe(l);
  }
  return ok();
}

// EN 319 412-5 QcType OIDs (§4.2.3).
constexpr const char* kQcTypeESign = "0.4.0.1862.1.6.1";
constexpr const char* kQcTypeESeal = "0.4.0.1862.1.6.2";

// The level the certificate's own statements allow without any trusted list: QcCompliance makes
// at most AdES-QC (a QSCD and the issuer's qualified status are what a list confirms).
std::optional<std::string> claims_of(const X509* signer, validation::Indication indication) {
  auto facts = validation::read_qc_facts(signer);
  if (!facts) return "Not determined: the certificate's statements do not decode (" + facts.error().message + ")";
  bool seal = std::find(facts->qc_types.begin(), facts->qc_types.end(), kQcTypeESeal) != facts->qc_types.end();
  bool sig = facts->qc_types.empty() || std::find(facts->qc_types.begin(), facts->qc_types.end(), kQcTypeESign) != facts->qc_types.end();
  std::string kind = seal && !sig ? "AdESeal" : sig && !seal ? "AdESig" : "AdES";
  std::string level = facts->qc_compliance && !facts->qc_cc_legislation ? kind + "-QC" : kind;
  if (indication == validation::Indication::total_failed) return "Not AdES (certificate claims " + level + ")";
  if (indication != validation::Indication::total_passed) level = "Indeterminate " + level;
  return level + " (certificate claims only: no trusted list lists its issuer, so neither a qualified status nor a QSCD is confirmed)";
}

}  // namespace

Result<std::shared_ptr<const ValidationTrust>> load_validation_trust(const TrustInputs& inputs) {
  auto trust = std::make_shared<ValidationTrust>();
  QS_TRY_VOID(load_lists(trust->store, inputs, *trust));
  auto add = [&](ByteView der, const char* what) -> Result<void> {
    auto cert = core::x509_from_der(der);
    if (!cert) return fail(ErrorCode::invalid_input, std::string(what) + ": not a DER certificate", cert.error().detail);
    trust->anchors.push_back(std::move(*cert));
    return ok();
  };
  for (const auto& der : inputs.trust_anchors) QS_TRY_VOID(add(der, "trust anchor"));
  // Every certificate a loaded list names for a service is a trust anchor.
  for (const auto& list : trust->store.lists())
    for (const auto& tsp : list->list.providers)
      for (const auto& service : tsp.services)
        for (const auto& cert : service.certificates) QS_TRY_VOID(add(cert, "trusted list service certificate"));
  return std::shared_ptr<const ValidationTrust>(std::move(trust));
}

Result<std::shared_ptr<const ValidationTrust>> load_validation_trust(TrustService& svc) {
  constexpr std::size_t kMaxListFile = 64u << 20;
  const ValidationConfig& v = svc.config().validation;
  // Relative paths are under the data directory; an absolute path stays as it is.
  auto path = [&](const std::string& p) { return svc.data_dir() / p; };
  auto keyed = [](const char* key, const Error& e) {
    return make_error(e.code, std::string("config: validation.") + key + ": " + e.message);
  };
  TrustInputs t;
  QS_TRY(auto root, ca_certificate_der(svc, "root"));
  t.trust_anchors.push_back(std::move(root));
  auto certificates = [&](const char* key, const std::vector<std::string>& files, std::vector<Bytes>& out) -> Result<void> {
    for (const auto& f : files) {
      auto c = core::certificates_from_file(path(f));
      if (!c) return fail(keyed(key, c.error()));
      out.insert(out.end(), std::make_move_iterator(c->begin()), std::make_move_iterator(c->end()));
    }
    return ok();
  };
  auto list = [&](const char* key, const std::string& file) -> Result<std::pair<Bytes, std::string>> {
    auto bytes = core::read_file_bytes(path(file), kMaxListFile);
    if (!bytes) return fail(keyed(key, bytes.error()));
    return std::pair<Bytes, std::string>(std::move(*bytes), std::filesystem::path(file).filename().string());
  };
  QS_TRY_VOID(certificates("trust_anchors", v.trust_anchors, t.trust_anchors));
  QS_TRY_VOID(certificates("trusted_list_signers", v.trusted_list_signers, t.private_list_signers));
  QS_TRY_VOID(certificates("lotl_signers", v.lotl_signers, t.lotl_signers));
  for (const auto& f : v.trusted_lists) {
    QS_TRY(auto l, list("trusted_lists", f));
    t.private_lists.push_back(std::move(l));
  }
  if (!v.lotl.empty()) {
    QS_TRY(auto l, list("lotl", v.lotl));
    t.lotl = std::move(l);
  }
  for (const auto& f : v.member_state_lists) {
    QS_TRY(auto l, list("member_state_lists", f));
    t.member_state_lists.push_back(std::move(l));
  }
  auto loaded = load_validation_trust(t);
  if (!loaded) return fail(make_error(loaded.error().code, "config: validation: " + loaded.error().message));
  return loaded;
}

Result<std::shared_ptr<const ValidationTrust>> TrustService::validation_trust() {
  std::lock_guard lock(m_validation_mutex);
  if (!m_validation_trust) {
    QS_TRY(m_validation_trust, load_validation_trust(*this));
  }
  return m_validation_trust;
}

Result<VerifyOutcome> verify_document(ByteView file, const VerifyRequest& r, const ValidationTrust& trust) {
  VerifyOutcome out;
  out.lists = trust.lists;
  out.warnings = trust.warnings;
  const trust::TrustStore& store = trust.store;
  validation::ValidationOptions options;
  for (const auto& anchor : trust.anchors) options.parsed_trust_anchors.push_back(anchor.get());
  options.extra_certificates = r.extra_certificates;
  options.extra_crls = r.crls;
  options.extra_ocsp_responses = r.ocsp_responses;
  options.detached_content = r.detached_content;
  options.validation_time = r.at;
  if (r.online)
    options.fetch = [timeout = *r.online](const core::HttpRequest& request) {
      core::HttpRequest bounded = request;
      bounded.timeout = timeout;
      return core::http_fetch(bounded);
    };
  QS_TRY(out.report, validation::validate(file, options));
  out.all_passed = !out.report.signatures.empty();
  const bool have_lists = !store.lists().empty();
  for (const auto& sig : out.report.signatures) {
    VerifiedSignature v{sig, std::nullopt, std::nullopt};
    out.all_passed = out.all_passed && sig.indication == validation::Indication::total_passed;
    if (have_lists && !sig.signer_certificate.empty()) {
      auto signer = core::x509_from_der(sig.signer_certificate);
      std::vector<core::UniquePtr<X509>> owned;
      std::vector<const X509*> chain;
      for (const auto& der : sig.chain)
        if (auto c = core::x509_from_der(der)) {
          owned.push_back(std::move(*c));
          chain.push_back(owned.back().get());
        }
      if (signer) v.qualification = validation::qualify(signer->get(), chain, store, sig.best_signature_time, sig.indication);
    }
    if (!sig.signer_certificate.empty() && (!v.qualification || !v.qualification->combined.applicable))
      if (auto signer = core::x509_from_der(sig.signer_certificate)) v.certificate_claims = claims_of(signer->get(), sig.indication);
    out.signatures.push_back(std::move(v));
  }
  return out;
}

Result<std::string> etsi_report(const VerifyOutcome& outcome) {
  std::vector<std::string> quality;
  for (const auto& s : outcome.signatures)
    quality.push_back(s.qualification ? validation::signature_level_name(s.qualification->level) : "");
  return validation::etsi_validation_report(outcome.report, quality);
}

nlohmann::json to_json(const VerifyOutcome& o) {
  nlohmann::json j = validation::to_json(o.report);
  j["trustedLists"] = o.lists;
  j["warnings"] = o.warnings;
  j["allPassed"] = o.all_passed;
  for (std::size_t k = 0; k < o.signatures.size() && k < j["signatures"].size(); ++k) {
    if (o.signatures[k].certificate_claims) j["signatures"][k]["certificateClaims"] = *o.signatures[k].certificate_claims;
    const auto& q = o.signatures[k].qualification;
    if (!q) continue;
    j["signatures"][k]["qualification"] = {
        {"level", validation::signature_level_name(q->level)},
        {"atIssuance", q->at_issuance.label()},
        {"atSigning", q->at_signing.label()},
        {"lists", q->lists},
        {"eu", q->eu},
        {"reasons", q->reasons}};
  }
  return j;
}

}  // namespace qualsig::service
