#pragma once
// Internal to validation/: cryptographic constraints (EN 319 102-1 §5.2.8 SAV, algorithm
// obsolescence) with the expiry dates of DSS's default policy (constraint.xml, after ETSI TS 119 312;
// notes/validation.md §5). An algorithm whose expiry lies after the policy's update date
// (2024-10-13) only warns once past it, as LevelAfterUpdate="WARN" says.

#include <openssl/evp.h>

#include <optional>
#include <string>

#include "core/time.h"

namespace qualsig::validation::detail {

// Whether an algorithm is usable at a time, and until when.
struct AlgorithmVerdict {
  bool acceptable = false;          // the algorithm/key size is known and allowed at the time
  std::optional<TimePoint> expiry;  // FAIL-level expiry (nullopt: none)
  std::string name;                 // "SHA-1", "RSA 1024", "ECDSA 256", ...
};

// A digest algorithm (OpenSSL NID) at `at`: MD5 2004-08-01, SHA-1 2012-08-01, RIPEMD-160
// 2014-08-01, SHA-224 (2029, warn only), SHA-2/SHA-3 256+ none; any other digest is not acceptable.
AlgorithmVerdict digest_at(int md_nid, TimePoint at);

// A public key at `at` (RSA / RSASSA-PSS / DSA / EC sizes of the policy table; EdDSA and others
// are not in DSS's AcceptableEncryptionAlgo list, so never acceptable).
AlgorithmVerdict key_at(const EVP_PKEY* key, TimePoint at);

}  // namespace qualsig::validation::detail
