#include "hsm/token.h"

#include <gtest/gtest.h>

#include <future>
#include <thread>

#include "core/digest.h"
#include "hsm/pkcs11_error.h"
#include "hsm/signer.h"
#include "support/softhsm.h"

namespace qualsig::hsm {
namespace {

using qualsig::testing::SoftHsm;

// Verifies `sig` over `digest` with OpenSSL alone: the independent check of what the token made.
bool openssl_verifies(const EVP_PKEY* key, ByteView digest, ByteView sig, SignatureScheme scheme,
                      const EVP_MD* md) {
  auto ctx = core::wrap(EVP_PKEY_CTX_new(const_cast<EVP_PKEY*>(key), nullptr));
  if (!ctx || EVP_PKEY_verify_init(ctx.get()) != 1) return false;
  if (scheme != SignatureScheme::ecdsa) {
    EVP_PKEY_CTX_set_rsa_padding(ctx.get(), scheme == SignatureScheme::rsa_pss ? RSA_PKCS1_PSS_PADDING : RSA_PKCS1_PADDING);
    if (scheme == SignatureScheme::rsa_pss) EVP_PKEY_CTX_set_rsa_pss_saltlen(ctx.get(), RSA_PSS_SALTLEN_DIGEST);
  }
  EVP_PKEY_CTX_set_signature_md(ctx.get(), md);
  return EVP_PKEY_verify(ctx.get(), sig.data(), sig.size(), digest.data(), digest.size()) == 1;
}

TEST(Token, GeneratesNonExtractableKeysAndRefusesToRevealThem) {
  SoftHsm hsm;
  Bytes id{0x01};
  auto kp = hsm.token()->generate_key(KeyType::ec_p256, "test-key", id);
  ASSERT_TRUE(kp) << kp.error().message;
  EXPECT_TRUE(*hsm.token()->read_bool_attribute(kp->private_key, CKA_SENSITIVE));
  EXPECT_FALSE(*hsm.token()->read_bool_attribute(kp->private_key, CKA_EXTRACTABLE));
  EXPECT_TRUE(*hsm.token()->read_bool_attribute(kp->private_key, CKA_NEVER_EXTRACTABLE));
  EXPECT_TRUE(*hsm.token()->read_bool_attribute(kp->private_key, CKA_TOKEN));
  auto value = hsm.token()->read_attribute(kp->private_key, CKA_VALUE);
  ASSERT_FALSE(value);
  EXPECT_NE(value.error().message.find("CKR_ATTRIBUTE_SENSITIVE"), std::string::npos) << value.error().message;
}

TEST(Token, FindsKeyByIdAndRefusesDuplicateId) {
  SoftHsm hsm;
  Bytes id{0xca, 0xfe};
  ASSERT_TRUE(hsm.token()->generate_key(KeyType::ec_p384, "ca", id));
  auto found = hsm.token()->find_key(id);
  ASSERT_TRUE(found) << found.error().message;
  EXPECT_EQ(found->type, KeyType::ec_p384);
  EXPECT_EQ(found->label, "ca");
  auto dup = hsm.token()->generate_key(KeyType::ec_p256, "again", id);
  ASSERT_FALSE(dup);
  EXPECT_EQ(dup.error().code, ErrorCode::already_exists);
  auto missing = hsm.token()->find_key(Bytes{0x99});
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, ErrorCode::not_found);
}

struct SignCase {
  const char* name;
  KeyType type;
  SignatureScheme scheme;
  core::DigestAlgorithm digest;
};

void PrintTo(const SignCase& c, std::ostream* os) { *os << c.name; }

class TokenSign : public ::testing::TestWithParam<SignCase> {};

TEST_P(TokenSign, OpenSslVerifiesWhatTheTokenSigned) {
  const auto& c = GetParam();
  SoftHsm hsm;
  auto kp = hsm.token()->generate_key(c.type, c.name, as_bytes(c.name));
  ASSERT_TRUE(kp) << kp.error().message;
  auto signer = Pkcs11Signer::create(hsm.token(), *kp);
  ASSERT_TRUE(signer) << signer.error().message;
  Bytes digest = core::digest(c.digest, as_bytes("qualsig signs this"));
  auto sig = (*signer)->sign_digest(digest, c.digest, c.scheme);
  ASSERT_TRUE(sig) << sig.error().message;
  const EVP_MD* md = c.digest == core::DigestAlgorithm::sha256 ? EVP_sha256()
                     : c.digest == core::DigestAlgorithm::sha384 ? EVP_sha384() : EVP_sha512();
  EXPECT_TRUE(openssl_verifies((*signer)->public_key(), digest, *sig, c.scheme, md));
  // A flipped digest bit must not verify.
  digest[0] ^= 1;
  EXPECT_FALSE(openssl_verifies((*signer)->public_key(), digest, *sig, c.scheme, md));
}

INSTANTIATE_TEST_SUITE_P(
    Algorithms, TokenSign,
    ::testing::Values(SignCase{"p256_sha256", KeyType::ec_p256, SignatureScheme::ecdsa, core::DigestAlgorithm::sha256},
                      SignCase{"p384_sha384", KeyType::ec_p384, SignatureScheme::ecdsa, core::DigestAlgorithm::sha384},
                      SignCase{"rsa3072_pkcs1", KeyType::rsa_3072, SignatureScheme::rsa_pkcs1_v15, core::DigestAlgorithm::sha256},
                      SignCase{"rsa3072_pss", KeyType::rsa_3072, SignatureScheme::rsa_pss, core::DigestAlgorithm::sha384}),
    [](const auto& info) { return std::string(info.param.name); });

// RSASSA-PSS with parameters other than the default (CSC signAlgoParams): OpenSSL verifies with
// exactly those (salt 20 under SHA-256) and not with the default salt. SoftHSM2 takes MGF1 only
// over the message hash (CKR_ARGUMENTS_BAD otherwise: notes/stack-facts.md style finding).
TEST(Token, PssWithOtherParametersIsSignedWithThem) {
  SoftHsm hsm;
  auto kp = hsm.token()->generate_key(KeyType::rsa_3072, "pss", Bytes{9});
  ASSERT_TRUE(kp) << kp.error().message;
  auto signer = Pkcs11Signer::create(hsm.token(), *kp);
  ASSERT_TRUE(signer);
  Bytes digest = core::sha256(as_bytes("qualsig signs this with PSS parameters"));
  auto sig = (*signer)->sign_digest_pss(digest, core::DigestAlgorithm::sha256, PssParams{core::DigestAlgorithm::sha256, 20});
  ASSERT_TRUE(sig) << sig.error().message;
  auto verifies = [&](int salt, const EVP_MD* mgf1) {
    auto ctx = core::wrap(EVP_PKEY_CTX_new_from_pkey(nullptr, const_cast<EVP_PKEY*>((*signer)->public_key()), nullptr));
    return ctx && EVP_PKEY_verify_init(ctx.get()) == 1 && EVP_PKEY_CTX_set_rsa_padding(ctx.get(), RSA_PKCS1_PSS_PADDING) == 1 &&
           EVP_PKEY_CTX_set_signature_md(ctx.get(), EVP_sha256()) == 1 && EVP_PKEY_CTX_set_rsa_mgf1_md(ctx.get(), mgf1) == 1 &&
           EVP_PKEY_CTX_set_rsa_pss_saltlen(ctx.get(), salt) == 1 &&
           EVP_PKEY_verify(ctx.get(), sig->data(), sig->size(), digest.data(), digest.size()) == 1;
  };
  EXPECT_TRUE(verifies(20, EVP_sha256()));
  EXPECT_FALSE(verifies(32, EVP_sha256()));
  EXPECT_FALSE(verifies(20, EVP_sha512()));
  auto zero = (*signer)->sign_digest_pss(digest, core::DigestAlgorithm::sha256, PssParams{core::DigestAlgorithm::sha256, 0});
  ASSERT_TRUE(zero) << zero.error().message;
  sig = std::move(zero);
  EXPECT_TRUE(verifies(0, EVP_sha256()));
  EXPECT_FALSE(verifies(20, EVP_sha256()));
  // A salt the 3072-bit key cannot hold (RFC 8017 §9.1.1: emLen >= hLen + sLen + 2), an EC key.
  EXPECT_EQ((*signer)->sign_digest_pss(digest, core::DigestAlgorithm::sha256, PssParams{core::DigestAlgorithm::sha256, 351})
                .error()
                .code,
            ErrorCode::usage);
  auto ec = hsm.token()->generate_key(KeyType::ec_p256, "ec", Bytes{10});
  auto ec_signer = Pkcs11Signer::create(hsm.token(), *ec);
  ASSERT_TRUE(ec_signer);
  EXPECT_EQ((*ec_signer)->sign_digest_pss(digest, core::DigestAlgorithm::sha256, PssParams{}).error().code, ErrorCode::usage);
}

TEST(Token, SignerRejectsWrongDigestLengthAndSchemeMismatch) {
  SoftHsm hsm;
  auto kp = hsm.token()->generate_key(KeyType::ec_p256, "k", Bytes{7});
  auto signer = Pkcs11Signer::create(hsm.token(), *kp);
  ASSERT_TRUE(signer);
  Bytes short_digest(20, 0xaa);
  EXPECT_EQ((*signer)->sign_digest(short_digest, core::DigestAlgorithm::sha256, SignatureScheme::ecdsa).error().code,
            ErrorCode::invalid_input);
  Bytes digest(32, 0xaa);
  EXPECT_EQ((*signer)->sign_digest(digest, core::DigestAlgorithm::sha256, SignatureScheme::rsa_pss).error().code,
            ErrorCode::usage);
}

TEST(Token, PoolServesConcurrentSigners) {
  SoftHsm hsm("pool", 2);
  auto kp = hsm.token()->generate_key(KeyType::ec_p256, "k", Bytes{1});
  auto signer = *Pkcs11Signer::create(hsm.token(), *kp);
  std::atomic<int> good{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 6; ++t)
    threads.emplace_back([&] {
      for (int i = 0; i < 50; ++i) {
        Bytes digest = core::sha256(as_bytes(std::to_string(i)));
        auto sig = signer->sign_digest(digest, core::DigestAlgorithm::sha256, SignatureScheme::ecdsa);
        if (sig && openssl_verifies(signer->public_key(), digest, *sig, SignatureScheme::ecdsa, EVP_sha256())) ++good;
      }
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(good.load(), 300);
}

// Looking a key up reads its attributes on the session it already holds: with a pool of one
// session a nested lease would wait for itself. (Under `qualsig serve`, four threads each
// holding one of four sessions in find_key and waiting for a second deadlocked the server.)
TEST(Token, KeyLookupNeedsOneSessionOnly) {
  SoftHsm hsm("one-session", 1);
  auto kp = hsm.token()->generate_key(KeyType::ec_p256, "only", Bytes{7});
  ASSERT_TRUE(kp) << kp.error().message;
  auto by_id = std::async(std::launch::async, [&] { return hsm.token()->find_key(Bytes{7}); });
  ASSERT_EQ(by_id.wait_for(std::chrono::seconds(20)), std::future_status::ready) << "find_key waits for a second session";
  auto found = by_id.get();
  ASSERT_TRUE(found) << found.error().message;
  EXPECT_EQ(found->label, "only");
  auto by_label = std::async(std::launch::async, [&] { return hsm.token()->find_key_by_label("only"); });
  ASSERT_EQ(by_label.wait_for(std::chrono::seconds(20)), std::future_status::ready) << "find_key_by_label waits for a second session";
  EXPECT_TRUE(by_label.get());
}

TEST(Token, WrongPinAndUnknownLabelAreClearErrors) {
  SoftHsm hsm("pin-test");
  hsm.close_token();
  auto other = Token::open(hsm.module(), TokenSelector("pin-test-other"), qualsig::testing::test_user_pin());
  ASSERT_FALSE(other);
  EXPECT_NE(other.error().message.find("no token labelled 'pin-test-other'"), std::string::npos);
  auto wrong = Token::open(hsm.module(), TokenSelector("pin-test"), Secret(std::string("999999")));
  ASSERT_FALSE(wrong);
  EXPECT_EQ(wrong.error().code, ErrorCode::token);
  EXPECT_EQ(wrong.error().message, "C_Login: wrong PIN (CKR_PIN_INCORRECT)");
  EXPECT_EQ(wrong.error().message.find("999999"), std::string::npos);
  EXPECT_TRUE(Token::open(hsm.module(), TokenSelector("pin-test"), qualsig::testing::test_user_pin()));
}

TEST(Module, MissingModuleAndNonModuleAreClearErrors) {
  auto missing = Module::load("/nonexistent/libpkcs11.so");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, ErrorCode::token);
  EXPECT_NE(missing.error().message.find("not found"), std::string::npos);
  auto not_module = Module::load("/lib/x86_64-linux-gnu/libz.so.1");
  if (std::filesystem::exists("/lib/x86_64-linux-gnu/libz.so.1")) {
    ASSERT_FALSE(not_module);
    EXPECT_NE(not_module.error().message.find("C_GetFunctionList"), std::string::npos);
  }
  auto not_elf = Module::load("/etc/hostname");
  ASSERT_FALSE(not_elf);
  EXPECT_NE(not_elf.error().message.find("cannot load"), std::string::npos);
}

TEST(Pkcs11Error, EveryCodeHasANameAndUnknownCodesAreHex) {
  EXPECT_EQ(ckr_name(CKR_ATTRIBUTE_SENSITIVE), "CKR_ATTRIBUTE_SENSITIVE");
  EXPECT_EQ(ckr_name(0x80000001UL), "CKR_0x80000001");
  EXPECT_EQ(pkcs11_error("C_Sign", CKR_KEY_FUNCTION_NOT_PERMITTED).code, ErrorCode::denied);
}

}  // namespace
}  // namespace qualsig::hsm

