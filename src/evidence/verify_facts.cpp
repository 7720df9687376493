// Facts step of verify_bundle: what an auditor reads — who signed, proofed how, under which
// policy and approvals, logged where — and what the certificate claims about qualification
// (ETSI EN 319 412-5 QCStatements, EN 319 411-2 policy identifiers). It never claims that a
// signature is qualified: that needs the issuer on an EU trusted list (ETSI TS 119 612), which
// this offline check does not consult.
#include "core/canonical_json.h"
#include "evidence/verify_detail.h"
#include "pki/oids.h"
#include "pki/qc_statements.h"

namespace qualsig::evidence::detail {
namespace {

std::string compact(const nlohmann::json& j) {
  auto text = core::canonical_json(j);
  return text ? *text : std::string("?");
}

std::string proofing_line(const nlohmann::json& p) {
  std::string method = str(p, "method");
  std::string level = str(p, "assurance_level");
  std::string line;
  if (method == "sponsor") {
    line = "sponsor attestation by " + str(p, "attested_by");
    line += str(p, "confirmed_by").empty() ? ", not confirmed" : ", confirmed by " + str(p, "confirmed_by");
  } else if (method == "spiffe") {
    line = "SPIFFE X.509-SVID " + str(p, "subject");
  } else if (method == "oidc") {
    line = "OIDC token " + str(p, "subject");
  } else {
    line = method + " " + str(p, "subject");
  }
  return line + " (" + level + ", " + str(p, "status") + ")";
}

std::string summary(const audit::ParsedEntry& e) {
  const auto& d = e.details;
  const std::string& ev = e.event;
  if (ev == "identity.registered")
    return e.subject + " registered as " + str(d, "kind") + " by " + e.actor + ", sponsor " + str(d, "sponsor");
  if (ev == "identity.proofed")
    return e.subject + " proofed by " + str(d, "method") + " (" + str(d, "status") + ", " + str(d, "assurance_level") + ")";
  if (ev == "identity.confirmed")
    return e.subject + ": attestation by " + str(d, "attested_by") + " confirmed by " + str(d, "confirmed_by");
  if (ev == "certificate.issued")
    return "certificate " + str(d, "serial") + " issued to " + str(d, "identity") + " (" + str(d, "profile") + "), valid until " +
           str(d, "not_after");
  if (ev == "policy.changed") return "policy " + str(d, "name") + " v" + compact(member(d, "version")) + " set by " + e.actor;
  if (ev == "delegation.granted")
    return str(d, "delegator") + " delegated " + compact(member(d, "scopes")) + " to " + str(d, "delegate") + " until " + str(d, "expires_at");
  if (ev == "delegation.revoked") return e.subject + " revoked";
  if (ev == "policy.decided")
    return "request " + str(d, "request") + " (" + str(d, "document_type") + ") by " + str(d, "requester") + ": " +
           str(member(d, "decision"), "outcome");
  if (ev == "approval.granted" || ev == "approval.rejected")
    return str(d, "decision") + " by " + e.actor + " for " + str(d, "document_hash");
  if (ev == "sad.issued") return "activation (SAD) for request " + str(d, "request") + " issued by " + e.actor + ", expires " + str(d, "expires_at");
  if (ev == "sad.consumed") return "activation for request " + str(d, "request") + " used";
  if (ev == "signature.produced")
    return "signature " + str(d, "signature_id") + " produced (" + str(d, "format") + " " + str(d, "level") + ") with certificate " +
           str(d, "credential");
  return ev + " by " + e.actor + " about " + e.subject;
}

std::string policy_name(const std::string& oid) {
  if (oid == pki::oid::kQcpLegalQscd) return "QCP-l-qscd";
  if (oid == pki::oid::kQcpNaturalQscd) return "QCP-n-qscd";
  if (oid == pki::oid::kQcpLegal) return "QCP-l";
  if (oid == pki::oid::kQcpNatural) return "QCP-n";
  return oid;
}

std::string qc_type_name(const std::string& oid) {
  if (oid == pki::oid::kQctEsign) return "esign";
  if (oid == pki::oid::kQctEseal) return "eseal";
  if (oid == pki::oid::kQctWeb) return "web";
  return oid;
}

std::vector<std::string> certificate_policies(const X509* cert) {
  std::vector<std::string> out;
  auto policies = core::wrap(static_cast<CERTIFICATEPOLICIES*>(X509_get_ext_d2i(cert, NID_certificate_policies, nullptr, nullptr)));
  if (!policies) return out;
  for (int i = 0; i < sk_POLICYINFO_num(policies.get()); ++i) {
    char buf[128] = {};
    if (OBJ_obj2txt(buf, sizeof(buf), sk_POLICYINFO_value(policies.get(), i)->policyid, 1) > 0) out.push_back(policy_name(buf));
  }
  return out;
}

std::string qualification(const Context& c) {
  if (!c.signer) return "unknown: the signer's certificate does not parse";
  auto qc = pki::qc_statements_of(c.signer.get());
  std::vector<std::string> claims;
  if (qc) {
    if (qc->compliance) claims.push_back("QcCompliance");
    if (qc->sscd) claims.push_back("QcSSCD");
    for (const auto& t : qc->types) claims.push_back("QcType " + qc_type_name(t));
  }
  for (const auto& p : certificate_policies(c.signer.get())) claims.push_back("policy " + p);
  std::string list;
  for (const auto& x : claims) list += (list.empty() ? "" : ", ") + x;
  std::string root = c.report.root_fingerprint.empty() ? std::string("an unknown root") : "the root with SHA-256 " + c.report.root_fingerprint;
  if (!qc || !qc->compliance)
    return "The certificate does not claim to be qualified (no QcCompliance statement" + (list.empty() ? "" : "; it carries " + list) +
           "): at most an advanced electronic signature or seal, under " + root + ".";
  return "The certificate claims to be qualified (" + list + ") under this trust service's own root (" + root +
         "); qualification under EU law needs the issuer on an EU trusted list (ETSI TS 119 612), which is not checked here "
         "(issue 8). The key's presence in a QSCD is likewise the issuer's claim.";
}

}  // namespace

void fill_facts(Context& c) {
  const Bundle& b = c.bundle;
  Report& r = c.report;
  r.identity = str(b.identity, "name");
  r.identity_kind = str(b.identity, "kind");
  r.organization = str(b.identity, "organization");
  r.sponsor = str(b.identity, "sponsor");
  r.assurance_level = str(b.identity, "assurance_level");
  if (b.proofing.is_array())
    for (const auto& p : b.proofing) r.proofing.push_back(proofing_line(p));
  r.policy = b.policy.is_object() ? str(b.policy, "name") + " v" + compact(member(b.policy, "version")) + " (" + str(b.policy, "hash") + ")"
                                  : "none";
  r.decision = str(b.decision, "outcome") + ": " + str(b.decision, "reason");
  for (const auto& step : member(b.decision, "trace"))
    r.rules.push_back(str(step, "rule") + ": " + str(step, "verdict") + " — " + str(step, "detail"));
  if (b.approvals.is_array())
    for (const auto& a : b.approvals) {
      Approver ap;
      ap.name = str(a, "approver");
      ap.decision = str(a, "decision");
      ap.time = parse_rfc3339(str(a, "time")).value_or(TimePoint{});
      ap.document_hash = str(a, "document_hash");
      r.approvers.push_back(std::move(ap));
    }
  if (b.delegation.is_array())
    for (const auto& l : b.delegation)
      r.delegation.push_back(str(l, "delegator") + " -> " + str(l, "delegate") + " for " + compact(member(l, "scopes")) + " from " +
                             str(l, "not_before") + " until " + str(l, "expires_at") + " (" + str(l, "id") + ")");
  if (c.signer) {
    auto from = asn1_time(X509_get0_notBefore(c.signer.get()));
    auto to = asn1_time(X509_get0_notAfter(c.signer.get()));
    r.certificate = core::name_to_string(X509_get_subject_name(c.signer.get())) + ", serial " + c.signer_serial + ", valid " +
                    (from ? to_rfc3339(*from) : "?") + " to " + (to ? to_rfc3339(*to) : "?") + ", issued by " +
                    core::name_to_string(X509_get_issuer_name(c.signer.get()));
  }
  r.qualification = qualification(c);
  if (c.checkpoint && r.log_size == 0) r.log_size = c.checkpoint->size;
  for (const auto& e : c.entries) r.timeline.push_back(TimelineEvent{e.parsed.time, e.parsed.seq, e.parsed.event, summary(e.parsed)});
}

}  // namespace qualsig::evidence::detail
