// Checkpoints (c2sp.org/tlog-checkpoint) in signed notes (c2sp.org/signed-note, ECDSA type 0x02)
// signed by a real SoftHSM2 token. Independent checks: the key ID and the signature are
// recomputed with plain OpenSSL, and two notes signed by production logs (known answers from
// transparency-dev/witness) must open. Negative cases are named after their mutation
// (STYLE.md §10). Suites: Checkpoint*, Note*.

#include "audit/checkpoint.h"

#include <gtest/gtest.h>
#include <openssl/err.h>
#include <openssl/sha.h>

#include <functional>
#include <iostream>
#include <map>
#include <random>

#include "hsm/signer.h"
#include "support/softhsm.h"

namespace qualsig::audit {
namespace {

using qualsig::testing::SoftHsm;

const std::string kDash = "\u2014 ";  // signed-note: em dash (U+2014), space
const std::string kOrigin = "example.com/qualsig/audit";

Hash counting_root() {
  Hash h{};
  for (std::size_t i = 0; i < h.size(); ++i) h[i] = static_cast<std::uint8_t>(i);
  return h;
}

TimePoint fixed_time() { return *parse_rfc3339("2026-01-02T03:04:05Z"); }

Checkpoint sample_checkpoint() {
  return Checkpoint{kOrigin, 12345, counting_root(), fixed_time(), {"x-qualsig-vendor opaque line"}};
}

// ---- Checkpoint text ---------------------------------------------------------------------

TEST(CheckpointText, GoldenFormat) {
  const std::string golden =
      "example.com/qualsig/audit\n"
      "12345\n"
      "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=\n"
      "time 2026-01-02T03:04:05Z\n"
      "x-qualsig-vendor opaque line\n";
  EXPECT_EQ(checkpoint_text(sample_checkpoint()), golden);
  auto parsed = parse_checkpoint_text(golden);
  ASSERT_TRUE(parsed) << parsed.error().message;
  EXPECT_EQ(*parsed, sample_checkpoint());

  Checkpoint bare{"o", 0, empty_root(), std::nullopt, {}};
  EXPECT_EQ(checkpoint_text(bare), "o\n0\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n");
  auto back = parse_checkpoint_text(checkpoint_text(bare));
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ(*back, bare);
}

TEST(CheckpointText, AcceptsLimits) {
  auto max = parse_checkpoint_text("o\n18446744073709551615\nAAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=\n");
  ASSERT_TRUE(max) << max.error().message;
  EXPECT_EQ(max->size, UINT64_MAX);
  // tlog-checkpoint: the origin is not assumed to be a URL; inner spaces are allowed.
  auto spaced = parse_checkpoint_text("rekor.sigstore.dev - 2605736670972794746\n1\nAAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=\n");
  ASSERT_TRUE(spaced) << spaced.error().message;
}

struct TextCase {
  const char* mutation;
  std::string text;
  const char* message;  // substring of the error message
};

TEST(CheckpointText, RejectsMalformed) {
  const std::string root = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";
  const std::vector<TextCase> cases = {
      {"size-leading-zero", "o\n012345\n" + root + "\n", "line 2 (tree size) has a leading zero"},
      {"size-zero-padded", "o\n00\n" + root + "\n", "line 2 (tree size) has a leading zero"},
      {"size-overflow", "o\n18446744073709551616\n" + root + "\n", "line 2 (tree size) does not fit"},
      {"size-huge", "o\n" + std::string(400, '9') + "\n" + root + "\n", "line 2 (tree size) does not fit"},
      {"size-plus-sign", "o\n+1\n" + root + "\n", "line 2 (tree size) is not ASCII decimal"},
      {"size-minus-sign", "o\n-1\n" + root + "\n", "line 2 (tree size) is not ASCII decimal"},
      {"size-space", "o\n1 \n" + root + "\n", "line 2 (tree size) is not ASCII decimal"},
      {"size-hex", "o\n0x10\n" + root + "\n", "line 2 (tree size) is not ASCII decimal"},
      {"root-wrong-length-31", "o\n1\nAAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHg==\n", "line 3 (root hash)"},
      {"root-wrong-length-33", "o\n1\nAAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8g\n", "line 3 (root hash)"},
      {"root-non-canonical-base64", "o\n1\nAAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh9=\n", "line 3 (root hash)"},
      {"root-no-padding", "o\n1\nAAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8\n", "line 3 (root hash)"},
      {"root-base64url", "o\n1\nAAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh-=\n", "line 3 (root hash)"},
      {"root-hex", "o\n1\n000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f\n", "line 3 (root hash)"},
      {"missing-final-newline", "o\n1\n" + root, "does not end in a newline"},
      {"trailing-blank-line", "o\n1\n" + root + "\n\n", "line 4 is empty"},
      {"empty-extension-line", "o\n1\n" + root + "\n\next\n", "line 4 is empty"},
      {"empty-origin", "\n1\n" + root + "\n", "line 1 is empty"},
      {"origin-leading-space", " o\n1\n" + root + "\n", "line 1 (origin) has a leading or trailing space"},
      {"origin-trailing-space", "o \n1\n" + root + "\n", "line 1 (origin) has a leading or trailing space"},
      {"two-lines", "o\n1\n", "needs origin, tree size and root hash"},
      {"empty-text", "", "does not end in a newline"},
      {"control-character", "o\r\n1\n" + root + "\n", "line 1 has a control character"},
      {"invalid-utf8", "o\n1\n" + root + "\next \xC3\x28\n", "line 4 is not valid UTF-8"},
      {"utf8-surrogate", "o\xED\xA0\x80\n1\n" + root + "\n", "line 1 is not valid UTF-8"},
      {"utf8-overlong", "o\xC0\xAF\n1\n" + root + "\n", "line 1 is not valid UTF-8"},
      {"time-not-first", "o\n1\n" + root + "\next\ntime 2026-01-02T03:04:05Z\n", "line 5 (time) is not the first"},
      {"time-twice", "o\n1\n" + root + "\ntime 2026-01-02T03:04:05Z\ntime 2026-01-02T03:04:05Z\n", "line 5 (time)"},
      {"time-offset", "o\n1\n" + root + "\ntime 2026-01-02T03:04:05+00:00\n", "line 4 (time) is not RFC 3339 UTC"},
      {"time-fraction", "o\n1\n" + root + "\ntime 2026-01-02T03:04:05.5Z\n", "line 4 (time) is not RFC 3339 UTC"},
      {"time-garbage", "o\n1\n" + root + "\ntime yesterday\n", "line 4 (time) is not RFC 3339 UTC"},
  };
  for (const auto& c : cases) {
    auto r = parse_checkpoint_text(c.text);
    ASSERT_FALSE(r) << c.mutation << " was accepted";
    EXPECT_EQ(r.error().code, ErrorCode::invalid_input) << c.mutation;
    EXPECT_NE(r.error().message.find(c.message), std::string::npos) << c.mutation << ": " << r.error().message;
  }
}

// ---- Helpers shared by the note suites ----------------------------------------------------

core::UniquePtr<EVP_PKEY> key_from_der(const Bytes& der) {
  const unsigned char* p = der.data();
  return core::wrap(d2i_PUBKEY(nullptr, &p, static_cast<long>(der.size())));
}

// SHA-256 of the SPKI DER, first four bytes — with OpenSSL alone, not qualsig's helpers.
std::array<std::uint8_t, 4> independent_key_id(const EVP_PKEY* key) {
  unsigned char* der = nullptr;
  int len = i2d_PUBKEY(key, &der);
  EXPECT_GT(len, 0);
  unsigned char md[SHA256_DIGEST_LENGTH];
  SHA256(der, static_cast<std::size_t>(len), md);
  OPENSSL_free(der);
  return {md[0], md[1], md[2], md[3]};
}

// The signature lines of a note, each split into name and decoded blob.
struct ParsedLine {
  std::string name;
  Bytes blob;
};
std::vector<ParsedLine> signature_lines(const std::string& note) {
  std::vector<ParsedLine> out;
  auto block = note.substr(note.rfind("\n\n") + 2);
  for (std::size_t pos = 0; pos < block.size();) {
    auto nl = block.find('\n', pos);
    auto line = block.substr(pos + kDash.size(), nl - pos - kDash.size());
    auto sp = line.find(' ');
    out.push_back({line.substr(0, sp), base64_decode(line.substr(sp + 1)).value_or(Bytes{})});
    pos = nl + 1;
  }
  return out;
}

std::string sig_line(const std::string& name, const Bytes& blob) {
  return kDash + name + " " + base64_encode(blob) + "\n";
}

// Plain EVP_DigestVerify with SHA-256 over the note text.
bool openssl_verifies(const EVP_PKEY* key, const std::string& text, ByteView der_sig) {
  auto ctx = core::wrap(EVP_MD_CTX_new());
  bool ok = EVP_DigestVerifyInit(ctx.get(), nullptr, EVP_sha256(), nullptr, const_cast<EVP_PKEY*>(key)) == 1 &&
            EVP_DigestVerify(ctx.get(), der_sig.data(), der_sig.size(),
                             reinterpret_cast<const unsigned char*>(text.data()), text.size()) == 1;
  ERR_clear_error();
  return ok;
}

// One token for every note test: key generation is the slow part.
class TokenKeys : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    s_hsm = std::make_unique<SoftHsm>("checkpoint-test");
    s_log = make_signer(hsm::KeyType::ec_p256, "log", Bytes{1});
    s_other = make_signer(hsm::KeyType::ec_p256, "other", Bytes{2});
    s_p384 = make_signer(hsm::KeyType::ec_p384, "p384", Bytes{3});
  }
  static void TearDownTestSuite() {
    s_log.reset();
    s_other.reset();
    s_p384.reset();
    s_hsm.reset();
  }
  static std::shared_ptr<hsm::Pkcs11Signer> make_signer(hsm::KeyType type, const std::string& label, Bytes id) {
    auto kp = s_hsm->token()->generate_key(type, label, id);
    if (!kp) throw std::runtime_error(kp.error().message);
    auto signer = hsm::Pkcs11Signer::create(s_hsm->token(), *kp);
    if (!signer) throw std::runtime_error(signer.error().message);
    return *signer;
  }
  static NoteVerifier verifier_for(const hsm::Signer& s, const std::string& name = kOrigin) {
    auto v = ecdsa_note_verifier(name, s.public_key());
    if (!v) throw std::runtime_error(v.error().message);
    return std::move(v).value();
  }
  static std::string must(Result<std::string> r) {
    if (!r) throw std::runtime_error(r.error().message);
    return std::move(r).value();
  }

