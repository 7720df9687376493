// service/api_auth: client secrets (argon2id), access tokens (expiry, revocation, state
// re-checks), roles per principal kind, and client certificates (ours, revoked, foreign) —
// the certificates are made and checked with the openssl CLI as an independent party.
#include <gtest/gtest.h>
#include <openssl/core_names.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include <fstream>

#include "core/bytes.h"
#include "core/fs.h"
#include "service/api_auth.h"
#include "service/cert_service.h"
#include "service/csc_service.h"
#include "service/identity_service.h"
#include "service/init.h"
#include "service/people_service.h"
#include "service/sign_service.h"
#include "service/status.h"
#include "pki/crl.h"
#include "support/run_command.h"
#include "support/temp_dir.h"

namespace qualsig::service {
namespace {

using namespace std::chrono_literals;
using qualsig::testing::TempDir;

const TimePoint kNow = *parse_rfc3339("2026-11-25T12:00:00Z");

struct Fixture {
  TempDir tmp;
  std::unique_ptr<TrustService> svc;
  store::CertificateRecord cert;

  Fixture() {
    InitOptions o;
    o.data_dir = tmp.path() / "d";
    o.now = kNow;
    EXPECT_TRUE(initialize(o));
    svc = std::move(*TrustService::open(o.data_dir));
    EXPECT_TRUE(register_identity(*svc, {"bot", "service-account", "Finance Lead", "test", std::nullopt}, "test", kNow));
    ProofRequest p;
    p.identity = "bot";
    p.by = "alice";
    EXPECT_TRUE(proof_identity(*svc, p, "test", kNow));
    EXPECT_TRUE(confirm_identity(*svc, "bot", "bob", kNow));
    auto c = issue_certificate(*svc, IssueRequest{"bot", std::nullopt}, "test", kNow);
    EXPECT_TRUE(c);
    cert = *c;
  }
};

TEST(ApiAuth, SecretsAreArgon2idAndCheckedExactly) {
  Secret s("qss_correct horse battery staple");
  auto h = hash_secret(s);
  ASSERT_TRUE(h);
  EXPECT_EQ(h->rfind("$argon2id$v=19$m=19456,t=2,p=1$", 0), 0u) << *h;
  EXPECT_TRUE(verify_secret(s, *h));
  EXPECT_FALSE(verify_secret(Secret("qss_correct horse battery staplf"), *h));
  EXPECT_FALSE(verify_secret(s, "$argon2i$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaA"));  // not argon2id
  EXPECT_FALSE(verify_secret(s, "garbage"));
  EXPECT_FALSE(verify_secret(s, ""));
  EXPECT_NE(*h, *hash_secret(s)) << "a fresh salt every time";
}

TEST(ApiAuth, RolesFitThePrincipalKind) {
  Fixture f;
  ASSERT_TRUE(add_person(*f.svc, "alice@acme.example", {"finance"}, "test", kNow));
  EXPECT_TRUE(check_principal_roles(*f.svc, "identity:bot", {kRoleSigner}));
  EXPECT_FALSE(check_principal_roles(*f.svc, "identity:bot", {kRoleSigner, kRoleAdmin}));
  EXPECT_FALSE(check_principal_roles(*f.svc, "identity:bot", {kRoleApprover}));
  EXPECT_FALSE(check_principal_roles(*f.svc, "identity:nobody", {kRoleSigner}));
  EXPECT_TRUE(check_principal_roles(*f.svc, "person:alice@acme.example", {kRoleApprover, kRoleAuditor}));
  EXPECT_FALSE(check_principal_roles(*f.svc, "person:alice@acme.example", {kRoleSigner}));
  EXPECT_FALSE(check_principal_roles(*f.svc, "operator:ops", {kRoleApprover}));
  EXPECT_TRUE(check_principal_roles(*f.svc, "operator:ops", {kRoleAdmin}));
  EXPECT_FALSE(check_principal_roles(*f.svc, "operator:ops", {"root"}));
  EXPECT_FALSE(check_principal_roles(*f.svc, "operator:ops", {}));
  EXPECT_FALSE(check_principal_roles(*f.svc, "wizard:ops", {kRoleAdmin}));
  EXPECT_FALSE(check_principal_roles(*f.svc, "operator:two words", {kRoleAdmin}));
}

TEST(ApiAuth, TokensExpireAndAreRevocable) {
  Fixture f;
  auto client = add_api_client(*f.svc, "identity:bot", {kRoleSigner}, "ci", "test", kNow);
  ASSERT_TRUE(client) << client.error().message;
  auto wrong = token_for_client(*f.svc, client->client.client_id, Secret("qss_wrong"), kNow);
  ASSERT_FALSE(wrong);
  EXPECT_EQ(wrong.error().message, "invalid client credentials");
  auto unknown = token_for_client(*f.svc, "qsc_unknown", client->secret, kNow);
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().message, "invalid client credentials") << "no hint whether the id or the secret was wrong";

