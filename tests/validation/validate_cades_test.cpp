// CAdES validation (EN 319 102-1) of signatures made by qualsig's formats/cades, with a PKI in a
// real SoftHSM2 token (tests/formats/cades_test_support.h). Every crypto verdict is checked against
// `openssl cms -verify`, revocation verdicts against `openssl verify -crl_check`.

#include <gtest/gtest.h>
#include <openssl/cms.h>
#include <openssl/pem.h>
#include <openssl/pkcs7.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <fstream>

#include "core/fs.h"
#include "formats/cades_test_support.h"
#include "support/run_command.h"
#include "validation/validate.h"

namespace qualsig::validation {
namespace {

using namespace std::chrono_literals;
using formats::cades::Level;
using formats::cades::testing::CadesPki;
using formats::cades::testing::issue;
using formats::cades::testing::kSigningTime;
using formats::cades::testing::must;
using formats::cades::testing::write_file;

const Bytes kDocument = to_bytes("qualsig validation test document\n");
// An OID under the IANA private enterprise arc (RFC 5280 §4.2 test of unknown critical extensions).
constexpr const char* kUnknownCriticalExtension = "1.3.6.1.4.1.99999.1";

TimePoint date(int y, unsigned m, unsigned d) { return std::chrono::sys_days{std::chrono::year{y} / m / d}; }

class ValidateCades : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { s_pki = new CadesPki(); }
  static void TearDownTestSuite() {
    delete s_pki;
    s_pki = nullptr;
  }
  CadesPki& pki() { return *s_pki; }

  Bytes der(const X509* cert) { return must(core::x509_to_der(cert)); }

  // Our root as the only trust anchor; revocation for the signer (OCSP) and the issuing CA (CRL)
  // supplied from outside unless `with_revocation` is false.
  ValidationOptions options(TimePoint at, bool with_revocation = true) {
    ValidationOptions o;
    o.trust_anchors = {der(pki().root.get())};
    o.validation_time = at;
    o.detached_content = kDocument;
    if (with_revocation) {
      auto vd = pki().validation_data();
      o.extra_certificates = vd.certificates;
      o.extra_ocsp_responses = vd.ocsp_responses;
      o.extra_crls = vd.crls;
    }
    return o;
  }

  Bytes sign(Level level, const X509* cert = nullptr) {
    return must(formats::cades::sign_detached(core::sha256(kDocument), cert != nullptr ? cert : pki().signer_cert.get(),
                                              *pki().signer, pki().options(level)));
  }

  SignatureReport only(const Bytes& cms, const ValidationOptions& o) {
    auto r = validate(cms, o);
    if (!r) throw std::runtime_error(r.error().message);
    EXPECT_EQ(r->document_format, "CAdES");
    if (r->signatures.size() != 1) throw std::runtime_error("expected one signature");
    return r->signatures[0];
  }

  // The signer's key under another certificate from the issuing CA (validity and extensions chosen
  // by the test).
  // With `online_urls`, the AIA names an OCSP responder and the CDPs a CRL over http:// and ldap://.
  // With `critical_der`, that extension (OID, DER value) is added, marked critical.
  core::UniquePtr<X509> signer_variant(TimePoint not_after, bool unknown_critical_extension = false,
                                       bool online_urls = false,
                                       const std::optional<std::pair<std::string, Bytes>>& critical_der = std::nullopt) {
    pki::CertificateRequest req;
    req.subject = {"Test Signer Variant", "Qualsig Test", "", "", "NL"};
    req.public_key = pki().signer->public_key();
    req.not_before = date(2020, 1, 1);
    req.not_after = not_after;
    req.extensions.key_usage = pki::kDigitalSignature | pki::kNonRepudiation;
    if (online_urls) {
      req.extensions.ocsp_urls = {kOcspUrl};
      req.extensions.ca_issuers_urls = {kCaIssuersUrl};
      req.extensions.crl_distribution_points = {"ldap://directory.test/cn=Test%20Issuing%20CA", kCrlUrl};
    }
    auto cert = must(pki::issue_certificate(req, pki().issuing.get(), pki().issuing_key.get()));
    // A private OID no verifier knows, marked critical (RFC 5280 §4.2: "A certificate-using
    // system MUST reject the certificate if it encounters a critical extension it does not
    // recognize").
    std::optional<std::pair<std::string, Bytes>> extra = critical_der;
    if (unknown_critical_extension) extra.emplace(kUnknownCriticalExtension, Bytes{0x05, 0x00});
    if (extra) {
      auto obj = core::wrap(OBJ_txt2obj(extra->first.c_str(), 1));
      auto value = core::wrap(ASN1_OCTET_STRING_new());
      ASN1_OCTET_STRING_set(value.get(), extra->second.data(), static_cast<int>(extra->second.size()));
      auto ext = core::wrap(X509_EXTENSION_create_by_OBJ(nullptr, obj.get(), 1, value.get()));
      X509_add_ext(cert.get(), ext.get(), -1);
      X509_sign(cert.get(), pki().issuing_key.get(), EVP_sha256());
    }
    return cert;
  }

  // An OCSP "good" response for `cert`, produced at `at` by the test responder's key under
  // `responder` (the test responder's own certificate unless given), with `oo`.
  Bytes ocsp_good(const X509* cert, TimePoint at, const X509* responder = nullptr, const pki::OcspOptions& oo = {}) {
    auto req = core::wrap(OCSP_REQUEST_new());
    OCSP_request_add0_id(req.get(), OCSP_cert_to_id(nullptr, cert, pki().issuing.get()));
    unsigned char* buf = nullptr;
    int len = i2d_OCSP_REQUEST(req.get(), &buf);
    Bytes req_der(buf, buf + len);
    OPENSSL_free(buf);
    pki::StatusLookup lookup = [](const std::string&) -> Result<std::optional<pki::CertStatus>> {
      return std::optional<pki::CertStatus>(pki::CertStatus{pki::CertState::good, {}, {}});
    };
    return pki::respond(req_der, {pki().issuing.get(), responder != nullptr ? responder : pki().ocsp_cert.get(), pki().ocsp_key.get()},
                        lookup, oo, at);
  }

  // A CRL of the issuing CA revoking the test signer at `revoked_at`, issued at `this_update`.
  Bytes crl_revoking_signer(TimePoint revoked_at, TimePoint this_update) {
    pki::RevokedCertificate entry;
    entry.serial_hex = core::serial_to_hex(X509_get0_serialNumber(pki().signer_cert.get()));
    entry.revoked_at = revoked_at;
    entry.reason = pki::RevocationReason::key_compromise;
    auto crl = must(pki::build_crl(pki().issuing.get(), pki().issuing_key.get(), 7, this_update, this_update + 24h * 30, {entry}));
    return must(pki::crl_to_der(crl.get()));
  }