  static inline std::unique_ptr<SoftHsm> s_hsm;
  static inline std::shared_ptr<hsm::Pkcs11Signer> s_log, s_other, s_p384;
};

class NoteTest : public TokenKeys {};
class CheckpointNoteTest : public TokenKeys {};

// ---- Round trip and independent checks ----------------------------------------------------

TEST_F(CheckpointNoteTest, RoundTripThroughSoftHsm) {
  auto note = signed_checkpoint(sample_checkpoint(), *s_log);
  ASSERT_TRUE(note) << note.error().message;
  const std::string text = checkpoint_text(sample_checkpoint());
  ASSERT_TRUE(note->starts_with(text + "\n" + kDash + kOrigin + " ")) << *note;
  EXPECT_EQ(note->back(), '\n');
  auto cp = verify_checkpoint(*note, verifier_for(*s_log));
  ASSERT_TRUE(cp) << cp.error().message;
  EXPECT_EQ(*cp, sample_checkpoint());
  auto opened = open_note(*note, verifier_for(*s_log));
  ASSERT_TRUE(opened);
  EXPECT_EQ(*opened, text);
}

TEST_F(NoteTest, KeyIdIsSha256OfSpkiDer) {
  for (const auto* signer : {s_log.get(), s_p384.get()}) {
    auto v = verifier_for(*signer);
    EXPECT_EQ(v.key_id, independent_key_id(signer->public_key()));
    auto note = must(sign_note("hello\n", kOrigin, *signer));
    auto lines = signature_lines(note);
    ASSERT_EQ(lines.size(), 1u);
    EXPECT_EQ(lines[0].name, kOrigin);
    ASSERT_GT(lines[0].blob.size(), 4u);
    EXPECT_TRUE(std::equal(v.key_id.begin(), v.key_id.end(), lines[0].blob.begin()));
  }
}

