#include "audit/log_verifier.h"

#include "audit/log_entry.h"
#include "audit/memory_tree.h"

#include <algorithm>
#include <thread>
#include <vector>

namespace qualsig::audit {

namespace {

// The per-entry work that does not depend on other entries: hashing, strict parsing and the
// canonical-form check. It dominates verification (about 7 us per entry), so it runs on all
// cores; the checks that link entries (sequence, prev, tree) stay sequential.
struct CheckedRow {
  Hash leaf{};
  bool leaf_matches = false;
  Result<ParsedEntry> parsed = fail(ErrorCode::internal, "not checked");
};

std::vector<CheckedRow> check_rows(const std::vector<store::LogRow>& rows) {
  std::vector<CheckedRow> out(rows.size());
  auto work = [&](std::size_t begin, std::size_t end) {
    for (std::size_t i = begin; i < end; ++i) {
      out[i].leaf = hash_leaf(as_bytes(rows[i].entry));
      auto stored = hash_from_bytes(rows[i].leaf_hash);
      out[i].leaf_matches = stored && *stored == out[i].leaf;
      out[i].parsed = parse_entry(rows[i].entry);
    }
  };
  unsigned n = std::max(1u, std::min(8u, std::thread::hardware_concurrency()));
  std::vector<std::thread> threads;
  std::size_t chunk = (rows.size() + n - 1) / n;
  for (unsigned t = 1; t < n && t * chunk < rows.size(); ++t)
    threads.emplace_back(work, t * chunk, std::min(rows.size(), (t + 1) * chunk));
  work(0, std::min(rows.size(), chunk));
  for (auto& t : threads) t.join();
  return out;
}

}  // namespace

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
  // Rows are checked in batches: the independent work in parallel, then the links in order.
  auto link = [&](const store::LogRow& row, CheckedRow& checked) {
    auto at = [&] { return "entry " + std::to_string(expected); };  // only built for a report
    if (row.seq != expected) {
      if (row.seq > expected)
        return bad(expected, at() + " is missing (deleted): the next stored entry is " + std::to_string(row.seq));
      return bad(expected, at() + ": unexpected sequence number " + std::to_string(row.seq));
    }
    if (!checked.leaf_matches) return bad(expected, at() + " was modified: its text does not match its leaf hash");
    if (!checked.parsed) return bad(expected, at() + " was modified: " + checked.parsed.error().message);
    const auto& parsed = *checked.parsed;
    if (parsed.seq != expected)
      return bad(expected, at() + " holds the entry written as " + std::to_string(parsed.seq) +
                               " (inserted, moved or reordered)");
    if (parsed.prev != prev) {
      // The link to the predecessor breaks when the predecessor changed (or one was
      // inserted or deleted before this one).
      if (expected == 0) return bad(0, at() + " was modified: the first entry has a predecessor link");
      return bad(expected - 1, "entry " + std::to_string(expected - 1) + " was modified, inserted or removed: entry " +
                                   std::to_string(expected) + " no longer links to it");
    }
    tree.append(checked.leaf);
    prev = checked.leaf;
    ++expected;
    if (progress && expected % 4096 == 0) progress(expected);
    return true;
  };
  constexpr std::size_t kBatch = 16384;
  std::vector<store::LogRow> batch;
  bool stopped = false;
  auto flush = [&] {
    auto checked = check_rows(batch);
    for (std::size_t i = 0; i < batch.size() && !stopped; ++i) stopped = !link(batch[i], checked[i]);
    batch.clear();
  };
  QS_TRY_VOID(store.for_each_log_row(0, [&](const store::LogRow& row) {
    batch.push_back(row);
    if (batch.size() == kBatch) flush();
    return !stopped;
  }));
  if (!stopped && !batch.empty()) flush();
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
