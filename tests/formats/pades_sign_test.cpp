// PAdES signing at every baseline level, checked with pdfsig, qpdf and openssl.
#include "pades_test_support.h"

namespace qualsig::formats::pades::testing {
namespace {

using qualsig::testing::PdfsigVerdict;

class PadesSign : public PadesFixture {};

TEST_F(PadesSign, BBValidatesWithPdfsigQpdfAndOpenssl) {
  Bytes pdf = minimal_pdf();
  SignOptions o = options(cades::Level::b_b);
  // Text that looks like the placeholders must not confuse the writer; non-Latin text is UTF-16BE.
  o.reason = "Approval /ByteRange [ /Contents <";
  o.location = "Z\xC3\xBCrich \xE2\x80\x93 Gen\xC3\xA8ve";
  Bytes increment = must(sign_increment(pdf, pki.signer_cert.get(), *pki.signer, o));
  Bytes out = concat(pdf, increment);
  // The original is a byte-identical prefix (sign() agrees with sign_increment()).
  Bytes whole = must(sign(pdf, pki.signer_cert.get(), *pki.signer, o));
  ASSERT_GT(whole.size(), pdf.size());
  EXPECT_TRUE(std::equal(pdf.begin(), pdf.end(), whole.begin()));

  auto report = nss.verify(save(out), qualsig::testing::PdfsigOcsp::online);
  ASSERT_EQ(report.signatures.size(), 1u) << report.output;
  EXPECT_EQ(report.signatures[0].verdict, PdfsigVerdict::valid) << report.output;
  EXPECT_EQ(report.signatures[0].certificate, qualsig::testing::PdfsigCertificate::trusted) << report.output;
  EXPECT_TRUE(report.signatures[0].total_document_signed);
  EXPECT_EQ(report.signatures[0].type, "ETSI.CAdES.detached");
  EXPECT_EQ(report.signatures[0].field_name, "Signature1");

  CommandResult check = qpdf_check(out);
  EXPECT_EQ(check.status, 0) << check.output;

  auto scanned = scan_signatures(out);
  ASSERT_EQ(scanned.size(), 1u);
  CommandResult cms = openssl_cms_verify(scanned[0]);
  EXPECT_EQ(cms.status, 0) << cms.output;
  // EN 319 142-1 §6.3: no CMS signing-time attribute (the time is /M).
  auto cades_info = must(cades::inspect(der_prefix(scanned[0].contents)));
  EXPECT_FALSE(cades_info.signing_time.has_value());
  EXPECT_EQ(cades_info.level, cades::Level::b_b);

  PdfInfo info = must(inspect(out));
  ASSERT_EQ(info.signatures.size(), 1u);
  EXPECT_EQ(info.signatures[0].byte_range, scanned[0].range);
  EXPECT_TRUE(info.signatures[0].covers_revision);
  EXPECT_TRUE(info.signatures[0].covers_whole_file);
  EXPECT_EQ(info.signatures[0].signing_time, "D:20261125120000Z");
  EXPECT_EQ(info.signatures[0].contents, der_prefix(scanned[0].contents));
  EXPECT_EQ(info.revisions, 2u);
  EXPECT_EQ(info.version, "1.4");
}

TEST_F(PadesSign, ChangedByteInsideRangeIsDetected) {
  Bytes out = sign_pdf(minimal_pdf(), options());
  auto scanned = scan_signatures(out);
  ASSERT_EQ(scanned.size(), 1u);
  // Change a byte of the page content (inside the first range), same length.
  std::string text(out.begin(), out.end());
  std::size_t at = text.find("qualsig PAdES test");
  ASSERT_NE(at, std::string::npos);
  Bytes tampered = out;
  tampered[at] = 'Q';
  auto report = pdfsig(tampered);
  ASSERT_EQ(report.signatures.size(), 1u) << report.output;
  EXPECT_NE(report.signatures[0].verdict, PdfsigVerdict::valid) << report.output;

  // Our digest of the range differs from the CMS message-digest (read by openssl).
  PdfInfo info = must(inspect(tampered));
  ASSERT_EQ(info.signatures.size(), 1u);
  Bytes digest = must(byte_range_digest(tampered, info.signatures[0], core::DigestAlgorithm::sha256));
  Bytes good_digest = must(byte_range_digest(out, must(inspect(out)).signatures[0], core::DigestAlgorithm::sha256));
  EXPECT_NE(digest, good_digest);
  EXPECT_EQ(good_digest, core::sha256(scanned[0].signed_bytes));
  auto scanned_bad = scan_signatures(tampered);
  ASSERT_EQ(scanned_bad.size(), 1u);
  CommandResult cms = openssl_cms_verify(scanned_bad[0]);
  EXPECT_NE(cms.status, 0) << cms.output;
}

TEST_F(PadesSign, BTTimestampVerifiesWithOpensslTs) {
  Bytes out = sign_pdf(minimal_pdf(), options(cades::Level::b_t));
  expect_pdfsig_valid(out, 1);
  auto scanned = scan_signatures(out);
  ASSERT_EQ(scanned.size(), 1u);
  Bytes cms = der_prefix(scanned[0].contents);
  EXPECT_EQ(openssl_cms_verify(scanned[0]).status, 0);
  auto cades_info = must(cades::inspect(cms));
  ASSERT_EQ(cades_info.signature_timestamps.size(), 1u);
  EXPECT_EQ(cades_info.level, cades::Level::b_t);
  CommandResult ts =
      pki.openssl_ts_verify(cades_info.signature_timestamps[0], core::sha256(cades::testing::signature_value(cms)));
  EXPECT_EQ(ts.status, 0) << ts.output;
}

// The DSS as qpdf sees it: the stream data of /Certs, /OCSPs, /CRLs and the /VRI keys.
struct QpdfDss {
  std::vector<Bytes> certs, ocsps, crls;
  std::vector<std::string> vri;
};
QpdfDss dss_from_qpdf(const nlohmann::json& j) {
  QpdfDss out;
  const nlohmann::json& objects = j.at("qpdf").at(1);
  auto resolve = [&](const nlohmann::json& ref) -> const nlohmann::json& {
    return objects.at("obj:" + ref.get<std::string>());
  };
  std::string root = objects.at("trailer").at("value").at("/Root").get<std::string>();
  const nlohmann::json& catalog = resolve(root).at("value");
  const nlohmann::json& dss = resolve(catalog.at("/DSS")).at("value");
  for (auto [key, list] : {std::pair{"/Certs", &out.certs}, {"/OCSPs", &out.ocsps}, {"/CRLs", &out.crls}})
    for (const auto& ref : dss.at(key))
      list->push_back(*base64_decode(resolve(ref).at("stream").at("data").get<std::string>()));
  for (const auto& [k, v] : dss.at("/VRI").items()) out.vri.push_back(k);
  return out;
}

TEST_F(PadesSign, BLTHasDssReadByQpdf) {
  SignOptions o = options(cades::Level::b_lt);
  Bytes out = sign_pdf(minimal_pdf(), o);
  expect_pdfsig_valid(out, 1, false);
  EXPECT_EQ(qpdf_check(out).status, 0);
  QpdfDss dss = dss_from_qpdf(qpdf_json(out));
  // The caller's certificates, then the signer's chain (signer, issuing CA, root).
  std::vector<Bytes> certs = o.validation_data.certificates;
  for (const X509* c : {pki.signer_cert.get(), pki.issuing.get(), pki.root.get()})
    certs.push_back(must(core::x509_to_der(c)));
  EXPECT_EQ(dss.certs, certs);
  EXPECT_EQ(dss.ocsps, o.validation_data.ocsp_responses);
  EXPECT_EQ(dss.crls, o.validation_data.crls);
  // VRI key: upper-case hex SHA-1 of the CMS (openssl computes it here).
  auto scanned = scan_signatures(out);
  ASSERT_EQ(scanned.size(), 1u);
  write_file(pki.path("cms.der"), der_prefix(scanned[0].contents));
  CommandResult sha1 = run("openssl dgst -sha1 -r " + pki.path("cms.der"));
  std::string hex = sha1.output.substr(0, 40);
  std::transform(hex.begin(), hex.end(), hex.begin(), ::toupper);
  ASSERT_EQ(dss.vri.size(), 1u);
  EXPECT_EQ(dss.vri[0], "/" + hex);
  // The signature covers its revision; the DSS update comes after it.
  PdfInfo info = must(inspect(out));
  EXPECT_EQ(info.dss_certificates, 5u);
  EXPECT_EQ(info.dss_ocsps, 1u);
  EXPECT_EQ(info.dss_crls, 1u);
  EXPECT_EQ(info.dss_vri, 1u);
  ASSERT_EQ(info.signatures.size(), 1u);
  EXPECT_TRUE(info.signatures[0].covers_revision);
  EXPECT_FALSE(info.signatures[0].covers_whole_file);
  EXPECT_EQ(info.revisions, 3u);
}

TEST_F(PadesSign, DssMergesWithoutDuplicates) {
  SignOptions o = options(cades::Level::b_lt);
  Bytes out = sign_pdf(minimal_pdf(), o);
  QpdfDss first = dss_from_qpdf(qpdf_json(out));
  // The same data again, plus the countersigner's certificate: only that one is new.
  cades::ValidationData more = o.validation_data;
  Bytes counter = must(core::x509_to_der(pki.counter_cert.get()));
  more.certificates.push_back(counter);
  Bytes again = concat(out, must(add_validation_data_increment(out, more)));
  QpdfDss dss = dss_from_qpdf(qpdf_json(again));
  std::vector<Bytes> expected = first.certs;
  expected.push_back(counter);
  EXPECT_EQ(dss.certs, expected);
  EXPECT_EQ(dss.ocsps.size(), 1u);
  EXPECT_EQ(dss.crls.size(), 1u);
  EXPECT_EQ(dss.vri.size(), 1u);
  expect_pdfsig_valid(again, 1, false);
  EXPECT_EQ(qpdf_check(again).status, 0);
}

TEST_F(PadesSign, BLTADocumentTimestampVerifiesWithOpensslTs) {
  Bytes out = sign_pdf(minimal_pdf(), options(cades::Level::b_lta));
  auto report = pdfsig(out);
  ASSERT_EQ(report.signatures.size(), 2u) << report.output;
  EXPECT_EQ(report.signatures[0].verdict, PdfsigVerdict::valid) << report.output;
  EXPECT_FALSE(report.signatures[0].total_document_signed);
  EXPECT_TRUE(report.signatures[1].total_document_signed) << report.output;
  EXPECT_EQ(qpdf_check(out).status, 0);
  auto scanned = scan_signatures(out);
  ASSERT_EQ(scanned.size(), 2u);
  CommandResult ts = openssl_ts_verify_data(scanned[1]);
  EXPECT_EQ(ts.status, 0) << ts.output;
  EXPECT_EQ(openssl_cms_verify(scanned[0]).status, 0);
  PdfInfo info = must(inspect(out));
  ASSERT_EQ(info.signatures.size(), 2u);
  EXPECT_TRUE(info.signatures[1].document_timestamp);
  EXPECT_EQ(info.signatures[1].sub_filter, "ETSI.RFC3161");
  EXPECT_TRUE(info.signatures[1].covers_whole_file);
  EXPECT_EQ(info.revisions, 4u);
}

TEST_F(PadesSign, Sha384AndSha512Validate) {
  for (core::DigestAlgorithm alg : {core::DigestAlgorithm::sha384, core::DigestAlgorithm::sha512}) {
    SignOptions o = options(cades::Level::b_lta);
    o.digest = alg;
    Bytes out = sign_pdf(minimal_pdf(), o);
    auto report = pdfsig(out);
    ASSERT_EQ(report.signatures.size(), 2u) << report.output;
    EXPECT_EQ(report.signatures[0].verdict, PdfsigVerdict::valid) << report.output;
    EXPECT_EQ(report.signatures[0].hash_algorithm, alg == core::DigestAlgorithm::sha384 ? "SHA-384" : "SHA-512");
    auto scanned = scan_signatures(out);
    ASSERT_EQ(scanned.size(), 2u);
    EXPECT_EQ(openssl_cms_verify(scanned[0]).status, 0);
    CommandResult ts = openssl_ts_verify_data(scanned[1]);
    EXPECT_EQ(ts.status, 0) << ts.output;
  }
}

TEST_F(PadesSign, InspectUnsignedPdf) {
  PdfInfo info = must(inspect(minimal_pdf()));
  EXPECT_EQ(info.version, "1.4");
  EXPECT_EQ(info.revisions, 1u);
  EXPECT_FALSE(info.encrypted);
  EXPECT_TRUE(info.signatures.empty());
  EXPECT_EQ(info.dss_certificates + info.dss_ocsps + info.dss_crls + info.dss_vri, 0u);
  // The catalog's /Version wins over the header when higher (ISO 32000-1 §7.2.2).
  EXPECT_EQ(must(inspect(minimal_pdf("v", "/Version /2.0"))).version, "2.0");
}

TEST_F(PadesSign, TwoSignaturesInSequenceBothValid) {
  Bytes once = sign_pdf(minimal_pdf(), options(cades::Level::b_t));
  SignOptions second = options(cades::Level::b_b);
  second.field_name = "Countersign";
  Bytes twice = sign_pdf(once, second);
  EXPECT_TRUE(std::equal(once.begin(), once.end(), twice.begin()));
  expect_pdfsig_valid(twice, 2);
  auto report = pdfsig(twice);
  EXPECT_FALSE(report.signatures[0].total_document_signed);
  EXPECT_EQ(report.signatures[1].field_name, "Countersign");
  EXPECT_EQ(qpdf_check(twice).status, 0);
  for (const auto& s : scan_signatures(twice)) EXPECT_EQ(openssl_cms_verify(s).status, 0);
  // A third, unnamed, gets the next free default name.
  Bytes thrice = sign_pdf(twice, options());
  PdfInfo info = must(inspect(thrice));
  ASSERT_EQ(info.signatures.size(), 3u);
  EXPECT_EQ(info.signatures[0].field_name, "Signature1");
  EXPECT_EQ(info.signatures[1].field_name, "Countersign");
  EXPECT_EQ(info.signatures[2].field_name, "Signature2");
  expect_pdfsig_valid(thrice, 3);
  // The name must be new.
  SignOptions dup = options();
  dup.field_name = "Countersign";
  auto r = sign_increment(thrice, pki.signer_cert.get(), *pki.signer, dup);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::usage);
}

TEST_F(PadesSign, CertifyP2AllowsASecondSignature) {
  SignOptions o = options();
  o.certify = 2;
  Bytes certified = sign_pdf(minimal_pdf(), o);
  PdfInfo info = must(inspect(certified));
  ASSERT_EQ(info.signatures.size(), 1u);
  EXPECT_EQ(info.signatures[0].docmdp_permissions, 2);
  // qpdf sees /Perms /DocMDP pointing at the signature dictionary.
  auto j = qpdf_json(certified);
  const auto& objects = j.at("qpdf").at(1);
  std::string root = objects.at("trailer").at("value").at("/Root").get<std::string>();
  ASSERT_TRUE(objects.at("obj:" + root).at("value").contains("/Perms"));
  Bytes twice = sign_pdf(certified, options());
  expect_pdfsig_valid(twice, 2);
  // Certifying an already signed PDF is refused.
  auto r = sign_increment(certified, pki.signer_cert.get(), *pki.signer, o);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::usage);
}