TEST_F(NoteTest, SignatureVerifiesWithPlainOpenSsl) {
  for (const auto* signer : {s_log.get(), s_p384.get()}) {
    const std::string text = checkpoint_text(sample_checkpoint());
    auto note = must(sign_note(text, kOrigin, *signer));
    EXPECT_EQ(note.substr(0, text.size() + 1), text + "\n");
    auto lines = signature_lines(note);
    ASSERT_EQ(lines.size(), 1u);
    ByteView der(lines[0].blob.data() + 4, lines[0].blob.size() - 4);
    EXPECT_TRUE(openssl_verifies(signer->public_key(), text, der));
    EXPECT_FALSE(openssl_verifies(signer->public_key(), text + "x", der));
  }
}

TEST_F(NoteTest, TextWithEmptyLinesRoundTrips) {
  // signed-note: "The note text MAY contain empty lines; the text is separated from the
  // signatures by the last empty line in the note."
  const std::string text = "first\n\n\u2014 looks like a signature AAAA\n\nlast\n";
  auto opened = open_note(must(sign_note(text, kOrigin, *s_log)), verifier_for(*s_log));
  ASSERT_TRUE(opened) << opened.error().message;
  EXPECT_EQ(*opened, text);
}

// A P-521 key (allowed by signed-note type 0x02) made and used with OpenSSL alone.
TEST(NoteCurves, P521SoftwareKeyOpensAndOtherKeysAreRefused) {
  auto key = core::wrap(EVP_EC_gen("P-521"));
  ASSERT_TRUE(key);
  const std::string text = "p521\n";
  auto ctx = core::wrap(EVP_MD_CTX_new());
  std::size_t len = 0;
  ASSERT_EQ(EVP_DigestSignInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key.get()), 1);
  Bytes sig(256);
  len = sig.size();
  ASSERT_EQ(EVP_DigestSign(ctx.get(), sig.data(), &len, reinterpret_cast<const unsigned char*>(text.data()), text.size()), 1);
  sig.resize(len);
  auto id = independent_key_id(key.get());
  Bytes blob(id.begin(), id.end());
  blob.insert(blob.end(), sig.begin(), sig.end());
  auto v = ecdsa_note_verifier("p521.example", key.get());
  ASSERT_TRUE(v) << v.error().message;
  auto opened = open_note(text + "\n" + sig_line("p521.example", blob), *v);
  ASSERT_TRUE(opened) << opened.error().message;

  auto k1 = core::wrap(EVP_EC_gen("secp256k1"));
  auto ed = core::wrap(EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519"));
  ASSERT_TRUE(k1 && ed);
  for (const EVP_PKEY* bad : std::vector<const EVP_PKEY*>{k1.get(), ed.get(), nullptr}) {
    auto r = ecdsa_note_verifier("x.example", bad);
    ASSERT_FALSE(r);
    EXPECT_TRUE(r.error().code == ErrorCode::invalid_input || r.error().code == ErrorCode::usage);
  }
}

