#include "audit/checkpoint.h"

#include <openssl/obj_mac.h>
#include <openssl/objects.h>

#include <algorithm>
#include <charconv>

#include "core/bytes.h"
#include "core/digest.h"

namespace qualsig::audit {
namespace {

// signed-note "Format": a signature line starts with "em dash (U+2014), space (U+0020)".
constexpr std::string_view kSignaturePrefix = "\xE2\x80\x94 ";
constexpr std::string_view kTimePrefix = "time ";
constexpr std::size_t kKeyIdSize = 4;

// Decodes the UTF-8 code point at s[i] and advances i, or returns false (without advancing) on
// an ill-formed sequence: overlong forms, surrogates and values above U+10FFFF are ill-formed
// (Unicode §3.9 Table 3-7), as for Go's utf8.DecodeRune, which golang.org/x/mod/sumdb/note uses.
bool next_code_point(std::string_view s, std::size_t& i, char32_t& cp) {
  auto byte = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
  unsigned char b0 = byte(i);
  if (b0 < 0x80) {
    cp = b0;
    ++i;
    return true;
  }
  std::size_t len = 0;
  unsigned char lo = 0x80, hi = 0xBF;
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    len = 2;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    len = 3;
    if (b0 == 0xE0) lo = 0xA0;
    if (b0 == 0xED) hi = 0x9F;
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    len = 4;
    if (b0 == 0xF0) lo = 0x90;
    if (b0 == 0xF4) hi = 0x8F;
  } else {
    return false;
  }
  if (s.size() - i < len) return false;
  char32_t v = b0 & (0xFF >> (len + 1));
  for (std::size_t k = 1; k < len; ++k) {
    unsigned char b = byte(i + k);
    if (b < (k == 1 ? lo : 0x80) || b > (k == 1 ? hi : 0xBF)) return false;
    v = (v << 6) | (b & 0x3F);
  }
  cp = v;
  i += len;
  return true;
}

// signed-note "Format": "Signed notes MUST be valid UTF-8 and MUST NOT contain any ASCII control
// characters (those below U+0020) other than newline."
Result<void> check_note_characters(std::string_view s, const char* what) {
  std::size_t line = 1;
  for (std::size_t i = 0; i < s.size();) {
    char32_t cp = 0;
    if (!next_code_point(s, i, cp))
      return fail(ErrorCode::invalid_input,
                  std::string(what) + " line " + std::to_string(line) + " is not valid UTF-8");
    if (cp == '\n') ++line;
    if (cp < 0x20 && cp != '\n')
      return fail(ErrorCode::invalid_input,
                  std::string(what) + " line " + std::to_string(line) + " has a control character");
  }
  return ok();
}

// Unicode White_Space (Go's unicode.IsSpace, used by sumdb/note's isValidName).
bool is_unicode_space(char32_t cp) {
  return (cp >= 0x09 && cp <= 0x0D) || cp == 0x20 || cp == 0x85 || cp == 0xA0 || cp == 0x1680 ||
         (cp >= 0x2000 && cp <= 0x200A) || cp == 0x2028 || cp == 0x2029 || cp == 0x202F || cp == 0x205F ||
         cp == 0x3000;
}

// Controls (C0, DEL, C1) and the invisible format characters that make two names look alike:
// soft hyphen, zero-width and bidi controls, word joiners, BOM (Unicode category Cf, in part).
bool is_unprintable(char32_t cp) {
  return cp < 0x20 || (cp >= 0x7F && cp <= 0x9F) || cp == 0xAD || (cp >= 0x200B && cp <= 0x200F) ||
         (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2060 && cp <= 0x206F) || cp == 0xFEFF;
}

// signed-note "Format": "Key names MUST be non-empty and MUST NOT contain any Unicode spaces or
// plus (U+002B) characters." With `printable`, qualsig's stricter rule for its own names also
// refuses is_unprintable characters.
bool is_valid_key_name(std::string_view name, bool printable) {
  if (name.empty()) return false;
  for (std::size_t i = 0; i < name.size();) {
    char32_t cp = 0;
    if (!next_code_point(name, i, cp) || is_unicode_space(cp) || cp == '+') return false;
    if (printable && is_unprintable(cp)) return false;
  }
  return true;
}

Result<void> check_own_key_name(std::string_view name) {
  if (!is_valid_key_name(name, true))
    return fail(ErrorCode::invalid_input,
                "note key name must be non-empty printable UTF-8 without spaces or '+'");
  return ok();
}

// signed-note type 0x02: "The ECDSA curve MUST be one of NIST P-256, NIST P-384, or NIST P-521".
bool is_allowed_curve(const EVP_PKEY* key) {
  if (EVP_PKEY_get_base_id(key) != EVP_PKEY_EC) return false;
  char group[64] = {};
  std::size_t len = 0;
  if (EVP_PKEY_get_group_name(key, group, sizeof(group), &len) != 1) return false;
  int nid = OBJ_sn2nid(group);
  return nid == NID_X9_62_prime256v1 || nid == NID_secp384r1 || nid == NID_secp521r1;
}

// transparency-dev/witness: "dgst := sha256.Sum256(msg); ecdsa.VerifyASN1(key, dgst[:], sig)" —
// SHA-256 for every curve. OpenSSL rejects a signature that is not strict DER.
bool ecdsa_verifies(EVP_PKEY* key, std::string_view text, ByteView der_signature) {
  Bytes digest = core::sha256(as_bytes(text));
  auto ctx = core::wrap(EVP_PKEY_CTX_new(key, nullptr));
  bool ok = ctx && EVP_PKEY_verify_init(ctx.get()) == 1 &&
            EVP_PKEY_CTX_set_signature_md(ctx.get(), EVP_sha256()) == 1 &&
            EVP_PKEY_verify(ctx.get(), der_signature.data(), der_signature.size(), digest.data(), digest.size()) == 1;
  if (!ok) core::drain_openssl_errors();  // a negative result is not an error to report
  return ok;
}

// One parsed "— <name> base64(key ID || signature)" line; `name` views into the note.
struct SignatureLine {
  std::string_view name;
  std::array<std::uint8_t, kKeyIdSize> key_id{};
  Bytes signature;
};

Result<SignatureLine> parse_signature_line(std::string_view line, std::size_t number) {
  auto bad = [&](const std::string& why) {
    return fail(ErrorCode::invalid_input, "signature line " + std::to_string(number) + ": " + why);
  };
  if (!line.starts_with(kSignaturePrefix)) return bad("does not start with an em dash and a space");
  line.remove_prefix(kSignaturePrefix.size());
  auto space = line.find(' ');
  if (space == std::string_view::npos) return bad("has no space between key name and signature");
  SignatureLine out;
  out.name = line.substr(0, space);
  if (!is_valid_key_name(out.name, false)) return bad("invalid key name");
  // "Signatures are the base64 encoding of 4+n bytes", n > 0 (sumdb/note: len(sig) < 5 fails).
  auto raw = base64_decode(line.substr(space + 1));
  if (!raw || raw->size() <= kKeyIdSize) return bad("signature is not base64 of a key ID and a signature");
  std::copy_n(raw->begin(), kKeyIdSize, out.key_id.begin());
  out.signature.assign(raw->begin() + kKeyIdSize, raw->end());
  return out;
}

Result<std::uint64_t> parse_tree_size(std::string_view s) {
  // tlog-checkpoint: "the ASCII decimal representation of the number of leaves in the tree,
  // with no leading zeroes (unless the tree is empty, in which case the tree size is `0`)".
  if (!std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; }))
    return fail(ErrorCode::invalid_input, "checkpoint line 2 (tree size) is not ASCII decimal digits");
  if (s.size() > 1 && s[0] == '0')
    return fail(ErrorCode::invalid_input, "checkpoint line 2 (tree size) has a leading zero");
  std::uint64_t v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size())
    return fail(ErrorCode::invalid_input, "checkpoint line 2 (tree size) does not fit 64 bits");
  return v;
}

}  // namespace