TEST_F(PadesSign, CertifyP1RefusesASecondSignature) {
  SignOptions o = options();
  o.certify = 1;
  Bytes certified = sign_pdf(minimal_pdf(), o);
  expect_pdfsig_valid(certified, 1);
  auto r = sign_increment(certified, pki.signer_cert.get(), *pki.signer, options());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::conflict);
  EXPECT_NE(r.error().message.find("P=1"), std::string::npos);
  o.certify = 4;
  EXPECT_FALSE(sign_increment(minimal_pdf(), pki.signer_cert.get(), *pki.signer, o));
}

TEST_F(PadesSign, VisibleSignatureRenders) {
  SignOptions o = options();
  VisibleSignature v;
  v.page = 1;
  v.llx = 300;
  v.lly = 100;
  v.urx = 560;
  v.ury = 160;
  v.text = "Signed by Test Signer\nQualsig Test\n2026-11-25 12:00 UTC";
  o.visible = v;
  Bytes out = sign_pdf(minimal_pdf(), o);
  expect_pdfsig_valid(out, 1);
  EXPECT_EQ(qpdf_check(out).status, 0);
  std::filesystem::path p = save(out, "visible.pdf");
  CommandResult text = run("pdftotext " + p.string() + " -");
  EXPECT_NE(text.output.find("Signed by Test Signer"), std::string::npos) << text.output;
  // The rectangle is not blank in a rendering at 72 dpi (pdftoppm, grey PGM): rows 632..692 from
  // the top, columns 300..560 hold dark pixels; the same area of the unsigned page does not.
  auto dark_pixels = [&](const std::filesystem::path& file) {
    CommandResult r =
        run("pdftoppm -gray -r 72 -x 300 -y 632 -W 260 -H 60 -singlefile " + file.string() + " " + pki.path("crop"));
    Bytes pgm = read_file(pki.path("crop.pgm"));
    std::size_t dark = 0;
    // Header "P5\n260 60\n255\n".
    std::size_t header = std::string(pgm.begin(), pgm.end()).find("255\n") + 4;
    for (std::size_t i = header; i < pgm.size(); ++i) dark += pgm[i] < 128 ? 1 : 0;
    return dark;
  };
  EXPECT_GT(dark_pixels(p), 50u);
  EXPECT_EQ(dark_pixels(save(minimal_pdf(), "plain.pdf")), 0u);
}