  static constexpr const char* kOcspUrl = "http://responder.test/ocsp";
  static constexpr const char* kCrlUrl = "http://responder.test/issuing.crl";
  static constexpr const char* kCaIssuersUrl = "http://responder.test/issuing.crt";
  static CadesPki* s_pki;
};
CadesPki* ValidateCades::s_pki = nullptr;

TEST_F(ValidateCades, EveryBaselineLevelPassesAndOpensslAgrees) {
  const TimePoint at = kSigningTime + 24h;
  for (Level level : {Level::b_b, Level::b_t, Level::b_lt, Level::b_lta}) {
    SCOPED_TRACE(formats::cades::level_name(level));
    Bytes cms = sign(level);
    SignatureReport s = only(cms, options(at));
    EXPECT_EQ(s.indication, Indication::total_passed) << (s.reasons.empty() ? "" : s.reasons[0]);
    EXPECT_FALSE(s.sub_indication);
    EXPECT_EQ(s.level, std::string("CAdES-BASELINE-") + (formats::cades::level_name(level) + 2));
    EXPECT_EQ(s.signer_certificate, der(pki().signer_cert.get()));
    ASSERT_EQ(s.chain.size(), 3u);  // signer, issuing CA, root
    EXPECT_EQ(s.chain.back(), der(pki().root.get()));
    ASSERT_TRUE(s.claimed_signing_time);
    EXPECT_EQ(*s.claimed_signing_time, kSigningTime);
    std::size_t expected_tsts = level == Level::b_b ? 0 : level == Level::b_lta ? 2 : 1;
    ASSERT_EQ(s.timestamps.size(), expected_tsts);
    for (const TimestampReport& t : s.timestamps) {
      EXPECT_EQ(t.indication, Indication::passed) << t.type << ": " << (t.reasons.empty() ? "" : t.reasons[0]);
      EXPECT_EQ(t.gen_time, kSigningTime + 1min);
      EXPECT_NE(t.tsa.find("Test TSA"), std::string::npos);
    }
    if (level == Level::b_lta) {
      EXPECT_EQ(s.timestamps[1].type, "archive-time-stamp-v3");
    }
    EXPECT_EQ(s.best_signature_time, level == Level::b_b ? at : kSigningTime + 1min);
    auto verdict = pki().openssl_verify(cms, &kDocument);
    EXPECT_EQ(verdict.status, 0) << verdict.output;
  }
}

TEST_F(ValidateCades, SignatureTimestampAgreesWithOpensslTs) {
  Bytes cms = sign(Level::b_t);
  auto info = must(formats::cades::inspect(cms));
  ASSERT_EQ(info.signature_timestamps.size(), 1u);
  auto verdict = pki().openssl_ts_verify(info.signature_timestamps[0], core::sha256(formats::cades::testing::signature_value(cms)));
  EXPECT_EQ(verdict.status, 0) << verdict.output;
  SignatureReport s = only(cms, options(kSigningTime + 24h));
  ASSERT_EQ(s.timestamps.size(), 1u);
  EXPECT_EQ(s.timestamps[0].type, "signature-time-stamp");
  EXPECT_EQ(s.timestamps[0].indication, Indication::passed);
}

TEST_F(ValidateCades, EnvelopingLtaPassesWithoutDetachedContent) {
  auto o = pki().options(Level::b_lta);
  Bytes cms = must(formats::cades::sign_enveloping(kDocument, pki().signer_cert.get(), *pki().signer, o));
  ValidationOptions opts = options(kSigningTime + 24h, false);
  opts.detached_content.reset();
  SignatureReport s = only(cms, opts);
  EXPECT_EQ(s.indication, Indication::total_passed) << (s.reasons.empty() ? "" : s.reasons[0]);
  ASSERT_EQ(s.timestamps.size(), 2u);
  EXPECT_EQ(s.timestamps[1].indication, Indication::passed);
  // Content supplied although the signature carries it: ignored for the archive imprint.
  opts.detached_content = kDocument;
  EXPECT_EQ(only(cms, opts).timestamps[1].indication, Indication::passed);
  auto verdict = pki().openssl_verify(cms);
  EXPECT_EQ(verdict.status, 0) << verdict.output;
}

TEST_F(ValidateCades, TamperedContentIsHashFailure) {
  Bytes cms = sign(Level::b_lt);
  ValidationOptions o = options(kSigningTime + 24h);
  Bytes tampered = kDocument;
  tampered[3] ^= 0x01;
  o.detached_content = tampered;
  SignatureReport s = only(cms, o);
  EXPECT_EQ(s.indication, Indication::total_failed);
  EXPECT_EQ(s.sub_indication, SubIndication::hash_failure);
  EXPECT_NE(pki().openssl_verify(cms, &tampered).status, 0);
}

TEST_F(ValidateCades, ChangedSignatureByteIsSigCryptoFailure) {
  Bytes cms = sign(Level::b_b);
  Bytes sig = formats::cades::testing::signature_value(cms);
  auto at = std::search(cms.begin(), cms.end(), sig.begin(), sig.end());
  ASSERT_NE(at, cms.end());
  // Inside s of the ECDSA-Sig-Value (its last bytes): the DER stays well formed.
  *(at + static_cast<std::ptrdiff_t>(sig.size()) - 3) ^= 0x5A;
  SignatureReport s = only(cms, options(kSigningTime + 24h));
  EXPECT_EQ(s.indication, Indication::total_failed);
  EXPECT_EQ(s.sub_indication, SubIndication::sig_crypto_failure);
  EXPECT_NE(pki().openssl_verify(cms, &kDocument).status, 0);
}

TEST_F(ValidateCades, UnknownRootIsNoCertificateChainFound) {
  auto other_key = core::wrap(EVP_EC_gen("P-256"));
  auto other_root = issue("Other Root CA", other_key.get(), nullptr, other_key.get(), true);
  Bytes cms = sign(Level::b_t);
  ValidationOptions o = options(kSigningTime + 24h);
  o.trust_anchors = {der(other_root.get())};
  SignatureReport s = only(cms, o);
  EXPECT_EQ(s.indication, Indication::indeterminate);
  EXPECT_EQ(s.sub_indication, SubIndication::no_certificate_chain_found);
  // The time-stamp's TSA chain does not reach the other root either.
  ASSERT_EQ(s.timestamps.size(), 1u);
  EXPECT_EQ(s.timestamps[0].sub_indication, SubIndication::no_certificate_chain_found);
  std::ofstream(pki().path("other.pem")) << must(core::x509_to_pem(other_root.get()));
  write_file(pki().path("sig.p7s"), cms);
  write_file(pki().path("doc.bin"), kDocument);
  auto verdict = qualsig::testing::run("openssl cms -verify -binary -inform DER -in " + pki().path("sig.p7s") + " -content " +
                                       pki().path("doc.bin") + " -CAfile " + pki().path("other.pem") + " -purpose any -out /dev/null");
  EXPECT_NE(verdict.status, 0);
}

TEST_F(ValidateCades, MissingDetachedContentIsSignedDataNotFound) {
  ValidationOptions o = options(kSigningTime + 24h);
  o.detached_content.reset();
  SignatureReport s = only(sign(Level::b_b), o);
  EXPECT_EQ(s.indication, Indication::indeterminate);
  EXPECT_EQ(s.sub_indication, SubIndication::signed_data_not_found);
}

TEST_F(ValidateCades, NoRevocationDataIsTryLater) {
  SignatureReport s = only(sign(Level::b_b), options(kSigningTime + 24h, false));
  EXPECT_EQ(s.indication, Indication::indeterminate);
  EXPECT_EQ(s.sub_indication, SubIndication::try_later);
}

// Revoked before signing: REVOKED_NO_POE (notes/validation.md §2: TOTAL-FAILED/REVOKED needs a
// content time-stamp after the revocation, which qualsig signatures do not carry).
TEST_F(ValidateCades, SignerRevokedBeforeSigningIsRevokedNoPoe) {
  Bytes crl = crl_revoking_signer(kSigningTime - 24h, kSigningTime + 1h);
  for (Level level : {Level::b_b, Level::b_t}) {
    ValidationOptions o = options(kSigningTime + 24h, false);
    o.extra_crls = {crl, pki().validation_data().crls[0]};
    SignatureReport s = only(sign(level), o);
    EXPECT_EQ(s.indication, Indication::indeterminate) << formats::cades::level_name(level);
    EXPECT_EQ(s.sub_indication, SubIndication::revoked_no_poe) << formats::cades::level_name(level);
  }
  const unsigned char* p = crl.data();
  auto crl_x = core::wrap(d2i_X509_CRL(nullptr, &p, static_cast<long>(crl.size())));
  ASSERT_TRUE(crl_x);
  auto bio = core::wrap(BIO_new_file(pki().path("issuing-crl.pem").c_str(), "w"));
  PEM_write_bio_X509_CRL(bio.get(), crl_x.get());
  bio.reset();
  auto verdict = qualsig::testing::run("openssl verify -crl_check -CRLfile " + pki().path("issuing-crl.pem") + " -CAfile " +
                                       pki().path("root.pem") + " -untrusted " + pki().path("issuing.pem") + " " +
                                       pki().path("signer.pem"));
  EXPECT_NE(verdict.status, 0);
  EXPECT_NE(verdict.output.find("revoked"), std::string::npos) << verdict.output;
}

// EN 319 102-1 §5.5.4 step 4a (notes §3.2 worked case): revoked after the signature time-stamp.
TEST_F(ValidateCades, SignerRevokedAfterTimestampStillPasses) {
  Bytes crl = crl_revoking_signer(kSigningTime + 24h, kSigningTime + 48h);
  ValidationOptions o = options(kSigningTime + 24h * 10, false);
  o.extra_crls = {crl, pki().validation_data().crls[0]};
  Bytes bt_cms = sign(Level::b_t);
  SignatureReport bt = only(bt_cms, o);
  EXPECT_EQ(bt.indication, Indication::total_passed) << (bt.reasons.empty() ? "" : bt.reasons[0]);
  EXPECT_EQ(bt.best_signature_time, kSigningTime + 1min);
  EXPECT_EQ(pki().openssl_verify(bt_cms, &kDocument).status, 0);
  // Without a time-stamp there is no POE before the revocation.
  SignatureReport bb = only(sign(Level::b_b), o);
  EXPECT_EQ(bb.sub_indication, SubIndication::revoked_no_poe);
}

TEST_F(ValidateCades, ExpiredSignerNeedsAPoe) {
  auto cert = signer_variant(date(2027, 6, 1));
  const TimePoint at = date(2030, 1, 1);
  Bytes ocsp = ocsp_good(cert.get(), kSigningTime);
  // B-B, no revocation data: OUT_OF_BOUNDS_NO_POE.
  ValidationOptions bare = options(at, false);
  SignatureReport bb = only(sign(Level::b_b, cert.get()), bare);
  EXPECT_EQ(bb.indication, Indication::indeterminate);
  EXPECT_EQ(bb.sub_indication, SubIndication::out_of_bounds_no_poe);
  // B-T with a "good" OCSP response: §5.5.4 step 4d, the time-stamp lies within the validity.
  ValidationOptions with_ocsp = options(at);
  with_ocsp.extra_ocsp_responses = {ocsp};
  Bytes bt_cms = sign(Level::b_t, cert.get());
  SignatureReport bt = only(bt_cms, with_ocsp);
  EXPECT_EQ(bt.indication, Indication::total_passed) << (bt.reasons.empty() ? "" : bt.reasons[0]);
  EXPECT_EQ(pki().openssl_verify(bt_cms, &kDocument).status, 0);
  // B-LTA carrying its own validation data.
  auto lta_options = pki().options(Level::b_lta);
  lta_options.validation_data.ocsp_responses = {ocsp};
  Bytes lta = must(formats::cades::sign_detached(core::sha256(kDocument), cert.get(), *pki().signer, lta_options));
  SignatureReport sa = only(lta, bare);
  EXPECT_EQ(sa.indication, Indication::total_passed) << (sa.reasons.empty() ? "" : sa.reasons[0]);
  // openssl agrees the signature is intact (checked at the real time, inside the validity).
  EXPECT_EQ(pki().openssl_verify(lta, &kDocument).status, 0);
}

TEST_F(ValidateCades, UnknownCriticalExtensionFailsTheChain) {
  auto cert = signer_variant(date(2040, 1, 1), true);
  Bytes cms = sign(Level::b_b, cert.get());
  ValidationOptions o = options(kSigningTime + 24h);
  o.extra_ocsp_responses = {ocsp_good(cert.get(), kSigningTime)};
  SignatureReport s = only(cms, o);
  EXPECT_EQ(s.indication, Indication::indeterminate);
  EXPECT_EQ(s.sub_indication, SubIndication::certificate_chain_general_failure);
  auto verdict = pki().openssl_verify(cms, &kDocument);
  EXPECT_NE(verdict.status, 0);
  EXPECT_NE(verdict.output.find("critical"), std::string::npos) << verdict.output;
}

// RFC 3739 §3.2.6: qcStatements may be critical, and then every statement in it is. qualsig reads
// the EN 319 412-5 statements, so a critical qcStatements of those passes the path (DSS accepts the
// corpus's john-doe certificates, whose qcStatements is critical); one with a statement qualsig
// does not model fails it, as OpenSSL fails both.
TEST_F(ValidateCades, CriticalQcStatementsPassOnlyWhenEveryStatementIsKnown) {
  // The extension values are written by `openssl asn1parse -genconf`: QcCompliance, QcSSCD and
  // QcType esign (EN 319 412-5 §4.2), as the corpus's john-doe certificate carries them, and the
  // same with a statement under a private OID added.
  const std::string known = "[qcs]\nc=SEQUENCE:compliance\ns=SEQUENCE:sscd\nt=SEQUENCE:qctype\n";
  const std::string statements =
      "[compliance]\nid=OID:0.4.0.1862.1.1\n[sscd]\nid=OID:0.4.0.1862.1.4\n"
      "[qctype]\nid=OID:0.4.0.1862.1.6\nv=SEQUENCE:types\n[types]\nt1=OID:0.4.0.1862.1.6.1\n"
      "[private]\nid=OID:1.3.6.1.4.1.99999.2\n";
  auto der_of = [&](const std::string& name, const std::string& qcs) {
    const std::string conf = pki().path(name + ".cnf"), out = pki().path(name + ".der");
    write_file(conf, to_bytes("asn1=SEQUENCE:qcs\n" + qcs + statements));
    auto r = qualsig::testing::run("openssl asn1parse -genconf " + conf + " -out " + out + " -noout");
    EXPECT_EQ(r.status, 0) << r.output;
    return must(core::read_file_bytes(out));
  };
  const Bytes ours = der_of("known", known);
  const Bytes other = der_of("unknown", known + "p=SEQUENCE:private\n");
  for (const auto& [der, passes] : {std::pair{ours, true}, std::pair{other, false}}) {
    auto cert = signer_variant(date(2040, 1, 1), false, false, std::pair<std::string, Bytes>{"1.3.6.1.5.5.7.1.3", der});
    ASSERT_NE(X509_get_extension_flags(cert.get()) & EXFLAG_CRITICAL, 0u) << "OpenSSL does not process a critical qcStatements";
    Bytes cms = sign(Level::b_b, cert.get());
    ValidationOptions o = options(kSigningTime + 24h);
    o.extra_ocsp_responses = {ocsp_good(cert.get(), kSigningTime)};
    SignatureReport s = only(cms, o);
    if (passes) {
      EXPECT_EQ(s.indication, Indication::total_passed) << ::testing::PrintToString(s.reasons);
    } else {
      EXPECT_EQ(s.sub_indication, SubIndication::certificate_chain_general_failure) << ::testing::PrintToString(s.reasons);
    }
    EXPECT_NE(pki().openssl_verify(cms, &kDocument).status, 0) << "openssl refuses any critical qcStatements";
  }
}

// RFC 5652 §11.4: a countersignature is reported as a signature of its own, after the
// SignerInfos, and judged like one; PKI.js (tests/interop/cades_check.mjs) gives the independent
// verdict on its signature value.
TEST_F(ValidateCades, CounterSignatureIsValidatedAsASignatureOfItsOwn) {
  Bytes cms = sign(Level::b_lt);
  Bytes countered = must(formats::cades::add_counter_signature(cms, pki().counter_cert.get(), *pki().counter_signer,
                                                              pki().options(Level::b_b, core::DigestAlgorithm::sha384)));
  ValidationOptions o = options(kSigningTime + 24h);
  o.extra_ocsp_responses.push_back(pki().ocsp_good(pki().counter_cert.get()));
  auto r = validate(countered, o);
  ASSERT_TRUE(r) << r.error().message;
  ASSERT_EQ(r->signatures.size(), 2u);
  const SignatureReport& counter = r->signatures[1];
  EXPECT_EQ(r->signatures[0].id, "S-1");
  EXPECT_EQ(r->signatures[0].indication, Indication::total_passed);
  EXPECT_EQ(counter.id, "S-1-CS-1");
  EXPECT_EQ(counter.counter_signature_of, "S-1");
  EXPECT_EQ(counter.level, "CAdES-BASELINE-B");
  EXPECT_EQ(counter.indication, Indication::total_passed) << counter.reasons.front();
  EXPECT_EQ(counter.signer_certificate, der(pki().counter_cert.get()));
  EXPECT_EQ(to_json(*r)["signatures"][1]["counterSignatureOf"], "S-1");
  nlohmann::json node = pki().node_check(countered, &kDocument);
  ASSERT_EQ(node["counter_signatures"].size(), 1u);
  EXPECT_TRUE(node["counter_signatures"][0]["ok"].get<bool>()) << node.dump();

  // The countersignature's signature value broken (its last bytes are the file's last bytes):
  // the countersignature fails, PKI.js agrees, and the signature it countersigns still passes.
  Bytes broken_counter = countered;
  broken_counter[broken_counter.size() - 3] ^= 0x5A;
  r = validate(broken_counter, o);
  ASSERT_TRUE(r);
  ASSERT_EQ(r->signatures.size(), 2u);
  EXPECT_EQ(r->signatures[0].indication, Indication::total_passed);
  EXPECT_EQ(r->signatures[1].indication, Indication::total_failed);
  EXPECT_EQ(r->signatures[1].sub_indication, SubIndication::sig_crypto_failure);
  node = pki().node_check(broken_counter, &kDocument);
  EXPECT_FALSE(node["counter_signatures"][0]["ok"].get<bool>()) << node.dump();

  // The countersigned signature value changed: both fail, the countersignature because what it
  // signed (the message-digest of that value) no longer matches.
  Bytes sig = formats::cades::testing::signature_value(cms);
  Bytes broken_parent = countered;
  auto at = std::search(broken_parent.begin(), broken_parent.end(), sig.begin(), sig.end());
  ASSERT_NE(at, broken_parent.end());
  *(at + static_cast<std::ptrdiff_t>(sig.size()) - 3) ^= 0x5A;
  r = validate(broken_parent, o);
  ASSERT_TRUE(r);
  ASSERT_EQ(r->signatures.size(), 2u);
  EXPECT_EQ(r->signatures[0].sub_indication, SubIndication::sig_crypto_failure);
  EXPECT_EQ(r->signatures[1].indication, Indication::total_failed);
  EXPECT_EQ(r->signatures[1].sub_indication, SubIndication::hash_failure);
  node = pki().node_check(broken_parent, &kDocument);
  EXPECT_FALSE(node["counter_signatures"][0]["ok"].get<bool>()) << node.dump();
}

// EN 319 102-1 §5.6.2.4: the parent's archive-time-stamp-v3 is a POE of the countersignatures its
// ats-hash-index-v3 lists (EN 319 122-1 §5.5.2), so a countersignature whose certificate has
// expired since still validates; one added after the archive time-stamp gets no POE from it.
TEST_F(ValidateCades, ArchiveTimestampIsAPoeOfTheCounterSignaturesItCovers) {
  auto counter = pki().counter_cert_until(date(2027, 6, 1));
  const auto counter_options = pki().options(Level::b_b);
  Bytes once = must(formats::cades::add_counter_signature(sign(Level::b_lt), counter.get(), *pki().counter_signer,
                                                         counter_options));
  const Bytes digest = core::sha256(kDocument);
  Bytes archived = must(formats::cades::add_archive_timestamp(once, ByteView(digest), pki().tsa.fn()));
  Bytes twice = must(formats::cades::add_counter_signature(archived, counter.get(), *pki().counter_signer, counter_options));
  EXPECT_EQ(must(formats::cades::archived_counter_signatures(twice, must(formats::cades::inspect(twice)).archive_timestamps.at(0))),
            std::vector<std::size_t>{0});

  ValidationOptions o = options(date(2030, 1, 1));
  o.extra_ocsp_responses.push_back(ocsp_good(counter.get(), kSigningTime));
  auto r = validate(twice, o);
  ASSERT_TRUE(r) << r.error().message;
  ASSERT_EQ(r->signatures.size(), 3u);
  EXPECT_EQ(r->signatures[0].indication, Indication::total_passed);
  const SignatureReport& covered = r->signatures[1];
  const SignatureReport& later = r->signatures[2];
  EXPECT_EQ(covered.id, "S-1-CS-1");
  EXPECT_EQ(later.id, "S-1-CS-2");
  EXPECT_EQ(covered.indication, Indication::total_passed) << (covered.reasons.empty() ? "" : covered.reasons[0]);
  ASSERT_EQ(covered.timestamps.size(), 1u);
  EXPECT_EQ(covered.timestamps[0].type, "archive-time-stamp-v3");
  EXPECT_EQ(covered.best_signature_time, kSigningTime + 1min);
  EXPECT_EQ(later.indication, Indication::indeterminate);
  EXPECT_EQ(later.sub_indication, SubIndication::out_of_bounds_not_revoked)
      << (later.sub_indication ? sub_indication_name(*later.sub_indication) : "none");
  EXPECT_TRUE(later.timestamps.empty());
  // Both countersignature values are intact for PKI.js: the POE, not the bytes, decides.
  nlohmann::json node = pki().node_check(twice, &kDocument);
  ASSERT_EQ(node["counter_signatures"].size(), 2u) << node.dump();
  EXPECT_TRUE(node["counter_signatures"][0]["ok"].get<bool>()) << node.dump();
  EXPECT_TRUE(node["counter_signatures"][1]["ok"].get<bool>()) << node.dump();
}

// Past signature validation of time-stamps (EN 319 102-1 §5.6.2.4): by 2030 the signer's
// certificate (to mid-2027) and the signature time-stamp's TSA certificate (to mid-2028) have
// expired. An archive time-stamp made on 2028-01-01, while that TSA certificate was valid, is the
// POE of the signature time-stamp, which then dates the signature to 2026, inside the signer's
// validity; the archive time-stamp alone comes after it. One made after the TSA certificate
// expired proves nothing for it.
TEST_F(ValidateCades, ArchiveTimestampIsAPoeOfTheSignatureTimestampItCovers) {
  auto cert = signer_variant(date(2027, 6, 1));
  auto tsa1_cert = pki().tsa_cert_until(date(2028, 6, 1));
  formats::cades::testing::TestTsa tsa1(tsa1_cert.get(), pki().tsa_key.get());
  auto lt_options = pki().options(Level::b_lt);
  lt_options.timestamp = tsa1.fn();
  lt_options.validation_data.ocsp_responses = {ocsp_good(cert.get(), kSigningTime)};
  const Bytes digest = core::sha256(kDocument);
  Bytes lt = must(formats::cades::sign_detached(digest, cert.get(), *pki().signer, lt_options));
  formats::cades::testing::TestTsa in_time(pki().tsa_cert.get(), pki().tsa_key.get(), date(2028, 1, 1));
  formats::cades::testing::TestTsa too_late(pki().tsa_cert.get(), pki().tsa_key.get(), date(2028, 9, 1));
  Bytes renewed = must(formats::cades::add_archive_timestamp(lt, ByteView(digest), in_time.fn()));
  Bytes late = must(formats::cades::add_archive_timestamp(lt, ByteView(digest), too_late.fn()));
  // OpenSSL, independently: the signature and the signature time-stamp verify (at the real time).
  EXPECT_EQ(pki().openssl_verify(renewed, &kDocument).status, 0);
  const auto tokens = must(formats::cades::inspect(renewed));
  ASSERT_EQ(tokens.signature_timestamps.size(), 1u);
  EXPECT_EQ(pki().openssl_ts_verify(tokens.signature_timestamps[0], core::sha256(formats::cades::testing::signature_value(renewed))).status, 0);

  const ValidationOptions o = options(date(2030, 1, 1), false);
  SignatureReport s = only(renewed, o);
  EXPECT_EQ(s.indication, Indication::total_passed) << (s.reasons.empty() ? "" : s.reasons[0]);
  EXPECT_EQ(s.best_signature_time, kSigningTime + 1min);
  ASSERT_EQ(s.timestamps.size(), 2u);
  EXPECT_EQ(s.timestamps[0].type, "signature-time-stamp");
  EXPECT_EQ(s.timestamps[0].indication, Indication::passed);
  ASSERT_EQ(s.timestamps[0].reasons.size(), 1u);
  EXPECT_NE(s.timestamps[0].reasons[0].find("2028-01-01"), std::string::npos) << s.timestamps[0].reasons[0];
  EXPECT_EQ(s.timestamps[1].covers, std::vector<std::size_t>{0});

  SignatureReport l = only(late, o);
  EXPECT_EQ(l.indication, Indication::indeterminate);
  ASSERT_EQ(l.timestamps.size(), 2u);
  EXPECT_EQ(l.timestamps[0].indication, Indication::indeterminate);
  EXPECT_EQ(l.timestamps[1].indication, Indication::passed);
  EXPECT_EQ(l.best_signature_time, date(2028, 9, 1));
}

TEST_F(ValidateCades, MalformedOrTooManyCounterSignaturesAreReportedNotFatal) {
  Bytes countered = must(formats::cades::add_counter_signature(sign(Level::b_b), pki().signer_cert.get(), *pki().signer,
                                                              pki().options(Level::b_b)));
  // The cap on countersignatures per signature.
  auto capped = formats::cades::counter_signatures(countered, 0, 0);
  ASSERT_FALSE(capped);
  EXPECT_EQ(capped.error().code, ErrorCode::invalid_input);
  EXPECT_EQ(must(formats::cades::counter_signatures(countered, 0, 1)).size(), 1u);
  EXPECT_EQ(formats::cades::counter_signatures(countered, 1, 1).error().code, ErrorCode::invalid_input);
  // The countersignature's version INTEGER turned into an OCTET STRING: the file still parses (an
  // attribute value is ANY), the countersignature does not.
  const unsigned char* p = countered.data();
  auto parsed = core::wrap(d2i_CMS_ContentInfo(nullptr, &p, static_cast<long>(countered.size())));
  ASSERT_TRUE(parsed);
  CMS_SignerInfo* si = sk_CMS_SignerInfo_value(CMS_get0_SignerInfos(parsed.get()), 0);
  X509_ATTRIBUTE* attr = CMS_unsigned_get_attr(si, CMS_unsigned_get_attr_by_NID(si, NID_pkcs9_countersignature, -1));
  ASN1_TYPE* value = X509_ATTRIBUTE_get0_type(attr, 0);
  ASSERT_EQ(value->type, V_ASN1_SEQUENCE);
  Bytes counter_der(value->value.sequence->data, value->value.sequence->data + value->value.sequence->length);
  auto at = std::search(countered.begin(), countered.end(), counter_der.begin(), counter_der.end());
  ASSERT_NE(at, countered.end());
  std::size_t header = (counter_der[1] & 0x80) != 0 ? 2u + (counter_der[1] & 0x7f) : 2u;
  ASSERT_EQ(counter_der[header], 0x02);
  // The SignerIdentifier (after version 02 01 01) made a SET: a TLV our reader keeps as ANY, which
  // OpenSSL's CMS reader refuses (RFC 5652 §5.3: IssuerAndSerialNumber or [0]).
  Bytes bad_sid = countered;
  ASSERT_EQ(counter_der[header + 3], 0x30);
  bad_sid[static_cast<std::size_t>(at - countered.begin()) + header + 3] = 0x31;
  *(at + static_cast<std::ptrdiff_t>(header)) = 0x04;
  auto r = validate(countered, options(kSigningTime + 24h));
  ASSERT_TRUE(r) << r.error().message;
  ASSERT_EQ(r->signatures.size(), 2u);
  EXPECT_EQ(r->signatures[0].indication, Indication::total_passed);
  EXPECT_EQ(r->signatures[1].id, "S-1-CS");
  EXPECT_EQ(r->signatures[1].sub_indication, SubIndication::format_failure);
  EXPECT_NE(r->signatures[1].reasons.front().find("malformed countersignature"), std::string::npos);
  r = validate(bad_sid, options(kSigningTime + 24h));
  ASSERT_TRUE(r) << r.error().message;
  ASSERT_EQ(r->signatures.size(), 2u);
  EXPECT_EQ(r->signatures[0].indication, Indication::total_passed);
  EXPECT_EQ(r->signatures[1].id, "S-1-CS-1");
  EXPECT_EQ(r->signatures[1].sub_indication, SubIndication::format_failure);
}

TEST_F(ValidateCades, JsonReportCarriesTheVerdict) {
  auto r = validate(sign(Level::b_t), options(kSigningTime + 24h));
  ASSERT_TRUE(r);
  nlohmann::json j = to_json(*r);
  EXPECT_EQ(j["documentFormat"], "CAdES");
  ASSERT_EQ(j["signatures"].size(), 1u);
  EXPECT_EQ(j["signatures"][0]["indication"], "TOTAL-PASSED");
  EXPECT_EQ(j["signatures"][0]["level"], "CAdES-BASELINE-T");
  EXPECT_EQ(j["signatures"][0]["timestamps"][0]["indication"], "PASSED");
  EXPECT_EQ(j["signatures"][0]["bestSignatureTime"], to_rfc3339(kSigningTime + 1min));
  EXPECT_FALSE(j["signatures"][0].contains("subIndication"));
}

TEST_F(ValidateCades, HostileInputIsAClearError) {
  Bytes cms = sign(Level::b_t);
  Bytes truncated(cms.begin(), cms.begin() + static_cast<std::ptrdiff_t>(cms.size() / 2));
  Bytes trailing = cms;
  trailing.push_back(0x00);
  Bytes random(512);
  for (std::size_t i = 0; i < random.size(); ++i) random[i] = static_cast<std::uint8_t>((i * 2654435761u) >> 13);
  for (const Bytes& bad : {truncated, trailing, random, Bytes{}, Bytes{0x30, 0x80}}) {
    auto r = validate(bad, options(kSigningTime + 24h));
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, ErrorCode::invalid_input);
  }
  ValidationOptions bad_anchor = options(kSigningTime + 24h);
  bad_anchor.trust_anchors = {Bytes{0x30, 0x03, 0x02, 0x01, 0x00}};
  EXPECT_EQ(validate(cms, bad_anchor).error().code, ErrorCode::invalid_input);
  // Truncation at every 97th byte: an error or a report, never a crash.
  for (std::size_t n = 1; n < cms.size(); n += 97) {
    auto r = validate(ByteView(cms.data(), n), options(kSigningTime + 24h));
    EXPECT_FALSE(r);
  }
}

