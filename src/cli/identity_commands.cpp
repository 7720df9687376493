// qualsig identity ... | cert ... | crl export

#include <cstdlib>
#include <iomanip>
#include <iostream>

#include "cli/cli_support.h"
#include "service/record_json.h"
#include "core/fs.h"
#include "core/openssl.h"
#include "service/cert_service.h"
#include "service/identity_service.h"

namespace qualsig::cli {

using service::identity_json;
using service::cert_json;
using service::request_json;
using service::person_json;
using service::delegation_json;
using service::client_json;
namespace {

std::string actor() { return operator_actor(); }



void print_cert(const store::CertificateRecord& c) {
  std::cout << c.serial_hex << "  " << std::left << std::setw(20) << c.identity_name << " " << std::setw(9) << c.status
            << " " << to_rfc3339(c.not_before) << " .. " << to_rfc3339(c.not_after);
  if (c.revocation_reason) std::cout << "  (" << *c.revocation_reason << ")";
  std::cout << "\n";
}

}  // namespace

void add_identity_commands(CLI::App& app, Globals& g, Action& action) {
  auto* id = app.add_subcommand("identity", "non-human identities: register, proof, lifecycle");
  id->require_subcommand(1);

  auto* reg = id->add_subcommand("register", "register a non-human identity");
  auto rr = std::make_shared<service::RegisterRequest>();
  auto acts_for = std::make_shared<std::string>();
  auto acts_for_id = std::make_shared<std::string>();
  reg->add_option("--name", rr->name, "identity name (letters, digits, - _ .)")->required();
  reg->add_option("--kind", rr->kind, "service-account | workload | ai-agent | delegated-agent")->required();
  reg->add_option("--sponsor", rr->sponsor, "accountable human sponsor")->required();
  reg->add_option("--purpose", rr->purpose, "what the identity is for");
  reg->add_option("--acts-for", *acts_for, "delegated-agent: the natural person, as 'Given Surname'");
  reg->add_option("--acts-for-id", *acts_for_id, "delegated-agent: the person's identifier (e.g. PNONL-123456789)");
  reg->callback([=, &g, &action] {
    action = [=, &g]() -> int {
      auto req = *rr;
      if (!acts_for->empty()) {
        auto space = acts_for->rfind(' ');
        if (space == std::string::npos || space == 0)
          return g.out.usage_error("--acts-for must be 'Given Surname'");
        req.acts_for = service::NaturalPerson{acts_for->substr(0, space), acts_for->substr(space + 1), *acts_for_id};
      }
      return with_service(g, [&](service::TrustService& svc) -> int {
        auto r = service::register_identity(svc, req, actor(), now_seconds());
        if (!r) return g.out.error(r.error());
        if (g.out.json) g.out.print_json(identity_json(*r));
        else std::cout << "registered " << r->kind << " '" << r->name << "' (pending proofing), sponsor " << r->sponsor << "\n";
        return kExitOk;
      });
    };
  });

  auto* proof = id->add_subcommand("proof", "record proofing evidence");
  auto name = std::make_shared<std::string>(), method = std::make_shared<std::string>(),
       svid = std::make_shared<std::string>(), token = std::make_shared<std::string>(),
       by = std::make_shared<std::string>(), subject = std::make_shared<std::string>();
  proof->add_option("name", *name, "identity")->required();
  proof->add_option("--method", *method, "spiffe | oidc | sponsor")->required();
  proof->add_option("--svid", *svid, "SPIFFE X.509-SVID, PEM (leaf first)");
  proof->add_option("--token", *token, "file holding the OIDC workload token (JWT)");
  proof->add_option("--subject", *subject, "oidc: the 'sub' the token must carry");
  proof->add_option("--by", *by, "sponsor: the administrator recording the attestation");
  proof->callback([=, &g, &action] {
    action = [=, &g]() -> int {
      auto m = service::parse_proofing_method(*method);
      if (!m) return g.out.usage_error(m.error().message);
      service::ProofRequest req;
      req.identity = *name;
      req.method = *m;
      req.by = *by;
      if (!subject->empty()) req.expected_subject = *subject;
      const std::string& file = *m == service::ProofingMethod::spiffe ? *svid : *token;
      if (*m != service::ProofingMethod::sponsor) {
        if (file.empty()) return g.out.usage_error(*m == service::ProofingMethod::spiffe ? "--svid FILE is required" : "--token FILE is required");
        auto text = core::read_file(file, 64u << 10);
        if (!text) return g.out.error(text.error());
        req.evidence = *text;
        while (!req.evidence.empty() && (req.evidence.back() == '\n' || req.evidence.back() == '\r')) req.evidence.pop_back();
      } else if (by->empty()) {
        return g.out.usage_error("--by ADMIN is required for a sponsor attestation");
      }
      return with_service(g, [&](service::TrustService& svc) -> int {
        auto r = service::proof_identity(svc, req, by->empty() ? actor() : "admin:" + *by, now_seconds());
        if (!r) return g.out.error(r.error());
        if (g.out.json) {
          g.out.print_json({{"identity", identity_json(r->identity)}, {"method", r->proofing.method},
                            {"status", r->proofing.status}, {"subject", r->proofing.subject},
                            {"assurance_level", r->proofing.assurance_level}, {"evidence_hash", r->proofing.evidence_hash}});
        } else if (r->proofing.status == "pending-confirmation") {
          std::cout << "sponsor attestation recorded by " << *by << "; a second administrator must confirm it "
                    << "('qualsig identity confirm " << *name << " --by OTHER')\n";
        } else {
          std::cout << "proofed '" << *name << "' by " << r->proofing.method << " (" << r->proofing.subject << "), "
                    << r->proofing.assurance_level << "; identity is " << r->identity.state << "\n";
        }
        return kExitOk;
      });
    };
  });

  auto* confirm = id->add_subcommand("confirm", "second administrator confirms a sponsor attestation");
  auto cname = std::make_shared<std::string>(), cby = std::make_shared<std::string>();
  confirm->add_option("name", *cname, "identity")->required();
  confirm->add_option("--by", *cby, "the confirming administrator (not the one who attested)")->required();
  confirm->callback([=, &g, &action] {
    action = [=, &g]() -> int {
      return with_service(g, [&](service::TrustService& svc) -> int {
        auto r = service::confirm_identity(svc, *cname, *cby, now_seconds());
        if (!r) return g.out.error(r.error());
        if (g.out.json) g.out.print_json({{"identity", identity_json(r->identity)}, {"confirmed_by", *cby}});
        else std::cout << "confirmed: '" << *cname << "' is " << r->identity.state << " at " << r->proofing.assurance_level << "\n";
        return kExitOk;
      });
    };
  });

  auto* list = id->add_subcommand("list", "all identities");
  list->callback([&g, &action] {
    action = [&g]() -> int {
      return with_service(g, [&](service::TrustService& svc) -> int {
        auto r = service::list_identities(svc);
        if (!r) return g.out.error(r.error());
        if (g.out.json) {
          nlohmann::json a = nlohmann::json::array();
          for (const auto& i : *r) a.push_back(identity_json(i));
          g.out.print_json(a);
        } else {
          for (const auto& i : *r)
            std::cout << std::left << std::setw(22) << i.name << std::setw(17) << i.kind << std::setw(17) << i.state
                      << std::setw(6) << i.assurance_level.value_or("-") << " sponsor " << i.sponsor << "\n";
        }
        return kExitOk;
      });
    };
  });

  auto* show = id->add_subcommand("show", "one identity with its proofing and certificates");
  auto sname = std::make_shared<std::string>();
  show->add_option("name", *sname, "identity")->required();
  show->callback([=, &g, &action] {
    action = [=, &g]() -> int {
      return with_service(g, [&](service::TrustService& svc) -> int {
        auto r = service::show_identity(svc, *sname);
        if (!r) return g.out.error(r.error());
        nlohmann::json proofings = nlohmann::json::array();
        for (const auto& p : r->proofings)
          proofings.push_back({{"method", p.method}, {"status", p.status}, {"subject", p.subject},
                               {"assurance_level", p.assurance_level}, {"evidence_hash", p.evidence_hash},
                               {"attested_by", p.attested_by.value_or("")}, {"confirmed_by", p.confirmed_by.value_or("")},
                               {"at", to_rfc3339(p.created_at)}});
        nlohmann::json certs = nlohmann::json::array();
        for (const auto& c : r->certificates) certs.push_back(cert_json(c));
        auto j = identity_json(r->identity);
        j["proofing"] = proofings;
        j["certificates"] = certs;
        if (g.out.json) g.out.print_json(j);
        else std::cout << j.dump(2) << "\n";
        return kExitOk;
      });
    };
  });

  struct Lifecycle {
    const char* name;
    const char* help;
    Result<store::IdentityRecord> (*fn)(service::TrustService&, const std::string&, const std::string&, TimePoint);
  };
  for (auto lc : {Lifecycle{"suspend", "suspend signing (reversible)", &service::suspend_identity},
                  Lifecycle{"resume", "resume a suspended identity", &service::resume_identity},
                  Lifecycle{"offboard", "revoke every certificate and disable for good", &service::offboard_identity}}) {
    auto* cmd = id->add_subcommand(lc.name, lc.help);
    auto n = std::make_shared<std::string>();
    cmd->add_option("name", *n, "identity")->required();
    cmd->callback([=, &g, &action] {
      action = [=, &g]() -> int {
        return with_service(g, [&](service::TrustService& svc) -> int {
          auto r = lc.fn(svc, *n, actor(), now_seconds());
          if (!r) return g.out.error(r.error());
          if (g.out.json) g.out.print_json(identity_json(*r));
          else std::cout << "'" << *n << "' is " << r->state << "\n";
          return kExitOk;
        });
      };
    });
  }
}

void add_cert_commands(CLI::App& app, Globals& g, Action& action) {
  auto* cert = app.add_subcommand("cert", "qualified certificates of identities");
  cert->require_subcommand(1);

  auto* issue = cert->add_subcommand("issue", "issue a qualified certificate (key made in the token)");
  auto ident = std::make_shared<std::string>(), validity = std::make_shared<std::string>(), out = std::make_shared<std::string>();
  issue->add_option("--identity", *ident, "identity")->required();
  issue->add_option("--validity", *validity, "e.g. 90d (default from config)");
  issue->add_option("--out", *out, "also write the certificate and chain (PEM) here");
  auto key_type = std::make_shared<std::string>("ec-p256");
  issue->add_option("--key-type", *key_type, "key made in the token: ec-p256 (default), ec-p384, rsa-3072, rsa-4096");
  issue->callback([=, &g, &action] {
    action = [=, &g]() -> int {
      service::IssueRequest req;
      req.identity = *ident;
      auto type = hsm::parse_key_type(*key_type);
      if (!type) return g.out.usage_error("--key-type: " + type.error().message);
      req.key_type = *type;
      if (!validity->empty()) {
        std::string v = *validity;
        if (v.back() == 'd') v.pop_back();
        char* end = nullptr;
        long days = std::strtol(v.c_str(), &end, 10);
        if (v.empty() || *end != '\0' || days <= 0) return g.out.usage_error("--validity must look like 90d");
        req.validity = std::chrono::days(days);
      }
      return with_service(g, [&](service::TrustService& svc) -> int {
        auto r = service::issue_certificate(svc, req, actor(), now_seconds());
        if (!r) return g.out.error(r.error());
        if (!out->empty()) {
          auto x = core::x509_from_der(r->der);
          auto pem = x ? core::x509_to_pem(x->get()) : Result<std::string>(x.error());
          auto issuing = svc.store().ca_certificate("issuing");
          auto ix = issuing ? core::x509_from_der(issuing->der) : Result<core::UniquePtr<X509>>(issuing.error());
          auto ipem = ix ? core::x509_to_pem(ix->get()) : Result<std::string>(ix.error());
          if (!pem || !ipem) return g.out.error(make_error(ErrorCode::internal, "cannot encode the certificate"));
          if (auto w = core::write_file_atomic(*out, *pem + *ipem); !w) return g.out.error(w.error());
        }
        if (g.out.json) g.out.print_json(cert_json(*r));
        else {
          std::cout << "issued ";
          print_cert(*r);
        }
        return kExitOk;
      });
    };
  });

  auto* list = cert->add_subcommand("list", "certificates (all, or of one identity)");
  auto lident = std::make_shared<std::string>();
  list->add_option("--identity", *lident, "only this identity's");
  list->callback([=, &g, &action] {
    action = [=, &g]() -> int {
      return with_service(g, [&](service::TrustService& svc) -> int {
        std::optional<std::string> who;
        if (!lident->empty()) who = *lident;
        auto r = service::list_certificates(svc, who);
        if (!r) return g.out.error(r.error());
        if (g.out.json) {
          nlohmann::json a = nlohmann::json::array();
          for (const auto& c : *r) a.push_back(cert_json(c));
          g.out.print_json(a);
        } else {
          for (const auto& c : *r) print_cert(c);
        }
        return kExitOk;
      });
    };
  });

  auto* show = cert->add_subcommand("show", "one certificate");
  auto sserial = std::make_shared<std::string>();
  show->add_option("serial", *sserial, "serial (hex)")->required();
  show->callback([=, &g, &action] {
    action = [=, &g]() -> int {
      return with_service(g, [&](service::TrustService& svc) -> int {
        auto r = service::find_certificate(svc, *sserial);
        if (!r) return g.out.error(r.error());
        if (g.out.json) g.out.print_json(cert_json(*r));
        else {
          auto x = core::x509_from_der(r->der);
          std::cout << cert_json(*r).dump(2) << "\n";
          if (x) std::cout << "subject: " << core::name_to_string(X509_get_subject_name(x->get())) << "\n";
        }
        return kExitOk;
      });
    };
  });

  auto* exp = cert->add_subcommand("export", "write a certificate (PEM with chain, or DER)");
  auto eserial = std::make_shared<std::string>(), eout = std::make_shared<std::string>(), eformat = std::make_shared<std::string>("pem");
  exp->add_option("serial", *eserial, "serial (hex)")->required();
  exp->add_option("--out", *eout, "output file")->required();
  exp->add_option("--format", *eformat, "pem (certificate + issuing CA + root) or der (certificate only)");
  exp->callback([=, &g, &action] {
    action = [=, &g]() -> int {
      if (*eformat != "pem" && *eformat != "der") return g.out.usage_error("--format must be pem or der");
      return with_service(g, [&](service::TrustService& svc) -> int {
        auto r = service::find_certificate(svc, *eserial);
        if (!r) return g.out.error(r.error());
        std::string data;
        if (*eformat == "der") {
          data = to_string(r->der);
        } else {
          for (const Bytes* der : {&r->der}) {
            auto x = core::x509_from_der(*der);
            if (!x) return g.out.error(x.error());
            data += *core::x509_to_pem(x->get());
          }
          for (const char* role : {"issuing", "root"}) {
            auto ca = svc.store().ca_certificate(role);
            if (!ca) return g.out.error(ca.error());
            auto x = core::x509_from_der(ca->der);
            if (!x) return g.out.error(x.error());
            data += *core::x509_to_pem(x->get());
          }
        }
        if (auto w = core::write_file_atomic(*eout, data); !w) return g.out.error(w.error());
        if (g.out.json) g.out.print_json({{"file", *eout}, {"format", *eformat}});
        else std::cout << *eout << "\n";
        return kExitOk;
      });
    };
  });

  auto* revoke = cert->add_subcommand("revoke", "revoke at once (RFC 5280 reason names, e.g. keyCompromise)");
  auto rserial = std::make_shared<std::string>(), reason = std::make_shared<std::string>("unspecified"),
       invalidity = std::make_shared<std::string>();
  revoke->add_option("serial", *rserial, "serial (hex)")->required();
  revoke->add_option("--reason", *reason, "keyCompromise, affiliationChanged, superseded, cessationOfOperation, privilegeWithdrawn, unspecified");
  revoke->add_option("--invalidity-date", *invalidity, "RFC 3339 time the key is known or suspected to be compromised since");
  revoke->callback([=, &g, &action] {
    action = [=, &g]() -> int {
      auto rs = pki::parse_reason_name(*reason);
      if (!rs) return g.out.usage_error("unknown reason '" + *reason + "' (RFC 5280 names, e.g. keyCompromise)");
      auto inv = parse_time_opt(*invalidity);
      if (!inv) return g.out.error(inv.error());
      return with_service(g, [&](service::TrustService& svc) -> int {
        auto serial = *rserial;
        for (auto& c : serial) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
        auto r = service::revoke_certificate(svc, serial, *rs, *inv, actor(), now_seconds());
        if (!r) return g.out.error(r.error());
        if (g.out.json) g.out.print_json(cert_json(*r));
        else std::cout << "revoked " << r->serial_hex << " (" << r->revocation_reason.value_or("") << "); CRL re-signed, OCSP answers updated\n";
        return kExitOk;
      });
    };
  });

  for (bool suspend : {true, false}) {
    auto* cmd = cert->add_subcommand(suspend ? "suspend" : "reinstate",
                                     suspend ? "certificateHold (reversible)" : "release a certificateHold");
    auto s = std::make_shared<std::string>();
    cmd->add_option("serial", *s, "serial (hex)")->required();
    cmd->callback([=, &g, &action] {
      action = [=, &g]() -> int {
        return with_service(g, [&](service::TrustService& svc) -> int {
          auto serial = *s;
          for (auto& c : serial) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
          auto r = suspend ? service::suspend_certificate(svc, serial, actor(), now_seconds())
                           : service::reinstate_certificate(svc, serial, actor(), now_seconds());
          if (!r) return g.out.error(r.error());
          if (g.out.json) g.out.print_json(cert_json(*r));
          else std::cout << r->serial_hex << " is " << r->status << "\n";
          return kExitOk;
        });
      };
    });
  }

  auto* crl = app.add_subcommand("crl", "certificate revocation lists");
  crl->require_subcommand(1);
  auto* crl_export = crl->add_subcommand("export", "write the current CRL (DER)");
  auto cout_path = std::make_shared<std::string>(), issuer = std::make_shared<std::string>("issuing");
  crl_export->add_option("--out", *cout_path, "output file")->required();
  crl_export->add_option("--issuer", *issuer, "issuing (identity certificates) or root (CA certificates)");
  crl_export->callback([=, &g, &action] {
    action = [=, &g]() -> int {
      return with_service(g, [&](service::TrustService& svc) -> int {
        auto r = service::current_crl(svc, *issuer, now_seconds());
        if (!r) return g.out.error(r.error());
        if (auto w = core::write_file_atomic(*cout_path, to_string(r->der)); !w) return g.out.error(w.error());
        if (g.out.json) g.out.print_json({{"file", *cout_path}, {"crl_number", r->crl_number},
                                          {"this_update", to_rfc3339(r->this_update)}, {"next_update", to_rfc3339(r->next_update)}});
        else std::cout << *cout_path << " (CRL number " << r->crl_number << ", next update " << to_rfc3339(r->next_update) << ")\n";
        return kExitOk;
      });
    };
  });
}

}  // namespace qualsig::cli

