// Tests of the PDF test material (tests/support/pdf_samples.h) and of the pdfsig harness
// (tests/support/pdfsig.h), each checked by tools that did not make it: qpdf --check,
// pdfinfo/pdfsig (poppler), and a signature made by the npm package @signpdf/signpdf
// (tests/interop/signpdf_peer.mjs) under a test PKI made with the openssl CLI.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <filesystem>
#include <map>
#include <set>
#include <string>

#include "support/pdf_samples.h"
#include "support/pdfsig.h"
#include "support/run_command.h"
#include "support/temp_dir.h"

namespace qualsig::testing {
namespace {

namespace fs = std::filesystem;
const fs::path kDssPades = fs::path(QUALSIG_CORPUS_DIR) / "dss" / "pades";

int exit_code(const CommandResult& r) { return WIFEXITED(r.status) ? WEXITSTATUS(r.status) : -1; }
std::string q(const fs::path& p) { return pdf_detail::quote(p); }
CommandResult qpdf(const std::string& args, const fs::path& p) { return run("timeout 60 qpdf " + args + " " + q(p)); }

// pdfinfo's value for `key` ("Title", "Pages", "PDF version"), trimmed.
std::string pdfinfo(const fs::path& p, const std::string& key) {
  const std::string out = "\n" + run("pdfinfo " + q(p)).output;
  const std::size_t at = out.find("\n" + key + ":");
  if (at == std::string::npos) return {};
  std::size_t begin = out.find_first_not_of(' ', at + key.size() + 2);
  return out.substr(begin, out.find('\n', begin) - begin);
}

#define REQUIRE_TOOLS()                                                                              \
  if (!pdf_detail::have_tool("gs") || !pdf_detail::have_tool("qpdf") || !pdf_detail::have_tool("pdfinfo")) \
  GTEST_SKIP() << "gs, qpdf or pdfinfo missing (scripts/install-deps installs them)"

std::map<std::string, PdfSample> by_name(const std::vector<PdfSample>& samples) {
  std::map<std::string, PdfSample> m;
  for (const PdfSample& s : samples) m.emplace(s.name, s);
  return m;
}

TEST(PdfSamples, MakesTwentyOrMoreDistinctReadablePdfs) {
  REQUIRE_TOOLS();
  TempDir dir;
  std::vector<std::string> skipped;
  const std::vector<PdfSample> samples = make_pdf_samples(dir.path(), &skipped);
  for (const std::string& s : skipped) std::cout << "skipped: " << s << "\n";
  std::set<std::string> names, producers;
  int unsigned_count = 0;
  for (const PdfSample& s : samples) {
    EXPECT_TRUE(names.insert(s.name).second) << "duplicate " << s.name;
    producers.insert(s.producer);
    ASSERT_TRUE(fs::exists(s.path)) << s.name;
    EXPECT_EQ(pdf_detail::slurp(s.path).substr(0, 5), "%PDF-") << s.name;
    EXPECT_FALSE(s.features.empty()) << s.name;
    if (!s.already_signed) ++unsigned_count;
  }
  EXPECT_GE(unsigned_count, 20);
  EXPECT_GE(producers.size(), 8u);
  for (const char* required : {"gs-pdf-1.3", "gs-pdf-2.0", "qpdf-object-streams", "qpdf-linearized", "qpdf-qdf",
                               "qpdf-100-pages", "incremental-2-revisions", "hybrid-xref"})
    EXPECT_EQ(names.count(required), 1u) << required;
}

// qpdf --check exits 0 for a clean file, 3 for warnings, 2 for errors. Three DSS files carry
// defects from the products that wrote them; qpdf reads them with these warnings.
TEST(PdfSamples, EverySamplePassesQpdfCheckExceptThreeKnownDssDefects) {
  REQUIRE_TOOLS();
  const std::map<std::string, std::string> known = {
      {"dss-DSS-2601", "reported number of objects (771) is not one plus the highest object number (769)"},
      {"dss-TeleSec_PKS_eIDAS_QES_CA_1-baseline-b", "linearized file contains an uncompressed object after a compressed"},
      {"dss-Test.signed_Certipost-2048-SHA512.extended-LTA", "extraneous whitespace seen before xref"},
  };
  TempDir dir;
  for (const PdfSample& s : make_pdf_samples(dir.path())) {
    const CommandResult r = qpdf("--check", s.path);
    auto it = known.find(s.name);
    if (it == known.end()) {
      EXPECT_EQ(exit_code(r), 0) << s.name << "\n" << r.output;
    } else {
      EXPECT_EQ(exit_code(r), 3) << s.name << "\n" << r.output;
      EXPECT_NE(r.output.find(it->second), std::string::npos) << s.name << "\n" << r.output;
    }
  }
}

TEST(PdfSamples, EachSampleHasTheStructureItClaims) {
  REQUIRE_TOOLS();
  TempDir dir;
  const auto s = by_name(make_pdf_samples(dir.path()));
  EXPECT_EQ(pdfinfo(s.at("gs-pdf-1.3").path, "PDF version"), "1.3");
  EXPECT_EQ(pdfinfo(s.at("gs-pdf-2.0").path, "PDF version"), "2.0");
  EXPECT_EQ(pdfinfo(s.at("qpdf-version-2.0").path, "PDF version"), "2.0");
  EXPECT_EQ(pdfinfo(s.at("gs-pdf-1.7").path, "Pages"), "3");
  EXPECT_EQ(pdfinfo(s.at("qpdf-merged").path, "Pages"), "5");
  EXPECT_EQ(run("qpdf --show-npages " + q(s.at("qpdf-100-pages").path)).output, "100\n");
  EXPECT_NE(qpdf("--show-xref", s.at("qpdf-object-streams").path).output.find(": compressed; stream ="), std::string::npos);
  EXPECT_EQ(qpdf("--show-xref", s.at("qpdf-no-object-streams").path).output.find(": compressed"), std::string::npos);
  EXPECT_NE(qpdf("--check-linearization", s.at("qpdf-linearized").path).output.find("no linearization errors"),
            std::string::npos);
  EXPECT_NE(qpdf("--check-linearization", s.at("gs-pdf-1.4").path).output.find("is not linearized"), std::string::npos);
  EXPECT_NE(pdf_detail::slurp(s.at("qpdf-qdf").path).find("%QDF-1.0"), std::string::npos);
  if (s.count("chromium-skia") != 0) {
    EXPECT_NE(pdfinfo(s.at("chromium-skia").path, "Producer").find("Skia/PDF"), std::string::npos);
  }

  // Hybrid file: poppler and qpdf both find /Info through /XRefStm in the object stream.
  EXPECT_EQ(pdfinfo(s.at("hybrid-xref").path, "Title"), "hybrid xref sample");
  EXPECT_NE(qpdf("--show-xref", s.at("hybrid-xref").path).output.find("7/0: compressed; stream = 6, index = 0"),
            std::string::npos);
}

// Each revision of an incrementally updated sample is itself a PDF that qpdf accepts, and the
// readers see the newest /Info.
TEST(PdfSamples, IncrementalSamplesKeepEveryEarlierRevisionIntact) {
  REQUIRE_TOOLS();
  TempDir dir;
  const auto s = by_name(make_pdf_samples(dir.path()));
  const std::map<std::string, std::pair<int, std::string>> expected = {
      {"incremental-2-revisions", {2, "revision 2"}},
      {"incremental-3-revisions", {3, "revision 3"}},
      {"incremental-xref-stream", {2, "rev 2"}},
  };
  for (const auto& [name, want] : expected) {
    const std::string pdf = pdf_detail::slurp(s.at(name).path);
    EXPECT_EQ(pdfinfo(s.at(name).path, "Title"), want.second) << name;
    int revisions = 0;
    for (std::size_t at = pdf.find("%%EOF"); at != std::string::npos; at = pdf.find("%%EOF", at + 1)) {
      ++revisions;
      const fs::path prefix = dir.path() / (name + "-rev" + std::to_string(revisions) + ".pdf");
      pdf_detail::write(prefix, pdf.substr(0, at + 6));
      EXPECT_EQ(exit_code(qpdf("--check", prefix)), 0) << name << " revision " << revisions;
    }
    EXPECT_EQ(revisions, want.first) << name;
  }
}

TEST(PdfSamples, PagesAndLargePdfsHaveTheRequestedShape) {
  REQUIRE_TOOLS();
  TempDir dir;
  const fs::path seven = make_pages_pdf(dir.path(), 7);
  ASSERT_FALSE(seven.empty());
  EXPECT_EQ(run("qpdf --show-npages " + q(seven)).output, "7\n");
  EXPECT_TRUE(make_pages_pdf(dir.path(), 0).empty());

  const std::size_t ten_mb = 10u * 1024 * 1024;
  const fs::path large = make_large_pdf(dir.path(), ten_mb);
  ASSERT_FALSE(large.empty());
  EXPECT_GE(fs::file_size(large), ten_mb);
  EXPECT_LE(fs::file_size(large), ten_mb + 4096);
  EXPECT_EQ(exit_code(qpdf("--check", large)), 0);
  EXPECT_EQ(pdfinfo(large, "Pages"), "1");
  const fs::path one_mb = make_large_pdf(dir.path(), 1u << 20);
  EXPECT_EQ(pdf_detail::slurp(one_mb), pdf_detail::slurp(make_large_pdf(dir.path() / "..", 1u << 20))) << "not deterministic";
  EXPECT_TRUE(make_large_pdf(dir.path(), 100).empty());
}

// Every hostile file is broken the way its name says: qpdf reports it, or the property is there.
TEST(PdfSamples, HostileFilesAreWhatTheyClaim) {
  if (!pdf_detail::have_tool("qpdf")) GTEST_SKIP() << "qpdf missing";
  TempDir dir;
  const std::vector<HostilePdf> hostile = make_hostile_pdfs(dir.path());
  // name -> {qpdf --check exit code, text in its output}
  const std::map<std::string, std::pair<int, std::string>> expected = {
      {"empty", {2, "unable to find trailer dictionary"}},
      {"header-only", {2, "unable to find trailer dictionary"}},
      {"truncated-middle", {2, "unable to find trailer dictionary"}},
      {"truncated-before-xref", {2, "unable to find trailer dictionary"}},
      {"missing-eof", {0, ""}},
      {"garbage", {2, "unable to find trailer dictionary"}},
      {"garbage-after-header", {2, "unable to find trailer dictionary"}},
      {"prev-loop", {3, "loop detected following xref tables"}},
      {"huge-xref-size", {3, "invalid xref entry"}},
      {"nested-arrays", {3, "ignoring excessively deeply nested data structure"}},
      {"objstm-huge-count", {3, "expected integer in object stream header"}},
      {"no-root", {2, "unable to find /Root dictionary"}},
      {"no-pages", {0, ""}},
      {"startxref-beyond-eof", {3, "xref not found"}},
      {"encrypted", {2, "invalid password"}},
  };
  std::set<std::string> seen;
  for (const HostilePdf& h : hostile) {
    ASSERT_TRUE(expected.count(h.name) == 1) << "no expectation for " << h.name;
    seen.insert(h.name);
    const CommandResult r = qpdf("--check", h.path);
    EXPECT_EQ(exit_code(r), expected.at(h.name).first) << h.name << "\n" << r.output;
    EXPECT_NE(r.output.find(expected.at(h.name).second), std::string::npos) << h.name << "\n" << r.output;
  }
  EXPECT_EQ(seen.size(), expected.size());
  // The two that qpdf accepts are still what they say.
  const std::string no_eof = pdf_detail::slurp(dir.path() / "missing-eof.pdf");
  EXPECT_EQ(no_eof.find("%%EOF"), std::string::npos);
  EXPECT_NE(no_eof.find("startxref"), std::string::npos);
  EXPECT_EQ(run("qpdf --show-npages " + q(dir.path() / "no-pages.pdf")).output, "0\n");
  EXPECT_EQ(fs::file_size(dir.path() / "empty.pdf"), 0u);
  EXPECT_NE(pdf_detail::slurp(dir.path() / "nested-arrays.pdf").find(std::string(100000, '[')), std::string::npos);
  // Encrypted with AES-256 (R 6); the user password opens it.
  EXPECT_EQ(exit_code(run("qpdf --check --password=user " + q(dir.path() / "encrypted.pdf"))), 0);
  EXPECT_NE(run("qpdf --show-encryption --password=owner " + q(dir.path() / "encrypted.pdf")).output.find("R = 6"),
            std::string::npos);
}

TEST(Pdfsig, UnsignedSamplesHaveNoSignature) {
  REQUIRE_TOOLS();
  TempDir dir;
  int checked = 0;
  for (const PdfSample& s : make_pdf_samples(dir.path())) {
    if (s.already_signed) continue;
    const PdfsigReport r = run_pdfsig(s.path);
    EXPECT_EQ(r.exit_code, 2) << s.name << "\n" << r.output;
    EXPECT_TRUE(r.no_signatures) << s.name << "\n" << r.output;
    EXPECT_TRUE(r.signatures.empty()) << s.name;
    ++checked;
  }
  EXPECT_GE(checked, 20);
}

#define REQUIRE_CORPUS()                                                                         \
  if (!fs::exists(kDssPades / "DSS-1683.pdf"))                                                   \
  GTEST_SKIP() << "DSS corpus not found at " << kDssPades.string() << " (../shared/corpus is not part of a clone)"

// What pdfsig says about some DSS files (compare ../shared/corpus/dss/MANIFEST.tsv).
TEST(Pdfsig, ReadsDssCorpusReports) {
  REQUIRE_CORPUS();
  const PdfsigReport netlock = run_pdfsig(kDssPades / "DSS-1683.pdf");
  ASSERT_EQ(netlock.signatures.size(), 1u) << netlock.output;
  const PdfsigSignature& n = netlock.signatures[0];
  EXPECT_EQ(n.number, 1);
  EXPECT_EQ(n.field_name, "Signature_0");
  EXPECT_EQ(n.signer_name, "NetLock Signassist Test Signer");
  EXPECT_EQ(n.signer_dn, "O=NetLock Kft.,CN=NetLock Signassist Test Signer");
  EXPECT_EQ(n.hash_algorithm, "SHA1");
  EXPECT_EQ(n.type, "adbe.pkcs7.detached");
  EXPECT_EQ(n.ranges, (std::vector<std::pair<std::uint64_t, std::uint64_t>>{{0, 3305}, {15515, 17583}}));
  EXPECT_TRUE(n.total_document_signed);
  EXPECT_EQ(n.verdict, PdfsigVerdict::valid);
  EXPECT_EQ(n.certificate, PdfsigCertificate::issuer_not_trusted);

  // B-LTA: a CAdES signature and a document timestamp that poppler does not verify.
  const PdfsigReport lta = run_pdfsig(kDssPades / "john-doe-lta.pdf");
  ASSERT_EQ(lta.signatures.size(), 2u) << lta.output;
  EXPECT_EQ(lta.signatures[0].type, "ETSI.CAdES.detached");
  EXPECT_FALSE(lta.signatures[0].total_document_signed);
  EXPECT_EQ(lta.signatures[0].certificate, PdfsigCertificate::expired);
  EXPECT_EQ(lta.signatures[1].signer_name, "good-tsa");
  EXPECT_EQ(lta.signatures[1].type, "unknown");
  EXPECT_EQ(lta.signatures[1].verdict, PdfsigVerdict::not_verified);
  EXPECT_TRUE(lta.signatures[1].total_document_signed);

  // An edited second signature: pdfsig exits 0 and says "Digest Mismatch.".
  const PdfsigReport edited = run_pdfsig(kDssPades / "hello_signed_INCSAVE_signed_EDITED.pdf");
  ASSERT_EQ(edited.signatures.size(), 2u) << edited.output;
  EXPECT_EQ(edited.exit_code, 0);
  EXPECT_EQ(edited.signatures[0].verdict, PdfsigVerdict::valid);
  EXPECT_EQ(edited.signatures[1].verdict, PdfsigVerdict::digest_mismatch);
  EXPECT_EQ(edited.signatures[1].verdict_text, "Digest Mismatch.");

  const PdfsigReport spoof = run_pdfsig(kDssPades / "pdf-spoofing-attack.pdf");
  ASSERT_EQ(spoof.signatures.size(), 1u) << spoof.output;
  EXPECT_EQ(spoof.signatures[0].field_name, "Sig2");
  EXPECT_EQ(spoof.signatures[0].verdict, PdfsigVerdict::field_not_signed);

  const PdfsigReport telesec = run_pdfsig(kDssPades / "TeleSec_PKS_eIDAS_QES_CA_1-baseline-b.pdf");
  ASSERT_EQ(telesec.signatures.size(), 2u) << telesec.output;
  EXPECT_EQ(telesec.signatures[0].verdict, PdfsigVerdict::field_not_signed);
  EXPECT_EQ(telesec.signatures[1].verdict, PdfsigVerdict::unknown_failure);  // PLAIN-ECDSA (BSI TR-03111)
  EXPECT_EQ(telesec.signatures[1].certificate, PdfsigCertificate::not_reported);
}

// Over the whole DSS PAdES corpus: at most one signature covers the whole file, and its last
// range ends at the file's size; every range list starts at byte 0.
TEST(Pdfsig, DssCorpusRangesAreConsistent) {
  REQUIRE_CORPUS();
  int files = 0;
  for (const auto& e : fs::directory_iterator(kDssPades)) {
    if (e.path().extension() != ".pdf") continue;
    ++files;
    const PdfsigReport r = run_pdfsig(e.path());
    ASSERT_FALSE(r.signatures.empty()) << e.path() << "\n" << r.output;
    int total = 0;
    for (const PdfsigSignature& sig : r.signatures) {
      if (sig.verdict == PdfsigVerdict::field_not_signed) continue;
      ASSERT_FALSE(sig.ranges.empty()) << e.path() << " #" << sig.number;
      EXPECT_EQ(sig.ranges.front().first, 0u) << e.path();
      if (sig.total_document_signed) {
        ++total;
        EXPECT_EQ(sig.ranges.back().second, fs::file_size(e.path())) << e.path();
      }
    }
    EXPECT_LE(total, 1) << e.path();
  }
  EXPECT_EQ(files, 19);
}

// A test PKI made with the openssl CLI: RSA-2048 root and signer, the signer in a PKCS#12 with
// one PBKDF iteration (signer-p12 parses it for every signature; see signpdf_peer.mjs).
struct RsaPki {
  TempDir dir;
  bool ok = false;
  std::string error;
  RsaPki() {
    const std::string d = q(dir.path());
    const CommandResult r = run(
        "(cd " + d + " && printf 'basicConstraints=CA:FALSE\\nkeyUsage=critical,digitalSignature,nonRepudiation\\n' > leaf.cnf"
        " && openssl req -x509 -newkey rsa:2048 -nodes -keyout root.key -out root.pem -days 3650"
        " -subj '/CN=qualsig pdfsig test root' -addext 'basicConstraints=critical,CA:TRUE'"
        " -addext 'keyUsage=critical,keyCertSign,cRLSign'"
        " && openssl req -newkey rsa:2048 -nodes -keyout leaf.key -out leaf.csr -subj '/CN=signpdf peer signer'"
        " && openssl x509 -req -in leaf.csr -CA root.pem -CAkey root.key -CAcreateserial -days 365"
        " -extfile leaf.cnf -out leaf.pem"
        " && openssl pkcs12 -export -inkey leaf.key -in leaf.pem -certfile root.pem -out leaf.p12"
        " -passout pass:peer -certpbe PBE-SHA1-3DES -keypbe PBE-SHA1-3DES -macalg sha1 -noiter -nomaciter)");
    ok = r.status == 0;
    error = r.output;
  }
  fs::path path(const std::string& name) const { return dir.path() / name; }
};

// The benchmark peer's signature is valid for pdfsig, chains to the root in the NSS database,
// and a changed byte inside the signed range turns it into "Digest Mismatch.". This also checks
// the harness's trust handling with and without -no-ocsp (the certificate has no OCSP URL).
TEST(Pdfsig, VerifiesSignpdfPeerSignatureAgainstNssTrust) {
  REQUIRE_TOOLS();
  if (!pdf_detail::have_tool("certutil") || !pdf_detail::have_tool("node") ||
      !fs::exists(QUALSIG_SOURCE_DIR "/tests/interop/node_modules/@signpdf/signpdf"))
    GTEST_SKIP() << "certutil, node or tests/interop/node_modules missing (scripts/install-deps)";
  RsaPki pki;
  ASSERT_TRUE(pki.ok) << pki.error;
  const fs::path input = make_pages_pdf(pki.dir.path(), 4), signed_pdf = pki.path("signed.pdf");
  ASSERT_FALSE(input.empty());
  const CommandResult peer = run("node " QUALSIG_SOURCE_DIR "/tests/interop/signpdf_peer.mjs " + q(input) + " " +
                                 q(pki.path("leaf.p12")) + " peer 0.2 " + q(signed_pdf));
  ASSERT_EQ(peer.status, 0) << peer.output;
  EXPECT_NE(peer.output.find("\"signed_per_second\":"), std::string::npos) << peer.output;
  EXPECT_NE(peer.output.find("\"file_bytes\":" + std::to_string(fs::file_size(input))), std::string::npos);

  NssDatabase nss(pki.path("nss"));
  ASSERT_TRUE(nss.ok()) << nss.error();
  ASSERT_TRUE(nss.add_root(pki.path("root.pem"))) << nss.error();
  const PdfsigReport online = nss.verify(signed_pdf, PdfsigOcsp::online);
  ASSERT_EQ(online.signatures.size(), 1u) << online.output;
  const PdfsigSignature& sig = online.signatures[0];
  EXPECT_EQ(sig.signer_name, "signpdf peer signer");
  EXPECT_EQ(sig.type, "ETSI.CAdES.detached");
  EXPECT_EQ(sig.hash_algorithm, "SHA-256");
  EXPECT_TRUE(sig.total_document_signed);
  EXPECT_EQ(sig.verdict, PdfsigVerdict::valid) << online.output;
  EXPECT_EQ(sig.certificate, PdfsigCertificate::trusted) << online.output;
  ASSERT_EQ(sig.ranges.size(), 2u);
  EXPECT_EQ(sig.ranges[1].second, fs::file_size(signed_pdf));
  EXPECT_EQ(nss.verify(signed_pdf).signatures.at(0).certificate, PdfsigCertificate::unknown_issue);
  NssDatabase empty(pki.path("nss-empty"));
  ASSERT_TRUE(empty.ok()) << empty.error();
  EXPECT_EQ(empty.verify(signed_pdf, PdfsigOcsp::online).signatures.at(0).certificate,
            PdfsigCertificate::issuer_not_trusted);

  // One digit of the first page's /MediaBox (inside the first signed range) changed.
  std::string bytes = pdf_detail::slurp(signed_pdf);
  const std::size_t at = bytes.find_first_of("0123456789", bytes.find("/MediaBox"));
  ASSERT_NE(at, std::string::npos);
  ASSERT_LT(at, sig.ranges[0].second);
  bytes[at] = bytes[at] == '1' ? '2' : '1';
  pdf_detail::write(pki.path("tampered.pdf"), bytes);
  const PdfsigReport tampered = nss.verify(pki.path("tampered.pdf"), PdfsigOcsp::online);
  ASSERT_EQ(tampered.signatures.size(), 1u) << tampered.output;
  EXPECT_EQ(tampered.exit_code, 0);
  EXPECT_EQ(tampered.signatures[0].verdict, PdfsigVerdict::digest_mismatch) << tampered.output;
}

TEST(Pdfsig, ParsesEmptyAndNoSignatureOutputs) {
  const PdfsigReport none = parse_pdfsig("File 'x.pdf' does not contain any signatures\n", 2);
  EXPECT_TRUE(none.no_signatures);
  EXPECT_TRUE(none.signatures.empty());
  const PdfsigReport garbage = parse_pdfsig("  - Signature Validation: Signature is Valid.\n#Signature #x:\n", 0);
  EXPECT_TRUE(garbage.signatures.empty());
  EXPECT_FALSE(garbage.no_signatures);
}

}  // namespace
}  // namespace qualsig::testing