// TS 119 312 via DSS's default policy (notes/validation.md §5): RSA 1024 expired 2019-10-01. The
// signature itself is intact, as openssl confirms; only the algorithm policy rejects it.
TEST_F(ValidateCades, Rsa1024AfterSunsetIsCryptoConstraintsFailure) {
  auto rsa_key = core::wrap(EVP_RSA_gen(1024));
  ASSERT_TRUE(rsa_key);
  auto cert = issue("Test RSA 1024 Signer", rsa_key.get(), pki().issuing.get(), pki().issuing_key.get(), false);
  auto content = core::wrap(BIO_new_mem_buf(kDocument.data(), static_cast<int>(kDocument.size())));
  auto chain = core::wrap(sk_X509_new_null());
  X509_up_ref(pki().issuing.get());
  sk_X509_push(chain.get(), pki().issuing.get());
  // OpenSSL's own CMS signer (not qualsig's), CAdES signing-certificate-v2 included.
  auto cms = core::wrap(CMS_sign(cert.get(), rsa_key.get(), chain.get(), content.get(), CMS_DETACHED | CMS_BINARY | CMS_CADES));
  ASSERT_TRUE(cms);
  unsigned char* buf = nullptr;
  int len = i2d_CMS_ContentInfo(cms.get(), &buf);
  Bytes der(buf, buf + len);
  OPENSSL_free(buf);
  ValidationOptions o = options(kSigningTime + 24h);
  auto crl = must(pki::build_crl(pki().issuing.get(), pki().issuing_key.get(), 3, kSigningTime - 1h, kSigningTime + 24h * 30, {}));
  o.extra_crls.push_back(must(pki::crl_to_der(crl.get())));
  SignatureReport s = only(der, o);
  EXPECT_EQ(s.indication, Indication::indeterminate);
  EXPECT_EQ(s.sub_indication, SubIndication::cryptographic_constraints_failure_no_poe);
  ASSERT_FALSE(s.reasons.empty());
  EXPECT_NE(s.reasons[0].find("RSA 1024"), std::string::npos) << s.reasons[0];
  EXPECT_EQ(pki().openssl_verify(der, &kDocument).status, 0);
}

