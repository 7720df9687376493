// Cryptographic constraints of DSS's default policy (notes/validation.md §5), table-driven.
#include <gtest/gtest.h>
#include <openssl/obj_mac.h>

#include "core/openssl.h"
#include "validation/crypto_constraints.h"

namespace qualsig::validation::detail {
namespace {

TimePoint date(int y, unsigned m, unsigned d) { return std::chrono::sys_days{std::chrono::year{y} / m / d}; }

struct DigestCase {
  int nid;
  TimePoint at;
  bool acceptable;
};

TEST(CryptoConstraints, DigestsExpireOnThePolicyDates) {
  const DigestCase cases[] = {
      {NID_sha1, date(2012, 7, 31), true},    {NID_sha1, date(2012, 8, 2), false},
      {NID_md5, date(2004, 7, 1), true},      {NID_md5, date(2004, 8, 2), false},
      {NID_ripemd160, date(2014, 8, 2), false}, {NID_sha224, date(2030, 1, 1), true},  // warn-only after the update date
      {NID_sha256, date(2100, 1, 1), true},   {NID_sha512, date(2100, 1, 1), true},
      {NID_sha3_256, date(2100, 1, 1), true}, {NID_md4, date(2000, 1, 1), false},    // not in AcceptableDigestAlgo
  };
  for (const auto& c : cases) EXPECT_EQ(digest_at(c.nid, c.at).acceptable, c.acceptable) << OBJ_nid2sn(c.nid) << " " << to_rfc3339(c.at);
}

TEST(CryptoConstraints, KeySizesExpireOnThePolicyDates) {
  auto rsa1024 = core::wrap(EVP_RSA_gen(1024));
  auto rsa2048 = core::wrap(EVP_RSA_gen(2048));
  auto p256 = core::wrap(EVP_EC_gen("P-256"));
  auto p224 = core::wrap(EVP_EC_gen("P-224"));
  auto ed25519 = core::wrap(EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519"));
  EXPECT_TRUE(key_at(rsa1024.get(), date(2019, 9, 1)).acceptable);
  EXPECT_FALSE(key_at(rsa1024.get(), date(2019, 10, 2)).acceptable);
  EXPECT_EQ(key_at(rsa1024.get(), date(2019, 10, 2)).name, "RSA 1024");
  EXPECT_TRUE(key_at(rsa2048.get(), date(2035, 1, 1)).acceptable);  // 2029 expiry is warn-only
  EXPECT_TRUE(key_at(p256.get(), date(2100, 1, 1)).acceptable);
  EXPECT_TRUE(key_at(p224.get(), date(2021, 9, 1)).acceptable);
  EXPECT_FALSE(key_at(p224.get(), date(2021, 10, 2)).acceptable);
  EXPECT_FALSE(key_at(ed25519.get(), date(2026, 1, 1)).acceptable);  // EdDSA not in AcceptableEncryptionAlgo
  EXPECT_FALSE(key_at(nullptr, date(2026, 1, 1)).acceptable);
}

}  // namespace
}  // namespace qualsig::validation::detail
