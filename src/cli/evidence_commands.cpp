// qualsig evidence export SIGNATURE_ID --out F | evidence verify F [--html OUT]

#include <iostream>

#include "cli/cli_support.h"
#include "core/fs.h"
#include "core/openssl.h"
#include "evidence/report.h"
#include "evidence/verify.h"
#include "service/evidence_service.h"

namespace qualsig::cli {
namespace {

// A PEM certificate or public key file, as DER (for pinning trust anchors).
Result<Bytes> read_pem_der(const std::string& path, bool certificate) {
  QS_TRY(auto text, core::read_file(path, 1u << 20));
  auto bio = core::wrap(BIO_new_mem_buf(text.data(), static_cast<int>(text.size())));
  if (certificate) {
    auto cert = core::wrap(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
    if (!cert) return fail(ErrorCode::invalid_input, path + ": not a PEM certificate");
    return core::x509_to_der(cert.get());
  }
  auto key = core::wrap(PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr));
  if (!key) return fail(ErrorCode::invalid_input, path + ": not a PEM public key");
  int len = i2d_PUBKEY(key.get(), nullptr);
  if (len <= 0) return fail(ErrorCode::invalid_input, path + ": public key does not encode");
  Bytes der(static_cast<std::size_t>(len));
  auto* p = der.data();
  i2d_PUBKEY(key.get(), &p);
  return der;
}

}  // namespace

void add_evidence_commands(CLI::App& app, Globals& g, Action& action) {
  auto* ev = app.add_subcommand("evidence", "evidence bundles: prove one signature offline");
  ev->require_subcommand(1);

  auto* exp = ev->add_subcommand("export", "export the evidence bundle of a signature");
  auto id = std::make_shared<std::string>(), out = std::make_shared<std::string>(), doc = std::make_shared<std::string>();
  auto without = std::make_shared<bool>(false);
  exp->add_option("signature_id", *id, "the signature id `qualsig sign` printed (sig-...)")->required();
  exp->add_option("--out", *out, "the bundle file to write (JSON)")->required();
  exp->add_option("--document", *doc, "the signed document, to include it (else only its hash is in the bundle)");
  exp->add_flag("--without-document", *without, "never include the document, only its hash");
  exp->callback([=, &g, &action] {
    action = [=, &g]() -> int {
      return with_service(g, [&](service::TrustService& svc) -> int {
        service::ExportOptions o;
        if (!doc->empty()) o.document = *doc;
        o.without_document = *without;
        auto b = service::export_bundle(svc, *id, o, now_seconds());
        if (!b) return g.out.error(b.error());
        auto text = evidence::to_json_text(*b);
        auto w = core::write_file_atomic(*out, text);
        if (!w) return g.out.error(w.error());
        if (g.out.json)
          g.out.print_json({{"signature_id", *id}, {"out", *out}, {"entries", b->entries.size()},
                            {"document_included", b->document.has_value()}, {"bytes", text.size()}});
        else
          std::cout << "evidence for " << *id << " -> " << *out << " (" << b->entries.size() << " log entries, "
                    << (b->document ? "document included" : "document hash only") << ")\n";
        return kExitOk;
      });
    };
  });

  auto* ver = ev->add_subcommand("verify", "verify a bundle offline (no data directory, no network)");
  auto file = std::make_shared<std::string>(), html = std::make_shared<std::string>(), root = std::make_shared<std::string>(),
       log_key = std::make_shared<std::string>();
  ver->add_option("file", *file, "the bundle")->required();
  ver->add_option("--html", *html, "also write the report as one standalone HTML page");
  ver->add_option("--root", *root, "pin the root certificate (PEM) instead of the bundle's");
  ver->add_option("--log-key", *log_key, "pin the log's public key (PEM) instead of the bundle's");
  ver->callback([=, &g, &action] {
    action = [=, &g]() -> int {
      // Deliberately no service: verification needs nothing but the file.
      auto text = core::read_file(*file, evidence::kMaxBundleBytes);
      if (!text) return g.out.error(text.error());
      auto bundle = evidence::parse_bundle(*text);
      if (!bundle) return g.out.error(bundle.error());
      evidence::VerifyOptions o;
      if (!root->empty()) {
        auto der = read_pem_der(*root, true);
        if (!der) return g.out.error(der.error());
        o.trusted_root = *der;
      }
      if (!log_key->empty()) {
        auto der = read_pem_der(*log_key, false);
        if (!der) return g.out.error(der.error());
        o.trusted_log_key = *der;
      }
      auto report = evidence::verify_bundle(*bundle, o);
      if (!html->empty()) {
        auto w = core::write_file_atomic(*html, evidence::render_html(report));
        if (!w) return g.out.error(w.error());
      }
      if (g.out.json) {
        nlohmann::json checks = nlohmann::json::array();
        for (const auto& c : report.checks) checks.push_back({{"element", c.element}, {"ok", c.ok}, {"detail", c.detail}});
        g.out.print_json({{"verified", report.verified}, {"signature_id", report.signature_id}, {"identity", report.identity},
                          {"qualification", report.qualification}, {"log_seq", report.log_seq},
                          {"root_fingerprint", report.root_fingerprint},
                          {"log_key_fingerprint", report.log_key_fingerprint}, {"checks", checks}});
      } else {
        std::cout << evidence::render_text(report);
      }
      if (report.verified) return kExitOk;
      std::string failed;
      for (const auto& c : report.checks)
        if (!c.ok) failed += (failed.empty() ? "" : ", ") + c.element;
      return g.out.error(make_error(ErrorCode::denied, "evidence not verified: " + failed));
    };
  });
}

}  // namespace qualsig::cli
