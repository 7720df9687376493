// verify_document: trusted lists -> trust anchors -> EN 319 102-1 validation -> TS 119 615
// qualification per signature.
#include "service/verify_service.h"

#include <algorithm>

#include "core/http_fetch.h"
#include "core/openssl.h"
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

Result<void> load_lists(trust::TrustStore& store, const VerifyRequest& r, VerifyOutcome& out) {
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

Result<VerifyOutcome> verify_document(ByteView file, const VerifyRequest& r) {
  VerifyOutcome out;
  trust::TrustStore store;
  QS_TRY_VOID(load_lists(store, r, out));
  validation::ValidationOptions options;
  options.trust_anchors = r.trust_anchors;
  // Every certificate a loaded list names for a service is a trust anchor.
  for (const auto& list : store.lists())
    for (const auto& tsp : list->list.providers)
      for (const auto& service : tsp.services)
        for (const auto& cert : service.certificates) options.trust_anchors.push_back(cert);
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