  auto t = token_for_client(*f.svc, client->client.client_id, client->secret, kNow);
  ASSERT_TRUE(t) << t.error().message;
  auto who = authenticate_bearer(*f.svc, t->access_token, kNow + 9min);
  ASSERT_TRUE(who) << who.error().message;
  EXPECT_EQ(who->name, "identity:bot");
  EXPECT_EQ(who->identity(), "bot");
  auto late = authenticate_bearer(*f.svc, t->access_token, kNow + kAccessTokenLifetime);
  ASSERT_FALSE(late);
  EXPECT_EQ(late.error().message, "access token expired");
  // The store keeps only the hash.
  EXPECT_FALSE(f.svc->store().access_token(std::string(t->access_token.reveal())));

  auto t2 = token_for_client(*f.svc, client->client.client_id, client->secret, kNow);
  ASSERT_TRUE(t2);
  ASSERT_TRUE(revoke_token(*f.svc, t2->access_token, kNow + 1s));
  EXPECT_FALSE(authenticate_bearer(*f.svc, t2->access_token, kNow + 2s));
  EXPECT_TRUE(revoke_token(*f.svc, Secret("qst_never_issued"), kNow)) << "RFC 7009: unknown tokens are not an error";

  // A suspended identity loses access at once; a disabled client too.
  auto t3 = token_for_client(*f.svc, client->client.client_id, client->secret, kNow);
  ASSERT_TRUE(t3);
  ASSERT_TRUE(suspend_identity(*f.svc, "bot", "test", kNow));
  EXPECT_FALSE(authenticate_bearer(*f.svc, t3->access_token, kNow + 1s));
  ASSERT_TRUE(resume_identity(*f.svc, "bot", "test", kNow));
  EXPECT_TRUE(authenticate_bearer(*f.svc, t3->access_token, kNow + 1s));
  ASSERT_TRUE(disable_api_client(*f.svc, client->client.client_id, "test", kNow + 2s));
  EXPECT_FALSE(authenticate_bearer(*f.svc, t3->access_token, kNow + 3s));
  EXPECT_FALSE(token_for_client(*f.svc, client->client.client_id, client->secret, kNow + 3s));
  EXPECT_FALSE(authenticate_bearer(*f.svc, Secret(""), kNow));
  EXPECT_FALSE(authenticate_bearer(*f.svc, Secret(std::string(10000, 'a')), kNow));
}

TEST(ApiAuth, ClientCertificates) {
  Fixture f;
  std::string der = to_string(f.cert.der);
  auto who = principal_from_certificate(*f.svc, {der}, kNow + 1h);
  ASSERT_TRUE(who) << who.error().message;
  EXPECT_EQ(who->name, "identity:bot");
  EXPECT_EQ(who->method, "mtls");

  // openssl agrees the certificate chains to our root (independent check of the same path).
  TempDir tmp;
  auto pem = [&](const std::string& role) {
    auto d = ca_certificate_der(*f.svc, role);
    EXPECT_TRUE(d);
    return *d;
  };
  ASSERT_TRUE(core::write_file_atomic(tmp.path() / "leaf.der", der));
  ASSERT_TRUE(core::write_file_atomic(tmp.path() / "issuing.der", to_string(pem("issuing"))));
  ASSERT_TRUE(core::write_file_atomic(tmp.path() / "root.der", to_string(pem("root"))));
  auto d = tmp.path().string();
  auto r = qualsig::testing::run("cd " + d + " && openssl x509 -inform DER -in root.der -out root.pem && "
                                 "openssl x509 -inform DER -in issuing.der -out issuing.pem && "
                                 "openssl x509 -inform DER -in leaf.der -out leaf.pem && "
                                 "openssl verify -attime " + std::to_string(std::chrono::system_clock::to_time_t(kNow + 1h)) +
                                 " -CAfile root.pem -untrusted issuing.pem leaf.pem");
  EXPECT_EQ(r.status, 0) << r.output;

  // A foreign self-signed certificate (no SPIFFE bundle configured).
  auto self = qualsig::testing::run("cd " + d + " && openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes "
                                    "-keyout k.pem -subj /CN=bot -days 2 -outform DER -out self.der 2>/dev/null");
  ASSERT_EQ(self.status, 0);
  auto self_der = core::read_file_bytes(tmp.path() / "self.der", 1 << 20);
  ASSERT_TRUE(self_der);
  EXPECT_FALSE(principal_from_certificate(*f.svc, {to_string(*self_der)}, kNow + 1h));
  // Garbage, empty.
  EXPECT_FALSE(principal_from_certificate(*f.svc, {"not a certificate"}, kNow));
  EXPECT_FALSE(principal_from_certificate(*f.svc, {}, kNow));
  // Expired: after the certificate's notAfter.
  auto expired = principal_from_certificate(*f.svc, {der}, f.cert.not_after + 1h);
  EXPECT_FALSE(expired);

  // Revoked: refused at once, naming the status.
  ASSERT_TRUE(revoke_certificate(*f.svc, f.cert.serial_hex, pki::RevocationReason::key_compromise, std::nullopt, "test", kNow + 2h));
  auto revoked = principal_from_certificate(*f.svc, {der}, kNow + 3h);
  ASSERT_FALSE(revoked);
  EXPECT_NE(revoked.error().message.find("revoked"), std::string::npos) << revoked.error().message;
}

TEST(CscService, ConformanceLevelsAreReadAsClientsWriteThem) {
  EXPECT_EQ(*csc_conformance_level("Ades-B-B"), "B-B");
  EXPECT_EQ(*csc_conformance_level("AdES-B-LTA"), "B-LTA");
  EXPECT_EQ(*csc_conformance_level("ADES-b-lt"), "B-LT");
  EXPECT_EQ(*csc_conformance_level("AdES-T"), "B-T");  // the older TS profile names
  EXPECT_EQ(*csc_conformance_level("AdES-B"), "B-B");
  for (const char* bad : {"", "B-B", "Ades-", "Ades-B-X", "PAdES-B-B", "Ades-B-LTAA"}) EXPECT_FALSE(csc_conformance_level(bad)) << bad;
}

TEST(CscService, AlgorithmOids) {
  EXPECT_EQ(*digest_from_oid("2.16.840.1.101.3.4.2.1"), core::DigestAlgorithm::sha256);
  EXPECT_EQ(*digest_from_oid("2.16.840.1.101.3.4.2.3"), core::DigestAlgorithm::sha512);
  EXPECT_FALSE(digest_from_oid("1.3.14.3.2.26"));  // SHA-1 is not offered
  EXPECT_EQ(*scheme_from_sign_algo("1.2.840.10045.4.3.2", core::DigestAlgorithm::sha256), hsm::SignatureScheme::ecdsa);
  EXPECT_FALSE(scheme_from_sign_algo("1.2.840.10045.4.3.2", core::DigestAlgorithm::sha384)) << "ecdsa-with-SHA256 over a SHA-384 hash";
  EXPECT_EQ(*scheme_from_sign_algo("1.2.840.113549.1.1.10", core::DigestAlgorithm::sha384), hsm::SignatureScheme::rsa_pss);
  EXPECT_EQ(*scheme_from_sign_algo("1.2.840.113549.1.1.11", core::DigestAlgorithm::sha256), hsm::SignatureScheme::rsa_pkcs1_v15);
  EXPECT_FALSE(scheme_from_sign_algo("1.2.3.4", core::DigestAlgorithm::sha256));
  EXPECT_FALSE(scheme_from_sign_algo("", core::DigestAlgorithm::sha256));
}

// RSASSA-PSS-params as OpenSSL writes them into a signature's AlgorithmIdentifier (the
// independent source: qualsig's check only reads them).
Bytes openssl_pss_params(const EVP_MD* md, const EVP_MD* mgf1, int salt) {
  static EVP_PKEY* key = EVP_RSA_gen(2048);
  auto ctx = std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)>(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
  EVP_PKEY_CTX* pctx = nullptr;
  if (key == nullptr || EVP_DigestSignInit(ctx.get(), &pctx, md, nullptr, key) != 1 ||
      EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) != 1 || EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, mgf1) != 1 ||
      EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, salt) != 1)
    throw std::runtime_error("openssl PSS set-up");
  unsigned char aid[256];
  OSSL_PARAM params[] = {OSSL_PARAM_construct_octet_string(OSSL_SIGNATURE_PARAM_ALGORITHM_ID, aid, sizeof aid),
                         OSSL_PARAM_construct_end()};
  if (EVP_PKEY_CTX_get_params(pctx, params) != 1) throw std::runtime_error("no AlgorithmIdentifier");
  const unsigned char* p = aid;
  auto algor = std::unique_ptr<X509_ALGOR, decltype(&X509_ALGOR_free)>(
      d2i_X509_ALGOR(nullptr, &p, static_cast<long>(params[0].return_size)), &X509_ALGOR_free);
  const void* value = nullptr;
  int type = 0;
  X509_ALGOR_get0(nullptr, &type, &value, algor.get());
  if (type != V_ASN1_SEQUENCE) throw std::runtime_error("PSS AlgorithmIdentifier without parameters");
  const auto* seq = static_cast<const ASN1_STRING*>(value);
  return Bytes(ASN1_STRING_get0_data(seq), ASN1_STRING_get0_data(seq) + ASN1_STRING_length(seq));
}