TEST_F(PadesSign, VisibleSignatureWithJpeg) {
  // A JPEG made by ImageMagick-free means: ghostscript renders a page to JPEG.
  std::filesystem::path ps = pki.dir.path() / "img.ps";
  std::ofstream(ps) << "%!PS\n0 0 moveto 100 0 lineto 100 100 lineto fill showpage\n";
  CommandResult gs =
      run("gs -q -dNOPAUSE -dBATCH -sDEVICE=jpeg -r10 -g40x40 -sOutputFile=" + pki.path("img.jpg") + " " + ps.string());
  ASSERT_EQ(gs.status, 0) << gs.output;
  SignOptions o = options();
  VisibleSignature v{1, 50, 50, 250, 110, "With image", read_file(pki.path("img.jpg"))};
  o.visible = v;
  Bytes out = sign_pdf(minimal_pdf(), o);
  expect_pdfsig_valid(out, 1);
  EXPECT_EQ(qpdf_check(out).status, 0);
  // A broken JPEG is refused, page 2 of a one-page PDF too.
  v.jpeg = Bytes{0xFF, 0xD8, 0xFF};
  o.visible = v;
  EXPECT_EQ(sign_increment(minimal_pdf(), pki.signer_cert.get(), *pki.signer, o).error().code, ErrorCode::usage);
  v.jpeg.reset();
  v.page = 2;
  o.visible = v;
  EXPECT_EQ(sign_increment(minimal_pdf(), pki.signer_cert.get(), *pki.signer, o).error().code, ErrorCode::usage);
}