TEST_F(NoteTest, KeyNamesAndTextsAreValidated) {
  // signed-note: "Key names MUST be non-empty and MUST NOT contain any Unicode spaces or plus";
  // qualsig adds: printable, valid UTF-8.
  for (const std::string name : {"", "a b", "a+b", "a\tb", "a\u00a0b", "a\u3000b", "a\u2028b", "a\x7f" "b",
                                 "a\xC2\x85" "b", "a\u200bb", "a\u202eb", "a\ufeffb", "a\xff" "b", "a\nb"}) {
    auto v = ecdsa_note_verifier(name, s_log->public_key());
    ASSERT_FALSE(v) << name;
    EXPECT_EQ(v.error().code, ErrorCode::invalid_input);
    auto s = sign_note("t\n", name, *s_log);
    ASSERT_FALSE(s) << name;
    EXPECT_EQ(s.error().code, ErrorCode::invalid_input);
  }
  EXPECT_TRUE(ecdsa_note_verifier("caf\u00e9.example/log-1", s_log->public_key()));
  for (const std::string text : {"", "no newline", "tab\there\n", "cr\r\n", "bad \xff\n"}) {
    auto s = sign_note(text, kOrigin, *s_log);
    ASSERT_FALSE(s) << text;
    EXPECT_EQ(s.error().code, ErrorCode::invalid_input);
  }
  Checkpoint spaced = sample_checkpoint();
  spaced.origin = "example.com log";  // a valid origin, but not a valid key name
  EXPECT_FALSE(signed_checkpoint(spaced, *s_log));
}

