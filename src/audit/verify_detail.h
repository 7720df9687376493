#pragma once
// Internal to src/audit: argument checks and errors shared by the verifiers.

#include <span>

#include "audit/merkle_hash.h"
#include "core/bytes.h"
#include "core/result.h"

namespace qualsig::audit::detail {

// Checks that every element of `proof` is a 32-byte hash and copies them; invalid_input naming
// the first bad element otherwise.
Result<Proof> proof_from_bytes(std::span<const Bytes> proof);

// `bytes` as a Hash; invalid_input "<what> has wrong length: got N bytes, want 32" otherwise.
Result<Hash> hash_argument(ByteView bytes, const char* what);

// A `denied` error "calculated <what> does not match", with both hashes in the detail.
Error root_mismatch(const char* what, const Hash& calculated, const Hash& expected);

}  // namespace qualsig::audit::detail
