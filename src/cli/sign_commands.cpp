// qualsig policy set|show|test — sign — request list|show — approve|reject — extend

#include <iomanip>
#include <iostream>

#include "cli/cli_support.h"
#include "service/record_json.h"
#include "core/canonical_json.h"
#include "core/fs.h"
#include "service/people_service.h"
#include "service/sign_service.h"
#include "service/signature_service.h"

namespace qualsig::cli {

using service::identity_json;
using service::cert_json;
using service::request_json;
using service::person_json;
using service::delegation_json;
using service::client_json;
namespace {

Result<core::DigestAlgorithm> parse_digest(const std::string& name) {
  if (name == "sha256") return core::DigestAlgorithm::sha256;
  if (name == "sha384") return core::DigestAlgorithm::sha384;
  if (name == "sha512") return core::DigestAlgorithm::sha512;
  return fail(ErrorCode::usage, "--digest must be sha256, sha384 or sha512");
}

Result<std::map<std::string, std::string>> parse_attrs(const std::vector<std::string>& attrs) {
  std::map<std::string, std::string> out;
  for (const auto& a : attrs) {
    auto eq = a.find('=');
    if (eq == std::string::npos || eq == 0) return fail(ErrorCode::usage, "--attr must be KEY=VALUE: " + a);
    if (!out.emplace(a.substr(0, eq), a.substr(eq + 1)).second)
      return fail(ErrorCode::usage, "--attr " + a.substr(0, eq) + " given twice");
  }
  return out;
}


// Prints the decision trace, one rule per line, for people.
void print_trace(std::ostream& os, const nlohmann::json& decision) {
  if (!decision.contains("trace")) return;
  for (const auto& step : decision["trace"])
    os << "  " << std::left << std::setw(15) << step.value("rule", "") << std::setw(15) << step.value("verdict", "")
       << step.value("detail", "") << "\n";
}

struct SignArgs {
  std::string identity, in, out, format = "cades", level = "B-B", type = "document", digest = "sha256", request,
                                 delegation, activate_as, token_file;
  std::string visible, reason, location, packaging;
  std::optional<int> certify;
  bool detached = false;
  bool counter_sign = false;
  std::vector<std::string> attrs;
};

// Authorises, signs and writes the signature of an allowed or approved request.
int complete(Globals& g, service::TrustService& svc, const store::SignRequestRecord& req, const SignArgs& a,
             const service::DocumentDigest& doc, const std::optional<Bytes>& content) {
  std::optional<store::PersonRecord> activator;
  if (!a.activate_as.empty()) {
    auto token = read_secret(a.token_file, "QUALSIG_PERSON_TOKEN", "the activating person's token");
    if (!token) return g.out.error(token.error());
    auto who = service::authenticate_person(svc, a.activate_as, *token);
    if (!who) return g.out.error(who.error());
    activator = std::move(*who);
  }
  auto activation = service::authorize_signature(svc, req.id, activator, now_seconds());
  if (!activation) return g.out.error(activation.error());
  std::optional<ByteView> view;
  if (content) view = ByteView(*content);
  auto signed_ = service::sign_with_sad(svc, activation->sad, {doc.value, view}, now_seconds());
  if (!signed_) return g.out.error(signed_.error());
  const auto& sig = signed_->signature;
  auto bytes = [](const Bytes& b) { return std::string_view(reinterpret_cast<const char*>(b.data()), b.size()); };
  // PAdES: the signed PDF is the original bytes followed by the incremental update.
  std::vector<std::string_view> parts;
  if (signed_->appended_to_document && content) parts.push_back(bytes(*content));
  parts.push_back(bytes(sig.signature));
  auto w = core::write_file_atomic(a.out, parts);
  if (!w) return g.out.error(w.error());
  if (g.out.json) {
    g.out.print_json({{"signature_id", sig.id}, {"request_id", req.id}, {"identity", req.identity_name},
                      {"certificate", sig.certificate_serial}, {"format", sig.format}, {"level", sig.level},
                      {"detached", req.detached}, {"document_hash", sig.document_hash},
                      {"signature_hash", sig.signature_hash}, {"log_seq", signed_->log_seq}, {"out", a.out}});
  } else {
    std::cout << "signed " << sig.id << ": " << req.identity_name << ", " << sig.format << " " << sig.level
              << (req.detached ? " detached" : " enveloping") << " -> " << a.out << " (log entry " << signed_->log_seq << ")\n";
  }
  return kExitOk;
}

Result<std::optional<Bytes>> read_content(const SignArgs& a, const std::string& format, const std::string& level, bool detached) {
  // The CLI has the file: a detached JWS signs its bytes (RFC 7797 b64:false), which any JOSE
  // library verifies, rather than naming it by digest (sigD), which only JAdES validators read.
  if (!service::needs_content(format, level, detached) && format != service::kJades) return std::optional<Bytes>();
  const std::size_t limit = service::max_content_size(format);
  std::error_code ec;
  auto size = std::filesystem::file_size(a.in, ec);
  if (!ec && size > limit)
    return fail(ErrorCode::invalid_input, a.in + " is larger than " + std::to_string(limit >> 20) + " MiB, the most a " + format +
                                              " signature reads" + (format == service::kCades ? ": sign it --detached" : ""));
  QS_TRY(auto bytes, core::read_file_bytes(a.in, limit));
  return std::optional<Bytes>(std::move(bytes));
}

int run_sign(Globals& g, const SignArgs& a) {
  if (a.in.empty() || a.out.empty()) return g.out.usage_error("--in FILE and --out FILE are required");
  if (a.format != "cades" && a.format != "pades" && a.format != "xades" && a.format != "jades")
    return g.out.usage_error("--format must be cades, pades, xades or jades");
  if (a.counter_sign && (a.detached || a.level != "B-B" || a.format != "cades"))
    return g.out.usage_error("--counter-sign adds a CAdES B-B counter-signature to the file: no --detached, --level or --format");
  if (a.level != "B-B" && a.level != "B-T" && a.level != "B-LT" && a.level != "B-LTA")
    return g.out.usage_error("--level must be B-B, B-T, B-LT or B-LTA");
  return with_service(g, [&](service::TrustService& svc) -> int {
    if (!a.request.empty()) {
      // Completing an approved request: the same document must be presented again.
      auto req = service::find_sign_request(svc, a.request);
      if (!req) return g.out.error(req.error());
      auto alg = req->document_hash.substr(0, req->document_hash.find(':'));
      auto parsed = parse_digest(alg);
      if (!parsed) return g.out.error(parsed.error());
      auto doc = service::digest_document(a.in, *parsed);
      if (!doc) return g.out.error(doc.error());
      auto content = read_content(a, req->format, req->level, req->detached);
      if (!content) return g.out.error(content.error());
      return complete(g, svc, *req, a, *doc, *content);
    }
    if (a.identity.empty()) return g.out.usage_error("--identity NAME (or --request ID) is required");
    auto alg = parse_digest(a.digest);
    if (!alg) return g.out.error(alg.error());
    auto attrs = parse_attrs(a.attrs);
    if (!attrs) return g.out.error(attrs.error());
    auto content = read_content(a, a.counter_sign ? service::kCadesCounterSignature : a.format, a.level, a.detached);
    if (!content) return g.out.error(content.error());
    auto doc = service::digest_document(a.in, *alg);
    if (!doc) return g.out.error(doc.error());
    service::SignRequestInput in;
    in.identity = a.identity;
    in.document_type = a.type;
    in.attributes = *attrs;
    in.document = *doc;
    in.format = a.counter_sign ? service::kCadesCounterSignature : a.format;
    in.level = a.level;
    in.detached = a.detached;
    in.format_options.certify = a.certify;
    in.format_options.reason = a.reason;
    in.format_options.location = a.location;
    in.format_options.packaging = a.packaging;
    if (!a.visible.empty()) {
      auto appearance = service::parse_appearance(a.visible);
      if (!appearance) return g.out.error(appearance.error());
      in.format_options.visible = *appearance;
    }
    if (!a.delegation.empty()) in.delegation_id = a.delegation;
    in.requester = operator_actor();
    auto submitted = service::submit_sign_request(svc, in, now_seconds());
    if (!submitted) return g.out.error(submitted.error());
    const auto& req = submitted->request;
    if (req.status == "denied") {
      if (g.out.json) g.out.print_json({{"request_id", req.id}, {"status", "denied"}, {"decision", submitted->decision}});
      else print_trace(std::cout, submitted->decision);
      return g.out.error(make_error(ErrorCode::denied, "policy denied " + req.id + ": " + submitted->decision.value("reason", "")));
    }
    if (req.status == "pending") {
      if (g.out.json) {
        g.out.print_json({{"request_id", req.id}, {"status", "pending"}, {"decision", submitted->decision}});
      } else {
        std::cout << "pending: request " << req.id << " needs " << req.approvals_required << " approvals from "
                  << req.approval_group.value_or("?") << " (document " << req.document_hash << ")\n"
                  << "then: qualsig sign --request " << req.id << " --in " << a.in << " --out " << a.out << "\n";
      }
      return kExitPending;
    }
    return complete(g, svc, req, a, *doc, *content);
  });
}

}  // namespace

void add_sign_commands(CLI::App& app, Globals& g, Action& action) {
  // --- policy ---
  auto* pol = app.add_subcommand("policy", "signing policies: set, show, test");
  pol->require_subcommand(1);
  auto* set = pol->add_subcommand("set", "store a policy version and attach it to identities");
  auto ids = std::make_shared<std::vector<std::string>>();
  auto file = std::make_shared<std::string>();
  set->add_option("--identity", *ids, "identity (repeatable: a policy may govern a group of identities)")->required();
  set->add_option("--file", *file, "policy document (JSON, qualsig-policy/1; see docs/policy.md)")->required();
  set->callback([=, &g, &action] {
    action = [=, &g]() -> int {
      auto text = core::read_file(*file, 256u << 10);
      if (!text) return g.out.error(text.error());
      return with_service(g, [&](service::TrustService& svc) -> int {
        auto r = service::set_policy(svc, *ids, *text, operator_actor(), now_seconds());
        if (!r) return g.out.error(r.error());
        if (g.out.json) g.out.print_json({{"name", r->name}, {"version", r->version}, {"hash", r->hash}, {"identities", *ids}});
        else std::cout << "policy " << r->name << " v" << r->version << " (" << r->hash << ") attached to " << ids->size() << " identities\n";
        return kExitOk;
      });
    };
  });
  auto* show = pol->add_subcommand("show", "the policy attached to an identity");
  auto sname = std::make_shared<std::string>();
  show->add_option("identity", *sname, "identity")->required();
  show->callback([=, &g, &action] {
    action = [=, &g]() -> int {
      return with_service(g, [&](service::TrustService& svc) -> int {
        auto r = service::policy_of(svc, *sname);
        if (!r) return g.out.error(r.error());
        if (!*r) return g.out.error(make_error(ErrorCode::not_found, "identity '" + *sname + "' has no policy: every sign request is denied"));
        auto doc = nlohmann::json::parse((*r)->document);
        if (g.out.json) g.out.print_json({{"name", (*r)->name}, {"version", (*r)->version}, {"hash", (*r)->hash}, {"document", doc}});
        else std::cout << "# " << (*r)->name << " v" << (*r)->version << " " << (*r)->hash << "\n" << doc.dump(2) << "\n";
        return kExitOk;
      });
    };
  });
  auto* test = pol->add_subcommand("test", "evaluate a request against a policy without signing");
  auto tid = std::make_shared<std::string>(), treq = std::make_shared<std::string>(), tpol = std::make_shared<std::string>();
  test->add_option("--identity", *tid, "identity")->required();
  test->add_option("--request", *treq, "request JSON (docs/policy.md \"Testing a policy\"): identity, document_type, attributes, time")->required();
  test->add_option("--policy", *tpol, "a policy file to test instead of the attached one");
  test->callback([=, &g, &action] {
    action = [=, &g]() -> int {
      auto text = core::read_file(*treq, 64u << 10);
      if (!text) return g.out.error(text.error());
      auto req = policy::parse_test_request(*text);
      if (!req) return g.out.error(req.error());
      if (req->request.identity != *tid)
        return g.out.usage_error("--identity " + *tid + " but the request is for '" + req->request.identity + "'");
      std::optional<std::string> policy_text;
      if (!tpol->empty()) {
        auto p = core::read_file(*tpol, 256u << 10);
        if (!p) return g.out.error(p.error());
        policy_text = *p;
      }
      return with_service(g, [&](service::TrustService& svc) -> int {
        auto r = service::test_policy(svc, *req, policy_text);
        if (!r) return g.out.error(r.error());
        auto outcome = r->value("outcome", "deny");
        if (g.out.json) {
          g.out.print_json(*r);
        } else {
          std::cout << outcome << ": " << r->value("reason", "") << "\n";
          print_trace(std::cout, *r);
        }
        return outcome == "allow" ? kExitOk : outcome == "needs_approval" ? kExitPending : kExitNegative;
      });
    };
  });

  // --- sign ---
  auto* sign = app.add_subcommand("sign", "sign a document (policy, approvals and activation first)");
  auto a = std::make_shared<SignArgs>();
  sign->add_option("--identity", a->identity, "the identity that signs");
  sign->add_option("--in", a->in, "the document");
  sign->add_option("--out", a->out, "where to write the signature");
  sign->add_option("--format", a->format, "cades | pades | xades | jades (docs/formats.md)");
  sign->add_option("--certify", a->certify, "pades: a certification signature allowing later changes P (1: none, 2: forms "
                                            "and signatures, 3: also annotations)");
  sign->add_option("--visible", a->visible, "pades: a visible signature PAGE:LLX,LLY,URX,URY in PDF points");
  sign->add_option("--reason", a->reason, "pades: the reason written in the signature");
  sign->add_option("--location", a->location, "pades: the location written in the signature");
  sign->add_option("--packaging", a->packaging, "xades: enveloped | enveloping (default: enveloped for XML, else enveloping)");
  sign->add_option("--level", a->level, "B-B | B-T | B-LT | B-LTA");
  sign->add_flag("--detached", a->detached, "signature without the document inside (any size)");
  sign->add_flag("--counter-sign", a->counter_sign, "add a counter-signature to the CAdES signature given as --in");
  sign->add_option("--type", a->type, "document type the policy judges, e.g. invoice");
  sign->add_option("--attr", a->attrs, "request attribute KEY=VALUE (repeatable), e.g. amount=9500.00");
  sign->add_option("--digest", a->digest, "sha256 | sha384 | sha512");
  sign->add_option("--request", a->request, "complete an approved request");
  sign->add_option("--delegation", a->delegation, "sign under this delegation");
  sign->add_option("--activate-as", a->activate_as, "person who activates this use (policy activation.by)");
  sign->add_option("--token-file", a->token_file, "that person's token file (else QUALSIG_PERSON_TOKEN)");
  sign->callback([=, &g, &action] { action = [=, &g]() -> int { return run_sign(g, *a); }; });

  // --- request ---
  auto* request = app.add_subcommand("request", "sign requests");
  request->require_subcommand(1);
  auto* rlist = request->add_subcommand("list", "recent sign requests");
  auto status = std::make_shared<std::string>();
  auto limit = std::make_shared<std::size_t>(50);
  rlist->add_option("--status", *status, "pending | approved | allowed | denied | rejected | signed");
  rlist->add_option("--limit", *limit, "at most this many (default 50)")->check(CLI::Range(1, 10000));
  rlist->callback([=, &g, &action] {
    action = [=, &g]() -> int {
      return with_service(g, [&](service::TrustService& svc) -> int {
        auto r = service::list_sign_requests(svc, status->empty() ? std::nullopt : std::optional<std::string>(*status), *limit);
        if (!r) return g.out.error(r.error());
        nlohmann::json arr = nlohmann::json::array();
        for (const auto& q : *r) arr.push_back(request_json(q));
        if (g.out.json) {
          g.out.print_json(arr);
        } else {
          for (const auto& q : *r)
            std::cout << q.id << "  " << std::left << std::setw(9) << q.status << std::setw(20) << q.identity_name
                      << std::setw(16) << q.document_type << to_rfc3339(q.created_at) << "\n";
        }
        return kExitOk;
      });
    };
  });
  auto* rshow = request->add_subcommand("show", "one request with its decision and approvals");
  auto rid = std::make_shared<std::string>();
  rshow->add_option("id", *rid, "request id")->required();
  rshow->callback([=, &g, &action] {
    action = [=, &g]() -> int {
      return with_service(g, [&](service::TrustService& svc) -> int {
        auto r = service::find_sign_request(svc, *rid);
        if (!r) return g.out.error(r.error());
        auto approvals = service::request_approvals(svc, *rid);
        if (!approvals) return g.out.error(approvals.error());
        auto j = request_json(*r);
        j["votes"] = nlohmann::json::array();
        for (const auto& v : *approvals)
          j["votes"].push_back({{"approver", v.approver}, {"decision", v.decision}, {"document_hash", v.document_hash},
                                {"time", to_rfc3339(v.time)}});
        if (g.out.json) {
          g.out.print_json(j);
        } else {
          std::cout << r->id << "  " << r->status << "  identity " << r->identity_name << "  " << r->document_type
                    << "  " << r->document_hash << "\n";
          std::cout << "decision: " << j["decision"].value("outcome", "") << " — " << j["decision"].value("reason", "") << "\n";
          print_trace(std::cout, j["decision"]);
          for (const auto& v : *approvals) std::cout << "  " << v.decision << " by " << v.approver << " at " << to_rfc3339(v.time) << "\n";
        }
        return kExitOk;
      });
    };
  });

  // --- approve / reject ---
  for (bool approve : {true, false}) {
    auto* cmd = app.add_subcommand(approve ? "approve" : "reject", approve ? "approve a pending sign request" : "reject a pending sign request");
    auto id = std::make_shared<std::string>(), as = std::make_shared<std::string>(), tf = std::make_shared<std::string>(),
         hash = std::make_shared<std::string>();
    cmd->add_option("id", *id, "request id")->required();
    cmd->add_option("--as", *as, "the approver (a person added with `qualsig person add`)")->required();
    cmd->add_option("--token-file", *tf, "the approver's token file (else QUALSIG_APPROVER_TOKEN)");
    cmd->add_option("--document-hash", *hash, "the document hash you reviewed (must be the request's)");
    cmd->callback([=, &g, &action] {
      action = [=, &g]() -> int {
        auto token = read_secret(*tf, "QUALSIG_APPROVER_TOKEN", "the approver's token");
        if (!token) return g.out.error(token.error());
        return with_service(g, [&](service::TrustService& svc) -> int {
          auto who = service::authenticate_person(svc, *as, *token);
          if (!who) return g.out.error(who.error());
          auto r = service::decide_request(svc, *id, *who, approve, hash->empty() ? std::nullopt : std::optional<std::string>(*hash),
                                           now_seconds());
          if (!r) return g.out.error(r.error());
          if (g.out.json) g.out.print_json({{"request_id", *id}, {"status", r->request.status}, {"tally", r->tally}});
          else std::cout << (approve ? "approved" : "rejected") << " " << *id << " as " << *as << "; request is now "
                         << r->request.status << " (" << r->tally.value("reason", "") << ")\n";
          return kExitOk;
        });
      };
    });
  }

  // --- extend ---
  auto* extend = app.add_subcommand("extend", "raise a CAdES, XAdES, PAdES or JAdES signature's level (B-T, B-LT, B-LTA)");
  auto ein = std::make_shared<std::string>(), eto = std::make_shared<std::string>(), eout = std::make_shared<std::string>(),
       edata = std::make_shared<std::string>();
  extend->add_option("file", *ein, "the signature")->required();
  extend->add_option("--to", *eto, "B-T | B-LT | B-LTA")->required();
  extend->add_option("--out", *eout, "where to write the extended signature")->required();
  extend->add_option("--detached", *edata, "the signed document: a detached signature going to B-LTA, any detached JWS");
  extend->callback([=, &g, &action] {
    action = [=, &g]() -> int {
      // A PAdES signature is the whole PDF.
      auto text = core::read_file(*ein, 512u << 20);
      if (!text) return g.out.error(text.error());
      return with_service(g, [&](service::TrustService& svc) -> int {
        Bytes bytes(text->begin(), text->end());
        std::optional<std::filesystem::path> document;
        if (!edata->empty()) document = *edata;
        auto r = service::extend_signature(svc, bytes, *eto, document, operator_actor(), now_seconds());
        if (!r) return g.out.error(r.error());
        auto w = core::write_file_atomic(*eout, std::string_view(reinterpret_cast<const char*>(r->data()), r->size()));
        if (!w) return g.out.error(w.error());
        if (g.out.json) g.out.print_json({{"out", *eout}, {"level", *eto}});
        else std::cout << "extended to " << *eto << " -> " << *eout << "\n";
        return kExitOk;
      });
    };
  });
}

}  // namespace qualsig::cli
