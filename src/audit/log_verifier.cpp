#include "audit/log_verifier.h"

#include "audit/log_entry.h"
#include "audit/memory_tree.h"

namespace qualsig::audit {

Result<LogVerification> verify_log(store::Store& store, const NoteVerifier& log_key, const VerifyProgress& progress) {
  LogVerification v;
  MemoryTree tree;
  std::optional<Hash> prev;
  auto bad = [&](std::uint64_t seq, std::string problem) {
    v.first_bad_entry = seq;
    v.problem = std::move(problem);
    return false;
  };
  std::uint64_t expected = 0;
  QS_TRY_VOID(store.for_each_log_row(0, [&](const store::LogRow& row) {
    const std::string at = "entry " + std::to_string(expected);
    if (row.seq != expected) {
      if (row.seq > expected)
        return bad(expected, at + " is missing (deleted): the next stored entry is " + std::to_string(row.seq));
      return bad(expected, at + ": unexpected sequence number " + std::to_string(row.seq));
    }
    Hash leaf = hash_leaf(as_bytes(row.entry));
    auto stored = hash_from_bytes(row.leaf_hash);
    if (!stored || *stored != leaf) return bad(expected, at + " was modified: its text does not match its leaf hash");
    auto parsed = parse_entry(row.entry);
    if (!parsed) return bad(expected, at + " was modified: " + parsed.error().message);
    if (parsed->seq != expected)
      return bad(expected, at + " holds the entry written as " + std::to_string(parsed->seq) +
                               " (inserted, moved or reordered)");
    if (parsed->prev != prev) {
      // The link to the predecessor breaks when the predecessor changed (or one was
      // inserted or deleted before this one).
      if (expected == 0) return bad(0, at + " was modified: the first entry has a predecessor link");
      return bad(expected - 1, "entry " + std::to_string(expected - 1) + " was modified, inserted or removed: entry " +
                                   std::to_string(expected) + " no longer links to it");
    }
    tree.append(leaf);
    prev = leaf;
    ++expected;
    if (progress && expected % 4096 == 0) progress(expected);
    return true;
  }));
  v.entries = expected;
  v.root = tree.root();
  if (v.first_bad_entry) return v;

  QS_TRY(auto checkpoints, store.checkpoints());
  for (const auto& stored : checkpoints) {
    const std::string at = "checkpoint of size " + std::to_string(stored.tree_size);
    auto cp = verify_checkpoint(stored.note, log_key);
    if (!cp) {
      v.problem = at + " is not valid: " + cp.error().message;
      return v;
    }
    if (cp->size != stored.tree_size || Bytes(cp->root.begin(), cp->root.end()) != stored.root_hash) {
      v.problem = at + ": the signed note does not match the stored size or root";
      return v;
    }
    if (cp->size > v.entries) {
      v.first_bad_entry = v.entries;
      v.problem = at + " covers " + std::to_string(cp->size) + " entries but the log has " +
                  std::to_string(v.entries) + ": entries from " + std::to_string(v.entries) + " were removed";
      return v;
    }
    auto root = tree.root_at(cp->size);
    if (!root || *root != cp->root) {
      v.problem = at + ": the entries up to " + std::to_string(cp->size) +
                  " no longer hash to the signed root (rewritten history)";
      return v;
    }
    ++v.checkpoints;
  }
  v.ok = true;
  return v;
}

}  // namespace qualsig::audit