std::string checkpoint_text(const Checkpoint& cp) {
  std::string out = cp.origin + "\n" + std::to_string(cp.size) + "\n" + base64_encode(cp.root) + "\n";
  if (cp.time) out += std::string(kTimePrefix) + to_rfc3339(*cp.time) + "\n";
  for (const auto& line : cp.extensions) out += line + "\n";
  return out;
}

Result<Checkpoint> parse_checkpoint_text(std::string_view text) {
  QS_TRY_VOID(check_note_characters(text, "checkpoint"));
  if (text.empty() || text.back() != '\n')
    return fail(ErrorCode::invalid_input, "checkpoint text does not end in a newline");
  // tlog-checkpoint "Note text": "a sequence of at least three non-empty lines, separated by
  // newlines"; signed-note: "The note text includes the final newline".
  std::vector<std::string_view> lines;
  for (std::size_t pos = 0; pos < text.size();) {
    std::size_t nl = text.find('\n', pos);
    lines.push_back(text.substr(pos, nl - pos));
    pos = nl + 1;
  }
  for (std::size_t i = 0; i < lines.size(); ++i)
    if (lines[i].empty())
      return fail(ErrorCode::invalid_input, "checkpoint line " + std::to_string(i + 1) + " is empty");
  if (lines.size() < 3)
    return fail(ErrorCode::invalid_input, "checkpoint has " + std::to_string(lines.size()) +
                                              " lines; it needs origin, tree size and root hash");
  Checkpoint cp;
  // "The origin MUST be non-empty"; qualsig also refuses surrounding spaces, which no reader
  // could tell apart from a different origin.
  if (lines[0].front() == ' ' || lines[0].back() == ' ')
    return fail(ErrorCode::invalid_input, "checkpoint line 1 (origin) has a leading or trailing space");
  cp.origin = std::string(lines[0]);
  QS_TRY(cp.size, parse_tree_size(lines[1]));
  // "the base64 encoding of the root of the [RFC 6962] Merkle hash tree"; RFC 4648 §4, canonical.
  auto root = base64_decode(lines[2]);
  auto hash = root ? hash_from_bytes(*root) : std::nullopt;
  if (!hash) return fail(ErrorCode::invalid_input, "checkpoint line 3 (root hash) is not base64 of 32 bytes");
  cp.root = *hash;
  // "Extension lines, if any, MUST be non-empty" (checked above); opaque except qualsig's time.
  for (std::size_t i = 3; i < lines.size(); ++i) {
    std::string_view line = lines[i];
    if (!line.starts_with(kTimePrefix)) {
      cp.extensions.emplace_back(line);
      continue;
    }
    std::string where = "checkpoint line " + std::to_string(i + 1) + " (time)";
    if (i != 3) return fail(ErrorCode::invalid_input, where + " is not the first extension line");
    auto value = line.substr(kTimePrefix.size());
    auto t = parse_rfc3339(value);
    if (!t || to_rfc3339(*t) != value)
      return fail(ErrorCode::invalid_input, where + " is not RFC 3339 UTC of the form 2006-01-02T15:04:05Z");
    cp.time = *t;
  }
  return cp;
}

