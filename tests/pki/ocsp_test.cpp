// The OCSP responder (RFC 6960) and its cache, checked by an independent verifier: requests are
// made by `openssl ocsp -reqout` and responses verified by `openssl ocsp -respin`.
#include "pki/ocsp_responder.h"

#include <gtest/gtest.h>

#include "support/run_command.h"

#include <atomic>
#include <cctype>
#include <cstdio>
#include <fstream>
#include <map>
#include <mutex>
#include <random>
#include <thread>

#include "core/fs.h"
#include "hsm/openssl_bridge.h"
#include "hsm/signer.h"
#include "pki/certificate_builder.h"
#include "pki/ocsp_cache.h"
#include "pki/oids.h"
#include "support/softhsm.h"
#include "support/temp_dir.h"

namespace qualsig::pki {
namespace {

using namespace std::chrono_literals;
using std::chrono::sys_days;
using qualsig::testing::TempDir;

const TimePoint kRevokedAt = sys_days{std::chrono::February / 27 / 2026} + 12h;

using qualsig::testing::CommandResult;
using qualsig::testing::run;

bool contains(const std::string& haystack, const std::string& needle) { return haystack.find(needle) != std::string::npos; }

core::UniquePtr<EVP_PKEY> ec_key(const char* curve) { return core::wrap(EVP_EC_gen(curve)); }

core::UniquePtr<X509> issue(const std::string& cn, const EVP_PKEY* pub, const X509* issuer, EVP_PKEY* issuer_key,
                            bool ca = false, bool responder = false) {
  CertificateRequest req;
  req.subject = {cn, "Qualsig Test", "", "", "NL"};
  req.public_key = pub;
  // Wide validity: `openssl ocsp` checks the chain at the real time.
  req.not_before = sys_days{std::chrono::January / 1 / 2020};
  req.not_after = sys_days{std::chrono::January / 1 / 2040};
  if (ca) {
    req.extensions.basic_constraints = Extensions::BasicConstraints{true, 0};
    req.extensions.key_usage = kKeyCertSign | kCrlSign;
  } else {
    req.extensions.key_usage = kDigitalSignature;
  }
  if (responder) {
    req.extensions.extended_key_usage = {oid::kKpOcspSigning};
    req.extensions.ocsp_nocheck = true;
  }
  auto cert = issue_certificate(req, issuer, issuer_key);
  if (!cert) throw std::runtime_error(cert.error().message);
  return std::move(*cert);
}

std::string serial_of(const X509* cert) { return core::serial_to_hex(X509_get0_serialNumber(cert)); }

// A status table behind a StatusLookup that counts its calls.
class Statuses {
 public:
  void set(const X509* cert, CertStatus status) {
    std::lock_guard lock(m_mutex);
    m_table[serial_of(cert)] = status;
  }
  void fail_lookups(bool fail) { m_fail = fail; }
  int calls() const { return m_calls; }
  StatusLookup lookup() {
    return [this](const std::string& serial) -> Result<std::optional<CertStatus>> {
      ++m_calls;
      if (m_fail) return fail(ErrorCode::database, "database is down");
      std::lock_guard lock(m_mutex);
      auto it = m_table.find(serial);
      if (it == m_table.end()) return std::optional<CertStatus>();
      return std::optional<CertStatus>(it->second);
    };
  }

 private:
  std::mutex m_mutex;
  std::map<std::string, CertStatus> m_table;
  std::atomic<int> m_calls{0};
  std::atomic<bool> m_fail{false};
};

// A Signer over an in-memory key that counts signatures; made into an EVP_PKEY by the same
// bridge the token keys use.
class CountingSigner final : public hsm::Signer {
 public:
  CountingSigner() : m_key(ec_key("P-256")) {}
  hsm::KeyType key_type() const override { return hsm::KeyType::ec_p256; }
  const EVP_PKEY* public_key() const override { return m_key.get(); }
  Result<Bytes> sign_digest(ByteView digest, core::DigestAlgorithm, hsm::SignatureScheme) const override {
    ++m_count;
    auto ctx = core::wrap(EVP_PKEY_CTX_new(m_key.get(), nullptr));
    std::size_t len = 0;
    if (!ctx || EVP_PKEY_sign_init(ctx.get()) != 1 ||
        EVP_PKEY_sign(ctx.get(), nullptr, &len, digest.data(), digest.size()) != 1)
      return fail(ErrorCode::crypto, "sign");
    Bytes sig(len);
    if (EVP_PKEY_sign(ctx.get(), sig.data(), &len, digest.data(), digest.size()) != 1)
      return fail(ErrorCode::crypto, "sign");
    sig.resize(len);
    return sig;
  }
  int count() const { return m_count; }

