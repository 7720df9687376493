#pragma once
// Signed tree heads of the audit log: checkpoints (c2sp.org/tlog-checkpoint@v1.0.0) carried in
// signed notes (c2sp.org/signed-note@v1.0.0) with ECDSA signatures of signature type 0x02, the
// format of github.com/transparency-dev/witness (internal/note/note_verifier.go), so that
// witnesses and monitors built on golang.org/x/mod/sumdb/note can check them.

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "audit/merkle_hash.h"
#include "core/openssl.h"
#include "core/result.h"
#include "core/time.h"
#include "hsm/signer.h"

namespace qualsig::audit {

// tlog-checkpoint "Note text": origin, tree size, root hash, then optional extension lines.
struct Checkpoint {
  std::string origin;      // line 1: the log identity; qualsig uses it as the key name too
  std::uint64_t size = 0;  // line 2: number of leaves
  Hash root{};             // line 3: RFC 9162 §2.1.1 MTH of the first `size` leaves
  // qualsig's extension: the first extension line "time <RFC 3339 UTC>" (to_rfc3339), when
  // the log records when it signed. Absent means no such line.
  std::optional<TimePoint> time;
  // Every other extension line, in order, without its newline. Opaque to qualsig.
  std::vector<std::string> extensions;

  bool operator==(const Checkpoint&) const = default;
};

// The note text of `cp`: "<origin>\n<size>\n<base64 root>\n[time <t>\n]<extension>\n...".
// A pure formatter: it does not validate `cp` (signed_checkpoint does, by parsing it back).
std::string checkpoint_text(const Checkpoint& cp);

// Parses a checkpoint note text (tlog-checkpoint "Note text"), strictly: valid UTF-8 without
// control characters other than newline (signed-note "Format"); every line, the last one
// included, ends in exactly one newline and is non-empty; the origin has no leading or
// trailing space; the size is ASCII decimal without sign or leading zero (except "0") and fits
// 64 bits; the root is RFC 4648 §4 base64 of exactly 32 bytes, canonical; a "time " line must
// be the first extension line, occur once and read exactly as to_rfc3339 writes it.
// Fails with invalid_input and a message naming the offending line.
Result<Checkpoint> parse_checkpoint_text(std::string_view text);

// Limits a note verifier applies (signed-note "Format": "Verifiers SHOULD apply a maximum
// limit to the number of signatures in a note ... but MUST accept at least up to 16").
// 100 is the limit of golang.org/x/mod/sumdb/note.Open.
inline constexpr std::size_t kMaxNoteSignatures = 100;

// signed-note signature type 0x02: "ECDSA signatures as implemented by
// github.com/transparency-dev/witness".
inline constexpr std::uint8_t kNoteSignatureTypeEcdsa = 0x02;

// One trusted note key: the (name, key ID) pair that selects it and the public key.
// Move-only (owns `key`).
struct NoteVerifier {
  std::string name;
  // signed-note type 0x02: "the key ID for these signatures is the truncated SHA-256 hash of
  // the DER encoded public key in SPKI format" — SHA-256(SubjectPublicKeyInfo DER)[0:4].
  std::array<std::uint8_t, 4> key_id{};
  core::UniquePtr<EVP_PKEY> key;
};

// A verifier for ECDSA (type 0x02) signatures by `public_key` under `name`. The curve must be
// NIST P-256, P-384 or P-521 (signed-note: "MUST be one of ... and SHOULD be NIST P-256").
// `name` must be a valid key name (non-empty, no Unicode space, no '+') and, as qualsig's own
// rule, printable UTF-8: no C0/C1 control, DEL, soft hyphen, zero-width or bidi control, BOM. Copies the public half of the
// key; the caller keeps ownership of `public_key`. Fails with invalid_input.
Result<NoteVerifier> ecdsa_note_verifier(std::string name, const EVP_PKEY* public_key);

// Signs `text` as a signed note with one ECDSA signature by `signer` under `name`, and returns
// text + "\n" + "— <name> base64(key ID || DER ECDSA-Sig-Value over SHA-256(text))\n".
// `text` must end in a newline, be valid UTF-8 and contain no control character other than
// newline; `name` as for ecdsa_note_verifier (invalid_input otherwise). The signer must hold
// an EC P-256 or P-384 key (usage otherwise). The new signature is verified with the signer's
// public key before it is returned (crypto on mismatch); token errors pass through.
Result<std::string> sign_note(std::string_view text, const std::string& name, const hsm::Signer& signer);

// Opens a signed note with one trusted key and returns its text (including the final newline,
// excluding the blank separator line), following signed-note "Format" and "Signatures":
// * invalid_input: not valid UTF-8, an ASCII control character other than newline, no blank
//   line, no signature line, a line that is not "— <name> <base64>\n", a key name that is
//   empty or holds a Unicode space or '+', base64 that is not strict RFC 4648 §4 or shorter than
//   key ID plus one byte, more than kMaxNoteSignatures signature lines.
// * Signatures whose (name, key ID) pair is not (verifier.name, verifier.key_id) are ignored,
//   "even if they share a name or ID (but not both) with a known key".
// * denied "checkpoint signature does not verify": a signature from the known key fails to
//   verify (every one is checked, duplicates included: "verifiers MUST verify the signature").
// * denied "not signed by <name>": no signature from the known key.
Result<std::string> open_note(std::string_view note, const NoteVerifier& verifier);

// checkpoint_text(cp) signed with sign_note under the key name cp.origin (tlog-checkpoint
// "Signatures": "The log's key name in its signature line SHOULD match the origin line";
// qualsig makes it a rule). Fails with invalid_input if `cp` does not parse back to itself
// (empty origin, a newline in a field, an empty extension line, a "time " extension line ...).
Result<std::string> signed_checkpoint(const Checkpoint& cp, const hsm::Signer& signer);

// open_note, then parse_checkpoint_text, then the origin must equal verifier.name (denied
// otherwise). Errors as for those functions.
Result<Checkpoint> verify_checkpoint(std::string_view note, const NoteVerifier& verifier);

}  // namespace qualsig::audit