TEST_F(CheckpointNoteTest, SignedCheckpointRefusesFieldsThatChangeMeaning) {
  std::vector<std::pair<const char*, Checkpoint>> cases;
  auto add = [&](const char* name, auto change) {
    Checkpoint cp = sample_checkpoint();
    change(cp);
    cases.emplace_back(name, cp);
  };
  add("origin-with-newline", [](Checkpoint& c) { c.origin = kOrigin + "\n7"; });
  add("empty-origin", [](Checkpoint& c) { c.origin.clear(); });
  add("empty-extension", [](Checkpoint& c) { c.extensions.push_back(""); });
  add("extension-with-newline", [](Checkpoint& c) { c.extensions.push_back("a\nb"); });
  add("time-as-extension", [](Checkpoint& c) { c.time.reset(); c.extensions = {"time 2026-01-02T03:04:05Z"}; });
  add("second-time-extension", [](Checkpoint& c) { c.extensions.push_back("time 2026-01-02T03:04:05Z"); });
  for (const auto& [name, cp] : cases) {
    auto r = signed_checkpoint(cp, *s_log);
    ASSERT_FALSE(r) << name;
    EXPECT_EQ(r.error().code, ErrorCode::invalid_input) << name;
  }
}

// ---- Known answers: notes signed by production logs ---------------------------------------
// From transparency-dev/witness internal/note/note_verifier_test.go (commit b65680d^), checked
// there with golang.org/x/mod/sumdb/note.Open. Key material is the witness vkey encoding
// base64(0x02 || SPKI DER); the hex is the key ID the Go code derives.
struct KnownNote {
  const char* name;
  const char* key_id_hex;
  const char* vkey_material;
  const char* note;
  const char* origin;
  std::uint64_t size;
};