 private:
  core::UniquePtr<EVP_PKEY> m_key;
  mutable std::atomic<int> m_count{0};
};

// CA (P-384), delegated responder, four leaves, and a foreign CA with the same name but another
// key; every certificate also as PEM in a temporary directory.
struct Pki {
  TempDir dir;
  core::UniquePtr<EVP_PKEY> ca_key = ec_key("P-384");
  core::UniquePtr<X509> ca = issue("Test CA", ca_key.get(), nullptr, ca_key.get(), true);
  std::shared_ptr<CountingSigner> signer = std::make_shared<CountingSigner>();
  core::UniquePtr<EVP_PKEY> responder_key = std::move(*hsm::make_signing_pkey(signer));
  core::UniquePtr<X509> responder = issue("Test OCSP", signer->public_key(), ca.get(), ca_key.get(), false, true);
  core::UniquePtr<EVP_PKEY> leaf_key = ec_key("P-256");
  std::vector<core::UniquePtr<X509>> leaves;
  core::UniquePtr<EVP_PKEY> foreign_key = ec_key("P-384");
  core::UniquePtr<X509> foreign_ca = issue("Test CA", foreign_key.get(), nullptr, foreign_key.get(), true);
  core::UniquePtr<X509> foreign_leaf = issue("Foreign leaf", leaf_key.get(), foreign_ca.get(), foreign_key.get());
  Statuses statuses;
  OcspOptions options;

  Pki() {
    for (int i = 1; i <= 4; ++i) leaves.push_back(issue("leaf" + std::to_string(i), leaf_key.get(), ca.get(), ca_key.get()));
    write("ca.pem", ca.get());
    write("responder.pem", responder.get());
    write("foreign_ca.pem", foreign_ca.get());
    write("foreign_leaf.pem", foreign_leaf.get());
    for (int i = 0; i < 4; ++i) write("leaf" + std::to_string(i + 1) + ".pem", leaves[static_cast<std::size_t>(i)].get());
  }
  void write(const std::string& name, const X509* cert) { std::ofstream(path(name)) << *core::x509_to_pem(cert); }
  std::string path(const std::string& name) const { return (dir.path() / name).string(); }
  OcspResponderIdentity identity() const { return {ca.get(), responder.get(), responder_key.get()}; }