// A delegated OCSP responder must have signed while its certificate was valid (producedAt inside
// its validity period): a response from a responder that had expired, or was not yet valid, is
// not revocation data, so the signer has none (TRY_LATER). `openssl ocsp -attime producedAt`
// refuses the same responses and accepts the control one.
TEST_F(ValidateCades, OcspResponseSignedOutsideItsResponderValidityIsNotUsed) {
  Bytes cms = sign(Level::b_b);
  const TimePoint produced = kSigningTime + 30min;
  auto responder_cert = [&](TimePoint not_before, TimePoint not_after) {
    pki::CertificateRequest req;
    req.subject = {"Test OCSP (window)", "Qualsig Test", "", "", "NL"};
    req.public_key = pki().ocsp_key.get();
    req.not_before = not_before;
    req.not_after = not_after;
    req.extensions.key_usage = pki::kDigitalSignature;
    req.extensions.extended_key_usage = {pki::oid::kKpOcspSigning};
    req.extensions.ocsp_nocheck = true;
    return must(pki::issue_certificate(req, pki().issuing.get(), pki().issuing_key.get()));
  };
  auto response_from = [&](X509* responder) { return ocsp_good(pki().signer_cert.get(), produced, responder); };
  auto openssl_ocsp = [&](const Bytes& response) {
    write_file(pki().path("resp.der"), response);
    const auto epoch = std::chrono::duration_cast<std::chrono::seconds>(produced.time_since_epoch()).count();
    return qualsig::testing::run("openssl ocsp -respin " + pki().path("resp.der") + " -issuer " + pki().path("issuing.pem") +
                                 " -CAfile " + pki().path("root.pem") + " -attime " + std::to_string(epoch) + " -cert " +
                                 pki().path("signer.pem") + " 2>&1");
  };
  struct Case {
    const char* what;
    core::UniquePtr<X509> cert;
    bool usable;
  };
  Case cases[] = {
      {"valid when it signed", responder_cert(date(2020, 1, 1), date(2040, 1, 1)), true},
      {"expired before it signed", responder_cert(date(2020, 1, 1), kSigningTime - 24h), false},
      {"not yet valid when it signed", responder_cert(kSigningTime + 24h, date(2040, 1, 1)), false},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.what);
    const Bytes response = response_from(c.cert.get());
    ValidationOptions o = options(kSigningTime + 1h, false);
    o.extra_crls = pki().validation_data().crls;  // the issuing CA's status, from the root
    o.extra_certificates = {der(c.cert.get())};
    o.extra_ocsp_responses = {response};
    SignatureReport s = only(cms, o);
    auto verdict = openssl_ocsp(response);
    if (c.usable) {
      EXPECT_EQ(s.indication, Indication::total_passed) << (s.reasons.empty() ? "" : s.reasons[0]);
      EXPECT_NE(verdict.output.find("Response verify OK"), std::string::npos) << verdict.output;
    } else {
      EXPECT_EQ(s.indication, Indication::indeterminate);
      EXPECT_EQ(s.sub_indication, SubIndication::try_later) << (s.reasons.empty() ? "" : s.reasons[0]);
      EXPECT_EQ(verdict.output.find("Response verify OK"), std::string::npos) << verdict.output;
    }
  }
}

