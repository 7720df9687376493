// Identity step of verify_bundle: the identity record, its proofing, the signer's certificate and
// the delegation chain agree with the entries logged when they were registered, proofed,
// confirmed, issued and granted (service/identity_service.cpp, cert_service.cpp,
// delegation_service.cpp); and the sequence step: the events happened in the order that makes
// the signature legitimate.
#include <openssl/objects.h>

#include <algorithm>

#include "core/canonical_json.h"
#include "evidence/verify_detail.h"

namespace qualsig::evidence::detail {
namespace {

std::string canonical(const nlohmann::json& j) {
  auto text = core::canonical_json(j);
  return text ? *text : std::string("<not canonicalisable>");
}

std::string ref(const Entry& e, const char* name) {
  auto it = e.parsed.refs.find(name);
  return it == e.parsed.refs.end() ? std::string() : it->second;
}

std::string seq_of(const Entry& e) { return "seq " + std::to_string(e.parsed.seq); }

std::vector<const Entry*> about(const Context& c, std::string_view event, const std::string& subject) {
  std::vector<const Entry*> out;
  for (const Entry* e : c.of_event(event))
    if (e->parsed.subject == subject) out.push_back(e);
  return out;
}

struct Problems {
  std::vector<std::string> list;
  void same(const std::string& what, const std::string& bundle_value, const std::string& log_value) {
    if (bundle_value != log_value) list.push_back(differs(what, bundle_value, log_value));
  }
  void require(bool condition, const std::string& problem) {
    if (!condition) list.push_back(problem);
  }
  void report(Context& c, const std::string& element, const std::string& ok_detail) const {
    std::string detail;
    for (const auto& p : list) detail += (detail.empty() ? "" : "; ") + p;
    c.check(element, list.empty(), list.empty() ? ok_detail : detail);
  }
};

std::string name_entry(const X509* cert, int nid) {
  char buf[256] = {};
  if (!cert || X509_NAME_get_text_by_NID(X509_get_subject_name(cert), nid, buf, sizeof(buf)) < 0) return {};
  return buf;
}

void check_identity(Context& c, const std::string& subject) {
  const auto& id = c.bundle.identity;
  Problems p;
  auto registered = about(c, "identity.registered", subject);
  p.require(registered.size() == 1, "the bundle holds " + std::to_string(registered.size()) + " identity.registered entries for " + subject);
  p.same("the request's identity", str(id, "name"), str(c.bundle.request, "identity"));
  if (registered.size() == 1) {
    const auto& d = registered[0]->parsed.details;
    for (const char* field : {"kind", "sponsor", "purpose", "organization_identifier"}) p.same(field, str(id, field), str(d, field));
    p.same("acts_for", canonical(member(id, "acts_for")), canonical(member(d, "acts_for")));
  }
  // The organisation as the certificate names it (EN 319 412-3 §4.2.1).
  if (c.signer) {
    p.same("organization (certificate)", str(id, "organization"), name_entry(c.signer.get(), NID_organizationName));
  }
  // The assurance level is the one of the last proofing that made the identity active.
  std::string level;
  for (const auto& e : c.entries)
    if (e.parsed.subject == subject &&
        ((e.parsed.event == "identity.proofed" && str(e.parsed.details, "status") == "verified") || e.parsed.event == "identity.confirmed"))
      level = str(e.parsed.details, "assurance_level");
  p.same("assurance_level", str(id, "assurance_level"), level);
  p.report(c, "identity", subject + " (" + str(id, "kind") + ", sponsor " + str(id, "sponsor") + ") as registered at " +
                              (registered.empty() ? std::string("?") : seq_of(*registered[0])));
}

void check_proofing(Context& c, const std::string& subject) {
  const auto& proofing = c.bundle.proofing;
  if (!proofing.is_array() || proofing.empty()) {
    c.check("proofing", false, "the bundle holds no proofing record");
    return;
  }
  auto proofed = about(c, "identity.proofed", subject);
  auto confirmed = about(c, "identity.confirmed", subject);
  std::size_t matched = 0;
  for (std::size_t i = 0; i < proofing.size(); ++i) {
    const auto& r = proofing[i];
    std::string element = "proofing[" + std::to_string(i) + "]";
    const Entry* e = nullptr;
    for (const Entry* x : proofed)
      if (ref(*x, "evidence") == str(r, "evidence_hash")) e = x;
    if (!e) {
      c.check(element, false, "no identity.proofed entry with evidence " + str(r, "evidence_hash"));
      continue;
    }
    ++matched;
    Problems p;
    for (const char* field : {"method", "subject", "assurance_level"}) p.same(field, str(r, field), str(e->parsed.details, field));
    p.same("at", str(r, "at"), to_rfc3339(e->parsed.time));
    if (!str(r, "confirmed_by").empty() || str(r, "status") == "confirmed") {
      const Entry* k = nullptr;
      for (const Entry* x : confirmed)
        if (ref(*x, "evidence") == str(r, "evidence_hash")) k = x;
      p.require(k != nullptr, "no identity.confirmed entry for this evidence");
      if (k) {
        for (const char* field : {"attested_by", "confirmed_by", "assurance_level"}) p.same(field, str(r, field), str(k->parsed.details, field));
        p.same("confirmed_at", str(r, "confirmed_at"), to_rfc3339(k->parsed.time));
      }
    } else {
      p.same("status", str(r, "status"), str(e->parsed.details, "status"));
    }
    p.report(c, element, str(r, "method") + " proofing (" + str(r, "assurance_level") + ", evidence " + str(r, "evidence_hash") +
                             ") as logged at " + seq_of(*e));
  }
  bool complete = matched == proofed.size();
  c.check("proofing", complete, complete ? "every proofing logged for " + subject + " is in the bundle"
                                         : "the log holds " + std::to_string(proofed.size()) + " proofings of " + subject + ", the bundle " +
                                               std::to_string(matched));
}

void check_certificate(Context& c, const std::string& identity) {
  Problems p;
  auto issued = about(c, "certificate.issued", "certificate:" + c.signer_serial);
  p.require(issued.size() == 1, "the bundle holds " + std::to_string(issued.size()) + " certificate.issued entries for serial " + c.signer_serial);
  if (issued.size() == 1) {
    const Entry& e = *issued[0];
    p.same("the certificate's SHA-256", audit::sha256_ref(c.bundle.signer_certificate), ref(e, "certificate"));
    p.same("identity", identity, str(e.parsed.details, "identity"));
    p.same("serial", c.signer_serial, str(e.parsed.details, "serial"));
  }
  p.report(c, "certificate", "certificate " + c.signer_serial + " of " + identity + " as issued at " +
                                 (issued.empty() ? std::string("?") : seq_of(*issued[0])));
}

void check_delegation(Context& c) {
  const auto& links = c.bundle.delegation;
  const auto& summary = member(c.bundle.decision, "delegation");
  if (!links.is_array()) {
    c.check("delegation", false, "delegation is not an array");
    return;
  }
  std::vector<std::string> ids;
  for (std::size_t i = 0; i < links.size(); ++i) {
    const auto& l = links[i];
    std::string id = str(l, "id");
    ids.push_back(id);
    std::string element = "delegation[" + std::to_string(i) + "]";
    auto granted = about(c, "delegation.granted", "delegation:" + id);
    if (granted.size() != 1) {
      c.check(element, false, "no single delegation.granted entry for " + id);
      continue;
    }
    const auto& d = granted[0]->parsed.details;
    Problems p;
    for (const char* field : {"id", "delegator", "delegate", "not_before", "expires_at"}) p.same(field, str(l, field), str(d, field));
    p.same("scopes", canonical(member(l, "scopes")), canonical(member(d, "scopes")));
    p.same("parent", str(l, "parent_id"), str(d, "parent"));
    for (const Entry* r : about(c, "delegation.revoked", "delegation:" + id))
      p.require(!c.signing_time || r->parsed.time > *c.signing_time, "revoked at " + seq_of(*r) + ", before the signature");
    p.report(c, element, str(l, "delegator") + " delegated " + canonical(member(l, "scopes")) + " to " + str(l, "delegate") +
                             ", as granted at " + seq_of(*granted[0]));
  }
  std::vector<std::string> decided;
  for (const auto& x : member(summary, "links"))
    if (x.is_string()) decided.push_back(x.get<std::string>());
  bool same = decided == ids;
  c.check("delegation", same, same ? (ids.empty() ? "no delegation" : "the chain is the one the decision verified")
                                   : "the bundle's delegation links are not the ones the decision verified");
}

}  // namespace

void verify_identity(Context& c) {
  std::string name = str(c.bundle.identity, "name");
  std::string subject = "identity:" + name;
  check_identity(c, subject);
  check_proofing(c, subject);
  check_certificate(c, name);
  check_delegation(c);
}

void verify_sequence(Context& c) {
  std::string request = str(c.bundle.request, "id");
  std::string subject = "identity:" + str(c.bundle.identity, "name");
  auto seqs = [&](std::string_view event, bool by_request) {
    std::vector<std::uint64_t> out;
    for (const Entry* e : c.of_event(event))
      if (by_request ? str(e->parsed.details, "request") == request
                     : e->parsed.subject == subject || e->parsed.subject == "certificate:" + c.signer_serial)
        out.push_back(e->parsed.seq);
    return out;
  };
  std::vector<std::pair<std::string, std::vector<std::uint64_t>>> steps = {
      {"identity.registered", seqs("identity.registered", false)},
      {"identity.proofed", seqs("identity.proofed", false)},
      {"identity.confirmed", seqs("identity.confirmed", false)},
      {"certificate.issued", seqs("certificate.issued", false)},
      {"policy.decided", seqs("policy.decided", true)},
      {"approval", seqs("approval.granted", true)},
      {"sad.issued", seqs("sad.issued", true)},
      {"sad.consumed", seqs("sad.consumed", true)},
      {"signature.produced", {}}};
  for (const Entry* e : c.of_event("signature.produced"))
    if (str(e->parsed.details, "signature_id") == c.bundle.signature_id) steps.back().second.push_back(e->parsed.seq);
  for (auto s : seqs("approval.rejected", true)) steps[5].second.push_back(s);
  std::vector<std::string> problems;
  std::string order;
  std::optional<std::pair<std::string, std::uint64_t>> latest;  // the last seq of the steps so far
  for (const auto& [name, list] : steps) {
    bool optional_step = name == "approval" || name == "identity.proofed" || name == "identity.confirmed";
    if (list.empty()) {
      if (!optional_step) problems.push_back("no " + name + " entry");
      continue;
    }
    std::uint64_t first = *std::min_element(list.begin(), list.end());
    // Approvals: all of them come before activation. Identity steps: the first suffices (a
    // later re-proofing does not undo an earlier one).
    std::uint64_t last = name == "approval" ? *std::max_element(list.begin(), list.end()) : first;
    if (latest && first <= latest->second)
      problems.push_back(name + " (seq " + std::to_string(first) + ") is not after " + latest->first + " (seq " +
                         std::to_string(latest->second) + ")");
    order += (order.empty() ? "" : " < ") + name + " " + std::to_string(first);
    latest = std::make_pair(name, last);
  }
  if (c.checkpoint && latest && latest->second >= c.checkpoint->size)
    problems.push_back("seq " + std::to_string(latest->second) + " is beyond the checkpoint");
  std::string detail;
  for (const auto& p : problems) detail += (detail.empty() ? "" : "; ") + p;
  c.check("sequence", problems.empty(), problems.empty() ? order : detail);
}

}  // namespace qualsig::evidence::detail
