// Log step of verify_bundle: the checkpoint note verifies with the log key (c2sp.org/signed-note,
// signature type 0x02), and every entry's leaf hash (RFC 9162 §2.1.1) leads with its inclusion
// proof (RFC 9162 §2.1.3.2) to the checkpoint root at index = seq.
#include "audit/merkle_verify.h"
#include "core/digest.h"
#include "evidence/verify_detail.h"

namespace qualsig::evidence::detail {
namespace {

// The note text of a signed note: everything up to the blank line before the signatures
// (signed-note "Format"). The signature itself is checked separately.
std::optional<std::string> note_text(const std::string& note) {
  auto blank = note.find("\n\n");
  if (blank == std::string::npos) return std::nullopt;
  return note.substr(0, blank + 1);
}

std::string fingerprint(ByteView der) { return hex_encode(core::sha256(der)); }

void check_key_and_checkpoint(Context& c) {
  const Bundle& b = c.bundle;
  c.report.log_key_fingerprint = fingerprint(b.log_public_key);
  const Bytes* key_der = &b.log_public_key;
  if (c.options.trusted_log_key) {
    bool same = *c.options.trusted_log_key == b.log_public_key;
    c.check("log.key", same,
            same ? "the bundle's log key is the pinned key (SHA-256 " + c.report.log_key_fingerprint + ")"
                 : "the bundle's log key (SHA-256 " + c.report.log_key_fingerprint + ") is not the pinned key (SHA-256 " +
                       fingerprint(*c.options.trusted_log_key) + "); the checkpoint is checked with the pinned key");
    key_der = &*c.options.trusted_log_key;
  } else {
    c.check("log.key", !b.log_public_key.empty(),
            "not pinned: the bundle's own log key is used; compare its SHA-256 " + c.report.log_key_fingerprint +
                " with the one the trust service publishes");
  }

  // Parsed without its signature so that entries are still checked against the root when the
  // signature is what was changed: each failure is then named once, where it is.
  if (auto text = note_text(b.checkpoint)) {
    if (auto cp = audit::parse_checkpoint_text(*text)) c.checkpoint = std::move(*cp);
  }

  auto key = core::public_key_from_der(*key_der);
  if (!key) {
    c.check("log.key", false, "the log public key is not a SubjectPublicKeyInfo: " + key.error().message);
    c.check("log.checkpoint", false, "the checkpoint cannot be checked without a log key");
    return;
  }
  auto verifier = audit::ecdsa_note_verifier(b.log_origin, key->get());
  if (!verifier) {
    c.check("log.checkpoint", false, "no note verifier for origin '" + b.log_origin + "': " + verifier.error().message);
    return;
  }
  auto cp = audit::verify_checkpoint(b.checkpoint, *verifier);
  if (!cp) {
    c.check("log.checkpoint", false, "the checkpoint does not verify with the log key (SHA-256 " + fingerprint(*key_der) +
                                         ") for origin '" + b.log_origin + "': " + cp.error().message);
    return;
  }
  c.report.log_size = cp->size;
  c.check("log.checkpoint", true,
          "checkpoint of '" + cp->origin + "' signed by the log key (SHA-256 " + fingerprint(*key_der) + "): " +
              std::to_string(cp->size) + " entries, root " + audit::to_hex(cp->root) +
              (cp->time ? ", signed at " + to_rfc3339(*cp->time) : std::string()));
}

void check_entry(Context& c, std::size_t i, const std::optional<std::uint64_t>& previous_seq) {
  const LogEntryProof& e = c.bundle.entries[i];
  std::string element = "log.entries[" + std::to_string(i) + "]";
  auto parsed = audit::parse_entry(e.entry);
  if (!parsed) {
    c.check(element, false, "seq " + std::to_string(e.seq) + ": not a log entry: " + parsed.error().message);
    return;
  }
  Entry entry{i, std::move(*parsed), false};
  std::string what = "seq " + std::to_string(e.seq) + " (" + entry.parsed.event + ")";
  if (entry.parsed.seq != e.seq) {
    c.check(element, false, what + ": the entry text says seq " + std::to_string(entry.parsed.seq));
  } else if (previous_seq && e.seq <= *previous_seq) {
    c.check(element, false, what + ": entries are not in increasing seq order");
  } else if (!c.checkpoint) {
    c.check(element, false, what + ": the checkpoint text does not parse, so there is no root to prove the entry against");
  } else {
    audit::Hash leaf = audit::hash_leaf(as_bytes(e.entry));
    auto included = audit::verify_inclusion(e.seq, c.checkpoint->size, ByteView(leaf), e.proof, ByteView(c.checkpoint->root));
    entry.proven = included.has_value();
    c.check(element, entry.proven,
            entry.proven ? what + ": included in the checkpoint's tree of " + std::to_string(c.checkpoint->size) + " entries"
                         : what + ": inclusion proof fails: " + included.error().message);
  }
  c.entries.push_back(std::move(entry));
}

// RFC 9162 proves each entry on its own; the entries' `prev` members (audit/log_entry.h) chain
// neighbours. Where two consecutive seqs are both in the bundle, the later must name the earlier.
void check_prev_links(Context& c) {
  for (std::size_t k = 1; k < c.entries.size(); ++k) {
    const Entry& a = c.entries[k - 1];
    const Entry& b = c.entries[k];
    if (b.parsed.seq != a.parsed.seq + 1) continue;
    audit::Hash expected = audit::hash_leaf(as_bytes(c.bundle.entries[a.index].entry));
    if (!b.parsed.prev || *b.parsed.prev != expected)
      c.check("log.entries[" + std::to_string(b.index) + "]", false,
              "seq " + std::to_string(b.parsed.seq) + ": its prev hash is not the leaf hash of seq " + std::to_string(a.parsed.seq));
  }
}

}  // namespace

void verify_log(Context& c) {
  check_key_and_checkpoint(c);
  if (c.bundle.entries.empty()) {
    c.check("log.entries", false, "the bundle holds no log entries");
    return;
  }
  std::optional<std::uint64_t> previous;
  for (std::size_t i = 0; i < c.bundle.entries.size(); ++i) {
    check_entry(c, i, previous);
    previous = c.bundle.entries[i].seq;
  }
  check_prev_links(c);
}

}  // namespace qualsig::evidence::detail
