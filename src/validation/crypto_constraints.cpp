// Cryptographic constraints of the DSS default policy (notes/validation.md §5); see
// crypto_constraints.h.

#include "validation/crypto_constraints.h"

#include <openssl/obj_mac.h>

#include <chrono>
#include <initializer_list>
#include <utility>

namespace qualsig::validation::detail {
namespace {

using namespace std::chrono;

constexpr TimePoint date(int y, unsigned m, unsigned d) {
  return TimePoint{sys_days{year{y} / month{m} / day{d}}.time_since_epoch()};
}

// constraint.xml UpdateDate: expiries after it are LevelAfterUpdate="WARN".
constexpr TimePoint kPolicyUpdate = date(2024, 10, 13);

// One AlgoExpirationDate row: minimum size (bits) and its expiry (nullopt: none).
struct Row {
  int min_bits;
  std::optional<TimePoint> expiry;
};

// "A key is acceptable at time T if some entry with Size <= key size has no date or a date after T"
// (DSS CryptographicSuiteUtils).
AlgorithmVerdict judge(std::string name, int bits, std::initializer_list<Row> rows, TimePoint at) {
  AlgorithmVerdict v;
  v.name = std::move(name);
  bool any = false;
  for (const Row& r : rows) {
    if (bits < r.min_bits) continue;
    any = true;
    if (!r.expiry) {
      v.expiry.reset();
      v.acceptable = true;
      return v;
    }
    if (!v.expiry || *r.expiry > *v.expiry) v.expiry = r.expiry;
  }
  if (!any) return v;  // below every minimum size
  // Past the update date only a warning: such an expiry never fails.
  if (*v.expiry > kPolicyUpdate) {
    v.expiry.reset();
    v.acceptable = true;
    return v;
  }
  v.acceptable = at <= *v.expiry;
  return v;
}

}  // namespace

AlgorithmVerdict digest_at(int md_nid, TimePoint at) {
  switch (md_nid) {
    case NID_md5: return judge("MD5", 0, {{0, date(2004, 8, 1)}}, at);
    case NID_sha1: return judge("SHA-1", 0, {{0, date(2012, 8, 1)}}, at);
    case NID_ripemd160: return judge("RIPEMD-160", 0, {{0, date(2014, 8, 1)}}, at);
    case NID_sha224: return judge("SHA-224", 0, {{0, date(2029, 1, 1)}}, at);
    case NID_sha256: return judge("SHA-256", 0, {{0, std::nullopt}}, at);
    case NID_sha384: return judge("SHA-384", 0, {{0, std::nullopt}}, at);
    case NID_sha512: return judge("SHA-512", 0, {{0, std::nullopt}}, at);
    case NID_sha3_256: return judge("SHA3-256", 0, {{0, std::nullopt}}, at);
    case NID_sha3_384: return judge("SHA3-384", 0, {{0, std::nullopt}}, at);
    case NID_sha3_512: return judge("SHA3-512", 0, {{0, std::nullopt}}, at);
    default: {
      AlgorithmVerdict v;
      const char* sn = OBJ_nid2sn(md_nid);
      v.name = sn != nullptr ? sn : "unknown digest";
      return v;
    }
  }
}

AlgorithmVerdict key_at(const EVP_PKEY* key, TimePoint at) {
  if (key == nullptr) return {};
  int bits = EVP_PKEY_get_bits(key);
  int id = EVP_PKEY_get_base_id(key);
  std::string size = std::to_string(bits);
  switch (id) {
    case EVP_PKEY_RSA:
      return judge("RSA " + size, bits,
                   {{786, date(2010, 8, 1)}, {1024, date(2019, 10, 1)}, {1536, date(2019, 10, 1)},
                    {1900, date(2029, 1, 1)}, {3000, date(2029, 1, 1)}},
                   at);
    case EVP_PKEY_RSA_PSS:
      return judge("RSASSA-PSS " + size, bits,
                   {{786, date(2010, 8, 1)}, {1024, date(2019, 10, 1)}, {1536, date(2019, 10, 1)},
                    {1900, date(2029, 1, 1)}, {3000, std::nullopt}},
                   at);
    case EVP_PKEY_DSA:
      return judge("DSA " + size, bits, {{1024, date(2015, 12, 1)}, {1900, date(2029, 1, 1)}, {3000, std::nullopt}}, at);
    case EVP_PKEY_EC:
      return judge("ECDSA " + size, bits,
                   {{160, date(2012, 8, 1)}, {163, date(2012, 8, 1)}, {224, date(2021, 10, 1)}, {256, std::nullopt}}, at);
    default: {
      AlgorithmVerdict v;
      const char* sn = OBJ_nid2sn(id);
      v.name = std::string(sn != nullptr ? sn : "unknown key type") + " (not in AcceptableEncryptionAlgo)";
      return v;
    }
  }
}

}  // namespace qualsig::validation::detail