// signAlgoParams is checked, not ignored (CSC pitfall: a server that ignores it returns RSASSA-PSS
// values that fail against the parameters the client writes into its signature).
TEST(CscService, SignAlgoParamsAreCheckedNotIgnored) {
  const std::string pss = "1.2.840.113549.1.1.10";
  using core::DigestAlgorithm;
  EXPECT_TRUE(check_sign_algo_params(pss, DigestAlgorithm::sha256, openssl_pss_params(EVP_sha256(), EVP_sha256(), 32)));
  EXPECT_TRUE(check_sign_algo_params(pss, DigestAlgorithm::sha512, openssl_pss_params(EVP_sha512(), EVP_sha512(), 64)));
  auto salt20 = check_sign_algo_params(pss, DigestAlgorithm::sha256, openssl_pss_params(EVP_sha256(), EVP_sha256(), 20));
  ASSERT_FALSE(salt20);
  EXPECT_EQ(salt20.error().code, ErrorCode::invalid_input);
  EXPECT_NE(salt20.error().message.find("salt of 20 bytes"), std::string::npos) << salt20.error().message;
  EXPECT_FALSE(check_sign_algo_params(pss, DigestAlgorithm::sha256, openssl_pss_params(EVP_sha256(), EVP_sha1(), 32)));
  EXPECT_FALSE(check_sign_algo_params(pss, DigestAlgorithm::sha384, openssl_pss_params(EVP_sha256(), EVP_sha256(), 32)));
  const Bytes good = openssl_pss_params(EVP_sha256(), EVP_sha256(), 32);
  // Hostile DER: empty (all DEFAULTs: SHA-1), truncated, trailing bytes, trailerField 2.
  EXPECT_FALSE(check_sign_algo_params(pss, DigestAlgorithm::sha256, Bytes{0x30, 0x00}));
  EXPECT_FALSE(check_sign_algo_params(pss, DigestAlgorithm::sha256, ByteView(good).first(good.size() - 1)));
  Bytes trailing = good;
  trailing.push_back(0);
  EXPECT_FALSE(check_sign_algo_params(pss, DigestAlgorithm::sha256, trailing));
  Bytes trailer2 = good;
  trailer2.insert(trailer2.end(), {0xa3, 0x03, 0x02, 0x01, 0x02});
  trailer2[1] = static_cast<unsigned char>(trailer2[1] + 5);
  auto t2 = check_sign_algo_params(pss, DigestAlgorithm::sha256, trailer2);
  ASSERT_FALSE(t2);
  EXPECT_NE(t2.error().message.find("trailerField"), std::string::npos) << t2.error().message;
  // signHash takes the salt length as it is asked (sign_algo_pss_params), MGF1 over the message
  // hash only (the token's limit).
  auto other = sign_algo_pss_params(pss, DigestAlgorithm::sha256, openssl_pss_params(EVP_sha256(), EVP_sha256(), 20));
  ASSERT_TRUE(other) << other.error().message;
  ASSERT_TRUE(*other);
  EXPECT_EQ((*other)->salt_length, 20u);
  EXPECT_EQ((*other)->mgf1_digest, DigestAlgorithm::sha256);
  auto mgf384 = sign_algo_pss_params(pss, DigestAlgorithm::sha256, openssl_pss_params(EVP_sha256(), EVP_sha384(), 20));
  ASSERT_FALSE(mgf384);
  EXPECT_NE(mgf384.error().message.find("MGF1 with SHA384 is not offered"), std::string::npos) << mgf384.error().message;
  EXPECT_FALSE(sign_algo_pss_params(pss, DigestAlgorithm::sha256, openssl_pss_params(EVP_sha256(), EVP_sha1(), 20)));
  EXPECT_FALSE(sign_algo_pss_params(pss, DigestAlgorithm::sha256, openssl_pss_params(EVP_sha256(), EVP_sha256(), 2000)));
  auto ecdsa = sign_algo_pss_params("1.2.840.10045.4.3.2", DigestAlgorithm::sha256, Bytes{0x05, 0x00});
  ASSERT_TRUE(ecdsa);
  EXPECT_FALSE(*ecdsa);
  // Other algorithms: DER NULL or nothing.
  EXPECT_TRUE(check_sign_algo_params("1.2.840.10045.4.3.2", DigestAlgorithm::sha256, Bytes{0x05, 0x00}));
  EXPECT_FALSE(check_sign_algo_params("1.2.840.10045.4.3.2", DigestAlgorithm::sha256, good));
}

