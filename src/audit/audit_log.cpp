#include "audit/audit_log.h"

#include <spdlog/spdlog.h>

namespace qualsig::audit {

namespace {
constexpr std::size_t kMaxBatch = 1024;
// The tree keeps complete subtrees of 1,024 leaves and more, and the current block: 2 hashes per
// 1,024 entries (MemoryTree's pruned mode). A proof reads at most one block of leaf hashes back
// per proof end, one store page.
constexpr unsigned kPruneHeight = 10;

// The leaf hashes of entries [begin, end) as stored.
LeafSource store_leaves(store::Store& store) {
  return [&store](std::uint64_t begin, std::uint64_t end) -> Result<std::vector<Hash>> {
    std::vector<Hash> out;
    std::optional<Error> damage;
    QS_TRY_VOID(store.for_each_log_row(begin, [&](const store::LogRow& row) {
      if (row.seq >= end) return false;
      auto leaf = hash_from_bytes(row.leaf_hash);
      if (row.seq != begin + out.size() || !leaf) {
        damage = make_error(ErrorCode::database, "the audit log is damaged at entry " + std::to_string(begin + out.size()) +
                                                     "; run 'qualsig audit verify'");
        return false;
      }
      out.push_back(*leaf);
      return row.seq + 1 < end;
    }));
    if (damage) return fail(*damage);
    return out;
  };
}
}  // namespace

AuditLog::AuditLog(store::Store& store, std::shared_ptr<const hsm::Signer> signer, std::string origin)
    : m_store(store), m_signer(std::move(signer)), m_origin(std::move(origin)), m_tree(kPruneHeight, store_leaves(store)) {}

std::string log_origin(const std::string& organization_identifier) {
  return "qualsig.local/" + organization_identifier + "/audit";
}

Result<std::unique_ptr<AuditLog>> AuditLog::open(store::Store& store, std::shared_ptr<const hsm::Signer> signer,
                                                 std::string origin) {
  std::unique_ptr<AuditLog> log(new AuditLog(store, std::move(signer), std::move(origin)));
  std::optional<Error> damage;
  std::uint64_t expected = 0;
  QS_TRY_VOID(store.for_each_log_row(0, [&](const store::LogRow& row) {
    auto leaf = hash_from_bytes(row.leaf_hash);
    if (row.seq != expected || !leaf) {
      damage = make_error(ErrorCode::database, "the audit log is damaged at entry " + std::to_string(expected) +
                                                   "; run 'qualsig audit verify'");
      return false;
    }
    log->m_tree.append(*leaf);
    log->m_prev = *leaf;
    ++expected;
    return true;
  }));
  if (damage) return fail(*damage);
  return log;
}

AuditLog::~AuditLog() {
  {
    std::lock_guard lock(m_queue_mutex);
    m_stopping = true;
  }
  m_queue_cv.notify_all();
  if (m_writer.joinable()) m_writer.join();
}

std::uint64_t AuditLog::size() const {
  std::shared_lock lock(m_tree_mutex);
  return m_tree.size();
}

Hash AuditLog::root() const {
  std::shared_lock lock(m_tree_mutex);
  return m_tree.root();
}

Result<AppendedEntry> AuditLog::append(const EntryDraft& draft, TimePoint time) {
  Pending pending{&draft, 1, time, nullptr, {}};
  QS_TRY(auto appended, enqueue(pending));
  return std::move(appended.front());
}

Result<std::vector<AppendedEntry>> AuditLog::append_all(const std::vector<EntryDraft>& drafts, TimePoint time,
                                                        const store::LogCompanion* companion) {
  if (drafts.empty()) return fail(ErrorCode::usage, "no audit log entries to append");
  Pending pending{drafts.data(), drafts.size(), time, companion, {}};
  return enqueue(pending);
}

Result<std::vector<AppendedEntry>> AuditLog::enqueue(Pending& pending) {
  if (!m_signer) return fail(ErrorCode::usage, "the audit log is open read-only");
  auto result = pending.done.get_future();
  {
    std::lock_guard lock(m_queue_mutex);
    if (m_stopping) return fail(ErrorCode::unavailable, "the audit log is closing");
    if (!m_writer.joinable()) m_writer = std::thread([this] { writer_loop(); });
    m_queue.push_back(&pending);
  }
  m_queue_cv.notify_one();
  return result.get();
}

void AuditLog::writer_loop() {
  for (;;) {
    std::vector<Pending*> batch;
    {
      std::unique_lock lock(m_queue_mutex);
      m_queue_cv.wait(lock, [&] { return m_stopping || !m_queue.empty(); });
      if (m_queue.empty()) return;  // stopping, nothing left
      while (!m_queue.empty() && batch.size() < kMaxBatch) {
        batch.push_back(m_queue.front());
        m_queue.pop_front();
      }
    }
    commit_batch(batch);
  }
}

Result<void> AuditLog::refresh() {
  std::unique_lock lock(m_tree_mutex);
  std::optional<Error> damage;
  std::uint64_t expected = m_tree.size();
  QS_TRY_VOID(m_store.for_each_log_row(expected, [&](const store::LogRow& row) {
    auto leaf = hash_from_bytes(row.leaf_hash);
    if (row.seq != expected || !leaf) {
      damage = make_error(ErrorCode::database, "the audit log is damaged at entry " + std::to_string(expected) +
                                                   "; run 'qualsig audit verify'");
      return false;
    }
    m_tree.append(*leaf);
    m_prev = *leaf;
    ++expected;
    return true;
  }));
  if (damage) return fail(*damage);
  return ok();
}

void AuditLog::commit_batch(std::vector<Pending*>& batch) {
  // Only this thread appends in this process, so the tree's size and prev hold until we
  // commit. Other writers (the CLI beside `qualsig serve`, another node) are sequenced by
  // the store: inside its write transaction we see their rows and number ours after them.
  std::uint64_t known;
  std::optional<Hash> known_prev;
  {
    std::shared_lock lock(m_tree_mutex);
    known = m_tree.size();
    known_prev = m_prev;
  }
  std::vector<AppendedEntry> appended;             // every entry of this batch, in seq order
  std::vector<std::optional<Error>> refused;        // per pending: why nothing of it was appended
  std::vector<Hash> other_leaves;
  auto build = [&](const std::vector<store::LogRow>& others,
                   const store::Store::CompanionWriter& write_companion) -> Result<std::vector<store::LogRow>> {
    // The store may run this more than once (a retried transaction): start afresh each time.
    appended.clear();
    refused.assign(batch.size(), std::nullopt);
    other_leaves.clear();
    std::uint64_t seq = known;
    std::optional<Hash> prev = known_prev;
    for (const auto& o : others) {
      auto leaf = hash_from_bytes(o.leaf_hash);
      if (o.seq != seq || !leaf)
        return fail(ErrorCode::database, "the audit log is damaged at entry " + std::to_string(seq) +
                                             "; run 'qualsig audit verify'");
      other_leaves.push_back(*leaf);
      prev = *leaf;
      ++seq;
    }
    std::vector<store::LogRow> rows;
    for (std::size_t i = 0; i < batch.size(); ++i) {
      Pending* p = batch[i];
      // A pending's entries are appended all or none: made first, its companion written only
      // when every entry could be (make_entry refuses e.g. a floating-point number in details).
      std::vector<AppendedEntry> mine;
      std::uint64_t s = seq;
      std::optional<Hash> h = prev;
      for (std::size_t k = 0; k < p->count && !refused[i]; ++k) {
        auto entry = make_entry(p->drafts[k], s, p->time, h);
        if (!entry) {
          refused[i] = std::move(entry).error();
          break;
        }
        Hash leaf = hash_leaf(as_bytes(*entry));
        mine.push_back(AppendedEntry{s, std::move(*entry), leaf});
        h = leaf;
        ++s;
      }
      if (!refused[i] && p->companion) {
        if (auto written = write_companion(*p->companion); !written) refused[i] = std::move(written).error();
      }
      if (refused[i]) continue;  // answered below; the others go on
      for (auto& a : mine) {
        rows.push_back(store::LogRow{a.seq, a.entry, Bytes(a.leaf_hash.begin(), a.leaf_hash.end())});
        appended.push_back(std::move(a));
      }
      seq = s;
      prev = h;
    }
    return rows;
  };
  auto committed = m_store.append_log_rows_after(known, build);
  if (!committed) {
    spdlog::error("audit log: commit of {} entries failed: {}", batch.size(), committed.error().message);
    for (auto* p : batch) p->done.set_value(fail(committed.error()));
    return;
  }
  {
    // refresh() (from a checkpoint or a proof request) may have read some of these rows from
    // the store since we took `known`: the tree is always a prefix of the store, so append
    // only what lies beyond it — never a leaf twice.
    std::unique_lock lock(m_tree_mutex);
    std::vector<Hash> leaves = other_leaves;
    for (const auto& a : appended) leaves.push_back(a.leaf_hash);
    for (std::uint64_t seq = m_tree.size(); seq < known + leaves.size(); ++seq) m_tree.append(leaves[seq - known]);
    // If refresh() read even further (another writer's rows after ours), m_prev is its last.
    if (!leaves.empty() && m_tree.size() == known + leaves.size()) m_prev = leaves.back();
  }
  std::size_t next = 0;
  for (std::size_t i = 0; i < batch.size(); ++i) {
    Pending* p = batch[i];
    if (refused[i]) {
      p->done.set_value(fail(std::move(*refused[i])));
      continue;
    }
    std::vector<AppendedEntry> mine;
    for (std::size_t k = 0; k < p->count; ++k) mine.push_back(std::move(appended[next++]));
    p->done.set_value(std::move(mine));
  }
}

Result<store::StoredCheckpoint> AuditLog::checkpoint(TimePoint now) {
  if (!m_signer) return fail(ErrorCode::usage, "the audit log is open read-only");
  std::lock_guard guard(m_checkpoint_mutex);
  QS_TRY_VOID(refresh());  // sign what the store holds, including other writers' entries
  Checkpoint cp;
  cp.origin = m_origin;
  {
    std::shared_lock lock(m_tree_mutex);
    cp.size = m_tree.size();
    cp.root = m_tree.root();
  }
  QS_TRY(auto latest, m_store.latest_checkpoint());
  if (latest && latest->tree_size == cp.size) return *latest;
  cp.time = now;
  QS_TRY(auto note, signed_checkpoint(cp, *m_signer));
  store::StoredCheckpoint stored{cp.size, Bytes(cp.root.begin(), cp.root.end()), now, note};
  QS_TRY_VOID(m_store.put_checkpoint(stored));
  return stored;
}

Result<Proof> AuditLog::inclusion_proof(std::uint64_t seq, std::uint64_t tree_size) const {
  std::shared_lock lock(m_tree_mutex);
  return m_tree.inclusion_proof(seq, tree_size);
}

Result<Proof> AuditLog::consistency_proof(std::uint64_t from, std::uint64_t to) const {
  std::shared_lock lock(m_tree_mutex);
  return m_tree.consistency_proof(from, to);
}

Result<Hash> AuditLog::root_at(std::uint64_t tree_size) const {
  std::shared_lock lock(m_tree_mutex);
  return m_tree.root_at(tree_size);
}

Result<InclusionProof> AuditLog::prove(std::uint64_t seq, TimePoint now) {
  QS_TRY(auto row, m_store.log_row(seq));
  auto leaf = hash_from_bytes(row.leaf_hash);
  if (!leaf) return fail(ErrorCode::database, "stored leaf hash of entry " + std::to_string(seq) + " is malformed");
  QS_TRY(auto latest, m_store.latest_checkpoint());
  store::StoredCheckpoint cp;
  if (latest && latest->tree_size > seq) {
    cp = *latest;
  } else {
    QS_TRY(cp, checkpoint(now));
  }
  QS_TRY(auto proof, inclusion_proof(seq, cp.tree_size));
  return InclusionProof{AppendedEntry{seq, row.entry, *leaf}, cp.tree_size, std::move(proof), cp.note};
}

}  // namespace qualsig::audit
