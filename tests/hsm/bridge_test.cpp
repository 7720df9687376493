#include "hsm/openssl_bridge.h"

#include <gtest/gtest.h>

#include "support/softhsm.h"

namespace qualsig::hsm {
namespace {

using qualsig::testing::SoftHsm;

// A self-signed certificate signed by OpenSSL's own X509_sign through the bridge: the
// signature must verify against the token's public key, with OpenSSL's X509_verify.
core::UniquePtr<X509> self_signed(EVP_PKEY* signing_key, const EVP_PKEY* pub, const EVP_MD* md) {
  auto cert = core::wrap(X509_new());
  X509_set_version(cert.get(), X509_VERSION_3);
  ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), 1);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), 0);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 3600);
  X509_NAME_add_entry_by_txt(X509_get_subject_name(cert.get()), "CN", MBSTRING_UTF8,
                             reinterpret_cast<const unsigned char*>("bridge"), -1, -1, 0);
  X509_set_issuer_name(cert.get(), X509_get_subject_name(cert.get()));
  X509_set_pubkey(cert.get(), const_cast<EVP_PKEY*>(pub));
  if (X509_sign(cert.get(), signing_key, md) <= 0) return nullptr;
  return cert;
}

TEST(Bridge, X509SignGoesThroughTheTokenForEveryKeyType) {
  SoftHsm hsm;
  struct Case { KeyType type; const EVP_MD* md; };
  for (auto c : {Case{KeyType::ec_p256, EVP_sha256()}, Case{KeyType::ec_p384, EVP_sha384()},
                 Case{KeyType::rsa_3072, EVP_sha256()}}) {
    auto kp = hsm.token()->generate_key(c.type, key_type_name(c.type), as_bytes(key_type_name(c.type)));
    ASSERT_TRUE(kp) << kp.error().message;
    auto signer = Pkcs11Signer::create(hsm.token(), *kp);
    ASSERT_TRUE(signer);
    auto pkey = make_signing_pkey(*signer);
    ASSERT_TRUE(pkey) << pkey.error().message;
    auto cert = self_signed(pkey->get(), (*signer)->public_key(), c.md);
    ASSERT_TRUE(cert) << key_type_name(c.type) << ": " << core::drain_openssl_errors();
    EXPECT_EQ(X509_verify(cert.get(), const_cast<EVP_PKEY*>((*signer)->public_key())), 1) << key_type_name(c.type);
  }
}

TEST(Bridge, KeyKeepsSignerAliveAfterCallerDropsIt) {
  SoftHsm hsm;
  auto kp = hsm.token()->generate_key(KeyType::ec_p256, "k", Bytes{1});
  core::UniquePtr<EVP_PKEY> pkey;
  core::UniquePtr<EVP_PKEY> pub;
  {
    auto signer = *Pkcs11Signer::create(hsm.token(), *kp);
    pkey = std::move(*make_signing_pkey(signer));
    pub = core::wrap(EVP_PKEY_dup(const_cast<EVP_PKEY*>(signer->public_key())));
  }
  auto cert = self_signed(pkey.get(), pub.get(), EVP_sha256());
  ASSERT_TRUE(cert);
  EXPECT_EQ(X509_verify(cert.get(), pub.get()), 1);
}

}  // namespace
}  // namespace qualsig::hsm