// OpenSSL's verdict on a signature value over `digest` (SHA-256) with the certificate's key: with
// `pss_salt`, RSASSA-PSS with MGF1-SHA-256 and that many bytes of salt; else the key's default
// (ECDSA, or RSA PKCS#1 v1.5).
bool openssl_verifies(ByteView cert_der, ByteView digest, ByteView sig, std::optional<int> pss_salt = std::nullopt) {
  const unsigned char* p = cert_der.data();
  std::unique_ptr<X509, decltype(&X509_free)> cert(d2i_X509(nullptr, &p, static_cast<long>(cert_der.size())), &X509_free);
  if (!cert) return false;
  std::unique_ptr<EVP_PKEY_CTX, decltype(&EVP_PKEY_CTX_free)> ctx(EVP_PKEY_CTX_new(X509_get0_pubkey(cert.get()), nullptr),
                                                                   &EVP_PKEY_CTX_free);
  if (!ctx || EVP_PKEY_verify_init(ctx.get()) != 1 || EVP_PKEY_CTX_set_signature_md(ctx.get(), EVP_sha256()) != 1) return false;
  if (pss_salt && (EVP_PKEY_CTX_set_rsa_padding(ctx.get(), RSA_PKCS1_PSS_PADDING) != 1 ||
                   EVP_PKEY_CTX_set_rsa_pss_saltlen(ctx.get(), *pss_salt) != 1))
    return false;
  return EVP_PKEY_verify(ctx.get(), sig.data(), sig.size(), digest.data(), digest.size()) == 1;
}

