#include "service/evidence_service.h"

#include <set>

#include "core/digest.h"
#include "core/fs.h"
#include "core/openssl.h"
#include "policy/delegation.h"
#include "service/ca_context.h"
#include "service/delegation_service.h"
#include "service/sign_service.h"
#include "service/signature_service.h"

namespace qualsig::service {
namespace {

nlohmann::json parse_or_null(const std::string& text) {
  auto j = nlohmann::json::parse(text, nullptr, false);
  return j.is_discarded() ? nlohmann::json(nullptr) : j;
}

nlohmann::json identity_json(const store::IdentityRecord& r) {
  nlohmann::json j = {{"name", r.name}, {"kind", r.kind}, {"state", r.state}, {"organization", r.organization},
                      {"organization_identifier", r.organization_identifier}, {"country", r.country},
                      {"sponsor", r.sponsor}, {"purpose", r.purpose}, {"created_at", to_rfc3339(r.created_at)},
                      {"assurance_level", r.assurance_level.value_or("")}};
  if (r.acts_for) j["acts_for"] = parse_or_null(*r.acts_for);
  if (r.spiffe_id) j["spiffe_id"] = *r.spiffe_id;
  return j;
}

nlohmann::json proofing_json(const store::ProofingRecord& p) {
  nlohmann::json j = {{"method", p.method}, {"status", p.status}, {"subject", p.subject},
                      {"evidence_hash", p.evidence_hash}, {"assurance_level", p.assurance_level},
                      {"at", to_rfc3339(p.created_at)}};
  if (p.attested_by) j["attested_by"] = *p.attested_by;
  if (p.confirmed_by) j["confirmed_by"] = *p.confirmed_by;
  if (p.confirmed_at) j["confirmed_at"] = to_rfc3339(*p.confirmed_at);
  return j;
}

// Is this log entry about the signature's chain of events?
bool involved(const nlohmann::json& e, const std::set<std::string>& subjects, const std::string& request_id,
              const std::set<std::string>& hashes) {
  if (!e.is_object()) return false;
  const auto& details = e.contains("details") && e["details"].is_object() ? e["details"] : nlohmann::json::object();
  // Entries of the signing flow belong to one request: another request of the same identity
  // (denied, pending, signed elsewhere) is not this signature's evidence and is left out.
  if (details.contains("request")) return details.value("request", "") == request_id;
  if (subjects.count(e.value("subject", ""))) return true;
  if (e.contains("refs") && e["refs"].is_object())
    for (const auto& [k, v] : e["refs"].items())
      if (v.is_string() && hashes.count(v.get<std::string>())) return true;
  return false;
}

}  // namespace

Result<evidence::Bundle> export_bundle(TrustService& svc, const std::string& signature_id, const ExportOptions& options,
                                       TimePoint now) {
  auto& st = svc.store();
  QS_TRY(auto sig, st.signature(signature_id));
  QS_TRY(auto req, st.sign_request(sig.request_id));
  QS_TRY(auto identity, st.identity(req.identity_name));
  QS_TRY(auto proofings, st.proofings(identity.id));
  QS_TRY(auto cert, st.certificate(sig.certificate_serial));
  QS_TRY(auto ca, svc.ca_context());

  evidence::Bundle b;
  b.created_at = now;
  b.signature_id = sig.id;
  b.format = sig.format;
  b.level = sig.level;
  b.detached = req.detached;
  b.signature = sig.signature;
  b.document_name = req.document_name;
  b.document_hash = req.document_hash;
  b.document_size = req.document_size;
  if (options.document && !options.without_document) {
    QS_TRY(auto text, core::read_file(*options.document, evidence::kMaxBundleBytes / 2));
    Bytes content(text.begin(), text.end());
    auto alg = req.document_hash.substr(0, req.document_hash.find(':'));
    core::DigestAlgorithm a = alg == "sha512" ? core::DigestAlgorithm::sha512
                              : alg == "sha384" ? core::DigestAlgorithm::sha384
                                                : core::DigestAlgorithm::sha256;
    if (document_hash_ref({"", a, core::digest(a, content), -1}) != req.document_hash)
      return fail(ErrorCode::invalid_input, options.document->string() + " is not the signed document (" + req.document_hash + ")");
    b.document = std::move(content);
  }

  b.signer_certificate = cert.der;
  QS_TRY(auto issuing, core::x509_to_der(ca->issuing.get()));
  QS_TRY(auto root, core::x509_to_der(ca->root.get()));
  QS_TRY(auto tsa, core::x509_to_der(ca->tsa.get()));
  QS_TRY(auto ocsp, core::x509_to_der(ca->ocsp.get()));
  b.chain = {issuing, root};
  b.service_certificates = {tsa, ocsp};
  QS_TRY(auto signer_x509, svc.parsed_certificate(cert.der));
  QS_TRY(auto vd, signer_validation_data(svc, signer_x509.get(), now));
  b.ocsp_responses = std::move(vd.ocsp_responses);
  b.crls = std::move(vd.crls);

  b.identity = identity_json(identity);
  b.proofing = nlohmann::json::array();
  for (const auto& p : proofings) b.proofing.push_back(proofing_json(p));
  b.policy = nullptr;
  if (req.policy_id) {
    QS_TRY(auto pol, st.policy(*req.policy_id));
    b.policy = {{"name", pol.name}, {"version", pol.version}, {"hash", pol.hash}, {"document", parse_or_null(pol.document)}};
  }
  b.request = {{"id", req.id}, {"identity", req.identity_name}, {"requester", req.requester},
               {"document_type", req.document_type}, {"attributes", parse_or_null(req.attributes)},
               {"document_hash", req.document_hash}, {"format", req.format}, {"level", req.level},
               {"detached", req.detached}, {"created_at", to_rfc3339(req.created_at)}};
  b.decision = parse_or_null(req.decision);
  b.approvals = nlohmann::json::array();
  QS_TRY(auto approvals, st.approvals(req.id));
  for (const auto& a : approvals)
    b.approvals.push_back({{"approver", a.approver}, {"decision", a.decision}, {"document_hash", a.document_hash},
                           {"time", to_rfc3339(a.time)}});
  b.delegation = nlohmann::json::array();
  std::set<std::string> subjects = {"identity:" + identity.name, "certificate:" + cert.serial_hex, "request:" + req.id};
  if (req.delegation_id) {
    QS_TRY(auto chain, delegation_chain(svc, *req.delegation_id));
    for (const auto& link : chain) {
      b.delegation.push_back(policy::to_json(link));
      subjects.insert("delegation:" + link.id);
    }
  }
  QS_TRY(auto sads, st.sads(req.id));
  b.sad = nlohmann::json::object();
  for (const auto& s : sads) {
    if (!s.consumed_at) continue;  // the one that was used
    b.sad = {{"token_hash", s.token_hash}, {"credential", s.credential}, {"document_hashes", s.document_hashes},
             {"issued_at", to_rfc3339(s.issued_at)}, {"expires_at", to_rfc3339(s.expires_at)},
             {"consumed_at", to_rfc3339(*s.consumed_at)}};
  }

  // The log: every entry about this identity, its certificate, the request, its delegation and
  // the policy version, proven against one checkpoint signed now.
  QS_TRY(auto log, svc.audit_log());
  QS_TRY_VOID(log->refresh());
  QS_TRY(auto cp, log->checkpoint(now));
  b.log_origin = log->origin();
  b.checkpoint = cp.note;
  QS_TRY(auto keys, st.service_keys());
  for (const auto& k : keys)
    if (k.role == "audit-log") b.log_public_key = k.public_key_der;
  std::set<std::string> hashes = {sig.signature_hash};
  if (req.policy_id) hashes.insert(b.policy["hash"].get<std::string>());
  std::vector<std::uint64_t> seqs;
  QS_TRY_VOID(st.for_each_log_row(0, [&](const store::LogRow& row) {
    if (row.seq >= cp.tree_size) return false;
    if (involved(nlohmann::json::parse(row.entry, nullptr, false), subjects, req.id, hashes)) {
      evidence::LogEntryProof p;
      p.seq = row.seq;
      p.entry = row.entry;
      b.entries.push_back(std::move(p));
    }
    return true;
  }));
  for (auto& e : b.entries) {
    QS_TRY(auto proof, log->inclusion_proof(e.seq, cp.tree_size));
    for (const auto& h : proof) e.proof.emplace_back(h.begin(), h.end());
  }
  return b;
}

}  // namespace qualsig::service