TEST_F(PadesSign, MissingEolAndTrailingGarbageAfterEof) {
  Bytes pdf = minimal_pdf();
  pdf.pop_back();  // "%%EOF" without its end-of-line
  expect_pdfsig_valid(sign_pdf(pdf, options()), 1);
  Bytes garbage = minimal_pdf();
  for (char c : std::string("\ngarbage after the end\x01\x02")) garbage.push_back(static_cast<std::uint8_t>(c));
  Bytes out = sign_pdf(garbage, options());
  expect_pdfsig_valid(out, 1);
  EXPECT_EQ(qpdf_check(out).status, 0);
}

TEST_F(PadesSign, XrefStreamFileGetsXrefStreamUpdate) {
  write_file(pki.path("in.pdf"), minimal_pdf());
  ASSERT_EQ(run("qpdf --object-streams=generate " + pki.path("in.pdf") + " " + pki.path("os.pdf")).status, 0);
  Bytes pdf = read_file(pki.path("os.pdf"));
  Bytes out = sign_pdf(pdf, options(cades::Level::b_lt));
  expect_pdfsig_valid(out, 1, false);
  CommandResult check = qpdf_check(out);
  EXPECT_EQ(check.status, 0) << check.output;
  std::string increment(out.begin() + static_cast<std::ptrdiff_t>(pdf.size()), out.end());
  EXPECT_NE(increment.find("/Type /XRef"), std::string::npos);
  EXPECT_EQ(increment.find("\nxref\n"), std::string::npos);
}