// An RSA credential through signHash: the salt asked for in signAlgoParams is the one the value
// carries (OpenSSL verifies it with that salt and refuses it with the default one), and a salt too
// long for the key is refused before the SAD is consumed, so the same SAD signs afterwards.
TEST(CscService, RsaCredentialSignsWithTheAskedSaltAndRefusesOneTooLongBeforeTheSad) {
  Fixture f;
  constexpr const char* kPolicy = R"({"schema": "qualsig-policy/1", "name": "t", "version": 1, "document_types": ["csc-hash"]})";
  ASSERT_TRUE(set_policy(*f.svc, {"bot"}, kPolicy, "test", kNow));
  IssueRequest rsa{"bot", std::nullopt, hsm::KeyType::rsa_3072};
  auto cert = issue_certificate(*f.svc, rsa, "test", kNow);
  ASSERT_TRUE(cert) << cert.error().message;
  CscAuthorizeInput in;
  in.credential_id = cert->serial_hex;
  in.num_signatures = 3;
  in.hashes = {core::sha256(as_bytes(std::string("a"))), core::sha256(as_bytes(std::string("b"))),
               core::sha256(as_bytes(std::string("c")))};
  in.hash_algorithm_oid = "2.16.840.1.101.3.4.2.1";
  in.requester = "identity:bot";
  auto a = csc_authorize(*f.svc, "bot", in, kNow);
  ASSERT_TRUE(a && a->sad) << (a ? "no SAD" : a.error().message);
  const std::string sha256 = "2.16.840.1.101.3.4.2.1", pss = "1.2.840.113549.1.1.10";
  // emLen of a 3072-bit key is 384 bytes: a salt of 351 bytes fits SHA-256 (32 + 351 + 2 = 385 > 384 does not).
  auto too_long = csc_sign_hash(*f.svc, "bot", cert->serial_hex, *a->sad, {in.hashes[0]}, sha256, pss, kNow,
                                openssl_pss_params(EVP_sha256(), EVP_sha256(), 351));
  ASSERT_FALSE(too_long);
  EXPECT_EQ(too_long.error().code, ErrorCode::invalid_input);
  EXPECT_NE(too_long.error().message.find("does not fit the credential's 3072-bit key"), std::string::npos)
      << too_long.error().message;
  auto salt20 = csc_sign_hash(*f.svc, "bot", cert->serial_hex, *a->sad, {in.hashes[0]}, sha256, pss, kNow,
                              openssl_pss_params(EVP_sha256(), EVP_sha256(), 20));
  ASSERT_TRUE(salt20) << salt20.error().message;
  EXPECT_TRUE(openssl_verifies(cert->der, in.hashes[0], (*salt20)[0], 20));
  EXPECT_FALSE(openssl_verifies(cert->der, in.hashes[0], (*salt20)[0], 32));
  auto longest = csc_sign_hash(*f.svc, "bot", cert->serial_hex, *a->sad, {in.hashes[1]}, sha256, pss, kNow,
                               openssl_pss_params(EVP_sha256(), EVP_sha256(), 350));
  ASSERT_TRUE(longest) << longest.error().message;
  EXPECT_TRUE(openssl_verifies(cert->der, in.hashes[1], (*longest)[0], 350));
  auto v15 = csc_sign_hash(*f.svc, "bot", cert->serial_hex, *a->sad, {in.hashes[2]}, sha256, "1.2.840.113549.1.1.11", kNow);
  ASSERT_TRUE(v15) << v15.error().message;
  EXPECT_TRUE(openssl_verifies(cert->der, in.hashes[2], (*v15)[0]));
  // ECDSA on the RSA credential is refused.
  auto ecdsa = csc_sign_hash(*f.svc, "bot", cert->serial_hex, *a->sad, {in.hashes[2]}, sha256, "1.2.840.10045.4.3.2", kNow);
  ASSERT_FALSE(ecdsa);
  EXPECT_EQ(ecdsa.error().code, ErrorCode::invalid_input);
}