// RFC 5280 §5.2 and §6.3.3: a CRL is the signer's revocation data only when it is a complete,
// direct CRL whose scope includes the signer. Each variant of the issuing CA's (empty) CRL is
// also given to `openssl verify -crl_check -extended_crl`, which must agree: the usable ones
// verify, the others leave it without a CRL it can use. (Without -extended_crl OpenSSL 3.0 takes a
// delta CRL for a complete one: get_crl_score skips deltas only with extended CRL support.)
TEST_F(ValidateCades, CrlOutsideItsScopeIsNotRevocationData) {
  auto cert = signer_variant(date(2027, 6, 1), false, true);  // CDPs: ldap://directory.test/..., kCrlUrl
  write_file(pki().path("variant.pem"), to_bytes(must(core::x509_to_pem(cert.get()))));
  Bytes cms = must(formats::cades::sign_detached(core::sha256(kDocument), cert.get(), *pki().signer, pki().options(Level::b_b)));
  const TimePoint at = kSigningTime + 1h;

  auto idp_with = [](auto&& set) {
    ISSUING_DIST_POINT* idp = ISSUING_DIST_POINT_new();
    set(idp);
    return idp;
  };
  auto uri_point = [](const char* uri) {
    DIST_POINT_NAME* dpn = DIST_POINT_NAME_new();
    dpn->type = 0;
    dpn->name.fullname = GENERAL_NAMES_new();
    GENERAL_NAME* gn = GENERAL_NAME_new();
    ASN1_IA5STRING* text = ASN1_IA5STRING_new();
    ASN1_STRING_set(text, uri, -1);
    GENERAL_NAME_set0_value(gn, GEN_URI, text);
    sk_GENERAL_NAME_push(dpn->name.fullname, gn);
    return dpn;
  };
  // The issuing CA's CRL (nothing revoked), with `extend` applied before it is signed again.
  auto crl_variant = [&](const std::function<void(X509_CRL*)>& extend) {
    auto crl = must(pki::build_crl(pki().issuing.get(), pki().issuing_key.get(), 11, kSigningTime - 1h, kSigningTime + 24h * 30, {}));
    extend(crl.get());
    X509_CRL_sign(crl.get(), pki().issuing_key.get(), EVP_sha256());
    return must(pki::crl_to_der(crl.get()));
  };
  auto add_idp = [&](ISSUING_DIST_POINT* idp) {
    return [idp](X509_CRL* crl) {
      X509_CRL_add1_ext_i2d(crl, NID_issuing_distribution_point, idp, 1, X509V3_ADD_DEFAULT);
      ISSUING_DIST_POINT_free(idp);
    };
  };
  struct Case {
    const char* what;
    Bytes crl;
    bool usable;
  };
  Case cases[] = {
      {"complete CRL", crl_variant([](X509_CRL*) {}), true},
      {"only end-entity certificates", crl_variant(add_idp(idp_with([](ISSUING_DIST_POINT* i) { i->onlyuser = 0xff; }))), true},
      {"partition named by the certificate's CDP",
       crl_variant(add_idp(idp_with([&](ISSUING_DIST_POINT* i) { i->distpoint = uri_point(kCrlUrl); }))), true},
      {"delta CRL", crl_variant([](X509_CRL* crl) {
         auto base = core::wrap(ASN1_INTEGER_new());
         ASN1_INTEGER_set(base.get(), 10);
         X509_CRL_add1_ext_i2d(crl, NID_delta_crl, base.get(), 1, X509V3_ADD_DEFAULT);
       }),
       false},
      {"only CA certificates", crl_variant(add_idp(idp_with([](ISSUING_DIST_POINT* i) { i->onlyCA = 0xff; }))), false},
      {"another partition",
       crl_variant(add_idp(idp_with([&](ISSUING_DIST_POINT* i) { i->distpoint = uri_point("http://responder.test/partition-2.crl"); }))),
       false},
      {"some reasons only", crl_variant(add_idp(idp_with([](ISSUING_DIST_POINT* i) {
         i->onlysomereasons = ASN1_BIT_STRING_new();
         ASN1_BIT_STRING_set_bit(i->onlysomereasons, 1, 1);  // keyCompromise
       }))),
       false},
      {"unknown critical extension", crl_variant([](X509_CRL* crl) {
         auto obj = core::wrap(OBJ_txt2obj("1.3.6.1.4.1.99999.2", 1));
         auto value = core::wrap(ASN1_OCTET_STRING_new());
         const unsigned char null_der[] = {0x05, 0x00};
         ASN1_OCTET_STRING_set(value.get(), null_der, 2);
         auto ext = core::wrap(X509_EXTENSION_create_by_OBJ(nullptr, obj.get(), 1, value.get()));
         X509_CRL_add_ext(crl, ext.get(), -1);
       }),
       false},
  };
  const auto epoch = std::chrono::duration_cast<std::chrono::seconds>(at.time_since_epoch()).count();
  for (const Case& c : cases) {
    SCOPED_TRACE(c.what);
    ValidationOptions o = options(at, false);
    o.extra_crls = pki().validation_data().crls;  // the root's, for the issuing CA
    o.extra_crls.push_back(c.crl);
    SignatureReport s = only(cms, o);
    write_file(pki().path("scope.crl"), c.crl);
    auto verdict = qualsig::testing::run("openssl crl -inform DER -in " + pki().path("scope.crl") + " -out " + pki().path("scope.pem") +
                                         " && openssl verify -crl_check -extended_crl -attime " + std::to_string(epoch) + " -CAfile " +
                                         pki().path("root.pem") + " -untrusted " + pki().path("issuing.pem") + " -CRLfile " +
                                         pki().path("scope.pem") + " " + pki().path("variant.pem") + " 2>&1");
    if (c.usable) {
      EXPECT_EQ(s.indication, Indication::total_passed) << (s.reasons.empty() ? "" : s.reasons[0]);
      EXPECT_EQ(verdict.status, 0) << verdict.output;
    } else {
      EXPECT_EQ(s.indication, Indication::indeterminate);
      EXPECT_EQ(s.sub_indication, SubIndication::try_later) << (s.reasons.empty() ? "" : s.reasons[0]);
      EXPECT_NE(verdict.status, 0) << verdict.output;
    }
  }

  // A CRL revoking the signer, for CA certificates only: it says nothing about the signer.
  pki::RevokedCertificate entry;
  entry.serial_hex = core::serial_to_hex(X509_get0_serialNumber(cert.get()));
  entry.revoked_at = kSigningTime - 30min;
  entry.reason = pki::RevocationReason::key_compromise;
  auto revoking = must(pki::build_crl(pki().issuing.get(), pki().issuing_key.get(), 12, kSigningTime - 1h, kSigningTime + 24h * 30, {entry}));
  add_idp(idp_with([](ISSUING_DIST_POINT* i) { i->onlyCA = 0xff; }))(revoking.get());
  X509_CRL_sign(revoking.get(), pki().issuing_key.get(), EVP_sha256());
  ValidationOptions o = options(at, false);
  o.extra_crls = pki().validation_data().crls;
  o.extra_crls.push_back(must(pki::crl_to_der(revoking.get())));
  EXPECT_EQ(only(cms, o).sub_indication, SubIndication::try_later);
}

