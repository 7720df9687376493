#pragma once
// Test fixtures for CAdES: a small PKI (root CA, issuing CA, signer and countersigner keys in a real
// SoftHSM2 token, a TSA, an OCSP responder, a CRL) and an RFC 3161 TSA built on OpenSSL's own
// TS_RESP_CTX, plus runners for the independent verifiers (openssl cms/ts, tests/interop/cades_check.mjs).

#include <gtest/gtest.h>
#include <openssl/ts.h>

#include <atomic>
#include <chrono>
#include <fstream>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>

#include "core/digest.h"
#include "core/openssl.h"
#include "formats/cades.h"
#include "hsm/signer.h"
#include "pki/certificate_builder.h"
#include "pki/crl.h"
#include "pki/ocsp_responder.h"
#include "pki/oids.h"
#include "support/run_command.h"
#include "support/softhsm.h"
#include "support/temp_dir.h"

namespace qualsig::formats::cades::testing {

using namespace std::chrono_literals;
using qualsig::testing::CommandResult;
using qualsig::testing::run;

// Time is a parameter: every signature and time-stamp of the tests is made at this instant.
inline const TimePoint kSigningTime = std::chrono::sys_days{std::chrono::November / 25 / 2026} + 12h;

inline void write_file(const std::filesystem::path& path, ByteView data) {
  std::ofstream(path, std::ios::binary).write(reinterpret_cast<const char*>(data.data()), static_cast<std::streamsize>(data.size()));
}

inline Bytes read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return Bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

template <typename T>
T must(Result<T> r) {
  if (!r) throw std::runtime_error(r.error().message + " (" + r.error().detail + ")");
  return std::move(r).value();
}

inline core::UniquePtr<X509> issue(const std::string& cn, const EVP_PKEY* pub, const X509* issuer, EVP_PKEY* issuer_key,
                                   bool ca, std::vector<std::string> eku = {}, bool ocsp_nocheck = false) {
  pki::CertificateRequest req;
  req.subject = {cn, "Qualsig Test", "", "", "NL"};
  req.public_key = pub;
  // Wide validity: openssl checks the chains at the real time.
  req.not_before = std::chrono::sys_days{std::chrono::January / 1 / 2020};
  req.not_after = std::chrono::sys_days{std::chrono::January / 1 / 2040};
  if (ca) {
    req.extensions.basic_constraints = pki::Extensions::BasicConstraints{true, {}};
    req.extensions.key_usage = pki::kKeyCertSign | pki::kCrlSign;
  } else {
    req.extensions.key_usage = pki::kDigitalSignature | pki::kNonRepudiation;
  }
  req.extensions.extended_key_usage = std::move(eku);
  // RFC 3161 §2.3: the TSA certificate's extended key usage "MUST be marked critical".
  req.extensions.extended_key_usage_critical = !req.extensions.extended_key_usage.empty() &&
                                               req.extensions.extended_key_usage.front() == pki::oid::kKpTimeStamping;
  req.extensions.ocsp_nocheck = ocsp_nocheck;
  return must(pki::issue_certificate(req, issuer, issuer_key));
}

// The signature value octets of the first SignerInfo, read with OpenSSL's CMS parser (not qualsig's).
inline Bytes signature_value(const Bytes& cms) {
  const unsigned char* p = cms.data();
  auto ci = core::wrap(d2i_CMS_ContentInfo(nullptr, &p, static_cast<long>(cms.size())));
  if (!ci) throw std::runtime_error("OpenSSL cannot parse the CMS");
  CMS_SignerInfo* si = sk_CMS_SignerInfo_value(CMS_get0_SignerInfos(ci.get()), 0);
  const ASN1_OCTET_STRING* sig = CMS_SignerInfo_get0_signature(si);
  return Bytes(ASN1_STRING_get0_data(sig), ASN1_STRING_get0_data(sig) + ASN1_STRING_length(sig));
}

// An RFC 3161 TSA on OpenSSL's TS_RESP_CTX (an implementation independent of qualsig's pki/tsa),
// answering every request at `time` (kSigningTime + 1 min unless given). Thread-safe (one context
// behind a mutex).
class TestTsa {
 public:
  TestTsa(const X509* cert, EVP_PKEY* key, TimePoint time = kSigningTime + 1min) : m_ctx(TS_RESP_CTX_new()), m_time(time) {
    auto policy = core::wrap(OBJ_txt2obj("0.4.0.2023.1.1", 1));  // ETSI EN 319 421 best-practices policy
    TS_RESP_CTX_set_signer_cert(m_ctx.get(), const_cast<X509*>(cert));
    TS_RESP_CTX_set_signer_key(m_ctx.get(), key);
    TS_RESP_CTX_set_def_policy(m_ctx.get(), policy.get());
    for (const EVP_MD* md : {EVP_sha256(), EVP_sha384(), EVP_sha512()}) TS_RESP_CTX_add_md(m_ctx.get(), md);
    TS_RESP_CTX_set_signer_digest(m_ctx.get(), EVP_sha256());
    TS_RESP_CTX_set_ess_cert_id_digest(m_ctx.get(), EVP_sha256());
    TS_RESP_CTX_set_time_cb(m_ctx.get(), &TestTsa::time_cb, this);
    TS_RESP_CTX_set_serial_cb(m_ctx.get(), &TestTsa::serial_cb, this);
  }