  // `openssl ocsp <args> -reqout req.der`; args name the files in the temp dir.
  Bytes request(const std::string& args) {
    CommandResult r = run("cd " + dir.path().string() + " && openssl ocsp " + args + " -reqout req.der");
    EXPECT_EQ(r.status, 0) << r.output;
    auto bytes = core::read_file(dir.path() / "req.der");
    return bytes ? to_bytes(*bytes) : Bytes{};
  }
  // `openssl ocsp -respin resp.der -CAfile ca.pem <args> -resp_text`.
  CommandResult verify(const Bytes& response, const std::string& args) {
    std::ofstream(dir.path() / "resp.der", std::ios::binary)
        .write(reinterpret_cast<const char*>(response.data()), static_cast<std::streamsize>(response.size()));
    return run("cd " + dir.path().string() + " && openssl ocsp -respin resp.der -CAfile ca.pem " + args + " -resp_text");
  }
  Bytes respond(ByteView request_der, TimePoint now) {
    return pki::respond(request_der, identity(), statuses.lookup(), options, now);
  }
};

// OCSPResponse.responseStatus, or -1 if the bytes are not exactly one DER OCSPResponse.
int response_status(const Bytes& der) {
  const unsigned char* p = der.data();
  auto resp = core::wrap(d2i_OCSP_RESPONSE(nullptr, &p, static_cast<long>(der.size())));
  if (!resp || p != der.data() + der.size()) return -1;
  return OCSP_response_status(resp.get());
}

core::UniquePtr<OCSP_BASICRESP> basic_of(const Bytes& der) {
  const unsigned char* p = der.data();
  auto resp = core::wrap(d2i_OCSP_RESPONSE(nullptr, &p, static_cast<long>(der.size())));
  return resp ? core::wrap(OCSP_response_get1_basic(resp.get())) : nullptr;
}

Bytes request_to_der(OCSP_REQUEST* req) {
  unsigned char* buf = nullptr;
  int len = i2d_OCSP_REQUEST(req, &buf);
  Bytes out(buf, buf + std::max(len, 0));
  OPENSSL_free(buf);
  return out;
}

TEST(OcspResponder, GoodRevokedUnknownVerifiedByOpenssl) {
  Pki pki;
  pki.statuses.set(pki.leaves[0].get(), {CertState::good, {}, {}});
  pki.statuses.set(pki.leaves[1].get(), {CertState::revoked, kRevokedAt, RevocationReason::key_compromise});
  pki.statuses.set(pki.leaves[2].get(), {CertState::revoked, kRevokedAt + 1h, RevocationReason::unspecified});
  // leaf4 was never issued as far as the lookup knows.
  const std::string certs = "-issuer ca.pem -cert leaf1.pem -cert leaf2.pem -cert leaf3.pem -cert leaf4.pem -no_nonce";
  Bytes req = pki.request(certs);
  const TimePoint now = now_seconds();
  Bytes resp = pki.respond(req, now);
  ASSERT_EQ(response_status(resp), OCSP_RESPONSE_STATUS_SUCCESSFUL);

  CommandResult r = pki.verify(resp, certs);
  ASSERT_EQ(r.status, 0) << r.output;
  const std::string& t = r.output;
  EXPECT_TRUE(contains(t, "Response verify OK")) << t;
  EXPECT_TRUE(contains(t, "leaf1.pem: good")) << t;
  EXPECT_TRUE(contains(t, "leaf2.pem: revoked\n")) << t;
  EXPECT_TRUE(contains(t, "\tReason: keyCompromise\n\tRevocation Time: Feb 27 12:00:00 2026 GMT")) << t;
  // RFC 6960 allows omitting revocationReason; we omit it for unspecified.
  auto leaf3 = t.find("leaf3.pem: revoked\n");
  ASSERT_NE(leaf3, std::string::npos) << t;
  std::string leaf3_block = t.substr(leaf3, t.find("leaf4.pem") - leaf3);
  EXPECT_FALSE(contains(leaf3_block, "Reason")) << leaf3_block;
  EXPECT_TRUE(contains(leaf3_block, "Revocation Time: Feb 27 13:00:00 2026 GMT")) << leaf3_block;
  EXPECT_TRUE(contains(t, "leaf4.pem: unknown")) << t;
  EXPECT_TRUE(contains(t, "Revocation Reason: keyCompromise (0x1)")) << t;
  // responderID byKey = SHA-1 of the responder's public key (RFC 6960 §4.2.1).
  unsigned char key_hash[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  ASSERT_EQ(X509_pubkey_digest(pki.responder.get(), EVP_sha1(), key_hash, &len), 1);
  std::string key_hash_hex = hex_encode(ByteView(key_hash, len));
  for (char& c : key_hash_hex) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  EXPECT_TRUE(contains(t, "Responder Id: " + key_hash_hex + "\n")) << t;
  // The responder certificate is in `certs`; no nonce was asked for, none is sent.
  EXPECT_TRUE(contains(t, "Subject: C=NL, O=Qualsig Test, CN=Test OCSP")) << t;
  EXPECT_FALSE(contains(t, "OCSP Nonce")) << t;
  EXPECT_EQ(pki.statuses.calls(), 4);
}

TEST(OcspResponder, NonceIsEchoedAndCheckedByOpenssl) {
  Pki pki;
  pki.statuses.set(pki.leaves[0].get(), {CertState::good, {}, {}});
  Bytes req = pki.request("-issuer ca.pem -cert leaf1.pem");  // openssl adds a 16-octet nonce
  Bytes resp = pki.respond(req, now_seconds());
  // With -reqin openssl compares the response nonce with the request's.
  std::ofstream(pki.dir.path() / "req.der", std::ios::binary)
      .write(reinterpret_cast<const char*>(req.data()), static_cast<std::streamsize>(req.size()));
  CommandResult r = pki.verify(resp, "-reqin req.der");
  ASSERT_EQ(r.status, 0) << r.output;
  EXPECT_TRUE(contains(r.output, "Response verify OK")) << r.output;
  EXPECT_TRUE(contains(r.output, "OCSP Nonce")) << r.output;
  EXPECT_FALSE(contains(r.output, "WARNING: no nonce")) << r.output;
  EXPECT_FALSE(contains(r.output, "Nonce Verify error")) << r.output;
  EXPECT_TRUE(contains(r.output, "Cert Status: good")) << r.output;
  // And in-process: OCSP_check_nonce returns 1 only for a matching nonce.
  const unsigned char* p = req.data();
  auto parsed = core::wrap(d2i_OCSP_REQUEST(nullptr, &p, static_cast<long>(req.size())));
  EXPECT_EQ(OCSP_check_nonce(parsed.get(), basic_of(resp).get()), 1);
}

TEST(OcspResponder, Sha256CertIdIsAnsweredWithTheSameHash) {
  Pki pki;
  pki.statuses.set(pki.leaves[1].get(), {CertState::revoked, kRevokedAt, RevocationReason::certificate_hold});
  const std::string certs = "-sha256 -issuer ca.pem -cert leaf2.pem -no_nonce";
  Bytes resp = pki.respond(pki.request(certs), now_seconds());
  CommandResult r = pki.verify(resp, certs);
  ASSERT_EQ(r.status, 0) << r.output;
  EXPECT_TRUE(contains(r.output, "Response verify OK")) << r.output;
  EXPECT_TRUE(contains(r.output, "Hash Algorithm: sha256")) << r.output;
  EXPECT_TRUE(contains(r.output, "leaf2.pem: revoked")) << r.output;
  EXPECT_TRUE(contains(r.output, "Reason: certificateHold")) << r.output;
}

TEST(OcspResponder, CertIdOfAnotherCaIsUnauthorized) {
  Pki pki;
  pki.statuses.set(pki.leaves[0].get(), {CertState::good, {}, {}});
  struct Case {
    const char* name;
    std::string args;
  };
  // The foreign CA has the same name as ours: only issuerKeyHash tells them apart.
  for (const Case& c : {Case{"foreign-ca", "-issuer foreign_ca.pem -cert foreign_leaf.pem -no_nonce"},
                        Case{"foreign-ca-sha256", "-sha256 -issuer foreign_ca.pem -cert foreign_leaf.pem -no_nonce"},
                        Case{"ours-then-foreign", "-issuer ca.pem -cert leaf1.pem -issuer foreign_ca.pem -cert foreign_leaf.pem"},
                        Case{"unsupported-hash-sha384", "-sha384 -issuer ca.pem -cert leaf1.pem -no_nonce"}}) {
    Bytes resp = pki.respond(pki.request(c.args), now_seconds());
    EXPECT_EQ(response_status(resp), OCSP_RESPONSE_STATUS_UNAUTHORIZED) << c.name;
    CommandResult r = pki.verify(resp, "");
    EXPECT_TRUE(contains(r.output, "Responder Error: unauthorized (6)")) << c.name << "\n" << r.output;
  }
  EXPECT_EQ(pki.statuses.calls(), 0);  // refused before any lookup
}

// Requests built in-process for what the openssl command line cannot produce.
Bytes crafted_request(const Pki& pki, const std::function<void(OCSP_REQUEST*)>& extra) {
  auto req = core::wrap(OCSP_REQUEST_new());
  OCSP_request_add0_id(req.get(), OCSP_cert_to_id(EVP_sha1(), pki.leaves[0].get(), pki.ca.get()));
  extra(req.get());
  return request_to_der(req.get());
}

void add_nonce_octets(OCSP_REQUEST* req, std::size_t n) {
  // extnValue = DER of Nonce ::= OCTET STRING (RFC 8954 §2.1).
  auto inner = core::wrap(ASN1_OCTET_STRING_new());
  Bytes value(n, 0x5a);
  ASN1_OCTET_STRING_set(inner.get(), value.data(), static_cast<int>(value.size()));
  unsigned char* der = nullptr;
  int len = i2d_ASN1_OCTET_STRING(inner.get(), &der);
  auto outer = core::wrap(ASN1_OCTET_STRING_new());
  ASN1_OCTET_STRING_set(outer.get(), der, len);
  OPENSSL_free(der);
  auto ext = core::wrap(X509_EXTENSION_create_by_NID(nullptr, NID_id_pkix_OCSP_Nonce, 0, outer.get()));
  OCSP_REQUEST_add_ext(req, ext.get(), -1);
}

// An extension this responder does not understand (value NULL).
void add_unknown_ext(OCSP_REQUEST* req, int nid, bool critical) {
  auto value = core::wrap(ASN1_OCTET_STRING_new());
  const unsigned char null_der[] = {0x05, 0x00};
  ASN1_OCTET_STRING_set(value.get(), null_der, 2);
  auto ext = core::wrap(X509_EXTENSION_create_by_NID(nullptr, nid, critical ? 1 : 0, value.get()));
  OCSP_REQUEST_add_ext(req, ext.get(), -1);
}

TEST(OcspResponder, MalformedRequestsAreRefused) {
  Pki pki;
  pki.statuses.set(pki.leaves[0].get(), {CertState::good, {}, {}});
  pki.options.max_request_certs = 2;
  const Bytes valid = pki.request("-issuer ca.pem -cert leaf1.pem");
  ASSERT_EQ(response_status(pki.respond(valid, now_seconds())), OCSP_RESPONSE_STATUS_SUCCESSFUL);
  auto with = [&](Bytes b, std::function<void(Bytes&)> f) { f(b); return b; };
  struct Case {
    const char* name;
    Bytes request;
  };
  const Case cases[] = {
      {"empty", {}},
      {"garbage", to_bytes("GET /ocsp HTTP/1.1\r\n\r\n")},
      {"truncated-by-one", Bytes(valid.begin(), valid.end() - 1)},
      {"truncated-to-half", Bytes(valid.begin(), valid.begin() + static_cast<std::ptrdiff_t>(valid.size() / 2))},
      {"trailing-zero-byte", with(valid, [](Bytes& b) { b.push_back(0); })},
      {"trailing-copy", with(valid, [&](Bytes& b) { b.insert(b.end(), valid.begin(), valid.end()); })},
      {"a-certificate", *core::x509_to_der(pki.ca.get())},
      {"too-many-certs", pki.request("-issuer ca.pem -cert leaf1.pem -cert leaf2.pem -cert leaf3.pem -no_nonce")},
      {"no-certs", request_to_der(core::wrap(OCSP_REQUEST_new()).get())},
      {"nonce-33-octets", crafted_request(pki, [](OCSP_REQUEST* r) { add_nonce_octets(r, 33); })},
      {"nonce-0-octets", crafted_request(pki, [](OCSP_REQUEST* r) { add_nonce_octets(r, 0); })},
      {"nonce-twice", crafted_request(pki, [](OCSP_REQUEST* r) { add_nonce_octets(r, 16); add_nonce_octets(r, 16); })},
      {"nonce-not-an-octet-string", crafted_request(pki, [](OCSP_REQUEST* r) {
         OCSP_request_add1_nonce(r, nullptr, -1);
         X509_EXTENSION* ext = OCSP_REQUEST_get_ext(r, 0);
         const unsigned char raw[] = {0x02, 0x01, 0x05};  // an INTEGER
         ASN1_OCTET_STRING_set(X509_EXTENSION_get_data(ext), raw, 3);
       })},
      {"unknown-critical-request-extension",
       crafted_request(pki, [](OCSP_REQUEST* r) { add_unknown_ext(r, NID_id_pkix_OCSP_serviceLocator, true); })},
      {"unknown-critical-single-extension", crafted_request(pki, [](OCSP_REQUEST* r) {
         auto value = core::wrap(ASN1_OCTET_STRING_new());
         const unsigned char null_der[] = {0x05, 0x00};
         ASN1_OCTET_STRING_set(value.get(), null_der, 2);
         auto ext = core::wrap(X509_EXTENSION_create_by_NID(nullptr, NID_id_pkix_OCSP_serviceLocator, 1, value.get()));
         OCSP_ONEREQ_add_ext(OCSP_request_onereq_get0(r, 0), ext.get(), -1);
       })},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(c.request.empty(), std::string_view(c.name) == "empty") << c.name;  // the mutation was made
    Bytes resp = pki.respond(c.request, now_seconds());
    EXPECT_EQ(response_status(resp), OCSP_RESPONSE_STATUS_MALFORMEDREQUEST) << c.name;
  }
  // openssl reads our error response as such.
  CommandResult r = pki.verify(pki.respond(cases[1].request, now_seconds()), "");
  EXPECT_TRUE(contains(r.output, "Responder Error: malformedrequest (1)")) << r.output;
  // Boundaries that are fine: nonces of 1 and 32 octets, a non-critical unknown extension.
  for (std::size_t n : {1u, 32u})
    EXPECT_EQ(response_status(pki.respond(crafted_request(pki, [n](OCSP_REQUEST* r) { add_nonce_octets(r, n); }),
                                          now_seconds())),
              OCSP_RESPONSE_STATUS_SUCCESSFUL)
        << n;
  Bytes non_critical = crafted_request(
      pki, [](OCSP_REQUEST* r) { add_unknown_ext(r, NID_id_pkix_OCSP_serviceLocator, false); });
  EXPECT_EQ(response_status(pki.respond(non_critical, now_seconds())), OCSP_RESPONSE_STATUS_SUCCESSFUL);
}

TEST(OcspResponder, ImpossibleSerialsAreUnknownWithoutLookup) {
  Pki pki;
  auto req = core::wrap(OCSP_REQUEST_new());
  auto add = [&](const char* hex, bool negative) {
    BIGNUM* raw = nullptr;
    BN_hex2bn(&raw, hex);
    auto bn = core::wrap(raw);
    BN_set_negative(bn.get(), negative ? 1 : 0);
    auto serial = core::wrap(BN_to_ASN1_INTEGER(bn.get(), nullptr));
    OCSP_request_add0_id(req.get(), OCSP_cert_id_new(EVP_sha1(), X509_get_subject_name(pki.ca.get()),
                                                     X509_get0_pubkey_bitstr(pki.ca.get()), serial.get()));
  };
  add("0", false);
  add("1234", true);
  add("0102030405060708090A0B0C0D0E0F101112131415", false);  // 21 octets (RFC 5280 §4.1.2.2: at most 20)
  auto basic = basic_of(pki.respond(request_to_der(req.get()), now_seconds()));
  ASSERT_TRUE(basic);
  ASSERT_EQ(OCSP_resp_count(basic.get()), 3);
  for (int i = 0; i < 3; ++i)
    EXPECT_EQ(OCSP_single_get0_status(OCSP_resp_get0(basic.get(), i), nullptr, nullptr, nullptr, nullptr),
              V_OCSP_CERTSTATUS_UNKNOWN) << i;
  EXPECT_EQ(pki.statuses.calls(), 0);
}

TEST(OcspResponder, LookupOrSigningFailureIsInternalError) {
  Pki pki;
  Bytes req = pki.request("-issuer ca.pem -cert leaf1.pem");
  pki.statuses.fail_lookups(true);
  Bytes resp = pki.respond(req, now_seconds());
  EXPECT_EQ(response_status(resp), OCSP_RESPONSE_STATUS_INTERNALERROR);
  CommandResult r = pki.verify(resp, "");
  EXPECT_TRUE(contains(r.output, "Responder Error: internalerror (2)")) << r.output;
  // A key that is not the responder certificate's: OCSP_basic_sign refuses, we answer internalError.
  pki.statuses.fail_lookups(false);
  auto wrong_key = ec_key("P-256");
  resp = respond(req, {pki.ca.get(), pki.responder.get(), wrong_key.get()}, pki.statuses.lookup(), pki.options,
                 now_seconds());
  EXPECT_EQ(response_status(resp), OCSP_RESPONSE_STATUS_INTERNALERROR);
}

TEST(OcspResponder, ArchiveCutoffOnlyWhenConfigured) {
  Pki pki;
  pki.statuses.set(pki.leaves[0].get(), {CertState::good, {}, {}});
  const std::string certs = "-issuer ca.pem -cert leaf1.pem -no_nonce";
  Bytes req = pki.request(certs);
  CommandResult without = pki.verify(pki.respond(req, now_seconds()), certs);
  EXPECT_TRUE(contains(without.output, "Response verify OK")) << without.output;
  EXPECT_FALSE(contains(without.output, "Archive Cutoff")) << without.output;
  pki.options.archive_cutoff = sys_days{std::chrono::January / 1 / 2020};
  CommandResult with = pki.verify(pki.respond(req, now_seconds()), certs);
  EXPECT_TRUE(contains(with.output, "Response verify OK")) << with.output;
  EXPECT_TRUE(contains(with.output, "OCSP Archive Cutoff: \n                Jan  1 00:00:00 2020 GMT")) << with.output;
}

TEST(OcspResponder, TimesComeFromTheCaller) {
  Pki pki;
  pki.statuses.set(pki.leaves[0].get(), {CertState::good, {}, {}});
  pki.options.next_update = 2h;
  const TimePoint now = sys_days{std::chrono::March / 1 / 2026} + 9h;
  auto basic = basic_of(pki.respond(pki.request("-issuer ca.pem -cert leaf1.pem -no_nonce"), now));
  ASSERT_TRUE(basic);
  auto at = [](TimePoint t) { return core::wrap(ASN1_TIME_set(nullptr, std::chrono::system_clock::to_time_t(t))); };
  EXPECT_EQ(ASN1_TIME_compare(OCSP_resp_get0_produced_at(basic.get()), at(now).get()), 0);
  ASN1_GENERALIZEDTIME* this_update = nullptr;
  ASN1_GENERALIZEDTIME* next_update = nullptr;
  ASSERT_EQ(OCSP_single_get0_status(OCSP_resp_get0(basic.get(), 0), nullptr, nullptr, &this_update, &next_update),
            V_OCSP_CERTSTATUS_GOOD);
  EXPECT_EQ(ASN1_TIME_compare(this_update, at(now).get()), 0);
  EXPECT_EQ(ASN1_TIME_compare(next_update, at(now + 2h).get()), 0);
}

// The responder key lives in a SoftHSM2 token: OCSP_basic_sign goes through the PKCS#11 bridge.
TEST(OcspResponder, SignedInSoftHsmTokenVerifies) {
  Pki pki;
  qualsig::testing::SoftHsm hsm;
  auto kp = *hsm.token()->generate_key(hsm::KeyType::ec_p256, "ocsp", Bytes{1});
  auto signer = *hsm::Pkcs11Signer::create(hsm.token(), kp);
  auto pkey = *hsm::make_signing_pkey(signer);
  auto responder = issue("Token OCSP", signer->public_key(), pki.ca.get(), pki.ca_key.get(), false, true);
  pki.statuses.set(pki.leaves[1].get(), {CertState::revoked, kRevokedAt, RevocationReason::key_compromise});
  const std::string certs = "-issuer ca.pem -cert leaf2.pem";
  Bytes req = pki.request(certs);
  Bytes resp = respond(req, {pki.ca.get(), responder.get(), pkey.get()}, pki.statuses.lookup(), pki.options, now_seconds());
  std::ofstream(pki.dir.path() / "req.der", std::ios::binary)
      .write(reinterpret_cast<const char*>(req.data()), static_cast<std::streamsize>(req.size()));
  CommandResult r = pki.verify(resp, "-reqin req.der");
  ASSERT_EQ(r.status, 0) << r.output;
  EXPECT_TRUE(contains(r.output, "Response verify OK")) << r.output;
  EXPECT_TRUE(contains(r.output, "Cert Status: revoked")) << r.output;
  EXPECT_TRUE(contains(r.output, "Revocation Reason: keyCompromise")) << r.output;
  EXPECT_TRUE(contains(r.output, "CN=Token OCSP")) << r.output;
  EXPECT_FALSE(contains(r.output, "WARNING: no nonce")) << r.output;
}

// --- the cache ---

TEST(OcspCache, SameRequestTwiceIsServedWithoutLookupOrSignature) {
  Pki pki;
  pki.statuses.set(pki.leaves[0].get(), {CertState::good, {}, {}});
  pki.statuses.set(pki.leaves[1].get(), {CertState::good, {}, {}});
  OcspResponseCache cache;
  const std::string certs = "-issuer ca.pem -cert leaf1.pem -cert leaf2.pem -no_nonce";
  Bytes req = pki.request(certs);
  const TimePoint now = now_seconds();
  Bytes first = respond_cached(req, pki.identity(), pki.statuses.lookup(), pki.options, cache, now);
  EXPECT_EQ(pki.statuses.calls(), 2);
  EXPECT_EQ(pki.signer->count(), 1);
  Bytes second = respond_cached(req, pki.identity(), pki.statuses.lookup(), pki.options, cache, now + 10min);
  EXPECT_EQ(second, first);  // ECDSA is randomised: equal bytes mean no new signature
  EXPECT_EQ(pki.statuses.calls(), 2);
  EXPECT_EQ(pki.signer->count(), 1);
  EXPECT_EQ(cache.size(), 1u);
  CommandResult r = pki.verify(second, certs);
  EXPECT_TRUE(contains(r.output, "Response verify OK")) << r.output;
  EXPECT_TRUE(contains(r.output, "leaf2.pem: good")) << r.output;
  // Half-way to nextUpdate (1 h) the response is made again.
  Bytes third = respond_cached(req, pki.identity(), pki.statuses.lookup(), pki.options, cache, now + 30min);
  EXPECT_NE(third, first);
  EXPECT_EQ(pki.signer->count(), 2);
  // A different set of CertIDs is a different entry.
  respond_cached(pki.request("-issuer ca.pem -cert leaf1.pem -no_nonce"), pki.identity(), pki.statuses.lookup(),
                 pki.options, cache, now);
  EXPECT_EQ(cache.size(), 2u);
}

TEST(OcspCache, InvalidateMakesARevocationVisibleAtOnce) {
  Pki pki;
  pki.statuses.set(pki.leaves[0].get(), {CertState::good, {}, {}});
  OcspResponseCache cache;
  const std::string certs = "-issuer ca.pem -cert leaf1.pem -no_nonce";
  Bytes req = pki.request(certs);
  const TimePoint now = now_seconds();
  Bytes good = respond_cached(req, pki.identity(), pki.statuses.lookup(), pki.options, cache, now);
  // The service commits the revocation, then invalidates.
  pki.statuses.set(pki.leaves[0].get(), {CertState::revoked, kRevokedAt, RevocationReason::key_compromise});
  cache.invalidate();
  EXPECT_EQ(cache.size(), 0u);
  Bytes revoked = respond_cached(req, pki.identity(), pki.statuses.lookup(), pki.options, cache, now + 1s);
  EXPECT_NE(revoked, good);
  CommandResult r = pki.verify(revoked, certs);
  EXPECT_TRUE(contains(r.output, "Response verify OK")) << r.output;
  EXPECT_TRUE(contains(r.output, "leaf1.pem: revoked")) << r.output;
  EXPECT_TRUE(contains(r.output, "Reason: keyCompromise")) << r.output;
  // Reinstatement (end of a hold) likewise.
  pki.statuses.set(pki.leaves[0].get(), {CertState::good, {}, {}});
  cache.invalidate();
  r = pki.verify(respond_cached(req, pki.identity(), pki.statuses.lookup(), pki.options, cache, now + 2s), certs);
  EXPECT_TRUE(contains(r.output, "leaf1.pem: good")) << r.output;
}

TEST(OcspCache, NonceRequestsUnknownsAndErrorsAreNeverCached) {
  Pki pki;
  pki.statuses.set(pki.leaves[0].get(), {CertState::good, {}, {}});
  OcspResponseCache cache;
  const TimePoint now = now_seconds();
  Bytes nonce_req = pki.request("-issuer ca.pem -cert leaf1.pem");
  Bytes a = respond_cached(nonce_req, pki.identity(), pki.statuses.lookup(), pki.options, cache, now);
  Bytes b = respond_cached(nonce_req, pki.identity(), pki.statuses.lookup(), pki.options, cache, now);
  EXPECT_NE(a, b);
  EXPECT_EQ(pki.signer->count(), 2);
  EXPECT_EQ(pki.statuses.calls(), 2);
  // leaf4 is unknown to the lookup: it may be issued a moment later, so no caching.
  Bytes unknown_req = pki.request("-issuer ca.pem -cert leaf4.pem -no_nonce");
  respond_cached(unknown_req, pki.identity(), pki.statuses.lookup(), pki.options, cache, now);
  respond_cached(unknown_req, pki.identity(), pki.statuses.lookup(), pki.options, cache, now);
  EXPECT_EQ(pki.signer->count(), 4);
  // A failed lookup is not remembered either.
  Bytes req = pki.request("-issuer ca.pem -cert leaf1.pem -no_nonce");
  pki.statuses.fail_lookups(true);
  EXPECT_EQ(response_status(respond_cached(req, pki.identity(), pki.statuses.lookup(), pki.options, cache, now)),
            OCSP_RESPONSE_STATUS_INTERNALERROR);
  pki.statuses.fail_lookups(false);
  EXPECT_EQ(response_status(respond_cached(req, pki.identity(), pki.statuses.lookup(), pki.options, cache, now)),
            OCSP_RESPONSE_STATUS_SUCCESSFUL);
  EXPECT_EQ(cache.size(), 1u);
  // Malformed and unauthorized answers go through without touching the cache.
  EXPECT_EQ(response_status(respond_cached(Bytes{0x30, 0x00}, pki.identity(), pki.statuses.lookup(), pki.options,
                                           cache, now)),
            OCSP_RESPONSE_STATUS_MALFORMEDREQUEST);
  EXPECT_EQ(cache.size(), 1u);
}

TEST(OcspCache, StoreAfterInvalidateOfAnEarlierGenerationIsDropped) {
  OcspResponseCache cache;
  const TimePoint now = sys_days{std::chrono::March / 1 / 2026};
  // A request read its statuses (generation g), a revocation invalidated, then it stores.
  const std::uint64_t g = cache.generation();
  cache.invalidate();
  cache.store("k", Bytes{1}, now, now + 30min, g);
  EXPECT_EQ(cache.size(), 0u);
  EXPECT_FALSE(cache.find("k", now));
  cache.store("k", Bytes{2}, now, now + 30min, cache.generation());
  EXPECT_EQ(cache.find("k", now), Bytes{2});
  EXPECT_FALSE(cache.find("k", now - 1s));  // the clock went backwards
  EXPECT_FALSE(cache.find("k", now + 30min));
}

TEST(OcspCache, SizeIsBoundedOldestFirst) {
  OcspResponseCache cache(3);
  const TimePoint now = sys_days{std::chrono::March / 1 / 2026};
  for (std::uint8_t i = 0; i < 5; ++i) cache.store("k" + std::to_string(i), Bytes{i}, now, now + 1h, cache.generation());
  EXPECT_EQ(cache.size(), 3u);
  EXPECT_FALSE(cache.find("k0", now));
  EXPECT_FALSE(cache.find("k1", now));
  EXPECT_EQ(cache.find("k4", now), Bytes{4});
  cache.store("k2", Bytes{9}, now, now + 1h, cache.generation());  // replacing moves k2 to the back
  cache.store("k5", Bytes{5}, now, now + 1h, cache.generation());
  EXPECT_FALSE(cache.find("k3", now));
  EXPECT_EQ(cache.find("k2", now), Bytes{9});
  EXPECT_EQ(cache.size(), 3u);
}

TEST(OcspCache, ConcurrentRespondersAndInvalidationsStayConsistent) {
  Pki pki;
  for (const auto& leaf : pki.leaves) pki.statuses.set(leaf.get(), {CertState::good, {}, {}});
  OcspResponseCache cache(2);
  std::vector<Bytes> requests;
  for (int i = 1; i <= 4; ++i) requests.push_back(pki.request("-issuer ca.pem -cert leaf" + std::to_string(i) + ".pem -no_nonce"));
  const TimePoint now = now_seconds();
  std::atomic<int> bad{0};
  std::atomic<bool> stop{false};
  std::thread invalidator([&] {
    while (!stop) cache.invalidate();
  });
  std::vector<std::thread> workers;
  for (int t = 0; t < 3; ++t)
    workers.emplace_back([&, t] {
      for (int i = 0; i < 100; ++i) {
        Bytes resp = respond_cached(requests[static_cast<std::size_t>((t + i) % 4)], pki.identity(),
                                    pki.statuses.lookup(), pki.options, cache, now);
        if (response_status(resp) != OCSP_RESPONSE_STATUS_SUCCESSFUL) ++bad;
      }
    });
  for (auto& w : workers) w.join();
  stop = true;
  invalidator.join();
  EXPECT_EQ(bad, 0);
  EXPECT_LE(cache.size(), 2u);
}

// --- hostile input ---

TEST(OcspFuzz, RandomAndMutatedRequestsAlwaysGetAnOcspResponse) {
  Pki pki;
  pki.statuses.set(pki.leaves[0].get(), {CertState::good, {}, {}});
  pki.statuses.set(pki.leaves[1].get(), {CertState::revoked, kRevokedAt, RevocationReason::superseded});
  OcspResponseCache cache(64);
  const std::vector<Bytes> seeds{
      pki.request("-issuer ca.pem -cert leaf1.pem"),
      pki.request("-issuer ca.pem -cert leaf1.pem -cert leaf2.pem -no_nonce"),
      pki.request("-sha256 -issuer ca.pem -cert leaf2.pem -cert leaf3.pem"),
      pki.request("-issuer foreign_ca.pem -cert foreign_leaf.pem -no_nonce"),
  };
  std::mt19937 rng(20261125);
  auto pick = [&](std::size_t n) { return std::uniform_int_distribution<std::size_t>(0, n - 1)(rng); };
  std::map<int, int> seen;
  const TimePoint now = now_seconds();
  for (int i = 0; i < 5000; ++i) {
    Bytes in;
    const std::size_t kind = pick(6);
    if (kind == 0) {  // random bytes, sometimes starting like a SEQUENCE
      in.resize(pick(300));
      for (auto& b : in) b = static_cast<std::uint8_t>(pick(256));
      if (!in.empty() && pick(2) == 0) in[0] = 0x30;
    } else {
      in = seeds[pick(seeds.size())];
      const std::size_t edits = 1 + pick(4);
      for (std::size_t e = 0; e < edits && !in.empty(); ++e) {
        const std::size_t at = pick(in.size());
        switch (kind) {
          case 1: in[at] ^= static_cast<std::uint8_t>(1u << pick(8)); break;            // bit flip
          case 2: in[at] = static_cast<std::uint8_t>(pick(256)); break;                 // byte set
          case 3: in.resize(at); break;                                                 // truncate
          case 4: in.insert(in.begin() + static_cast<std::ptrdiff_t>(at), static_cast<std::uint8_t>(pick(256))); break;
          default: in[at] = pick(2) == 0 ? 0x80 : 0xff; break;                          // length bytes
        }
      }
    }
    Bytes out = i % 2 == 0 ? pki.respond(in, now)
                           : respond_cached(in, pki.identity(), pki.statuses.lookup(), pki.options, cache, now);
    const int status = response_status(out);
    ASSERT_GE(status, 0) << "iteration " << i << ": " << hex_encode(in);
    ++seen[status];
  }
  for (const auto& [status, count] : seen) RecordProperty("status_" + std::to_string(status), count);
  // Every outcome was reached, and nothing else.
  for (const auto& [status, count] : seen)
    EXPECT_TRUE(status == OCSP_RESPONSE_STATUS_SUCCESSFUL || status == OCSP_RESPONSE_STATUS_MALFORMEDREQUEST ||
                status == OCSP_RESPONSE_STATUS_UNAUTHORIZED)
        << status << " x" << count;
  EXPECT_GT(seen[OCSP_RESPONSE_STATUS_SUCCESSFUL], 0);
  EXPECT_GT(seen[OCSP_RESPONSE_STATUS_MALFORMEDREQUEST], 0);
  EXPECT_GT(seen[OCSP_RESPONSE_STATUS_UNAUTHORIZED], 0);
}

}  // namespace
}  // namespace qualsig::pki