TEST(NoteKnownAnswer, ProductionLogNotesOpen) {
  const std::vector<KnownNote> vectors = {
      {"rekor.sigstore.dev", "c0d23d6a",
       "AjBZMBMGByqGSM49AgEGCCqGSM49AwEHA0IABNhtmPtrWm3U1eQXBogSMdGvXwBcK5AW5i0hrZLOC96l+smGNM7nwZ4QvFK/4sueRoVj//QP22Ni4Qt9DPfkWLc=",
       "Rekor\n798034\nf+7CoKgXKE/tNys9TTXcr/ad6U/K3xvznmzew9y6SP0=\n\n\u2014 rekor.sigstore.dev "
       "wNI9ajBEAiARInWIWyCdyG27CO6LPnPekyw20qO0YJfoaPaowGp/XgIgc+qEHS3+GKVClgqq20uDLet7MCoTURUCRdxwWBHHufk=\n",
       "Rekor", 798034},
      {"pixel6_transparency_log", "91c16e30",
       "AjBZMBMGByqGSM49AgEGCCqGSM49AwEHA0IABN+4x0Jk1yTwvLFI9A4NDdGZcX0aiWVdWM5XJVy0M4VWD3AvyW5Q6Hs9A0mcDkpUoYgn+KKPNzFC0H3nN3q6JQ8=",
       "DEFAULT\n10\nbsWRucJU5xJPHb5eBdOm6+DM+VelCZBuvtI3sHERJ9Y=\n\n\u2014 pixel6_transparency_log "
       "kcFuMDBFAiEAhqMAP8P6qf6QxtUJhzMhbN+MbZ9dwfUHzGQJmffJHtoCIGD0cNe47dHWBoPwYdgBCepB06/+g5O1FmYjXl06owL4\n",
       "DEFAULT", 10},
  };
  for (const auto& kv : vectors) {
    Bytes material = base64_decode(kv.vkey_material).value();
    ASSERT_EQ(material.at(0), kNoteSignatureTypeEcdsa);
    auto key = key_from_der(Bytes(material.begin() + 1, material.end()));
    ASSERT_TRUE(key) << kv.name;
    auto v = ecdsa_note_verifier(kv.name, key.get());
    ASSERT_TRUE(v) << v.error().message;
    EXPECT_EQ(hex_encode(v->key_id), kv.key_id_hex) << kv.name;
    auto text = open_note(kv.note, *v);
    ASSERT_TRUE(text) << kv.name << ": " << text.error().message;
    auto cp = parse_checkpoint_text(*text);
    ASSERT_TRUE(cp) << cp.error().message;
    EXPECT_EQ(cp->origin, kv.origin);
    EXPECT_EQ(cp->size, kv.size);
    // These logs name their key differently from their origin: verify_checkpoint refuses.
    auto strict = verify_checkpoint(kv.note, *v);
    ASSERT_FALSE(strict);
    EXPECT_EQ(strict.error().code, ErrorCode::denied);
    // One bit of the size changed: the production signature no longer verifies.
    std::string forged = kv.note;
    forged[forged.find('\n') + 1] ^= 0x01;
    auto bad = open_note(forged, *v);
    ASSERT_FALSE(bad);
    EXPECT_EQ(bad.error().message, "checkpoint signature does not verify");
  }
}

// ---- Named mutations ----------------------------------------------------------------------

struct MutationCase {
  const char* mutation;
  std::function<std::string()> make;
  std::optional<ErrorCode> want;  // nullopt: must verify
  std::string message;            // substring of the error message
};