// An identity may hold two usable credentials (a renewal overlaps the old certificate): the SAD of
// credentials/authorize is bound to the credential named there, not to the newest one.
TEST(CscService, SadIsBoundToTheCredentialAuthorizedNotTheNewest) {
  Fixture f;
  constexpr const char* kPolicy = R"({"schema": "qualsig-policy/1", "name": "t", "version": 1, "document_types": ["csc-hash"]})";
  ASSERT_TRUE(set_policy(*f.svc, {"bot"}, kPolicy, "test", kNow));
  auto newer = issue_certificate(*f.svc, IssueRequest{"bot", std::nullopt}, "test", kNow + 1min);
  ASSERT_TRUE(newer) << newer.error().message;
  const TimePoint later = kNow + 2min;
  CscAuthorizeInput in;
  in.credential_id = f.cert.serial_hex;  // the older one
  in.num_signatures = 1;
  in.hashes = {core::sha256(as_bytes(std::string("renewal overlap")))};
  in.hash_algorithm_oid = "2.16.840.1.101.3.4.2.1";
  in.requester = "identity:bot";
  auto a = csc_authorize(*f.svc, "bot", in, later);
  ASSERT_TRUE(a && a->sad) << (a ? "no SAD" : a.error().message);
  auto wrong = csc_sign_hash(*f.svc, "bot", newer->serial_hex, *a->sad, in.hashes, in.hash_algorithm_oid,
                             "1.2.840.10045.4.3.2", later);
  ASSERT_FALSE(wrong);
  EXPECT_NE(wrong.error().message.find("not issued for this credential"), std::string::npos) << wrong.error().message;
  auto right = csc_sign_hash(*f.svc, "bot", f.cert.serial_hex, *a->sad, in.hashes, in.hash_algorithm_oid,
                             "1.2.840.10045.4.3.2", later);
  ASSERT_TRUE(right) << right.error().message;
  // The value is the older credential's key's: OpenSSL verifies it with that certificate only.
  EXPECT_TRUE(openssl_verifies(f.cert.der, in.hashes[0], (*right)[0]));
  EXPECT_FALSE(openssl_verifies(newer->der, in.hashes[0], (*right)[0]));
}