Result<NoteVerifier> ecdsa_note_verifier(std::string name, const EVP_PKEY* public_key) {
  QS_TRY_VOID(check_own_key_name(name));
  if (public_key == nullptr) return fail(ErrorCode::usage, "no public key for the note verifier");
  if (!is_allowed_curve(public_key))
    return fail(ErrorCode::invalid_input, "note ECDSA keys must be on NIST P-256, P-384 or P-521");
  QS_TRY(Bytes spki, core::public_key_to_der(public_key));
  // Re-decoding the SPKI copies the public half only and leaves `public_key` to the caller.
  QS_TRY(auto key, core::public_key_from_der(spki));
  NoteVerifier v{std::move(name), {}, std::move(key)};
  // signed-note 0x02: "the key ID for these signatures is the truncated SHA-256 hash of the DER
  // encoded public key in SPKI format" (witness keyHashECDSA: BigEndian.Uint32(sha256(der))).
  Bytes h = core::sha256(spki);
  std::copy_n(h.begin(), kKeyIdSize, v.key_id.begin());
  return v;
}

Result<std::string> sign_note(std::string_view text, const std::string& name, const hsm::Signer& signer) {
  // signed-note "Format": "a text ending in newline (U+000A)".
  if (text.empty() || text.back() != '\n')
    return fail(ErrorCode::invalid_input, "note text does not end in a newline");
  QS_TRY_VOID(check_note_characters(text, "note text"));
  if (signer.key_type() != hsm::KeyType::ec_p256 && signer.key_type() != hsm::KeyType::ec_p384)
    return fail(ErrorCode::usage, "note signatures need an EC P-256 or P-384 key");
  QS_TRY(NoteVerifier own, ecdsa_note_verifier(name, signer.public_key()));
  Bytes digest = core::sha256(as_bytes(text));
  QS_TRY(Bytes signature, signer.sign_digest(digest, core::DigestAlgorithm::sha256, hsm::SignatureScheme::ecdsa));
  // Check the token's work before publishing it: a faulty signature would make the log look
  // forged to every verifier.
  if (!ecdsa_verifies(own.key.get(), text, signature))
    return fail(ErrorCode::crypto, "the token produced a note signature that does not verify");
  Bytes blob(own.key_id.begin(), own.key_id.end());
  blob.insert(blob.end(), signature.begin(), signature.end());
  // "followed by a blank line (only a newline), followed by one or more signature lines".
  std::string out(text);
  out += "\n";
  out += kSignaturePrefix;
  out += name + " " + base64_encode(blob) + "\n";
  return out;
}

