#pragma once
// An audit-log entry: canonical JSON (RFC 8785) of
//   {"seq", "time", "event", "actor", "subject", "refs", "details", "prev"}
// where refs names the hashes of what the event refers to ("sha256:<hex>" of a document,
// certificate, policy, ...) and prev is the leaf hash of entry seq-1 (absent for seq 0), a
// hash chain beside the Merkle tree that lets verification name the one entry that was
// changed. The leaf hash is SHA-256(0x00 || entry bytes) (RFC 9162 §2.1.1).

#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "audit/event.h"
#include "audit/merkle_hash.h"
#include "core/bytes.h"
#include "core/result.h"
#include "core/time.h"

namespace qualsig::audit {

// What a caller logs; seq, time and prev are added by the log.
struct EntryDraft {
  EventType event = EventType::operator_note;
  std::string actor;    // who caused it, e.g. "admin:alice", "identity:invoice-bot", "cli"
  std::string subject;  // what it is about, e.g. "identity:po-agent", "certificate:4F2A..."
  std::map<std::string, std::string> refs;  // e.g. {"document": "sha256:..."}
  nlohmann::json details = nlohmann::json::object();
};

// "sha256:<lowercase hex>" of `data`: the form of every hash in refs.
std::string sha256_ref(ByteView data);

// The fields of a stored entry that verification and proofs need.
struct ParsedEntry {
  std::uint64_t seq = 0;
  TimePoint time;
  std::string event;
  std::string actor;
  std::string subject;
  std::map<std::string, std::string> refs;
  nlohmann::json details;
  std::optional<Hash> prev;
};

// The canonical entry text. Fails with invalid_input if the draft holds what canonical JSON
// cannot (floating-point numbers, invalid UTF-8) or a malformed ref.
Result<std::string> make_entry(const EntryDraft& draft, std::uint64_t seq, TimePoint time,
                               const std::optional<Hash>& prev);

// Parses an entry strictly; fails with invalid_input when a field is missing, has the wrong
// type, or the text is not in canonical form.
Result<ParsedEntry> parse_entry(std::string_view text);

}  // namespace qualsig::audit