TEST(CscService, SadCoversOnlyItsHashesAndItsCaller) {
  Fixture f;
  constexpr const char* kPolicy = R"({"schema": "qualsig-policy/1", "name": "t", "version": 1, "document_types": ["csc-hash"]})";
  ASSERT_TRUE(set_policy(*f.svc, {"bot"}, kPolicy, "test", kNow));
  CscAuthorizeInput in;
  in.credential_id = f.cert.serial_hex;
  in.num_signatures = 2;
  in.hashes = {core::sha256(as_bytes(std::string("a"))), core::sha256(as_bytes(std::string("b")))};
  in.hash_algorithm_oid = "2.16.840.1.101.3.4.2.1";
  in.requester = "identity:bot";
  auto a = csc_authorize(*f.svc, "bot", in, kNow);
  ASSERT_TRUE(a) << a.error().message;
  ASSERT_TRUE(a->sad);
  EXPECT_EQ(a->request_ids.size(), 2u);
  // Another caller: refused before anything is consumed.
  EXPECT_FALSE(csc_sign_hash(*f.svc, "other", f.cert.serial_hex, *a->sad, {in.hashes[0]}, "2.16.840.1.101.3.4.2.1",
                             "1.2.840.10045.4.3.2", kNow));
  // A hash outside the SAD.
  auto outside = csc_sign_hash(*f.svc, "bot", f.cert.serial_hex, *a->sad, {core::sha256(as_bytes(std::string("c")))},
                               "2.16.840.1.101.3.4.2.1", "1.2.840.10045.4.3.2", kNow);
  ASSERT_FALSE(outside);
  EXPECT_EQ(outside.error().code, ErrorCode::denied);
  // Tampered SAD text.
  std::string tampered(a->sad->reveal());
  tampered[tampered.size() / 2] = tampered[tampered.size() / 2] == 'A' ? 'B' : 'A';
  EXPECT_FALSE(csc_sign_hash(*f.svc, "bot", f.cert.serial_hex, Secret(tampered), {in.hashes[0]}, "2.16.840.1.101.3.4.2.1",
                             "1.2.840.10045.4.3.2", kNow));
  // The rightful use: each hash once, the second use of one refused.
  auto first = csc_sign_hash(*f.svc, "bot", f.cert.serial_hex, *a->sad, {in.hashes[1]}, "2.16.840.1.101.3.4.2.1",
                             "1.2.840.10045.4.3.2", kNow);
  ASSERT_TRUE(first) << first.error().message;
  auto both = csc_sign_hash(*f.svc, "bot", f.cert.serial_hex, *a->sad, {in.hashes[0], in.hashes[1]}, "2.16.840.1.101.3.4.2.1",
                            "1.2.840.10045.4.3.2", kNow);
  ASSERT_FALSE(both);
  EXPECT_EQ(both.error().code, ErrorCode::conflict);
  // ... and refused before hashes[0] was signed: it is still usable, once.
  auto second = csc_sign_hash(*f.svc, "bot", f.cert.serial_hex, *a->sad, {in.hashes[0]}, "2.16.840.1.101.3.4.2.1",
                              "1.2.840.10045.4.3.2", kNow);
  ASSERT_TRUE(second) << second.error().message;
  EXPECT_EQ(csc_sign_hash(*f.svc, "bot", f.cert.serial_hex, *a->sad, {in.hashes[0]}, "2.16.840.1.101.3.4.2.1",
                          "1.2.840.10045.4.3.2", kNow).error().code, ErrorCode::conflict);
  // The SAD is one short secret whatever the number of hashes (CSC clients send it with each
  // call); a well-formed but unknown one covers nothing.
  EXPECT_LT(a->sad->size(), 64u);
  auto unknown = csc_sign_hash(*f.svc, "bot", f.cert.serial_hex, new_token("qsad."), {in.hashes[0]}, "2.16.840.1.101.3.4.2.1",
                               "1.2.840.10045.4.3.2", kNow);
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().code, ErrorCode::denied);
  // The numbers do not add up.
  in.num_signatures = 3;
  EXPECT_FALSE(csc_authorize(*f.svc, "bot", in, kNow));
  in.num_signatures = 2;
  in.hashes[1] = in.hashes[0];
  EXPECT_FALSE(csc_authorize(*f.svc, "bot", in, kNow)) << "the same hash twice";
  in.hashes = {Bytes(20, 1), Bytes(20, 2)};
  EXPECT_FALSE(csc_authorize(*f.svc, "bot", in, kNow)) << "SHA-1-sized hashes";
  in.client_data = R"({"qualsig":{"signature_format":"Z"}})";
  EXPECT_FALSE(csc_authorize(*f.svc, "bot", in, kNow));
}

}  // namespace
}  // namespace qualsig::service