  Result<Bytes> operator()(ByteView digest, core::DigestAlgorithm alg) {
    std::lock_guard lock(m_mutex);
    ++m_calls;
    auto req = core::wrap(TS_REQ_new());
    auto imprint = std::unique_ptr<TS_MSG_IMPRINT, decltype(&TS_MSG_IMPRINT_free)>(TS_MSG_IMPRINT_new(), &TS_MSG_IMPRINT_free);
    auto algor = std::unique_ptr<X509_ALGOR, decltype(&X509_ALGOR_free)>(X509_ALGOR_new(), &X509_ALGOR_free);
    int nid = alg == core::DigestAlgorithm::sha256 ? NID_sha256 : alg == core::DigestAlgorithm::sha384 ? NID_sha384 : NID_sha512;
    X509_ALGOR_set0(algor.get(), OBJ_nid2obj(nid), V_ASN1_NULL, nullptr);
    TS_MSG_IMPRINT_set_algo(imprint.get(), algor.get());
    TS_MSG_IMPRINT_set_msg(imprint.get(), const_cast<unsigned char*>(digest.data()), static_cast<int>(digest.size()));
    TS_REQ_set_version(req.get(), 1);
    TS_REQ_set_msg_imprint(req.get(), imprint.get());
    TS_REQ_set_cert_req(req.get(), 1);
    auto bio = core::wrap(BIO_new(BIO_s_mem()));
    i2d_TS_REQ_bio(bio.get(), req.get());
    auto resp = core::wrap(TS_RESP_create_response(m_ctx.get(), bio.get()));
    if (!resp || ASN1_INTEGER_get(TS_STATUS_INFO_get0_status(TS_RESP_get_status_info(resp.get()))) != 0)
      return fail(ErrorCode::unavailable, "test TSA refused the request");
    unsigned char* der = nullptr;
    int len = i2d_PKCS7(TS_RESP_get_token(resp.get()), &der);
    Bytes out(der, der + len);
    OPENSSL_free(der);
    return out;
  }
  TimestampFn fn() {
    return [this](ByteView d, core::DigestAlgorithm a) { return (*this)(d, a); };
  }
  int calls() const { return m_calls; }