// Revocation data speaks for a certificate only from its issuance on, and a "good" answer only
// while the certificate is valid, unless the data says it keeps expired certificates (X.509
// expiredCertsOnCRL, RFC 6960 §4.4.4 archiveCutoff): a CA may drop expired certificates from its
// CRLs and a responder forget them. What each object says is read back with openssl (crl -text,
// ocsp -resp_text) so the test is about the data it means to build.
TEST_F(ValidateCades, RevocationDataSpeaksOnlyForTheCertificatesItCanKnow) {
  pki::CertificateRequest req;
  req.subject = {"Test Signer (window)", "Qualsig Test", "", "", "NL"};
  req.public_key = pki().signer->public_key();
  req.not_before = kSigningTime - 24h;
  req.not_after = date(2027, 6, 1);
  req.extensions.key_usage = pki::kDigitalSignature | pki::kNonRepudiation;
  auto cert = must(pki::issue_certificate(req, pki().issuing.get(), pki().issuing_key.get()));
  Bytes cms = must(formats::cades::sign_detached(core::sha256(kDocument), cert.get(), *pki().signer, pki().options(Level::b_b)));

  auto crl_at = [&](TimePoint this_update, bool revoking, std::optional<TimePoint> expired_certs_on_crl) {
    std::vector<pki::RevokedCertificate> entries;
    if (revoking) {
      pki::RevokedCertificate e;
      e.serial_hex = core::serial_to_hex(X509_get0_serialNumber(cert.get()));
      e.revoked_at = date(2027, 1, 1);
      e.reason = pki::RevocationReason::key_compromise;
      entries.push_back(e);
    }
    auto crl = must(pki::build_crl(pki().issuing.get(), pki().issuing_key.get(), 21, this_update, this_update + 24h * 30, entries));
    if (expired_certs_on_crl) {
      auto t = core::wrap(ASN1_GENERALIZEDTIME_set(nullptr, std::chrono::system_clock::to_time_t(*expired_certs_on_crl)));
      unsigned char* der = nullptr;
      const int len = i2d_ASN1_GENERALIZEDTIME(t.get(), &der);
      auto value = core::wrap(ASN1_OCTET_STRING_new());
      ASN1_OCTET_STRING_set(value.get(), der, len);
      OPENSSL_free(der);
      auto oid = core::wrap(OBJ_txt2obj("2.5.29.60", 1));
      auto ext = core::wrap(X509_EXTENSION_create_by_OBJ(nullptr, oid.get(), 0, value.get()));
      X509_CRL_add_ext(crl.get(), ext.get(), -1);
      X509_CRL_sign(crl.get(), pki().issuing_key.get(), EVP_sha256());
    }
    return must(pki::crl_to_der(crl.get()));
  };
  auto ocsp_at = [&](TimePoint produced, std::optional<TimePoint> archive_cutoff) {
    pki::OcspOptions oo;
    oo.archive_cutoff = archive_cutoff;
    return ocsp_good(cert.get(), produced, nullptr, oo);
  };
  auto verdict = [&](TimePoint at, std::vector<Bytes> crls, std::vector<Bytes> ocsp) {
    ValidationOptions o = options(at, false);
    o.extra_crls = pki().validation_data().crls;  // the root's, for the issuing CA
    for (Bytes& c : crls) o.extra_crls.push_back(std::move(c));
    o.extra_certificates = {der(pki().ocsp_cert.get())};
    o.extra_ocsp_responses = std::move(ocsp);
    return only(cms, o);
  };

  // Issued before the certificate existed: no answer about it. From its issuance on: good.
  const Bytes early_crl = crl_at(kSigningTime - 48h, false, std::nullopt);
  write_file(pki().path("early.crl"), early_crl);
  EXPECT_NE(qualsig::testing::run("openssl crl -inform DER -noout -lastupdate -in " + pki().path("early.crl")).output.find("Nov 23"),
            std::string::npos);
  EXPECT_EQ(verdict(kSigningTime + 1h, {early_crl}, {}).sub_indication, SubIndication::try_later);
  EXPECT_EQ(verdict(kSigningTime + 1h, {}, {ocsp_at(kSigningTime - 48h, std::nullopt)}).sub_indication, SubIndication::try_later);
  EXPECT_EQ(verdict(kSigningTime + 1h, {crl_at(kSigningTime - 1h, false, std::nullopt)}, {}).indication, Indication::total_passed);
  EXPECT_EQ(verdict(kSigningTime + 1h, {}, {ocsp_at(kSigningTime, std::nullopt)}).indication, Indication::total_passed);

  // After the certificate expired (2027-06-01): a "good" answer issued then says nothing
  // (OUT_OF_BOUNDS_NO_POE), unless the CRL keeps expired certificates or the response has an
  // archive cutoff before the expiry (OUT_OF_BOUNDS_NOT_REVOKED). A listed revocation still counts.
  const TimePoint later = date(2027, 12, 1), at = date(2028, 1, 1);
  EXPECT_EQ(verdict(at, {crl_at(later, false, std::nullopt)}, {}).sub_indication, SubIndication::out_of_bounds_no_poe);
  const Bytes keeping = crl_at(later, false, date(2020, 1, 1));
  write_file(pki().path("keeping.crl"), keeping);
  EXPECT_NE(qualsig::testing::run("openssl crl -inform DER -noout -text -in " + pki().path("keeping.crl")).output.find("2.5.29.60"),
            std::string::npos);
  EXPECT_EQ(verdict(at, {keeping}, {}).sub_indication, SubIndication::out_of_bounds_not_revoked);
  EXPECT_EQ(verdict(at, {crl_at(later, true, std::nullopt)}, {}).sub_indication, SubIndication::revoked_no_poe);
  EXPECT_EQ(verdict(at, {}, {ocsp_at(later, std::nullopt)}).sub_indication, SubIndication::out_of_bounds_no_poe);
  const Bytes archived = ocsp_at(later, date(2020, 1, 1));
  write_file(pki().path("archived.ocsp"), archived);
  EXPECT_NE(qualsig::testing::run("openssl ocsp -respin " + pki().path("archived.ocsp") + " -noverify -resp_text").output.find("Archive Cutoff"),
            std::string::npos);
  EXPECT_EQ(verdict(at, {}, {archived}).sub_indication, SubIndication::out_of_bounds_not_revoked);
  EXPECT_EQ(verdict(at, {}, {ocsp_at(later, date(2027, 7, 1))}).sub_indication, SubIndication::out_of_bounds_no_poe);
}