#include "service/governance.h"

namespace qualsig::cli {

void add_governance_commands(CLI::App& app, Globals& g, Action& action) {
  auto* gov = app.add_subcommand("governance", "NHI governance: risk report");
  gov->require_subcommand(1);
  auto* report = gov->add_subcommand("report", "findings per identity (OWASP NHI Top 10 2025, NIST CSF 2.0 PR.AA)");
  auto at = std::make_shared<std::string>();
  report->add_option("--at", *at, "evaluate at this RFC 3339 time (default: now)");
  report->callback([=, &g, &action] {
    action = [=, &g]() -> int {
      TimePoint now = now_seconds();
      if (!at->empty()) {
        auto t = parse_rfc3339(*at);
        if (!t) return g.out.usage_error("--at must be an RFC 3339 time");
        now = *t;
      }
      return with_service(g, [&](service::TrustService& svc) -> int {
        auto r = service::governance_report(svc, now);
        if (!r) return g.out.error(r.error());
        if (g.out.json) {
          nlohmann::json a = nlohmann::json::array();
          for (const auto& f : r->findings)
            a.push_back({{"identity", f.identity}, {"severity", f.severity}, {"risk", f.risk}, {"owasp_nhi", f.owasp},
                         {"nist_csf", f.nist_csf}, {"detail", f.detail}});
          g.out.print_json({{"generated_at", to_rfc3339(r->generated_at)}, {"identities", r->identities}, {"findings", a}});
        } else {
          std::cout << "NHI governance report, " << to_rfc3339(r->generated_at) << ": " << r->identities
                    << " identities, " << r->findings.size() << " finding(s)\n\n";
          std::cout << std::left << std::setw(20) << "IDENTITY" << std::setw(8) << "SEVERITY" << std::setw(38) << "RISK"
                    << std::setw(34) << "OWASP NHI" << "NIST CSF\n";
          for (const auto& f : r->findings) {
            std::cout << std::left << std::setw(20) << f.identity << std::setw(8) << f.severity << std::setw(38) << f.risk
                      << std::setw(34) << f.owasp << f.nist_csf.substr(0, 8) << "\n"
                      << "    " << f.detail << "\n";
          }
        }
        return kExitOk;
      });
    };
  });
  auto* departed = gov->add_subcommand("departed", "record that a person left (their identities get flagged)");
  auto person = std::make_shared<std::string>();
  departed->add_option("--add", *person, "person (as recorded as sponsor)")->required();
  departed->callback([=, &g, &action] {
    action = [=, &g]() -> int {
      return with_service(g, [&](service::TrustService& svc) -> int {
        auto r = service::mark_departed(svc, *person, actor(), now_seconds());
        if (!r) return g.out.error(r.error());
        if (g.out.json) g.out.print_json({{"departed", *person}});
        else std::cout << "recorded: " << *person << " has left\n";
        return kExitOk;
      });
    };
  });
}

}  // namespace qualsig::cli
