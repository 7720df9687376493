#pragma once
// A logged-in PKCS#11 token: a pool of sessions (tier c), key generation inside the token,
// key lookup by CKA_ID, public-key export and signing. Thread-safe.

#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "core/bytes.h"
#include "core/openssl.h"
#include "core/result.h"
#include "core/secret.h"
#include "hsm/module.h"

namespace qualsig::hsm {

enum class KeyType { ec_p256, ec_p384, rsa_3072, rsa_4096 };

const char* key_type_name(KeyType type);  // "EC P-256", ...
Result<KeyType> parse_key_type(std::string_view name);  // "ec-p256", "ec-p384", "rsa-3072", "rsa-4096"

// A key pair in the token. Handles are valid for every session of this process
// (PKCS#11 v2.40 §2.4: object handles of token objects are per application).
struct KeyPair {
  CK_OBJECT_HANDLE private_key = CK_INVALID_HANDLE;
  CK_OBJECT_HANDLE public_key = CK_INVALID_HANDLE;
  KeyType type = KeyType::ec_p256;
  Bytes id;           // CKA_ID
  std::string label;  // CKA_LABEL
};

class Token final : public std::enable_shared_from_this<Token> {
 public:
  // Creates a token in slot `slot`: C_InitToken with the SO PIN, then sets the user PIN
  // (C_InitPIN). Fails if the slot already holds an initialised token.
  static Result<void> initialize(const Module& module, CK_SLOT_ID slot, const std::string& label,
                                 const Secret& so_pin, const Secret& user_pin);

  // Opens `pool_size` read-write sessions on the selected token and logs the user in.
  static Result<std::shared_ptr<Token>> open(std::shared_ptr<Module> module, const TokenSelector& selector,
                                             const Secret& user_pin, std::size_t pool_size = 4);

  ~Token();
  Token(const Token&) = delete;
  Token& operator=(const Token&) = delete;

  const SlotInfo& slot() const { return m_slot; }
  const Module& module() const { return *m_module; }
  std::size_t pool_size() const { return m_sessions.size(); }

  // Generates a key pair inside the token: private key CKA_TOKEN, CKA_PRIVATE, CKA_SENSITIVE,
  // not CKA_EXTRACTABLE, CKA_SIGN only. Fails with already_exists if `id` is taken.
  Result<KeyPair> generate_key(KeyType type, const std::string& label, ByteView id);

  // Destroys both halves of a key pair (used to undo a failed initialisation).
  Result<void> destroy_key(const KeyPair& key);

  // The key pair whose private key has CKA_ID `id` (an indexed lookup in the token).
  Result<KeyPair> find_key(ByteView id) const;
  // The key pair whose private key has CKA_LABEL `label`; several matches are an error
  // (labels are not unique in PKCS#11 — prefer ids).
  Result<KeyPair> find_key_by_label(const std::string& label) const;

  // The public key as an OpenSSL key (SubjectPublicKeyInfo-equivalent).
  Result<core::UniquePtr<EVP_PKEY>> public_key(const KeyPair& key) const;

  // C_SignInit + C_Sign with `mechanism` over `data` on a pooled session.
  Result<Bytes> sign(CK_OBJECT_HANDLE key, const CK_MECHANISM& mechanism, ByteView data) const;

  // Raw C_GetAttributeValue; returns the token's refusal as an error (used to prove that
  // CKA_VALUE of a private key cannot be read).
  Result<Bytes> read_attribute(CK_OBJECT_HANDLE object, CK_ATTRIBUTE_TYPE type) const;
  Result<bool> read_bool_attribute(CK_OBJECT_HANDLE object, CK_ATTRIBUTE_TYPE type) const;

 private:
  // Lends one session to one thread; returns it to the pool on destruction.
  class Lease {
   public:
    explicit Lease(const Token& token);
    ~Lease();
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    CK_SESSION_HANDLE get() const { return m_session; }

   private:
    const Token& m_token;
    CK_SESSION_HANDLE m_session;
  };

  Token(std::shared_ptr<Module> module, SlotInfo slot);
  const CK_FUNCTION_LIST* fn() const { return m_module->functions(); }
  Result<CK_OBJECT_HANDLE> find_object(CK_SESSION_HANDLE session, CK_OBJECT_CLASS cls, ByteView id) const;
  // read_attribute on a session the caller already leases: a thread never waits for a second
  // session while holding one (with every session held that way, the pool would deadlock).
  Result<Bytes> read_attribute(CK_SESSION_HANDLE session, CK_OBJECT_HANDLE object, CK_ATTRIBUTE_TYPE type) const;

  std::shared_ptr<Module> m_module;
  SlotInfo m_slot;
  std::vector<CK_SESSION_HANDLE> m_sessions;
  mutable std::mutex m_mutex;
  mutable std::condition_variable m_available;
  mutable std::vector<CK_SESSION_HANDLE> m_free;
  // Creating and destroying token objects is serialised: SoftHSM2's file object store fails
  // concurrent C_GenerateKeyPair calls now and then with CKR_GENERAL_ERROR (seen with 8
  // threads), and key creation is rare next to signing, which stays parallel.
  std::mutex m_object_mutex;
  bool m_logged_in = false;
};

}  // namespace qualsig::hsm