// RFC 5280 §4.2.1.3: a signer whose certificate's keyUsage is keyAgreement only may not sign:
// INDETERMINATE / CHAIN_CONSTRAINTS_FAILURE, which no proof of existence cures (also at B-LTA).
// `openssl cms -verify` (S/MIME signing purpose) refuses the same signer and accepts the control.
TEST_F(ValidateCades, SignerWhoseKeyUsageForbidsSigningIsChainConstraintsFailure) {
  auto with_usage = [&](unsigned key_usage) {
    pki::CertificateRequest req;
    req.subject = {"Test Signer (key usage)", "Qualsig Test", "", "", "NL"};
    req.public_key = pki().signer->public_key();
    req.not_before = date(2020, 1, 1);
    req.not_after = date(2040, 1, 1);
    req.extensions.key_usage = key_usage;
    return must(pki::issue_certificate(req, pki().issuing.get(), pki().issuing_key.get()));
  };
  const unsigned kKeyAgreement = 1u << 4;  // RFC 5280 §4.2.1.3 bit 4
  struct Case {
    const char* what;
    unsigned key_usage;
    bool allowed;
  } cases[] = {{"digitalSignature", pki::kDigitalSignature, true},
               {"nonRepudiation", pki::kNonRepudiation, true},
               {"keyAgreement only", kKeyAgreement, false}};
  for (const Case& c : cases) {
    SCOPED_TRACE(c.what);
    auto cert = with_usage(c.key_usage);
    for (Level level : {Level::b_b, Level::b_lta}) {
      SCOPED_TRACE(formats::cades::level_name(level));
      auto so = pki().options(level);
      so.validation_data.ocsp_responses = {ocsp_good(cert.get(), kSigningTime)};
      Bytes cms = must(formats::cades::sign_detached(core::sha256(kDocument), cert.get(), *pki().signer, so));
      ValidationOptions o = options(kSigningTime + 1h, false);
      o.extra_crls = pki().validation_data().crls;
      o.extra_certificates = {der(pki().ocsp_cert.get())};
      o.extra_ocsp_responses = {ocsp_good(cert.get(), kSigningTime)};
      SignatureReport s = only(cms, o);
      if (c.allowed) {
        EXPECT_EQ(s.indication, Indication::total_passed) << (s.reasons.empty() ? "" : s.reasons[0]);
      } else {
        EXPECT_EQ(s.indication, Indication::indeterminate);
        EXPECT_EQ(s.sub_indication, SubIndication::chain_constraints_failure);
        ASSERT_FALSE(s.reasons.empty());
        EXPECT_NE(s.reasons[0].find("keyUsage"), std::string::npos) << s.reasons[0];
      }
      if (level == Level::b_b) {
        write_file(pki().path("ku.p7s"), cms);
        write_file(pki().path("ku-doc.bin"), kDocument);
        auto verdict = qualsig::testing::run("openssl cms -verify -binary -inform DER -in " + pki().path("ku.p7s") + " -content " +
                                             pki().path("ku-doc.bin") + " -CAfile " + pki().path("root.pem") +
                                             " -certfile " + pki().path("issuing.pem") + " -out /dev/null 2>&1");
        EXPECT_EQ(verdict.status == 0, c.allowed) << verdict.output;
        if (!c.allowed) {
          EXPECT_NE(verdict.output.find("unsuitable certificate purpose"), std::string::npos) << verdict.output;
        }
      }
    }
  }
}

