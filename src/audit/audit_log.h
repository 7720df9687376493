#pragma once
// The tamper-evident audit log: entries appended durably with group commit, a Merkle tree
// over them (RFC 9162 §2.1), signed checkpoints (C2SP tlog-checkpoint) and proofs.
//
// Durability: append() returns only after the entry's transaction is committed with fsync
// (SQLite WAL, synchronous=FULL), so a decision logged before a signature is released
// survives a crash. Concurrent appends share one commit (group commit): a single writer
// thread takes every entry waiting and commits them together.
//
// Several writers on one database (the CLI beside `qualsig serve`, later several nodes): the
// unique seq makes a concurrent commit fail; the log then reads the other writer's entries
// and numbers its own again, so the log never forks.

#include <condition_variable>
#include <deque>
#include <future>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <thread>

#include "audit/checkpoint.h"
#include "audit/log_entry.h"
#include "audit/memory_tree.h"
#include "hsm/signer.h"
#include "store/store.h"

namespace qualsig::audit {

struct AppendedEntry {
  std::uint64_t seq = 0;
  std::string entry;  // canonical JSON
  Hash leaf_hash{};
};

// An inclusion proof of one entry in the tree of a signed checkpoint.
struct InclusionProof {
  AppendedEntry entry;
  std::uint64_t tree_size = 0;
  Proof proof;
  std::string checkpoint;  // the signed note whose root the proof leads to
};

class AuditLog final {
 public:
  // Opens the log over `store`, reading every stored leaf hash into memory (about 64 bytes
  // per entry). `signer` (the "audit-log" key in the token) may be null for a read-only
  // log: then append() and checkpoint() fail with usage. Fails with database if the stored
  // sequence has a gap (run `qualsig audit verify` to see where).
  static Result<std::unique_ptr<AuditLog>> open(store::Store& store, std::shared_ptr<const hsm::Signer> signer,
                                                std::string origin);
  ~AuditLog();
  AuditLog(const AuditLog&) = delete;
  AuditLog& operator=(const AuditLog&) = delete;

  // Appends one entry and returns once it is durable. Thread-safe.
  Result<AppendedEntry> append(const EntryDraft& draft, TimePoint time);
  // Appends `drafts` as consecutive entries and, in the same transaction, writes `companion`
  // (the state they record, store::LogCompanion); returns once all of it is durable. If the
  // companion's writes or any draft fail, nothing of this call is written and that error is
  // returned. Thread-safe.
  Result<std::vector<AppendedEntry>> append_all(const std::vector<EntryDraft>& drafts, TimePoint time,
                                                const store::LogCompanion* companion = nullptr);

  // Reads entries other writers appended since the tree was last in step with the store.
  Result<void> refresh();

  std::uint64_t size() const;
  Hash root() const;
  const std::string& origin() const { return m_origin; }

  // The signed checkpoint of the current tree: the stored one if the tree has not grown
  // since, else a new one signed in the token and stored. Thread-safe.
  Result<store::StoredCheckpoint> checkpoint(TimePoint now);

  // PATH(seq, D[0:tree_size]) (RFC 9162 §2.1.3.1) and PROOF(from, D[0:to]) (§2.1.4.1).
  Result<Proof> inclusion_proof(std::uint64_t seq, std::uint64_t tree_size) const;
  Result<Proof> consistency_proof(std::uint64_t from, std::uint64_t to) const;
  Result<Hash> root_at(std::uint64_t tree_size) const;

  // The entry and its proof to the latest checkpoint that covers it, making a new checkpoint
  // when none does yet.
  Result<InclusionProof> prove(std::uint64_t seq, TimePoint now);

 private:
  struct Pending {
    const EntryDraft* drafts;  // `count` consecutive entries
    std::size_t count;
    TimePoint time;
    const store::LogCompanion* companion;
    std::promise<Result<std::vector<AppendedEntry>>> done;
  };
  Result<std::vector<AppendedEntry>> enqueue(Pending& pending);
  AuditLog(store::Store& store, std::shared_ptr<const hsm::Signer> signer, std::string origin);
  void writer_loop();
  void commit_batch(std::vector<Pending*>& batch);

  store::Store& m_store;
  std::shared_ptr<const hsm::Signer> m_signer;
  std::string m_origin;

  mutable std::shared_mutex m_tree_mutex;  // guards m_tree, m_prev
  MemoryTree m_tree;
  std::optional<Hash> m_prev;

  std::mutex m_queue_mutex;
  std::condition_variable m_queue_cv;
  std::deque<Pending*> m_queue;
  bool m_stopping = false;
  std::thread m_writer;  // started by the first append

  std::mutex m_checkpoint_mutex;
};

// The log's key name and checkpoint origin for an organisation (C2SP signed-note recommends
// schema-less URL-like names).
std::string log_origin(const std::string& organization_identifier);

}  // namespace qualsig::audit