Result<std::string> open_note(std::string_view note, const NoteVerifier& verifier) {
  if (!verifier.key) return fail(ErrorCode::usage, "note verifier has no key");
  QS_TRY_VOID(check_note_characters(note, "signed note"));
  // "the text is separated from the signatures by the last empty line in the note"; "The note
  // text includes the final newline but not the separating blank line."
  std::size_t split = note.rfind("\n\n");
  if (split == std::string_view::npos)
    return fail(ErrorCode::invalid_input, "signed note has no blank line before its signatures");
  std::string_view text = note.substr(0, split + 1);
  std::string_view block = note.substr(split + 2);
  if (block.empty()) return fail(ErrorCode::invalid_input, "signed note has no signature lines");
  if (block.back() != '\n') return fail(ErrorCode::invalid_input, "signed note does not end in a newline");

  // Parse every line first, so that a malformed note is invalid_input whatever it signs.
  std::vector<SignatureLine> lines;
  for (std::size_t pos = 0; pos < block.size();) {
    std::size_t nl = block.find('\n', pos);
    if (lines.size() == kMaxNoteSignatures)
      return fail(ErrorCode::invalid_input,
                  "signed note has more than " + std::to_string(kMaxNoteSignatures) + " signatures");
    QS_TRY(auto line, parse_signature_line(block.substr(pos, nl - pos), lines.size() + 1));
    lines.push_back(std::move(line));
    pos = nl + 1;
  }

  // signed-note "Signatures": "Verifiers MUST ignore signatures from unknown keys, even if they
  // share a name or ID (but not both) with a known key. If the key name and ID match a known
  // key, verifiers MUST verify the signature. If a signature from a known key fails to verify,
  // clients SHOULD reject the whole note. If no signature from a known key verifies
  // successfully, clients MUST reject the note." (sumdb/note skips repeated signatures by a
  // known key; qualsig verifies each one, as the MUST reads.)
  bool verified = false;
  for (const auto& line : lines) {
    if (line.name != verifier.name || line.key_id != verifier.key_id) continue;
    if (!ecdsa_verifies(verifier.key.get(), text, line.signature))
      return fail(ErrorCode::denied, "checkpoint signature does not verify");
    verified = true;
  }
  if (!verified) return fail(ErrorCode::denied, "not signed by " + verifier.name);
  return std::string(text);
}

Result<std::string> signed_checkpoint(const Checkpoint& cp, const hsm::Signer& signer) {
  std::string text = checkpoint_text(cp);
  // The formatter does not validate; parsing back does, and catches fields that would change
  // meaning once written (a newline in the origin, a "time " extension line, ...).
  QS_TRY(Checkpoint back, parse_checkpoint_text(text));
  if (back != cp)
    return fail(ErrorCode::invalid_input,
                "checkpoint does not survive formatting (a field holds a newline or a \"time \" line)");
  return sign_note(text, cp.origin, signer);
}

Result<Checkpoint> verify_checkpoint(std::string_view note, const NoteVerifier& verifier) {
  QS_TRY(std::string text, open_note(note, verifier));
  QS_TRY(Checkpoint cp, parse_checkpoint_text(text));
  if (cp.origin != verifier.name)
    return fail(ErrorCode::denied, "checkpoint origin \"" + cp.origin + "\" is not the log " + verifier.name);
  return cp;
}

}  // namespace qualsig::audit