TEST_F(CheckpointNoteTest, NamedMutations) {
  const Checkpoint cp = sample_checkpoint();
  const std::string text = checkpoint_text(cp);
  const std::string note = must(signed_checkpoint(cp, *s_log));
  const Bytes blob = signature_lines(note).at(0).blob;
  const std::string other_note = must(sign_note(text, kOrigin, *s_other));
  const Bytes other_blob = signature_lines(other_note).at(0).blob;
  const std::string valid_line = note.substr(text.size() + 1);
  const std::string root_b64 = base64_encode(cp.root);

  auto replace = [](std::string s, const std::string& from, const std::string& to) {
    auto at = s.find(from);
    if (at == std::string::npos) throw std::logic_error("mutation target missing: " + from);
    return s.replace(at, from.size(), to);
  };
  auto with_blob = [&](Bytes b) { return text + "\n" + sig_line(kOrigin, b); };
  auto flipped = [](Bytes b, std::size_t i) { b.at(i) ^= 0x01; return b; };
  auto relabelled = [&](Bytes b) { std::copy_n(blob.begin(), 4, b.begin()); return b; };
  auto signed_text = [&](const std::string& t) { return must(sign_note(t, kOrigin, *s_log)); };
  auto unknown_lines = [&](std::size_t n) {
    std::string out;
    for (std::size_t i = 0; i < n; ++i) {
      Bytes b = other_blob;
      b[0] = static_cast<std::uint8_t>(i);  // distinct, unknown key IDs
      out += sig_line("witness" + std::to_string(i) + ".example/w", b);
    }
    return out;
  };
  const auto invalid = ErrorCode::invalid_input;
  const auto denied = ErrorCode::denied;

  const std::vector<MutationCase> cases = {
      {"unchanged", [&] { return note; }, std::nullopt, ""},
      {"text-byte-changed", [&] { return replace(note, "opaque", "opaquE"); }, denied, "does not verify"},
      {"size-changed", [&] { return replace(note, "\n12345\n", "\n12346\n"); }, denied, "does not verify"},
      {"root-changed", [&] { return replace(note, root_b64, base64_encode(empty_root())); }, denied, "does not verify"},
      {"time-changed", [&] { return replace(note, "03:04:05Z", "03:04:06Z"); }, denied, "does not verify"},
      {"signature-bit-flipped", [&] { return with_blob(flipped(blob, blob.size() - 1)); }, denied, "does not verify"},
      {"signature-der-byte-changed", [&] { return with_blob(flipped(blob, 4)); }, denied, "does not verify"},
      {"signature-truncated", [&] { return with_blob(Bytes(blob.begin(), blob.end() - 1)); }, denied, "does not verify"},
      {"signed-by-other-key", [&] { return other_note; }, denied, "not signed by " + kOrigin},
      {"other-key-signature-under-log-key-id", [&] { return with_blob(relabelled(other_blob)); }, denied, "does not verify"},
      {"key-id-mismatch", [&] { return with_blob(flipped(blob, 0)); }, denied, "not signed by"},
      {"key-name-mismatch", [&] { return text + "\n" + sig_line("example.com/qualsig/audiT", blob); }, denied, "not signed by"},
      {"no-signature-lines", [&] { return text + "\n"; }, invalid, "no signature lines"},
      {"text-only", [&] { return text; }, invalid, "no blank line"},
      {"missing-blank-line", [&] { return text + valid_line; }, invalid, "no blank line"},
      {"two-blank-lines", [&] { return text + "\n\n" + valid_line; }, denied, "does not verify"},
      {"control-character", [&] { return replace(note, "opaque", "opa\tque"); }, invalid, "control character"},
      {"carriage-return", [&] { return replace(note, "\n12345\n", "\r\n12345\n"); }, invalid, "control character"},
      {"invalid-utf8", [&] { return replace(note, "opaque", "opa\xC0que"); }, invalid, "not valid UTF-8"},
      {"bad-base64", [&] { return replace(note, base64_encode(blob).substr(0, 8), "!!!!!!!!"); }, invalid, "not base64"},
      {"base64-truncated", [&] { return note.substr(0, note.size() - 2) + "\n"; }, invalid, "not base64"},
      {"signature-only-key-id", [&] { return with_blob(Bytes(blob.begin(), blob.begin() + 4)); }, invalid,
       "not base64 of a key ID"},
      {"trailing-garbage", [&] { return note + "garbage"; }, invalid, "does not end in a newline"},
      {"trailing-garbage-line", [&] { return note + "garbage\n"; }, invalid, "signature line 2: does not start"},
      {"trailing-blank-line", [&] { return note + "\n"; }, invalid, "no signature lines"},
      {"hyphen-instead-of-em-dash", [&] { return replace(note, kDash, "- "); }, invalid, "does not start with an em dash"},
      {"no-space-after-name", [&] { return replace(note, kDash + kOrigin + " ", kDash + kOrigin); }, invalid, "no space"},
      {"empty-key-name", [&] { return text + "\n" + kDash + " " + base64_encode(blob) + "\n"; }, invalid, "invalid key name"},
      {"key-name-with-plus", [&] { return text + "\n" + sig_line("a+b", blob); }, invalid, "invalid key name"},
      {"size-leading-zero", [&] { return signed_text(replace(text, "\n12345\n", "\n012345\n")); }, invalid,
       "line 2 (tree size) has a leading zero"},
      {"size-overflow", [&] { return signed_text(replace(text, "\n12345\n", "\n18446744073709551616\n")); }, invalid,
       "line 2 (tree size) does not fit"},
      {"root-wrong-length", [&] { return signed_text(replace(text, root_b64, base64_encode(Bytes(31, 7)))); }, invalid,
       "line 3 (root hash)"},
      {"empty-extension-line", [&] { return signed_text(text + "\nmore\n"); }, invalid, "is empty"},
      {"origin-mismatch", [&] { return signed_text(replace(text, kOrigin + "\n", "example.com/other-log\n")); }, denied,
       "origin"},
      {"second-known-signature-bad", [&] { return note + sig_line(kOrigin, flipped(blob, blob.size() - 1)); }, denied,
       "does not verify"},
      {"known-signature-repeated", [&] { return note + valid_line; }, std::nullopt, ""},
      {"extra-unknown-signature-is-ignored", [&] { return note + other_note.substr(text.size() + 1); }, std::nullopt,
       ""},
      {"unknown-signature-same-name-other-id", [&] { return note + sig_line(kOrigin, flipped(other_blob, 1)); }, std::nullopt, ""},
      {"unknown-signature-same-id-other-name", [&] { return note + sig_line("witness.example/w", flipped(blob, 9)); },
       std::nullopt, ""},
      {"unknown-signatures-before-known", [&] { return text + "\n" + unknown_lines(3) + valid_line; }, std::nullopt, ""},
      {"more-than-16-signatures-accepted", [&] { return note + unknown_lines(40); }, std::nullopt, ""},
      {"exactly-max-signatures-accepted", [&] { return note + unknown_lines(kMaxNoteSignatures - 1); }, std::nullopt, ""},
      {"too-many-signatures", [&] { return note + unknown_lines(kMaxNoteSignatures); }, invalid, "more than 100 signatures"},
  };
  const NoteVerifier v = verifier_for(*s_log);
  for (const auto& c : cases) {
    const std::string mutated = c.make();
    if (std::string_view(c.mutation) != "unchanged" && mutated == note) ADD_FAILURE() << c.mutation << " is a no-op";
    auto r = verify_checkpoint(mutated, v);
    if (!c.want) {
      EXPECT_TRUE(r) << c.mutation << ": " << r.error().message;
      if (r) {
        EXPECT_EQ(*r, cp) << c.mutation;
      }
      continue;
    }
    ASSERT_FALSE(r) << c.mutation << " was accepted";
    EXPECT_EQ(r.error().code, *c.want) << c.mutation << ": " << r.error().message;
    EXPECT_NE(r.error().message.find(c.message), std::string::npos) << c.mutation << ": " << r.error().message;
  }
}

