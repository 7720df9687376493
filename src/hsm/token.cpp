#include "hsm/token.h"

#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/obj_mac.h>
#include <openssl/objects.h>
#include <openssl/param_build.h>

#include <array>
#include <cstring>

#include "hsm/pkcs11_error.h"

namespace qualsig::hsm {
namespace {

CK_UTF8CHAR_PTR pin_ptr(const Secret& pin) {
  return reinterpret_cast<CK_UTF8CHAR_PTR>(const_cast<char*>(pin.reveal().data()));
}

// DER of the named-curve OID for CKA_EC_PARAMS (PKCS#11 v2.40 §2.3.3: ecParameters as in
// ANSI X9.62, namedCurve choice).
Result<Bytes> ec_params_der(int nid) {
  const ASN1_OBJECT* obj = OBJ_nid2obj(nid);
  unsigned char* buf = nullptr;
  int len = i2d_ASN1_OBJECT(obj, &buf);
  if (len <= 0) return fail(core::openssl_error(ErrorCode::internal, "cannot encode curve OID"));
  Bytes out(buf, buf + len);
  OPENSSL_free(buf);
  return out;
}

CK_ATTRIBUTE attr(CK_ATTRIBUTE_TYPE type, const void* value, std::size_t len) {
  return CK_ATTRIBUTE{type, const_cast<void*>(value), static_cast<CK_ULONG>(len)};
}

}  // namespace

const char* key_type_name(KeyType type) {
  switch (type) {
    case KeyType::ec_p256: return "EC P-256";
    case KeyType::ec_p384: return "EC P-384";
    case KeyType::rsa_3072: return "RSA 3072";
    case KeyType::rsa_4096: return "RSA 4096";
  }
  return "unknown";
}

Result<KeyType> parse_key_type(std::string_view name) {
  if (name == "ec-p256") return KeyType::ec_p256;
  if (name == "ec-p384") return KeyType::ec_p384;
  if (name == "rsa-3072") return KeyType::rsa_3072;
  if (name == "rsa-4096") return KeyType::rsa_4096;
  return fail(ErrorCode::invalid_input, "unknown key type '" + std::string(name) +
                                            "' (expected ec-p256, ec-p384, rsa-3072 or rsa-4096)");
}

Result<void> Token::initialize(const Module& module, CK_SLOT_ID slot, const std::string& label,
                               const Secret& so_pin, const Secret& user_pin) {
  if (label.empty() || label.size() > 32) return fail(ErrorCode::invalid_input, "token label must be 1..32 characters");
  std::array<CK_UTF8CHAR, 32> padded;
  padded.fill(' ');
  std::memcpy(padded.data(), label.data(), label.size());
  const auto* fn = module.functions();
  QS_TRY_VOID(check_rv("C_InitToken",
                       fn->C_InitToken(slot, pin_ptr(so_pin), so_pin.size(), padded.data())));
  // The slot id may change after C_InitToken (SoftHSM2 renumbers): look the token up again.
  QS_TRY(auto info, module.find_token(label));
  CK_SESSION_HANDLE session = CK_INVALID_HANDLE;
  QS_TRY_VOID(check_rv("C_OpenSession", fn->C_OpenSession(info.id, CKF_SERIAL_SESSION | CKF_RW_SESSION,
                                                          nullptr, nullptr, &session)));
  auto result = [&]() -> Result<void> {
    QS_TRY_VOID(check_rv("C_Login(SO)", fn->C_Login(session, CKU_SO, pin_ptr(so_pin), so_pin.size())));
    auto r = check_rv("C_InitPIN", fn->C_InitPIN(session, pin_ptr(user_pin), user_pin.size()));
    fn->C_Logout(session);
    return r;
  }();
  fn->C_CloseSession(session);
  return result;
}

Token::Token(std::shared_ptr<Module> module, SlotInfo slot) : m_module(std::move(module)), m_slot(std::move(slot)) {}

Result<std::shared_ptr<Token>> Token::open(std::shared_ptr<Module> module, const TokenSelector& selector,
                                           const Secret& user_pin, std::size_t pool_size) {
  if (pool_size == 0) pool_size = 1;
  QS_TRY(auto slot, module->find_token(selector));
  std::shared_ptr<Token> token(new Token(module, slot));
  const auto* fn = module->functions();
  for (std::size_t i = 0; i < pool_size; ++i) {
    CK_SESSION_HANDLE s = CK_INVALID_HANDLE;
    QS_TRY_VOID(check_rv("C_OpenSession",
                         fn->C_OpenSession(slot.id, CKF_SERIAL_SESSION | CKF_RW_SESSION, nullptr, nullptr, &s)));
    token->m_sessions.push_back(s);
    token->m_free.push_back(s);
  }
  // Login state is shared by all sessions of the application on this token (PKCS#11 v2.40
  // §2.6.7), so one C_Login serves the whole pool.
  CK_RV rv = fn->C_Login(token->m_sessions.front(), CKU_USER, pin_ptr(user_pin), user_pin.size());
  if (rv != CKR_OK && rv != CKR_USER_ALREADY_LOGGED_IN) return fail(pkcs11_error("C_Login", rv));
  token->m_logged_in = rv == CKR_OK;
  return token;
}

Token::~Token() {
  const auto* f = fn();
  if (m_logged_in && !m_sessions.empty()) f->C_Logout(m_sessions.front());
  for (auto s : m_sessions) f->C_CloseSession(s);
  ERR_clear_error();
}

Token::Lease::Lease(const Token& token) : m_token(token) {
  std::unique_lock lock(token.m_mutex);
  token.m_available.wait(lock, [&] { return !token.m_free.empty(); });
  m_session = token.m_free.back();
  token.m_free.pop_back();
}

Token::Lease::~Lease() {
  {
    std::lock_guard lock(m_token.m_mutex);
    m_token.m_free.push_back(m_session);
  }
  m_token.m_available.notify_one();
}

Result<KeyPair> Token::generate_key(KeyType type, const std::string& label, ByteView id) {
  if (id.empty()) return fail(ErrorCode::invalid_input, "key id must not be empty");
  std::lock_guard objects(m_object_mutex);
  if (find_key(id)) return fail(ErrorCode::already_exists, "a key with id " + hex_encode(id) + " already exists in the token");
  Lease lease(*this);
  CK_BBOOL yes = CK_TRUE, no = CK_FALSE;
  bool is_ec = type == KeyType::ec_p256 || type == KeyType::ec_p384;
  Bytes params;
  CK_ULONG bits = type == KeyType::rsa_4096 ? 4096 : 3072;
  static const CK_BYTE kF4[] = {0x01, 0x00, 0x01};  // RSA public exponent 65537
  std::vector<CK_ATTRIBUTE> pub = {
      attr(CKA_TOKEN, &yes, sizeof(yes)), attr(CKA_VERIFY, &yes, sizeof(yes)),
      attr(CKA_ENCRYPT, &no, sizeof(no)), attr(CKA_WRAP, &no, sizeof(no)),
      attr(CKA_LABEL, label.data(), label.size()), attr(CKA_ID, id.data(), id.size())};
  if (is_ec) {
    QS_TRY(params, ec_params_der(type == KeyType::ec_p256 ? NID_X9_62_prime256v1 : NID_secp384r1));
    pub.push_back(attr(CKA_EC_PARAMS, params.data(), params.size()));
  } else {
    pub.push_back(attr(CKA_MODULUS_BITS, &bits, sizeof(bits)));
    pub.push_back(attr(CKA_PUBLIC_EXPONENT, kF4, sizeof(kF4)));
  }
  // Keys never leave the token: sensitive, never extractable, sign-only.
  std::vector<CK_ATTRIBUTE> priv = {
      attr(CKA_TOKEN, &yes, sizeof(yes)), attr(CKA_PRIVATE, &yes, sizeof(yes)),
      attr(CKA_SENSITIVE, &yes, sizeof(yes)), attr(CKA_EXTRACTABLE, &no, sizeof(no)),
      attr(CKA_SIGN, &yes, sizeof(yes)), attr(CKA_DECRYPT, &no, sizeof(no)),
      attr(CKA_UNWRAP, &no, sizeof(no)), attr(CKA_DERIVE, &no, sizeof(no)),
      attr(CKA_LABEL, label.data(), label.size()), attr(CKA_ID, id.data(), id.size())};
  CK_MECHANISM mech{is_ec ? CKM_EC_KEY_PAIR_GEN : CKM_RSA_PKCS_KEY_PAIR_GEN, nullptr, 0};
  KeyPair kp;
  kp.type = type;
  kp.id.assign(id.begin(), id.end());
  kp.label = label;
  QS_TRY_VOID(check_rv("C_GenerateKeyPair",
                       fn()->C_GenerateKeyPair(lease.get(), &mech, pub.data(), static_cast<CK_ULONG>(pub.size()),
                                               priv.data(), static_cast<CK_ULONG>(priv.size()), &kp.public_key,
                                               &kp.private_key)));
  return kp;
}

Result<void> Token::destroy_key(const KeyPair& key) {
  std::lock_guard objects(m_object_mutex);
  Lease lease(*this);
  QS_TRY_VOID(check_rv("C_DestroyObject", fn()->C_DestroyObject(lease.get(), key.private_key)));
  return check_rv("C_DestroyObject", fn()->C_DestroyObject(lease.get(), key.public_key));
}

Result<CK_OBJECT_HANDLE> Token::find_object(CK_SESSION_HANDLE session, CK_OBJECT_CLASS cls, ByteView id) const {
  CK_ATTRIBUTE tmpl[] = {attr(CKA_CLASS, &cls, sizeof(cls)), attr(CKA_ID, id.data(), id.size())};
  QS_TRY_VOID(check_rv("C_FindObjectsInit", fn()->C_FindObjectsInit(session, tmpl, 2)));
  CK_OBJECT_HANDLE found[2];
  CK_ULONG count = 0;
  CK_RV rv = fn()->C_FindObjects(session, found, 2, &count);
  fn()->C_FindObjectsFinal(session);
  QS_TRY_VOID(check_rv("C_FindObjects", rv));
  if (count == 0) return fail(ErrorCode::not_found, "no key with id " + hex_encode(id) + " in the token");
  if (count > 1) return fail(ErrorCode::conflict, "several keys with id " + hex_encode(id) + " in the token");
  return found[0];
}

Result<KeyPair> Token::find_key(ByteView id) const {
  Lease lease(*this);
  KeyPair kp;
  QS_TRY(kp.private_key, find_object(lease.get(), CKO_PRIVATE_KEY, id));
  QS_TRY(kp.public_key, find_object(lease.get(), CKO_PUBLIC_KEY, id));
  kp.id.assign(id.begin(), id.end());
  CK_KEY_TYPE kt = 0;
  CK_ATTRIBUTE a = attr(CKA_KEY_TYPE, &kt, sizeof(kt));
  QS_TRY_VOID(check_rv("C_GetAttributeValue", fn()->C_GetAttributeValue(lease.get(), kp.public_key, &a, 1)));
  if (auto label = read_attribute(lease.get(), kp.private_key, CKA_LABEL)) kp.label = to_string(*label);
  if (kt == CKK_EC) {
    QS_TRY(auto params, read_attribute(lease.get(), kp.public_key, CKA_EC_PARAMS));
    QS_TRY(auto p256, ec_params_der(NID_X9_62_prime256v1));
    QS_TRY(auto p384, ec_params_der(NID_secp384r1));
    if (params == p256) kp.type = KeyType::ec_p256;
    else if (params == p384) kp.type = KeyType::ec_p384;
    else return fail(ErrorCode::token, "key " + hex_encode(id) + " uses an unsupported curve");
  } else if (kt == CKK_RSA) {
    CK_ULONG bits = 0;
    QS_TRY(auto modulus, read_attribute(lease.get(), kp.public_key, CKA_MODULUS));
    bits = modulus.size() * 8;
    if (bits == 3072) kp.type = KeyType::rsa_3072;
    else if (bits == 4096) kp.type = KeyType::rsa_4096;
    else return fail(ErrorCode::token, "key " + hex_encode(id) + " has an unsupported RSA size");
  } else {
    return fail(ErrorCode::token, "key " + hex_encode(id) + " is neither EC nor RSA");
  }
  return kp;
}

Result<KeyPair> Token::find_key_by_label(const std::string& label) const {
  Bytes id;
  CK_OBJECT_HANDLE handle = CK_INVALID_HANDLE;
  {
    Lease lease(*this);
    CK_OBJECT_CLASS cls = CKO_PRIVATE_KEY;
    CK_ATTRIBUTE tmpl[] = {attr(CKA_CLASS, &cls, sizeof(cls)), attr(CKA_LABEL, label.data(), label.size())};
    QS_TRY_VOID(check_rv("C_FindObjectsInit", fn()->C_FindObjectsInit(lease.get(), tmpl, 2)));
    CK_OBJECT_HANDLE found[2];
    CK_ULONG count = 0;
    CK_RV rv = fn()->C_FindObjects(lease.get(), found, 2, &count);
    fn()->C_FindObjectsFinal(lease.get());
    QS_TRY_VOID(check_rv("C_FindObjects", rv));
    if (count == 0) return fail(ErrorCode::not_found, "no key labelled '" + label + "' in the token");
    if (count > 1) return fail(ErrorCode::conflict, "several keys labelled '" + label + "' in the token; use the key id");
    handle = found[0];
    QS_TRY(id, read_attribute(lease.get(), handle, CKA_ID));
  }
  return find_key(id);
}

Result<Bytes> Token::read_attribute(CK_OBJECT_HANDLE object, CK_ATTRIBUTE_TYPE type) const {
  Lease lease(*this);
  return read_attribute(lease.get(), object, type);
}

Result<Bytes> Token::read_attribute(CK_SESSION_HANDLE session, CK_OBJECT_HANDLE object, CK_ATTRIBUTE_TYPE type) const {
  CK_ATTRIBUTE a{type, nullptr, 0};
  QS_TRY_VOID(check_rv("C_GetAttributeValue", fn()->C_GetAttributeValue(session, object, &a, 1)));
  if (a.ulValueLen == CK_UNAVAILABLE_INFORMATION)
    return fail(ErrorCode::token, "C_GetAttributeValue: attribute unavailable");
  Bytes out(a.ulValueLen);
  a.pValue = out.data();
  QS_TRY_VOID(check_rv("C_GetAttributeValue", fn()->C_GetAttributeValue(session, object, &a, 1)));
  out.resize(a.ulValueLen);
  return out;
}

Result<bool> Token::read_bool_attribute(CK_OBJECT_HANDLE object, CK_ATTRIBUTE_TYPE type) const {
  QS_TRY(auto v, read_attribute(object, type));
  if (v.size() != sizeof(CK_BBOOL)) return fail(ErrorCode::token, "attribute is not a CK_BBOOL");
  return v[0] != CK_FALSE;
}

Result<core::UniquePtr<EVP_PKEY>> Token::public_key(const KeyPair& key) const {
  auto bld = std::unique_ptr<OSSL_PARAM_BLD, decltype(&OSSL_PARAM_BLD_free)>(OSSL_PARAM_BLD_new(), OSSL_PARAM_BLD_free);
  core::UniquePtr<BIGNUM> n, e;
  Bytes point;
  const char* key_name = "EC";
  if (key.type == KeyType::ec_p256 || key.type == KeyType::ec_p384) {
    QS_TRY(auto wrapped, read_attribute(key.public_key, CKA_EC_POINT));
    // CKA_EC_POINT is DER: an OCTET STRING around the X9.62 point (PKCS#11 v2.40 §2.3.3).
    const unsigned char* p = wrapped.data();
    auto os = core::wrap(d2i_ASN1_OCTET_STRING(nullptr, &p, static_cast<long>(wrapped.size())));
    if (!os || p != wrapped.data() + wrapped.size())
      return fail(ErrorCode::token, "CKA_EC_POINT is not a DER OCTET STRING");
    point.assign(ASN1_STRING_get0_data(os.get()), ASN1_STRING_get0_data(os.get()) + ASN1_STRING_length(os.get()));
    const char* group = key.type == KeyType::ec_p256 ? SN_X9_62_prime256v1 : SN_secp384r1;
    OSSL_PARAM_BLD_push_utf8_string(bld.get(), OSSL_PKEY_PARAM_GROUP_NAME, group, 0);
    OSSL_PARAM_BLD_push_octet_string(bld.get(), OSSL_PKEY_PARAM_PUB_KEY, point.data(), point.size());
  } else {
    key_name = "RSA";
    QS_TRY(auto mod, read_attribute(key.public_key, CKA_MODULUS));
    QS_TRY(auto exp, read_attribute(key.public_key, CKA_PUBLIC_EXPONENT));
    n = core::wrap(BN_bin2bn(mod.data(), static_cast<int>(mod.size()), nullptr));
    e = core::wrap(BN_bin2bn(exp.data(), static_cast<int>(exp.size()), nullptr));
    OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_N, n.get());
    OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_E, e.get());
  }
  auto params = std::unique_ptr<OSSL_PARAM, decltype(&OSSL_PARAM_free)>(OSSL_PARAM_BLD_to_param(bld.get()), OSSL_PARAM_free);
  auto ctx = core::wrap(EVP_PKEY_CTX_new_from_name(nullptr, key_name, nullptr));
  EVP_PKEY* raw = nullptr;
  if (!params || !ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1 ||
      EVP_PKEY_fromdata(ctx.get(), &raw, EVP_PKEY_PUBLIC_KEY, params.get()) != 1)
    return fail(core::openssl_error(ErrorCode::token, "the token's public key is not a valid key"));
  return core::wrap(raw);
}

Result<Bytes> Token::sign(CK_OBJECT_HANDLE key, const CK_MECHANISM& mechanism, ByteView data) const {
  Lease lease(*this);
  CK_MECHANISM mech = mechanism;
  QS_TRY_VOID(check_rv("C_SignInit", fn()->C_SignInit(lease.get(), &mech, key)));
  // 512 bytes hold every signature we make (RSA 4096); one call instead of a length query.
  Bytes sig(512);
  CK_ULONG len = sig.size();
  CK_RV rv = fn()->C_Sign(lease.get(), const_cast<CK_BYTE_PTR>(data.data()), data.size(), sig.data(), &len);
  if (rv == CKR_BUFFER_TOO_SMALL) {  // the operation stays active: retry with the right size
    sig.resize(len);
    rv = fn()->C_Sign(lease.get(), const_cast<CK_BYTE_PTR>(data.data()), data.size(), sig.data(), &len);
  }
  QS_TRY_VOID(check_rv("C_Sign", rv));
  sig.resize(len);
  return sig;
}

}  // namespace qualsig::hsm