 private:
  struct CtxFree {
    void operator()(TS_RESP_CTX* c) const { TS_RESP_CTX_free(c); }
  };
  static int time_cb(TS_RESP_CTX*, void* self, long* sec, long* usec) {
    *sec = static_cast<long>(std::chrono::duration_cast<std::chrono::seconds>(
                                 static_cast<TestTsa*>(self)->m_time.time_since_epoch()).count());
    *usec = 0;
    return 1;
  }
  static ASN1_INTEGER* serial_cb(TS_RESP_CTX*, void* self) {
    ASN1_INTEGER* serial = ASN1_INTEGER_new();
    ASN1_INTEGER_set(serial, ++static_cast<TestTsa*>(self)->m_serial);
    return serial;
  }
  std::unique_ptr<TS_RESP_CTX, CtxFree> m_ctx;
  TimePoint m_time;
  std::mutex m_mutex;
  long m_serial = 0;
  std::atomic<int> m_calls{0};
};

// Root CA -> issuing CA -> signer (key in SoftHSM2), countersigner (another token key), OCSP
// responder; root -> TSA. Every certificate is also written as PEM into the temp directory.
struct CadesPki {
  qualsig::testing::SoftHsm hsm;
  qualsig::testing::TempDir dir;
  core::UniquePtr<EVP_PKEY> root_key = core::wrap(EVP_EC_gen("P-256"));
  core::UniquePtr<X509> root = issue("Test Root CA", root_key.get(), nullptr, root_key.get(), true);
  core::UniquePtr<EVP_PKEY> issuing_key = core::wrap(EVP_EC_gen("P-256"));
  core::UniquePtr<X509> issuing = issue("Test Issuing CA", issuing_key.get(), root.get(), root_key.get(), true);
  std::shared_ptr<hsm::Pkcs11Signer> signer = token_signer(hsm::KeyType::ec_p256, "signer");
  core::UniquePtr<X509> signer_cert = issue("Test Signer", signer->public_key(), issuing.get(), issuing_key.get(), false);
  std::shared_ptr<hsm::Pkcs11Signer> counter_signer = token_signer(hsm::KeyType::ec_p384, "countersigner");
  core::UniquePtr<X509> counter_cert =
      issue("Test Countersigner", counter_signer->public_key(), issuing.get(), issuing_key.get(), false);
  core::UniquePtr<EVP_PKEY> tsa_key = core::wrap(EVP_EC_gen("P-256"));
  core::UniquePtr<X509> tsa_cert =
      issue("Test TSA", tsa_key.get(), root.get(), root_key.get(), false, {pki::oid::kKpTimeStamping});
  core::UniquePtr<EVP_PKEY> ocsp_key = core::wrap(EVP_EC_gen("P-256"));
  core::UniquePtr<X509> ocsp_cert =
      issue("Test OCSP", ocsp_key.get(), issuing.get(), issuing_key.get(), false, {pki::oid::kKpOcspSigning}, true);
  TestTsa tsa{tsa_cert.get(), tsa_key.get()};

  CadesPki() {
    for (auto [name, cert] : {std::pair{"root.pem", root.get()}, {"issuing.pem", issuing.get()}, {"signer.pem", signer_cert.get()},
                              {"counter.pem", counter_cert.get()}, {"tsa.pem", tsa_cert.get()}})
      std::ofstream(path(name)) << must(core::x509_to_pem(cert));
  }

  std::string path(const std::string& name) const { return (dir.path() / name).string(); }

  // The countersigner's key (or `key`) under a certificate from the issuing CA that expires at
  // `not_after` (past-signature tests).
  core::UniquePtr<X509> counter_cert_until(TimePoint not_after, const EVP_PKEY* key = nullptr) {
    pki::CertificateRequest req;
    req.subject = {"Test Countersigner (short)", "Qualsig Test", "", "", "NL"};
    req.public_key = key != nullptr ? key : counter_signer->public_key();
    req.not_before = std::chrono::sys_days{std::chrono::January / 1 / 2020};
    req.not_after = not_after;
    req.extensions.key_usage = pki::kDigitalSignature | pki::kNonRepudiation;
    return must(pki::issue_certificate(req, issuing.get(), issuing_key.get()));
  }

  // The TSA's key under a certificate from the root that expires at `not_after` (past-signature
  // tests of time-stamps).
  core::UniquePtr<X509> tsa_cert_until(TimePoint not_after) {
    pki::CertificateRequest req;
    req.subject = {"Test TSA (short)", "Qualsig Test", "", "", "NL"};
    req.public_key = tsa_key.get();
    req.not_before = std::chrono::sys_days{std::chrono::January / 1 / 2020};
    req.not_after = not_after;
    req.extensions.key_usage = pki::kDigitalSignature | pki::kNonRepudiation;
    req.extensions.extended_key_usage = {pki::oid::kKpTimeStamping};
    req.extensions.extended_key_usage_critical = true;  // RFC 3161 §2.3
    return must(pki::issue_certificate(req, root.get(), root_key.get()));
  }

