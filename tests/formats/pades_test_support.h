#pragma once
// Test fixtures for PAdES: the CAdES test PKI (cades_test_support.h), an NSS database trusting its
// root for pdfsig (support/pdfsig.h), and checks with independent tools: pdfsig, qpdf --check,
// qpdf --json, openssl cms -verify and openssl ts -verify over byte ranges found by a plain text
// scan of the file (not by qualsig's parser).

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <regex>
#include <string>

#include "cades_test_support.h"
#include "formats/pades.h"
#include "support/pdf_samples.h"
#include "support/pdfsig.h"

namespace qualsig::formats::pades::testing {

using cades::testing::CadesPki;
using cades::testing::kSigningTime;
using cades::testing::must;
using cades::testing::read_file;
using cades::testing::write_file;
using qualsig::testing::CommandResult;
using qualsig::testing::run;

inline Bytes concat(ByteView a, ByteView b) {
  Bytes out(a.begin(), a.end());
  out.insert(out.end(), b.begin(), b.end());
  return out;
}

// A one-page PDF 1.4 with a classic xref table (support/pdf_samples.h's hand-written document).
inline Bytes minimal_pdf(const std::string& text = "qualsig PAdES test", const std::string& catalog_extra = "") {
  qualsig::testing::PdfWriter w("1.4");
  qualsig::testing::minimal_document(w, text, catalog_extra);
  w.finish(6, "/Root 1 0 R");
  return to_bytes(w.data());
}

// The /ByteRange arrays and /Contents hex strings of a file, by a plain text scan (independent of
// qualsig's parser): every "/ByteRange [a b c d]" in file order.
struct ScannedSignature {
  std::array<std::int64_t, 4> range{};
  Bytes signed_bytes;  // the two ranges concatenated
  Bytes contents;      // the gap's hex, decoded, trailing zeros left in place
};
inline std::vector<ScannedSignature> scan_signatures(const Bytes& pdf) {
  std::vector<ScannedSignature> out;
  std::string text(pdf.begin(), pdf.end());
  std::regex re(R"(/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\])");
  for (auto it = std::sregex_iterator(text.begin(), text.end(), re); it != std::sregex_iterator(); ++it) {
    ScannedSignature s;
    for (std::size_t i = 0; i < 4; ++i) s.range[i] = std::stoll((*it)[i + 1].str());
    if (static_cast<std::size_t>(s.range[2] + s.range[3]) > pdf.size()) continue;
    s.signed_bytes.assign(pdf.begin() + s.range[0], pdf.begin() + s.range[0] + s.range[1]);
    s.signed_bytes.insert(s.signed_bytes.end(), pdf.begin() + s.range[2], pdf.begin() + s.range[2] + s.range[3]);
    std::string hex =
        text.substr(static_cast<std::size_t>(s.range[1] + 1), static_cast<std::size_t>(s.range[2] - s.range[1] - 2));
    s.contents = hex_decode(hex).value_or(Bytes{});
    out.push_back(std::move(s));
  }
  return out;
}

// The DER element at the start of `padded` (its length read by OpenSSL's ASN1_get_object).
inline Bytes der_prefix(const Bytes& padded) {
  const unsigned char* p = padded.data();
  long length = 0;
  int tag = 0, cls = 0;
  if (ASN1_get_object(&p, &length, &tag, &cls, static_cast<long>(padded.size())) & 0x80) return {};
  return Bytes(padded.begin(), padded.begin() + (p - padded.data()) + length);
}

struct PadesFixture : public ::testing::Test {
  CadesPki pki;
  qualsig::testing::NssDatabase nss{pki.dir.path() / "nss"};

  void SetUp() override {
    ASSERT_TRUE(nss.ok()) << nss.error();
    ASSERT_TRUE(nss.add_root(pki.path("root.pem"))) << nss.error();
  }

  SignOptions options(cades::Level level = cades::Level::b_b) {
    SignOptions o;
    o.level = level;
    o.signing_time = kSigningTime;
    o.chain = {pki.issuing.get(), pki.root.get()};
    o.timestamp = pki.tsa.fn();
    o.validation_data = pki.validation_data();
    return o;
  }

  Bytes sign_pdf(const Bytes& pdf, const SignOptions& o) {
    Bytes increment = must(sign_increment(pdf, pki.signer_cert.get(), *pki.signer, o));
    return concat(pdf, increment);
  }

  std::filesystem::path save(const Bytes& pdf, const std::string& name = "signed.pdf") {
    std::filesystem::path p = pki.dir.path() / name;
    write_file(p, pdf);
    return p;
  }

  qualsig::testing::PdfsigReport pdfsig(const Bytes& pdf, const std::string& name = "pdfsig.pdf") {
    return nss.verify(save(pdf, name));
  }

  // qpdf --check exits 0 (2 would be errors, 3 warnings only).
  CommandResult qpdf_check(const Bytes& pdf) { return run("qpdf --check " + save(pdf, "check.pdf").string()); }

  // qpdf's own view of the file as JSON (qpdf --json=2 with stream data inline).
  nlohmann::json qpdf_json(const Bytes& pdf) {
    CommandResult r = run("qpdf --json=2 --json-key=qpdf --json-stream-data=inline " + save(pdf, "json.pdf").string() +
                          " 2>/dev/null");
    if (r.status != 0) throw std::runtime_error("qpdf --json failed: " + r.output);
    return nlohmann::json::parse(r.output);
  }

  // `openssl cms -verify` of the CMS in a scanned signature over its byte ranges.
  CommandResult openssl_cms_verify(const ScannedSignature& s) {
    Bytes cms = der_prefix(s.contents);
    return pki.openssl_verify(cms, &s.signed_bytes);
  }

  // `openssl ts -verify -data` of a document time-stamp over its byte ranges.
  CommandResult openssl_ts_verify_data(const ScannedSignature& s) {
    write_file(pki.path("dts.der"), der_prefix(s.contents));
    write_file(pki.path("dts.bin"), s.signed_bytes);
    return run("openssl ts -verify -token_in -in " + pki.path("dts.der") + " -data " + pki.path("dts.bin") +
               " -CAfile " + pki.path("root.pem"));
  }

  // Every signature valid, the last one covering the whole file (pdfsig); document time-stamps
  // are "not yet verified" by pdfsig 22.12 and are checked with openssl instead.
  // `whole_file`: the last signature is the last revision (not so after a DSS update).
  void expect_pdfsig_valid(const Bytes& pdf, std::size_t expected_signatures, bool whole_file = true) {
    auto report = pdfsig(pdf);
    ASSERT_EQ(report.signatures.size(), expected_signatures) << report.output;
    for (const auto& s : report.signatures) {
      if (s.type == "unknown") continue;  // RFC 3161 document time-stamp
      EXPECT_EQ(s.verdict, qualsig::testing::PdfsigVerdict::valid) << report.output;
    }
    EXPECT_EQ(report.signatures.back().total_document_signed, whole_file) << report.output;
  }
};

}  // namespace qualsig::formats::pades::testing
