// CRLs (RFC 5280 §5) checked by an independent verifier: `openssl crl -verify -text`.
#include "pki/crl.h"

#include <gtest/gtest.h>

#include "support/run_command.h"
#include <openssl/ocsp.h>

#include <algorithm>
#include <cstdio>
#include <fstream>

#include "hsm/openssl_bridge.h"
#include "hsm/signer.h"
#include "pki/certificate_builder.h"
#include "support/softhsm.h"
#include "support/temp_dir.h"

namespace qualsig::pki {
namespace {

using namespace std::chrono_literals;
using std::chrono::sys_days;
using std::chrono::February;
using std::chrono::March;
using qualsig::testing::TempDir;

// The clock is pinned: `openssl crl -verify` checks only the signature, not the dates.
const TimePoint kThisUpdate = sys_days{2026y / March / 1} + 12h;
const TimePoint kNextUpdate = kThisUpdate + std::chrono::days{7};

using qualsig::testing::CommandResult;
using qualsig::testing::run;

void write_file(const std::filesystem::path& path, ByteView data) {
  std::ofstream(path, std::ios::binary).write(reinterpret_cast<const char*>(data.data()),
                                              static_cast<std::streamsize>(data.size()));
}

core::UniquePtr<EVP_PKEY> ec_key(const char* curve) { return core::wrap(EVP_EC_gen(curve)); }

CertificateRequest ca_request(const EVP_PKEY* pub, const std::string& cn) {
  CertificateRequest req;
  req.subject = {cn, "Qualsig Test", "", "", "NL"};
  req.public_key = pub;
  req.not_before = sys_days{2020y / 1 / 1};
  req.not_after = sys_days{2040y / 1 / 1};
  req.extensions.basic_constraints = Extensions::BasicConstraints{true, 0};
  req.extensions.key_usage = kKeyCertSign | kCrlSign;
  return req;
}

struct Ca {
  core::UniquePtr<EVP_PKEY> key = ec_key("P-384");
  core::UniquePtr<X509> cert;
  Ca() {
    auto c = issue_certificate(ca_request(key.get(), "Test CA"), nullptr, key.get());
    if (!c) throw std::runtime_error(c.error().message);
    cert = std::move(*c);
  }
};

std::string pem_of(const X509_CRL* crl) {
  auto pem = crl_to_pem(crl);
  return pem ? *pem : std::string();
}

// `openssl crl -verify` against the CA certificate, with the text dump.
CommandResult openssl_crl(const TempDir& dir, const X509* ca, const std::string& crl_file, const std::string& inform = "PEM") {
  std::ofstream(dir.path() / "ca.pem") << *core::x509_to_pem(ca);
  return run("openssl crl -inform " + inform + " -in " + (dir.path() / crl_file).string() + " -CAfile " +
             (dir.path() / "ca.pem").string() + " -verify -noout -text");
}

TEST(Crl, OpensslVerifiesEntriesReasonsAndExtensions) {
  Ca ca;
  TempDir dir;
  const std::vector<RevokedCertificate> revoked{
      {"5A0C2F1E3D4B5A69788796A5B4C3D2E1", kThisUpdate - 48h, RevocationReason::key_compromise,
       sys_days{2026y / February / 20} + 8h},
      {"41", kThisUpdate - 24h, RevocationReason::certificate_hold, std::nullopt},
      {"6b00ff", kThisUpdate - 1h, RevocationReason::unspecified, std::nullopt},  // lower case accepted
  };
  auto crl = build_crl(ca.cert.get(), ca.key.get(), 42, kThisUpdate, kNextUpdate, revoked);
  ASSERT_TRUE(crl) << crl.error().message << " " << crl.error().detail;
  std::ofstream(dir.path() / "x.pem") << pem_of(crl->get());

  CommandResult r = openssl_crl(dir, ca.cert.get(), "x.pem");
  ASSERT_EQ(r.status, 0) << r.output;
  const std::string& t = r.output;
  EXPECT_NE(t.find("verify OK"), std::string::npos) << t;
  EXPECT_NE(t.find("Version 2 (0x1)"), std::string::npos) << t;
  EXPECT_NE(t.find("Signature Algorithm: ecdsa-with-SHA384"), std::string::npos) << t;
  EXPECT_NE(t.find("Last Update: Mar  1 12:00:00 2026 GMT"), std::string::npos) << t;
  EXPECT_NE(t.find("Next Update: Mar  8 12:00:00 2026 GMT"), std::string::npos) << t;
  EXPECT_NE(t.find("X509v3 CRL Number: \n                42"), std::string::npos) << t;
  // AKI = the CA's SKI.
  const ASN1_OCTET_STRING* ski = X509_get0_subject_key_id(ca.cert.get());
  ASSERT_NE(ski, nullptr);
  std::string ski_hex;
  for (int i = 0; i < ASN1_STRING_length(ski); ++i) {
    char b[4];
    std::snprintf(b, sizeof(b), i == 0 ? "%02X" : ":%02X", ASN1_STRING_get0_data(ski)[i]);
    ski_hex += b;
  }
  EXPECT_NE(t.find("X509v3 Authority Key Identifier: \n                " + ski_hex), std::string::npos) << t;

  // Entries are sorted by serial; each with its reason and invalidity date.
  auto key_compromise = t.find("Serial Number: 5A0C2F1E3D4B5A69788796A5B4C3D2E1");
  auto hold = t.find("Serial Number: 41");
  auto unspecified = t.find("Serial Number: 6B00FF");
  ASSERT_NE(key_compromise, std::string::npos) << t;
  ASSERT_NE(hold, std::string::npos) << t;
  ASSERT_NE(unspecified, std::string::npos) << t;
  // ASN1_INTEGER order: 0x41 < 0x6B00FF < the 16-octet serial.
  EXPECT_LT(hold, unspecified);
  EXPECT_LT(unspecified, key_compromise);
  std::string h = t.substr(hold, unspecified - hold);
  EXPECT_NE(h.find("Revocation Date: Feb 28 12:00:00 2026 GMT"), std::string::npos) << h;
  EXPECT_NE(h.find("X509v3 CRL Reason Code: \n                Certificate Hold"), std::string::npos) << h;
  EXPECT_EQ(h.find("Invalidity Date"), std::string::npos) << h;
  // RFC 5280 §5.3.1: no reasonCode for unspecified.
  std::string u = t.substr(unspecified, key_compromise - unspecified);
  EXPECT_NE(u.find("Revocation Date: Mar  1 11:00:00 2026 GMT"), std::string::npos) << u;
  EXPECT_EQ(u.find("CRL Reason Code"), std::string::npos) << u;
  EXPECT_EQ(u.find("CRL entry extensions"), std::string::npos) << u;
  std::string kc = t.substr(key_compromise, t.find("Signature Algorithm", key_compromise) - key_compromise);
  EXPECT_NE(kc.find("Revocation Date: Feb 27 12:00:00 2026 GMT"), std::string::npos) << kc;
  EXPECT_NE(kc.find("X509v3 CRL Reason Code: \n                Key Compromise"), std::string::npos) << kc;
  EXPECT_NE(kc.find("Invalidity Date: \n                Feb 20 08:00:00 2026 GMT"), std::string::npos) << kc;
}

TEST(Crl, EmptyCrlVerifies) {
  Ca ca;
  TempDir dir;
  auto crl = build_crl(ca.cert.get(), ca.key.get(), 1, kThisUpdate, kNextUpdate, {});
  ASSERT_TRUE(crl) << crl.error().message;
  std::ofstream(dir.path() / "x.pem") << pem_of(crl->get());
  CommandResult r = openssl_crl(dir, ca.cert.get(), "x.pem");
  ASSERT_EQ(r.status, 0) << r.output;
  EXPECT_NE(r.output.find("verify OK"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("No Revoked Certificates."), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("X509v3 CRL Number: \n                1\n"), std::string::npos) << r.output;
  // The full 64-bit range of CRL numbers is encoded (RFC 5280 §5.2.3: up to 20 octets).
  auto big = build_crl(ca.cert.get(), ca.key.get(), UINT64_MAX, kThisUpdate, kNextUpdate, {});
  ASSERT_TRUE(big);
  std::ofstream(dir.path() / "big.pem") << pem_of(big->get());
  r = openssl_crl(dir, ca.cert.get(), "big.pem");
  EXPECT_NE(r.output.find("X509v3 CRL Number: \n                18446744073709551615"), std::string::npos) << r.output;
}

// X.509 §9.6.2.6 expiredCertsOnCRL: non-critical, a GeneralizedTime, read back with openssl asn1parse.
TEST(Crl, ExpiredCertsOnCrlIsAGeneralizedTimeOpensslReads) {
  Ca ca;
  TempDir dir;
  auto crl = build_crl(ca.cert.get(), ca.key.get(), 2, kThisUpdate, kNextUpdate, {}, sys_days{2020y / 1 / 1});
  ASSERT_TRUE(crl) << crl.error().message;
  std::ofstream(dir.path() / "e.pem") << pem_of(crl->get());
  CommandResult r = openssl_crl(dir, ca.cert.get(), "e.pem");
  EXPECT_NE(r.output.find("verify OK"), std::string::npos) << r.output;
  CommandResult parsed = run("openssl asn1parse -in " + (dir.path() / "e.pem").string() + " -strparse $(openssl asn1parse -in " +
                             (dir.path() / "e.pem").string() + " | grep -A1 ':2.5.29.60' | tail -1 | cut -d: -f1) 2>&1");
  EXPECT_NE(parsed.output.find("GENERALIZEDTIME   :20200101000000Z"), std::string::npos) << parsed.output;
  CommandResult text = run("openssl asn1parse -in " + (dir.path() / "e.pem").string());
  const auto at = text.output.find(":2.5.29.60");
  ASSERT_NE(at, std::string::npos) << text.output;
  EXPECT_EQ(text.output.substr(at, 200).find("BOOLEAN"), std::string::npos) << "non-critical: no critical flag";
  // The reader validation/ uses gives the same time back, and nothing for a CRL without it.
  EXPECT_EQ(expired_certs_on_crl(crl->get()), TimePoint(sys_days{2020y / 1 / 1}));
  auto plain = build_crl(ca.cert.get(), ca.key.get(), 3, kThisUpdate, kNextUpdate, {});
  ASSERT_TRUE(plain);
  EXPECT_FALSE(expired_certs_on_crl(plain->get()));
}

TEST(Crl, TamperedDerFailsOpensslVerification) {
  Ca ca;
  TempDir dir;
  auto crl = build_crl(ca.cert.get(), ca.key.get(), 7, kThisUpdate, kNextUpdate,
                       {{"7EADBEEF01", kThisUpdate - 1h, RevocationReason::superseded, std::nullopt}});
  ASSERT_TRUE(crl);
  Bytes der = *crl_to_der(crl->get());
  write_file(dir.path() / "good.der", der);
  CommandResult good = openssl_crl(dir, ca.cert.get(), "good.der", "DER");
  ASSERT_EQ(good.status, 0) << good.output;
  ASSERT_NE(good.output.find("verify OK"), std::string::npos) << good.output;

  auto offset_of = [&](const Bytes& needle) {
    return static_cast<std::size_t>(std::search(der.begin(), der.end(), needle.begin(), needle.end()) - der.begin());
  };
  const std::size_t serial_at = offset_of(Bytes{0x7E, 0xAD, 0xBE, 0xEF, 0x01});
  const std::size_t issuer_at = offset_of(to_bytes("Test CA"));
  struct Mutation {
    const char* name;
    std::size_t offset;
  };
  for (const Mutation& m : {Mutation{"entry-serial-last-byte-flipped", serial_at + 4},
                            Mutation{"tbs-issuer-name-byte-flipped", issuer_at},
                            Mutation{"signature-last-byte-flipped", der.size() - 1}}) {
    ASSERT_LT(m.offset, der.size()) << m.name;
    Bytes bad = der;
    bad[m.offset] ^= 0x01;
    write_file(dir.path() / "bad.der", bad);
    CommandResult r = openssl_crl(dir, ca.cert.get(), "bad.der", "DER");
    // openssl 3.0 `crl -verify` prints "verify failure" but may still exit 0.
    EXPECT_TRUE(r.status != 0 || r.output.find("verify failure") != std::string::npos) << m.name << "\n" << r.output;
    EXPECT_EQ(r.output.find("verify OK"), std::string::npos) << m.name << "\n" << r.output;
  }
}

TEST(Crl, RefusesWhatItMustNotSign) {
  Ca ca;
  auto other = ec_key("P-384");
  auto leaf_key = ec_key("P-256");
  CertificateRequest leaf_req = ca_request(leaf_key.get(), "Leaf");
  leaf_req.extensions.basic_constraints.reset();
  leaf_req.extensions.key_usage = kDigitalSignature;
  auto leaf = issue_certificate(leaf_req, ca.cert.get(), ca.key.get());
  ASSERT_TRUE(leaf);
  auto entry = [](std::string serial, RevocationReason reason = RevocationReason::superseded) {
    return RevokedCertificate{std::move(serial), kThisUpdate - 1h, reason, std::nullopt};
  };
  struct Case {
    const char* name;
    const X509* issuer;
    EVP_PKEY* key;
    TimePoint next;
    std::vector<RevokedCertificate> entries;
    ErrorCode expected;
  };
  const Case cases[] = {
      {"serial-not-hex", ca.cert.get(), ca.key.get(), kNextUpdate, {entry("12XZ")}, ErrorCode::invalid_input},
      {"serial-negative", ca.cert.get(), ca.key.get(), kNextUpdate, {entry("-12")}, ErrorCode::invalid_input},
      {"serial-empty", ca.cert.get(), ca.key.get(), kNextUpdate, {entry("")}, ErrorCode::invalid_input},
      {"serial-zero", ca.cert.get(), ca.key.get(), kNextUpdate, {entry("00")}, ErrorCode::invalid_input},
      {"serial-21-octets", ca.cert.get(), ca.key.get(), kNextUpdate, {entry(std::string(42, 'A'))}, ErrorCode::invalid_input},
      {"serial-twice", ca.cert.get(), ca.key.get(), kNextUpdate, {entry("0A1B"), entry("a1b")}, ErrorCode::invalid_input},
      {"remove-from-crl", ca.cert.get(), ca.key.get(), kNextUpdate, {entry("01", RevocationReason::remove_from_crl)},
       ErrorCode::invalid_input},
      {"reason-7", ca.cert.get(), ca.key.get(), kNextUpdate, {entry("01", static_cast<RevocationReason>(7))},
       ErrorCode::invalid_input},
      {"next-update-equals-this-update", ca.cert.get(), ca.key.get(), kThisUpdate, {}, ErrorCode::invalid_input},
      {"issuer-without-crl-sign", leaf->get(), leaf_key.get(), kNextUpdate, {}, ErrorCode::invalid_input},
      {"key-of-another-issuer", ca.cert.get(), other.get(), kNextUpdate, {}, ErrorCode::usage},
  };
  for (const Case& c : cases) {
    auto crl = build_crl(c.issuer, c.key, 1, kThisUpdate, c.next, c.entries);
    ASSERT_FALSE(crl) << c.name;
    EXPECT_EQ(crl.error().code, c.expected) << c.name << ": " << crl.error().message;
  }
  // The maximal serial (20 octets) is fine.
  EXPECT_TRUE(build_crl(ca.cert.get(), ca.key.get(), 1, kThisUpdate, kNextUpdate, {entry(std::string(40, '7'))}));
}

TEST(Crl, ReasonNamesAreOpensslsAndRoundTrip) {
  using R = RevocationReason;
  for (R r : {R::unspecified, R::key_compromise, R::ca_compromise, R::affiliation_changed, R::superseded,
              R::cessation_of_operation, R::certificate_hold, R::remove_from_crl, R::privilege_withdrawn,
              R::aa_compromise}) {
    // OpenSSL's own table of RFC 5280 names is the reference (3.0's table stops at removeFromCRL).
    if (r <= R::remove_from_crl) {
      EXPECT_STREQ(reason_name(r), OCSP_crl_reason_str(static_cast<long>(r)));
    }
    auto back = parse_reason_name(reason_name(r));
    ASSERT_TRUE(back) << reason_name(r);
    EXPECT_EQ(*back, r);
  }
  EXPECT_STREQ(reason_name(R::privilege_withdrawn), "privilegeWithdrawn");  // RFC 5280 §5.3.1 ASN.1
  EXPECT_STREQ(reason_name(R::aa_compromise), "aACompromise");
  EXPECT_STREQ(reason_name(static_cast<R>(7)), "?");
  for (const char* bad : {"", "keycompromise", "Key Compromise", "key_compromise", "?", "keyCompromise "}) {
    auto r = parse_reason_name(bad);
    ASSERT_FALSE(r) << bad;
    EXPECT_EQ(r.error().code, ErrorCode::invalid_input);
  }
}

// The CA key lives in a SoftHSM2 token: X509_CRL_sign goes through the PKCS#11 bridge.
TEST(Crl, SignedInSoftHsmTokenVerifies) {
  qualsig::testing::SoftHsm hsm;
  auto kp = hsm.token()->generate_key(hsm::KeyType::ec_p384, "crl-ca", Bytes{7});
  ASSERT_TRUE(kp) << kp.error().message;
  auto signer = hsm::Pkcs11Signer::create(hsm.token(), *kp);
  ASSERT_TRUE(signer);
  auto pkey = hsm::make_signing_pkey(*signer);
  ASSERT_TRUE(pkey);
  auto ca = issue_certificate(ca_request((*signer)->public_key(), "Token CA"), nullptr, pkey->get());
  ASSERT_TRUE(ca) << ca.error().message;
  auto crl = build_crl(ca->get(), pkey->get(), 3, kThisUpdate, kNextUpdate,
                       {{"0102030405", kThisUpdate - 2h, RevocationReason::ca_compromise, kThisUpdate - 30h}});
  ASSERT_TRUE(crl) << crl.error().message << " " << crl.error().detail;
  TempDir dir;
  std::ofstream(dir.path() / "x.pem") << pem_of(crl->get());
  CommandResult r = openssl_crl(dir, ca->get(), "x.pem");
  ASSERT_EQ(r.status, 0) << r.output;
  EXPECT_NE(r.output.find("verify OK"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("CA Compromise"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("ecdsa-with-SHA384"), std::string::npos) << r.output;
}

}  // namespace
}  // namespace qualsig::pki