// ---- Random mutations ---------------------------------------------------------------------

TEST_F(CheckpointNoteTest, RandomMutationsNeverVerify) {
  const std::string note = must(signed_checkpoint(sample_checkpoint(), *s_log));
  const NoteVerifier v = verifier_for(*s_log);
  std::mt19937_64 rng(20260102);
  auto pick = [&](std::size_t n) { return std::uniform_int_distribution<std::size_t>(0, n - 1)(rng); };
  std::map<std::string, int> outcomes;
  constexpr int kRounds = 20000;
  for (int round = 0; round < kRounds; ++round) {
    std::string m = note;
    const std::size_t edits = 1 + pick(3);
    for (std::size_t e = 0; e < edits; ++e) {
      switch (pick(6)) {
        case 0: if (!m.empty()) m[pick(m.size())] ^= static_cast<char>(1u << pick(8)); break;  // bit flip
        case 1: if (!m.empty()) m[pick(m.size())] = static_cast<char>(pick(256)); break;       // byte set
        case 2: m.insert(pick(m.size() + 1), 1, static_cast<char>(pick(256))); break;          // insert
        case 3: if (!m.empty()) m.erase(pick(m.size()), 1); break;                               // delete
        case 4: m.resize(pick(m.size() + 1)); break;                                             // truncate
        case 5: m.insert(pick(m.size() + 1), 1, "\n=+ \xE2"[pick(5)]); break;                    // structural
      }
    }
    auto r = verify_checkpoint(m, v);
    if (m == note) {
      EXPECT_TRUE(r) << "round " << round << ": the unchanged note was rejected";
      ++outcomes["unchanged"];
      continue;
    }
    ASSERT_FALSE(r) << "round " << round << ": a mutated note verified:\n" << m;
    ++outcomes[error_code_name(r.error().code)];
  }
  // Both kinds of rejection must occur, or the mutations are not reaching both layers.
  EXPECT_GT(outcomes["invalid_input"], 1000);
  EXPECT_GT(outcomes["denied"], 1000);
  for (const auto& [what, n] : outcomes) std::cout << "  " << what << ": " << n << "\n";
}

}  // namespace
}  // namespace qualsig::audit
