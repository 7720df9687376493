// qualsig verify — qualsig trust export-tl

#include <iomanip>
#include <iostream>

#include "cli/cli_support.h"
#include "core/fs.h"
#include "service/trust_list_service.h"
#include "service/verify_service.h"

namespace qualsig::cli {
namespace {

constexpr std::size_t kMaxSignedFile = 512u << 20;  // a PDF is the largest signed file
constexpr std::size_t kMaxListFile = 64u << 20;     // a trusted list

Result<std::pair<Bytes, std::string>> read_list(const std::string& path) {
  QS_TRY(auto bytes, core::read_file_bytes(path, kMaxListFile));
  return std::pair<Bytes, std::string>(std::move(bytes), std::filesystem::path(path).filename().string());
}

struct VerifyArgs {
  std::string file, detached, at, lotl, report, report_out;  // --report etsi --report-out F
  std::vector<std::string> anchors, certs, crls, ocsps, tls, tl_signers, lotl_signers, member_lists;
  bool online = false;
  int online_timeout = 10;  // seconds per request
};

void print_text(const service::VerifyOutcome& o) {
  std::cout << "document: " << o.report.document_format << ", " << o.report.signatures.size() << " signature(s), validated at "
            << to_rfc3339(o.report.validation_time) << "\n";
  for (const auto& l : o.lists) std::cout << "trusted list: " << l << "\n";
  for (const auto& w : o.warnings) std::cout << "warning: " << w << "\n";
  for (const auto& f : o.report.fetched) std::cout << "fetched: " << f << "\n";
  for (const auto& v : o.signatures) {
    const auto& s = v.report;
    std::cout << "\n" << s.id << "  " << s.level;
    if (!s.counter_signature_of.empty()) std::cout << "  (countersignature of " << s.counter_signature_of << ")";
    std::cout << "\n  " << validation::indication_name(s.indication);
    if (s.sub_indication) std::cout << " / " << validation::sub_indication_name(*s.sub_indication);
    std::cout << "\n";
    for (const auto& r : s.reasons) std::cout << "    " << r << "\n";
    for (const auto& [block, result] : s.checks) std::cout << "  " << std::left << std::setw(34) << block << result << "\n";
    for (const auto& t : s.timestamps) {
      std::cout << "  time-stamp " << t.type << " " << to_rfc3339(t.gen_time) << ": " << validation::indication_name(t.indication)
                << (t.sub_indication ? std::string(" / ") + validation::sub_indication_name(*t.sub_indication) : "") << "\n";
      for (const auto& r : t.reasons) std::cout << "    " << r << "\n";
    }
    if (v.qualification) {
      const auto& q = *v.qualification;
      std::cout << "  qualification: " << validation::signature_level_name(q.level) << (q.eu ? " (EU trusted lists)" : "")
                << "\n    at issuance: " << q.at_issuance.label() << "\n    at signing:  " << q.at_signing.label() << "\n";
      for (const auto& l : q.lists) std::cout << "    rests on: " << l << "\n";
      for (const auto& r : q.reasons) std::cout << "    " << r << "\n";
    } else {
      std::cout << "  qualification: not determined (no trusted list given: --tl, --lotl)\n";
    }
    if (v.certificate_claims) std::cout << "  without a trusted list: " << *v.certificate_claims << "\n";
  }
}

int run_verify(Globals& g, const VerifyArgs& a) {
  if (!a.report.empty() && (a.report != "etsi" || a.report_out.empty()))
    return g.out.usage_error("--report etsi needs --report-out FILE (the ETSI TS 119 102-2 XML report)");
  auto file = core::read_file_bytes(a.file, kMaxSignedFile);
  if (!file) return g.out.error(file.error());
  service::VerifyRequest r;
  service::TrustInputs t;
  for (const auto& p : a.anchors) {
    auto c = core::certificates_from_file(p);
    if (!c) return g.out.error(c.error());
    t.trust_anchors.insert(t.trust_anchors.end(), c->begin(), c->end());
  }
  for (const auto& p : a.certs) {
    auto c = core::certificates_from_file(p);
    if (!c) return g.out.error(c.error());
    r.extra_certificates.insert(r.extra_certificates.end(), c->begin(), c->end());
  }
  for (const auto& p : a.crls) {
    auto d = core::read_file_bytes(p, 64u << 20);
    if (!d) return g.out.error(d.error());
    r.crls.push_back(std::move(*d));
  }
  for (const auto& p : a.ocsps) {
    auto d = core::read_file_bytes(p, 1u << 20);
    if (!d) return g.out.error(d.error());
    r.ocsp_responses.push_back(std::move(*d));
  }
  if (!a.detached.empty()) {
    auto d = core::read_file_bytes(a.detached, kMaxSignedFile);
    if (!d) return g.out.error(d.error());
    r.detached_content = std::move(*d);
  }
  auto at = parse_time_opt(a.at);
  if (!at) return g.out.error(at.error());
  r.at = *at;
  if (a.online) r.online = std::chrono::seconds(a.online_timeout);
  if (!a.tls.empty() && a.tl_signers.empty())
    return g.out.usage_error("--tl needs --tl-signer CERT: a private list is trusted only through its configured signer");
  for (const auto& p : a.tls) {
    auto l = read_list(p);
    if (!l) return g.out.error(l.error());
    t.private_lists.push_back(std::move(*l));
  }
  for (const auto& p : a.tl_signers) {
    auto c = core::certificates_from_file(p);
    if (!c) return g.out.error(c.error());
    t.private_list_signers.insert(t.private_list_signers.end(), c->begin(), c->end());
  }
  if (!a.lotl.empty()) {
    if (a.lotl_signers.empty()) return g.out.usage_error("--lotl needs --lotl-signer CERT (the certificates the Official Journal announces)");
    auto l = read_list(a.lotl);
    if (!l) return g.out.error(l.error());
    t.lotl = std::move(*l);
    for (const auto& p : a.lotl_signers) {
      auto c = core::certificates_from_file(p);
      if (!c) return g.out.error(c.error());
      t.lotl_signers.insert(t.lotl_signers.end(), c->begin(), c->end());
    }
  } else if (!a.member_lists.empty()) {
    return g.out.usage_error("--member-tl needs --lotl: a member-state list is trusted through the LOTL that announces it");
  }
  for (const auto& p : a.member_lists) {
    auto l = read_list(p);
    if (!l) return g.out.error(l.error());
    t.member_state_lists.push_back(std::move(*l));
  }
  auto trust = service::load_validation_trust(t);
  if (!trust) return g.out.error(trust.error());
  auto outcome = service::verify_document(*file, r, **trust);
  if (!outcome) return g.out.error(outcome.error());
  if (!a.report.empty()) {
    auto xml = service::etsi_report(*outcome);
    if (!xml) return g.out.error(xml.error());
    auto w = core::write_file_atomic(a.report_out, *xml);
    if (!w) return g.out.error(w.error());
  }
  if (g.out.json) g.out.print_json(service::to_json(*outcome));
  else print_text(*outcome);
  if (outcome->all_passed) return kExitOk;
  std::size_t failed = 0;
  for (const auto& s : outcome->report.signatures) failed += s.indication != validation::Indication::total_passed;
  // The report is the answer (also with --json, where it is the only document on stdout); the
  // error line says why the exit code is 1.
  std::cerr << "error: " << failed << " of " << outcome->report.signatures.size() << " signature(s) not TOTAL-PASSED\n";
  return kExitNegative;
}

}  // namespace

void add_verify_commands(CLI::App& app, Globals& g, Action& action) {
  auto a = std::make_shared<VerifyArgs>();
  auto* v = app.add_subcommand("verify", "validate any AdES signature (EN 319 102-1) and say whether it is qualified (TS 119 615)");
  v->add_option("file", a->file, "the signed file (CAdES/CMS; PAdES, XAdES, JAdES as validation grows)")->required();
  v->add_option("--detached", a->detached, "the signed document of a detached signature");
  v->add_option("--at", a->at, "validation time (RFC 3339); default now");
  v->add_option("--trust-anchor", a->anchors, "a trusted certificate (PEM, may hold several, or DER); repeatable");
  v->add_option("--certs", a->certs, "untrusted intermediate certificates (PEM/DER); repeatable");
  v->add_option("--crl", a->crls, "a CRL (DER, e.g. `qualsig crl export`) as revocation data; repeatable");
  v->add_option("--ocsp", a->ocsps, "an OCSP response (DER) as revocation data; repeatable");
  v->add_flag("--online", a->online,
              "fetch what the signature lacks: revocation data (OCSP from the AIA responder, else the CDP's CRL) and missing CA certificates (AIA caIssuers); http:// only");
  v->add_option("--online-timeout", a->online_timeout, "seconds each --online request may take (1-120, default 10)")
      ->check(CLI::Range(1, 120));
  v->add_option("--tl", a->tls, "a private trusted list (TS 119 612 XML, e.g. `qualsig trust export-tl`); repeatable");
  v->add_option("--tl-signer", a->tl_signers, "the certificate that signs the private lists; repeatable");
  v->add_option("--lotl", a->lotl, "the EU list of trusted lists (XML file)");
  v->add_option("--lotl-signer", a->lotl_signers, "a certificate announced for signing the LOTL; repeatable");
  v->add_option("--report", a->report, "etsi: also write an ETSI TS 119 102-2 validation report (XML) to --report-out");
  v->add_option("--report-out", a->report_out, "where --report writes");
  v->add_option("--member-tl", a->member_lists, "a member-state trusted list the LOTL announces (XML file); repeatable");
  v->callback([=, &g, &action] { action = [=, &g]() -> int { return run_verify(g, *a); }; });

  auto* tr = app.add_subcommand("trust", "trusted lists (ETSI TS 119 612)");
  tr->require_subcommand(1);
  auto* ex = tr->add_subcommand("export-tl", "publish this service's own trusted list, signed with the root CA key");
  auto out = std::make_shared<std::string>();
  auto days = std::make_shared<int>(30);
  ex->add_option("--out", *out, "where to write the signed list (XML)")->required();
  ex->add_option("--next-update-days", *days, "days until the list's NextUpdate (1-366)");
  ex->callback([=, &g, &action] {
    action = [=, &g]() -> int {
      return with_service(g, [&](service::TrustService& svc) -> int {
        auto list = service::export_trusted_list(svc, operator_actor(), now_seconds(), *days);
        if (!list) return g.out.error(list.error());
        auto w = core::write_file_atomic(*out, list->xml);
        if (!w) return g.out.error(w.error());
        if (g.out.json) g.out.print_json({{"out", *out}, {"sequence", list->sequence_number}});
        else std::cout << "trusted list " << list->sequence_number << " -> " << *out
                       << " (signed with the root CA: give ca/root.pem to `verify --tl-signer`)\n";
        return kExitOk;
      });
    };
  });
}

}  // namespace qualsig::cli