  std::shared_ptr<hsm::Pkcs11Signer> token_signer(hsm::KeyType type, const std::string& label) {
    auto key = must(hsm.token()->generate_key(type, label, as_bytes(label)));
    return must(hsm::Pkcs11Signer::create(hsm.token(), key));
  }

  SignOptions options(Level level, core::DigestAlgorithm digest = core::DigestAlgorithm::sha256) {
    SignOptions o;
    o.level = level;
    o.digest = digest;
    o.signing_time = kSigningTime;
    o.chain = {issuing.get(), root.get()};
    o.timestamp = tsa.fn();
    o.validation_data = validation_data();
    return o;
  }

  // Everything a verifier needs offline: the TSA and OCSP responder certificates, an OCSP response
  // (RFC 6960, made by qualsig's pki responder) for the signer, and the root's CRL for the issuing CA.
  ValidationData validation_data() {
    ValidationData vd;
    vd.certificates = {must(core::x509_to_der(tsa_cert.get())), must(core::x509_to_der(ocsp_cert.get()))};
    vd.ocsp_responses = {ocsp_good(signer_cert.get())};
    auto crl = must(pki::build_crl(root.get(), root_key.get(), 1, kSigningTime - 1h, kSigningTime + 24h * 30, {}));
    vd.crls = {must(pki::crl_to_der(crl.get()))};
    return vd;
  }

  // An OCSP response "good" at kSigningTime for a certificate of the issuing CA.
  Bytes ocsp_good(const X509* cert) {
    auto id = OCSP_cert_to_id(nullptr, cert, issuing.get());
    auto req = core::wrap(OCSP_REQUEST_new());
    OCSP_request_add0_id(req.get(), id);
    unsigned char* buf = nullptr;
    int len = i2d_OCSP_REQUEST(req.get(), &buf);
    Bytes req_der(buf, buf + len);
    OPENSSL_free(buf);
    pki::StatusLookup lookup = [](const std::string&) -> Result<std::optional<pki::CertStatus>> {
      return std::optional<pki::CertStatus>(pki::CertStatus{pki::CertState::good, {}, {}});
    };
    return pki::respond(req_der, {issuing.get(), ocsp_cert.get(), ocsp_key.get()}, lookup, {}, kSigningTime);
  }

  // `openssl cms -verify` of a signature (detached when `content` is given).
  CommandResult openssl_verify(const Bytes& cms, const Bytes* content = nullptr) {
    write_file(path("sig.p7s"), cms);
    std::string cmd = "openssl cms -verify -binary -inform DER -in " + path("sig.p7s") + " -CAfile " + path("root.pem") +
                      " -purpose any -cades -out /dev/null";
    if (content != nullptr) {
      write_file(path("doc.bin"), *content);
      cmd += " -content " + path("doc.bin");
    }
    return run(cmd);
  }

  // `openssl ts -verify` of a time-stamp token against the imprint `digest`.
  CommandResult openssl_ts_verify(const Bytes& token, const Bytes& digest) {
    write_file(path("tok.der"), token);
    return run("openssl ts -verify -token_in -in " + path("tok.der") + " -digest " + hex_encode(digest) + " -CAfile " +
               path("root.pem"));
  }

  // tests/interop/cades_check.mjs (PKI.js + Node crypto) on a signature.
  nlohmann::json node_check(const Bytes& cms, const Bytes* content = nullptr, const std::string& extra = "") {
    write_file(path("node.p7s"), cms);
    std::string cmd = "node " QUALSIG_SOURCE_DIR "/tests/interop/cades_check.mjs " + path("node.p7s") + " --root " + path("root.pem");
    if (content != nullptr) {
      write_file(path("node.bin"), *content);
      cmd += " --content " + path("node.bin");
    }
    CommandResult r = run(cmd + " " + extra);
    if (r.status != 0) throw std::runtime_error("cades_check.mjs failed: " + r.output);
    return nlohmann::json::parse(r.output);
  }
};

}  // namespace qualsig::formats::cades::testing