// An indirect AcroForm with an indirect /Fields array holding a text field, and an indirect
// /Annots array on the page: those objects are updated, the text field is kept.
TEST_F(PadesSign, IndirectAcroFormFieldsAndAnnotsAreUpdated) {
  qualsig::testing::PdfWriter w("1.7");
  w.object(1, "<< /Type /Catalog /Pages 2 0 R /AcroForm 6 0 R >>");
  w.object(2, "<< /Type /Pages /Kids [3 0 R] /Count 1 >>");
  w.object(3,
           "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Annots 8 0 R "
           "/Resources << /Font << /F1 5 0 R >> >> >>");
  w.stream(4, "", "BT /F1 24 Tf 72 700 Td (form) Tj ET");
  w.object(5, "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>");
  w.object(6, "<< /Fields 7 0 R /DA (/Helv 0 Tf 0 g) >>");
  w.object(7, "[9 0 R]");
  w.object(8, "[9 0 R]");
  w.object(9, "<< /Type /Annot /Subtype /Widget /FT /Tx /T (Name) /V (Alice) /Rect [72 600 300 620] /P 3 0 R >>");
  w.finish(10, "/Root 1 0 R");
  Bytes pdf = to_bytes(w.data());
  Bytes out = sign_pdf(pdf, options());
  expect_pdfsig_valid(out, 1);
  EXPECT_EQ(qpdf_check(out).status, 0);
  std::string increment = "\n" + std::string(out.begin() + static_cast<std::ptrdiff_t>(pdf.size()), out.end());
  // Objects 6 (AcroForm: /SigFlags), 7 (/Fields) and 8 (/Annots) are rewritten; the catalog and
  // the page are not.
  for (const char* obj : {"\n6 0 obj", "\n7 0 obj", "\n8 0 obj"})
    EXPECT_NE(increment.find(obj), std::string::npos) << obj;
  for (const char* obj : {"\n1 0 obj", "\n3 0 obj"}) EXPECT_EQ(increment.find(obj), std::string::npos) << obj;
  auto j = qpdf_json(out);
  const auto& objects = j.at("qpdf").at(1);
  const auto& fields = objects.at("obj:7 0 R").at("value");
  ASSERT_EQ(fields.size(), 2u);
  EXPECT_EQ(fields[0], "9 0 R");
  EXPECT_EQ(objects.at("obj:6 0 R").at("value").at("/SigFlags"), 3);
  EXPECT_EQ(objects.at("obj:8 0 R").at("value").size(), 2u);
  PdfInfo info = must(inspect(out));
  ASSERT_EQ(info.signatures.size(), 1u);
}

}  // namespace
}  // namespace qualsig::formats::pades::testing
