#pragma once
// Full verification of a stored audit log (`qualsig audit verify`): recomputes every leaf
// hash and the whole tree from the entries, checks the hash chain (prev), the sequence and
// every stored checkpoint's signature and root, and names the first entry that was modified,
// deleted, inserted or reordered.

#include <functional>
#include <optional>
#include <string>

#include "audit/checkpoint.h"
#include "audit/merkle_hash.h"
#include "store/store.h"

namespace qualsig::audit {

struct LogVerification {
  bool ok = false;
  std::uint64_t entries = 0;
  std::uint64_t checkpoints = 0;                // checkpoints whose signature and root were checked
  std::optional<std::uint64_t> first_bad_entry; // set when an entry is to blame
  std::string problem;                          // empty when ok
  Hash root{};                                  // of all entries read
};

// Progress callback: entries read so far (called every few thousand entries).
using VerifyProgress = std::function<void(std::uint64_t entries)>;

// Reads the log from `store`. Tampering is reported in the result (ok = false), never as an
// error; errors are for a store that cannot be read.
Result<LogVerification> verify_log(store::Store& store, const NoteVerifier& log_key,
                                   const VerifyProgress& progress = {});

}  // namespace qualsig::audit