namespace qualsig::hsm {
namespace {

TEST(Token, FindsKeyByLabelAndRefusesAmbiguousLabels) {
  qualsig::testing::SoftHsm hsm;
  ASSERT_TRUE(hsm.token()->generate_key(KeyType::ec_p256, "unique", Bytes{1}));
  ASSERT_TRUE(hsm.token()->generate_key(KeyType::ec_p256, "twice", Bytes{2}));
  ASSERT_TRUE(hsm.token()->generate_key(KeyType::ec_p256, "twice", Bytes{3}));
  auto found = hsm.token()->find_key_by_label("unique");
  ASSERT_TRUE(found) << found.error().message;
  EXPECT_EQ(found->id, Bytes{1});
  EXPECT_EQ(hsm.token()->find_key_by_label("twice").error().code, ErrorCode::conflict);
  EXPECT_EQ(hsm.token()->find_key_by_label("none").error().code, ErrorCode::not_found);
}

TEST(Module, SelectsTokenByLabelSerialAndSlot) {
  qualsig::testing::SoftHsm hsm("selector");
  auto slot = hsm.token()->slot();
  TokenSelector by_serial("selector");
  by_serial.serial = slot.serial;
  EXPECT_TRUE(hsm.module()->find_token(by_serial));
  TokenSelector wrong_serial("selector");
  wrong_serial.serial = "0000000000000000";
  auto r = hsm.module()->find_token(wrong_serial);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("with serial 0000000000000000"), std::string::npos);
  TokenSelector by_slot("");
  by_slot.slot_id = slot.id;
  auto s = hsm.module()->find_token(by_slot);
  ASSERT_TRUE(s);
  EXPECT_EQ(s->token_label, "selector");
}

}  // namespace
}  // namespace qualsig::hsm