// Online validation with a fetcher standing in for the network: what is asked, how often, and
// what a failure or a good answer does to the indication.
TEST_F(ValidateCades, OnlineFetchesOnlyWhatThePathLacksAndEachUrlOnce) {
  auto cert = signer_variant(date(2027, 6, 1), false, true);
  Bytes cms = must(formats::cades::sign_detached(core::sha256(kDocument), cert.get(), *pki().signer, pki().options(Level::b_b)));
  // The issuing CA's CRL (from the root) is supplied; only the signer's status is missing.
  ValidationOptions o = options(kSigningTime + 1h, false);
  o.extra_crls = pki().validation_data().crls;
  o.extra_certificates = {der(pki().ocsp_cert.get())};

  SignatureReport offline = only(cms, o);
  EXPECT_EQ(offline.sub_indication, SubIndication::try_later);

  std::vector<core::HttpRequest> asked;
  o.fetch = [&](const core::HttpRequest& r) -> Result<Bytes> {
    asked.push_back(r);
    return fail(ErrorCode::unavailable, "cannot connect to responder.test:80: Connection refused");
  };
  auto down = validate(cms, o);
  ASSERT_TRUE(down) << down.error().message;
  EXPECT_EQ(down->signatures[0].sub_indication, SubIndication::try_later);
  ASSERT_EQ(asked.size(), 2u);  // the OCSP responder, then the http:// CRL; never the ldap:// one
  EXPECT_EQ(asked[0].url, kOcspUrl);
  EXPECT_EQ(asked[0].content_type, "application/ocsp-request");
  EXPECT_EQ(asked[1].url, kCrlUrl);
  EXPECT_TRUE(asked[1].body.empty());  // GET
  ASSERT_EQ(down->fetched.size(), 3u);
  EXPECT_NE(down->fetched[0].find("Connection refused"), std::string::npos) << down->fetched[0];
  EXPECT_NE(down->fetched[1].find("not fetched (only http:// is)"), std::string::npos) << down->fetched[1];

  // The OCSP request is for this certificate; the responder's good answer makes it pass.
  asked.clear();
  o.fetch = [&](const core::HttpRequest& r) -> Result<Bytes> {
    asked.push_back(r);
    const unsigned char* p = r.body.data();
    auto req = core::wrap(d2i_OCSP_REQUEST(nullptr, &p, static_cast<long>(r.body.size())));
    if (!req || OCSP_request_onereq_count(req.get()) != 1) return fail(ErrorCode::invalid_input, "bad request");
    ASN1_INTEGER* serial = nullptr;
    OCSP_id_get0_info(nullptr, nullptr, nullptr, &serial, OCSP_onereq_get0_id(OCSP_request_onereq_get0(req.get(), 0)));
    if (ASN1_INTEGER_cmp(serial, X509_get0_serialNumber(cert.get())) != 0) return fail(ErrorCode::not_found, "other serial");
    return ocsp_good(cert.get(), kSigningTime + 30min);
  };
  auto good = validate(cms, o);
  ASSERT_TRUE(good) << good.error().message;
  EXPECT_EQ(good->signatures[0].indication, Indication::total_passed);
  EXPECT_EQ(asked.size(), 1u);  // OCSP answered: no CRL
  ASSERT_EQ(good->fetched.size(), 1u);
  EXPECT_NE(good->fetched[0].find("response received"), std::string::npos) << good->fetched[0];

  // Answers that are not what was asked for are reported and change nothing.
  o.fetch = [&](const core::HttpRequest& r) -> Result<Bytes> {
    if (r.url == kOcspUrl) return to_bytes("garbage, not DER");
    return ocsp_good(cert.get(), kSigningTime);  // an OCSP response where a CRL belongs
  };
  auto wrong = validate(cms, o);
  ASSERT_TRUE(wrong);
  EXPECT_EQ(wrong->signatures[0].sub_indication, SubIndication::try_later);
  ASSERT_EQ(wrong->fetched.size(), 3u);
  EXPECT_NE(wrong->fetched[0].find("not a DER OCSPResponse"), std::string::npos) << wrong->fetched[0];
  EXPECT_NE(wrong->fetched[2].find("not a DER CRL"), std::string::npos) << wrong->fetched[2];

  // A fetched CRL that revokes the signer: REVOKED_NO_POE for a B-B signature.
  o.fetch = [&](const core::HttpRequest& r) -> Result<Bytes> {
    if (r.url == kOcspUrl) return fail(ErrorCode::unavailable, "down");
    pki::RevokedCertificate entry;
    entry.serial_hex = core::serial_to_hex(X509_get0_serialNumber(cert.get()));
    entry.revoked_at = kSigningTime - 1h;
    entry.reason = pki::RevocationReason::key_compromise;
    auto crl = must(pki::build_crl(pki().issuing.get(), pki().issuing_key.get(), 8, kSigningTime, kSigningTime + 24h, {entry}));
    return pki::crl_to_der(crl.get());
  };
  auto revoked = validate(cms, o);
  ASSERT_TRUE(revoked);
  EXPECT_EQ(revoked->signatures[0].sub_indication, SubIndication::revoked_no_poe);
}

// Without a validation time the run reads the clock before it fetches, so a response the
// responder produced a second later must still count (cli.online failed in CI when the second
// turned between the two). One from a responder whose clock is an hour ahead does not, and at a
// given validation time nothing produced after it does.
TEST_F(ValidateCades, OnlineAtTheCurrentTimeUsesWhatWasProducedWhileItRan) {
  auto cert = signer_variant(date(2027, 6, 1), false, true);
  Bytes cms = must(formats::cades::sign_detached(core::sha256(kDocument), cert.get(), *pki().signer, pki().options(Level::b_b)));
  ValidationOptions o = options(kSigningTime + 1h, false);
  o.extra_crls = pki().validation_data().crls;
  o.extra_certificates = {der(pki().ocsp_cert.get())};
  TimePoint produced{};
  o.fetch = [&](const core::HttpRequest& r) -> Result<Bytes> {
    if (r.url != kOcspUrl) return fail(ErrorCode::unavailable, "down");
    return ocsp_good(cert.get(), produced);
  };

  o.validation_time.reset();
  produced = now_seconds() + 2s;
  SignatureReport current = only(cms, o);
  EXPECT_EQ(current.indication, Indication::total_passed) << (current.reasons.empty() ? "" : current.reasons[0]);
  produced = now_seconds() + 1h;
  EXPECT_EQ(only(cms, o).sub_indication, SubIndication::try_later);

  o.validation_time = kSigningTime + 1h;
  produced = kSigningTime + 1h + 2s;
  EXPECT_EQ(only(cms, o).sub_indication, SubIndication::try_later);
  produced = kSigningTime + 1h;
  EXPECT_EQ(only(cms, o).indication, Indication::total_passed);
}

// A signature that carries only the signer's certificate: online, the issuing CA comes from the
// AIA caIssuers URL (as a DER certificate or a certs-only CMS); an answer that is not the issuer
// leaves NO_CERTIFICATE_CHAIN_FOUND.
TEST_F(ValidateCades, OnlineFetchesAMissingIssuerFromCaIssuers) {
  auto cert = signer_variant(date(2027, 6, 1), false, true);
  auto opts = pki().options(Level::b_b);
  opts.chain = {};
  Bytes cms = must(formats::cades::sign_detached(core::sha256(kDocument), cert.get(), *pki().signer, opts));
  ValidationOptions o = options(kSigningTime + 1h, false);
  o.extra_crls = pki().validation_data().crls;
  o.extra_certificates = {der(pki().ocsp_cert.get())};
  EXPECT_EQ(only(cms, o).sub_indication, SubIndication::no_certificate_chain_found);

  auto serve = [&](Bytes issuer_answer) {
    return [&, issuer_answer](const core::HttpRequest& r) -> Result<Bytes> {
      if (r.url == kCaIssuersUrl) return issuer_answer;
      if (r.url == kOcspUrl) return ocsp_good(cert.get(), kSigningTime + 30min);
      return fail(ErrorCode::not_found, "no such URL");
    };
  };
  o.fetch = serve(der(pki().issuing.get()));
  auto r = validate(cms, o);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->signatures[0].indication, Indication::total_passed);
  ASSERT_FALSE(r->fetched.empty());
  EXPECT_NE(r->fetched[0].find("issuer certificate received"), std::string::npos) << r->fetched[0];

  // The same certificate inside a certs-only SignedData.
  auto p7 = core::wrap(PKCS7_new());
  ASSERT_EQ(PKCS7_set_type(p7.get(), NID_pkcs7_signed), 1);
  ASSERT_EQ(PKCS7_content_new(p7.get(), NID_pkcs7_data), 1);
  ASSERT_EQ(PKCS7_add_certificate(p7.get(), pki().root.get()), 1);
  ASSERT_EQ(PKCS7_add_certificate(p7.get(), pki().issuing.get()), 1);
  unsigned char* buf = nullptr;
  int len = i2d_PKCS7(p7.get(), &buf);
  ASSERT_GT(len, 0);
  Bytes certs_only(buf, buf + len);
  OPENSSL_free(buf);
  o.fetch = serve(certs_only);
  r = validate(cms, o);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->signatures[0].indication, Indication::total_passed);

  // Not the issuer, or not a certificate at all.
  for (const Bytes& wrong : {der(pki().tsa_cert.get()), to_bytes("garbage")}) {
    o.fetch = serve(wrong);
    r = validate(cms, o);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->signatures[0].sub_indication, SubIndication::no_certificate_chain_found);
    ASSERT_FALSE(r->fetched.empty());
    EXPECT_NE(r->fetched[0].find("no new certificate that issued it"), std::string::npos) << r->fetched[0];
  }
}

TEST(ValidateInput, UnreadableInputIsRefused) {
  EXPECT_EQ(validate(to_bytes("this is not a signature"), {}).error().code, ErrorCode::invalid_input);
  EXPECT_EQ(validate(to_bytes("%PDF-1.7\n..."), {}).error().code, ErrorCode::invalid_input);  // not a readable PDF
  EXPECT_EQ(validate(to_bytes("<?xml version=\"1.0\"?><a/>"), {}).error().code, ErrorCode::invalid_input);  // no XAdES signature in it
  // A compact JWS whose header lacks x5c etc. is still parsed; a broken one is invalid_input.
  EXPECT_EQ(validate(to_bytes("eyJhbGciOi.e30.c2ln"), {}).error().code, ErrorCode::invalid_input);
  EXPECT_EQ(validate(to_bytes("{\"payload\": 1}"), {}).error().code, ErrorCode::invalid_input);
  // Online or not: input that is no signature is refused before anything is fetched.
  ValidationOptions online;
  int calls = 0;
  online.fetch = [&](const core::HttpRequest&) -> Result<Bytes> { return ++calls, fail(ErrorCode::unavailable, "x"); };
  EXPECT_EQ(validate(Bytes{0x30, 0x00}, online).error().code, ErrorCode::invalid_input);
  EXPECT_EQ(calls, 0);
}

}  // namespace
}  // namespace qualsig::validation
