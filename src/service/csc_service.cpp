// CSC API v2 semantics over the sign-request flow (service/csc_service.h).
#include "service/csc_service.h"

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/objects.h>
#include <openssl/rsa.h>

#include <algorithm>
#include <cctype>
#include <memory>

#include <nlohmann/json.hpp>

#include "core/bytes.h"
#include "service/parallel.h"
#include "service/people_service.h"
#include "service/sign_service.h"
#include "service/signature_formats.h"
#include "service/signature_service.h"

namespace qualsig::service {
namespace {

// NIST CSOR: id-sha256 / id-sha384 / id-sha512 (RFC 5754 §2).
constexpr const char* kSha256Oid = "2.16.840.1.101.3.4.2.1";
constexpr const char* kSha384Oid = "2.16.840.1.101.3.4.2.2";
constexpr const char* kSha512Oid = "2.16.840.1.101.3.4.2.3";
// RFC 5758 §3.2: ecdsa-with-SHA256/384/512; RFC 5480 §2.1.1 id-ecPublicKey (sent by clients
// that name the hash separately).
constexpr const char* kEcdsaSha256 = "1.2.840.10045.4.3.2";
constexpr const char* kEcdsaSha384 = "1.2.840.10045.4.3.3";
constexpr const char* kEcdsaSha512 = "1.2.840.10045.4.3.4";
constexpr const char* kEcPublicKey = "1.2.840.10045.2.1";
// RFC 8017 App. C: rsaEncryption, sha256/384/512WithRSAEncryption, id-RSASSA-PSS.
constexpr const char* kRsaEncryption = "1.2.840.113549.1.1.1";
constexpr const char* kRsaSha256 = "1.2.840.113549.1.1.11";
constexpr const char* kRsaSha384 = "1.2.840.113549.1.1.12";
constexpr const char* kRsaSha512 = "1.2.840.113549.1.1.13";
constexpr const char* kRsaPss = "1.2.840.113549.1.1.10";
constexpr std::size_t kMaxHashes = 64;
constexpr std::size_t kMaxClientData = 4096;

// What clientData may tell (see the header); everything else about it is opaque.
struct ClientHints {
  std::string document_type = "csc-hash";
  std::map<std::string, std::string> attributes;
  std::string format = kRaw;
  std::string level = kRawLevel;
  bool detached = true;
};

Result<ClientHints> client_hints(const std::string& client_data) {
  ClientHints h;
  if (client_data.size() > kMaxClientData) return fail(ErrorCode::invalid_input, "clientData is at most 4096 bytes");
  auto j = nlohmann::json::parse(client_data, nullptr, false);
  if (!j.is_object() || !j.contains("qualsig")) return h;
  const auto& q = j["qualsig"];
  if (!q.is_object()) return fail(ErrorCode::invalid_input, "clientData.qualsig must be an object");
  for (const auto& [k, v] : q.items()) {
    if (k == "document_type" && v.is_string()) {
      h.document_type = v.get<std::string>();
    } else if (k == "attributes" && v.is_object()) {
      for (const auto& [ak, av] : v.items()) {
        if (!av.is_string()) return fail(ErrorCode::invalid_input, "clientData.qualsig.attributes values must be strings");
        h.attributes[ak] = av.get<std::string>();
      }
    } else if ((k == "signature_format" || k == "conformance_level" || k == "signed_envelope_property") && v.is_string()) {
      continue;  // read below
    } else {
      return fail(ErrorCode::invalid_input, "clientData.qualsig." + k + " is unknown or has the wrong type");
    }
  }
  if (q.contains("signature_format")) {
    auto f = q["signature_format"].get<std::string>();
    if (f == "C") h.format = kCades;
    else if (f == "X") h.format = kXades;
    else if (f == "P") h.format = kPades;
    else if (f == "J") h.format = kJades;
    else return fail(ErrorCode::invalid_input, "clientData.qualsig.signature_format must be C, X, P or J");
    QS_TRY(h.level, csc_conformance_level(q.value("conformance_level", "Ades-B-B")));
    auto envelope = q.value("signed_envelope_property", std::string());
    h.detached = envelope == "Detached";
    if (!envelope.empty() && envelope != "Detached" && envelope != "Attached" && envelope != "Enveloped" &&
        envelope != "Enveloping" && envelope != "Certification" && envelope != "Revision")
      return fail(ErrorCode::invalid_input, "signed_envelope_property '" + envelope + "' is unknown");
  }
  return h;
}

// The SAD handed to the client (its form is the server's choice, CSC API v2 §11.7): "qsad." and
// 256 random bits, base64url. Each hash of the authorisation has its own one-time SAD in the
// store, derived as HMAC-SHA256(SAD, hash reference): the SAD presented with a hash finds that
// hash's SAD, and with a hash it does not cover finds none, before anything is consumed. Like
// every SAD, only the derived ones' hashes are stored; the SAD itself is never stored. (Until
// issue 9's load work the SAD carried the derived SADs themselves, ~13 KiB for 64 hashes, sent
// and parsed with every signHash.)
constexpr std::string_view kSadPrefix = "qsad.";
constexpr std::size_t kSadRandomBytes = 32;
constexpr std::string_view kHandlePrefix = "qsh.";
// The hashes of one call processed at once (parallel.h).
constexpr std::size_t kParallel = 16;

Result<void> check_sad_form(const Secret& sad) {
  auto v = sad.reveal();
  if (v.size() > 128 || v.substr(0, kSadPrefix.size()) != kSadPrefix) return fail(ErrorCode::denied, "invalid SAD");
  auto random = base64url_decode(v.substr(kSadPrefix.size()));
  const bool good = random && random->size() == kSadRandomBytes;
  if (random) std::fill(random->begin(), random->end(), std::uint8_t{0});
  if (!good) return fail(ErrorCode::denied, "invalid SAD");
  return ok();
}

Secret derived_sad(const Secret& sad, const std::string& hash_ref) {
  const std::string message = "qualsig csc sad/1 " + hash_ref;
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  auto key = sad.reveal();
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), reinterpret_cast<const unsigned char*>(message.data()),
       message.size(), mac, &len);
  Secret out("qsa_" + base64url_encode(ByteView(mac, len)));
  OPENSSL_cleanse(mac, sizeof mac);
  return out;
}

std::string make_handle(const std::vector<std::string>& ids) {
  auto text = nlohmann::json(ids).dump();
  return std::string(kHandlePrefix) + base64url_encode(as_bytes(text));
}

Result<std::vector<std::string>> parse_handle(const std::string& handle) {
  auto bad = [] { return make_error(ErrorCode::not_found, "unknown authorisation handle"); };
  if (handle.size() > 16 * 1024 || handle.rfind(kHandlePrefix, 0) != 0) return fail(bad());
  auto raw = base64url_decode(std::string_view(handle).substr(kHandlePrefix.size()));
  if (!raw) return fail(bad());
  auto j = nlohmann::json::parse(raw->begin(), raw->end(), nullptr, false);
  if (!j.is_array() || j.empty() || j.size() > kMaxHashes) return fail(bad());
  std::vector<std::string> ids;
  for (const auto& e : j) {
    if (!e.is_string()) return fail(bad());
    ids.push_back(e.get<std::string>());
  }
  return ids;
}

// Issues the SAD once every request is allowed or approved; a handle while some wait for
// approvals; denied when any was denied, rejected or expired.
Result<CscAuthorization> conclude(TrustService& svc, const std::string& identity, const std::vector<std::string>& ids,
                                  TimePoint now) {
  std::vector<store::SignRequestRecord> requests;
  bool pending = false;
  for (const auto& id : ids) {
    auto req = find_sign_request(svc, id);
    if (!req || req->identity_name != identity) return fail(ErrorCode::not_found, "unknown authorisation handle");
    if (req->status == "denied") {
      auto decision = nlohmann::json::parse(req->decision, nullptr, false);
      std::string why = decision.is_object() && decision.contains("reason") && decision["reason"].is_string()
                            ? decision["reason"].get<std::string>() : "the policy denied it";
      return fail(ErrorCode::denied, "request " + req->id + " denied: " + why);
    }
    if (req->status == "rejected") return fail(ErrorCode::denied, "request " + req->id + " was rejected by an approver");
    if (req->status == "signed") return fail(ErrorCode::conflict, "request " + req->id + " was already signed");
    if (req->status == "pending") {
      if (now >= req->expires_at) return fail(ErrorCode::denied, "request " + req->id + " expired waiting for approval");
      pending = true;
    }
    requests.push_back(std::move(*req));
  }
  CscAuthorization out;
  out.request_ids = ids;
  if (pending) {
    out.handle = make_handle(ids);
    return out;
  }
  Secret sad = new_token(kSadPrefix);
  auto activations = parallel_map(requests.size(), kParallel, [&](std::size_t i) {
    auto derived = derived_sad(sad, requests[i].document_hash);
    return authorize_signature(svc, requests[i].id, std::nullopt, now, &derived);
  });
  TimePoint expires = TimePoint::max();
  for (auto& activation : activations) {
    if (!activation) return fail(std::move(activation).error());
    expires = std::min(expires, activation->record.expires_at);
  }
  out.sad = std::move(sad);
  out.expires_in = std::chrono::duration_cast<std::chrono::seconds>(expires - now);
  return out;
}

// The SAD derived for `hash_ref` and its request, checked — before anything is consumed — to be
// the caller's and for this credential: a SAD presented by someone else burns nothing.
struct Covered {
  Secret sad;  // the derived one-time SAD
  store::SignRequestRecord request;
};
Result<Covered> covered(TrustService& svc, const Secret& sad, const std::string& hash_ref, const std::string& identity,
                        const std::string& credential, TimePoint now) {
  Covered c{derived_sad(sad, hash_ref), {}};
  auto record = svc.store().sad(token_hash(c.sad));
  if (!record) {
    if (record.error().code == ErrorCode::not_found) return fail(ErrorCode::denied, "hash " + hash_ref + " is not covered by the SAD");
    return fail(record.error());
  }
  auto req = find_sign_request(svc, record->request_id);
  if (!req || req->identity_name != identity) return fail(ErrorCode::denied, "the SAD was not issued to this caller");
  if (record->credential != credential) return fail(ErrorCode::denied, "the SAD was not issued for this credential");
  // Checked again, atomically, when consumed; here so that a request naming a used hash among
  // unused ones fails before any of them is signed.
  if (record->consumed_at) return fail(ErrorCode::conflict, "the SAD for hash " + hash_ref + " was already used");
  if (now >= record->expires_at) return fail(ErrorCode::denied, "the SAD expired at " + to_rfc3339(record->expires_at));
  c.request = std::move(*req);
  return c;
}

}  // namespace

Result<core::DigestAlgorithm> digest_from_oid(std::string_view oid) {
  if (oid == kSha256Oid) return core::DigestAlgorithm::sha256;
  if (oid == kSha384Oid) return core::DigestAlgorithm::sha384;
  if (oid == kSha512Oid) return core::DigestAlgorithm::sha512;
  return fail(ErrorCode::invalid_input, "hashAlgorithmOID must be SHA-256, SHA-384 or SHA-512 (2.16.840.1.101.3.4.2.1/2/3)");
}

Result<std::string> csc_conformance_level(std::string_view text) {
  std::string lower(text.substr(0, 32));
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (lower.rfind("ades-", 0) == 0) {
    std::string rest = lower.substr(5);
    if (rest.rfind("b-", 0) == 0) rest = rest.substr(2);
    if (rest == "b") return std::string("B-B");
    if (rest == "t") return std::string("B-T");
    if (rest == "lt") return std::string("B-LT");
    if (rest == "lta") return std::string("B-LTA");
  }
  return fail(ErrorCode::invalid_input, "conformance_level must be Ades-B-B, Ades-B-T, Ades-B-LT or Ades-B-LTA");
}

Result<hsm::SignatureScheme> scheme_from_sign_algo(std::string_view a, core::DigestAlgorithm d) {
  auto needs = [&](core::DigestAlgorithm want, hsm::SignatureScheme s) -> Result<hsm::SignatureScheme> {
    if (want != d) return fail(ErrorCode::invalid_input, "signAlgo names another hash than hashAlgorithmOID");
    return s;
  };
  using S = hsm::SignatureScheme;
  if (a == kEcdsaSha256) return needs(core::DigestAlgorithm::sha256, S::ecdsa);
  if (a == kEcdsaSha384) return needs(core::DigestAlgorithm::sha384, S::ecdsa);
  if (a == kEcdsaSha512) return needs(core::DigestAlgorithm::sha512, S::ecdsa);
  if (a == kEcPublicKey) return S::ecdsa;
  if (a == kRsaSha256) return needs(core::DigestAlgorithm::sha256, S::rsa_pkcs1_v15);
  if (a == kRsaSha384) return needs(core::DigestAlgorithm::sha384, S::rsa_pkcs1_v15);
  if (a == kRsaSha512) return needs(core::DigestAlgorithm::sha512, S::rsa_pkcs1_v15);
  if (a == kRsaEncryption) return S::rsa_pkcs1_v15;
  if (a == kRsaPss) return S::rsa_pss;  // RFC 8017 §8.1: MGF1 with the same hash, salt = hash length
  return fail(ErrorCode::invalid_input, "signAlgo '" + std::string(a.substr(0, 64)) + "' is not supported");
}

Result<std::optional<hsm::PssParams>> sign_algo_pss_params(std::string_view sign_algo, core::DigestAlgorithm digest,
                                                           ByteView params) {
  if (sign_algo != kRsaPss) {
    // RFC 8017 App. C / RFC 5758 §3.2: the other algorithms take NULL or no parameters.
    static const unsigned char kNull[] = {0x05, 0x00};
    if (std::equal(params.begin(), params.end(), std::begin(kNull), std::end(kNull))) return std::optional<hsm::PssParams>();
    return fail(ErrorCode::invalid_input, "signAlgoParams is given for a signAlgo that takes no parameters");
  }
  // RFC 8017 App. A.2.3: RSASSA-PSS-params ::= SEQUENCE { hashAlgorithm [0] DEFAULT sha1,
  // maskGenAlgorithm [1] DEFAULT mgf1SHA1, saltLength [2] DEFAULT 20, trailerField [3] DEFAULT 1 }.
  const unsigned char* p = params.data();
  std::unique_ptr<RSA_PSS_PARAMS, decltype(&RSA_PSS_PARAMS_free)> pss(
      d2i_RSA_PSS_PARAMS(nullptr, &p, static_cast<long>(params.size())), &RSA_PSS_PARAMS_free);
  if (!pss || p != params.data() + params.size()) {
    ERR_clear_error();
    return fail(ErrorCode::invalid_input, "signAlgoParams is not a DER RSASSA-PSS-params (RFC 8017 App. A.2.3)");
  }
  auto nid_of = [](const X509_ALGOR* a) { return a == nullptr ? NID_sha1 : OBJ_obj2nid(a->algorithm); };
  const int want = EVP_MD_get_type(core::evp_md(digest));
  if (nid_of(pss->hashAlgorithm) != want)
    return fail(ErrorCode::invalid_input, "signAlgoParams names another hash than hashAlgorithmOID");
  int mgf_hash = NID_sha1;
  if (pss->maskGenAlgorithm != nullptr) {
    if (OBJ_obj2nid(pss->maskGenAlgorithm->algorithm) != NID_mgf1)
      return fail(ErrorCode::invalid_input, "signAlgoParams: only MGF1 is offered as mask generation function");
    std::unique_ptr<X509_ALGOR, decltype(&X509_ALGOR_free)> mgf_md(
        static_cast<X509_ALGOR*>(ASN1_TYPE_unpack_sequence(ASN1_ITEM_rptr(X509_ALGOR), pss->maskGenAlgorithm->parameter)),
        &X509_ALGOR_free);
    if (!mgf_md) {
      ERR_clear_error();
      return fail(ErrorCode::invalid_input, "signAlgoParams: MGF1 without a readable hash algorithm");
    }
    mgf_hash = OBJ_obj2nid(mgf_md->algorithm);
  }
  const long salt = pss->saltLength == nullptr ? 20 : ASN1_INTEGER_get(pss->saltLength);
  const long trailer = pss->trailerField == nullptr ? 1 : ASN1_INTEGER_get(pss->trailerField);
  if (trailer != 1) return fail(ErrorCode::invalid_input, "signAlgoParams: trailerField must be 1 (RFC 8017 App. A.2.3)");
  // RFC 8017 §9.1.1: the salt fits the key (checked by the signer); more than 1024 bytes fits none.
  if (salt < 0 || salt > 1024) return fail(ErrorCode::invalid_input, "signAlgoParams: saltLength must be 0 to 1024");
  // MGF1 over the message hash only: SoftHSM2's CKM_RSA_PKCS_PSS refuses any other MGF1 hash
  // (CKR_ARGUMENTS_BAD), so asking for one is refused here, with the reason, before a SAD is used.
  if (mgf_hash != want)
    return fail(ErrorCode::invalid_input, std::string("signAlgoParams: MGF1 with ") + OBJ_nid2sn(mgf_hash) +
                                              " is not offered: the token's RSASSA-PSS takes MGF1 over the message hash (" +
                                              core::digest_name(digest) + ") only");
  hsm::PssParams out;
  out.salt_length = static_cast<std::size_t>(salt);
  out.mgf1_digest = digest;
  return std::optional<hsm::PssParams>(out);
}

Result<void> check_sign_algo_params(std::string_view sign_algo, core::DigestAlgorithm digest, ByteView params) {
  QS_TRY(auto pss, sign_algo_pss_params(sign_algo, digest, params));
  // signDoc writes the algorithm identifier into the signature itself with the token's default
  // parameters (hsm::SignatureScheme::rsa_pss: MGF1 with the message hash, salt = hash length), so
  // only those can be asked for there.
  if (pss && (pss->mgf1_digest != digest || pss->salt_length != core::digest_size(digest)))
    return fail(ErrorCode::invalid_input,
                "signAlgoParams: qualsig signs RSASSA-PSS with MGF1 over the same hash and a salt of the hash length (" +
                    std::to_string(core::digest_size(digest)) + " bytes); asked for MGF1 with " +
                    core::digest_name(pss->mgf1_digest) + " and a salt of " + std::to_string(pss->salt_length) + " bytes");
  return ok();
}

Result<CscKeyInfo> csc_key_info(TrustService& svc, const store::CertificateRecord& c) {
  QS_TRY(auto cert, svc.parsed_certificate(c.der));
  const EVP_PKEY* key = X509_get0_pubkey(cert.get());
  if (!key) return fail(ErrorCode::database, "certificate " + c.serial_hex + " has no readable public key");
  CscKeyInfo info;
  info.bits = EVP_PKEY_get_bits(key);
  if (EVP_PKEY_get_base_id(key) == EVP_PKEY_EC) {
    info.algorithms = {kEcdsaSha256, kEcdsaSha384, kEcdsaSha512};
    char group[64] = {0};
    std::size_t len = 0;
    if (EVP_PKEY_get_group_name(key, group, sizeof group, &len) == 1) {
      char oid[64] = {0};
      auto nid = OBJ_txt2nid(group);
      if (nid != NID_undef && OBJ_obj2txt(oid, sizeof oid, OBJ_nid2obj(nid), 1) > 0) info.curve_oid = oid;
    }
  } else {
    info.algorithms = {kRsaSha256, kRsaSha384, kRsaSha512, kRsaPss};
  }
  return info;
}

std::string csc_certificate_status(const store::CertificateRecord& c, TimePoint now) {
  if (c.status == "revoked") return "revoked";
  if (c.status == "suspended") return "suspended";
  if (now >= c.not_after) return "expired";
  return "valid";
}

Result<std::vector<store::CertificateRecord>> csc_credentials(TrustService& svc, const std::string& identity, bool only_valid,
                                                              TimePoint now) {
  QS_TRY(auto rec, svc.store().identity(identity));
  QS_TRY(auto certs, svc.store().certificates(rec.id));
  std::sort(certs.begin(), certs.end(), [](const auto& a, const auto& b) { return a.issued_at > b.issued_at; });
  if (only_valid)
    std::erase_if(certs, [&](const auto& c) { return c.status != "valid" || now < c.not_before || now >= c.not_after; });
  return certs;
}

Result<store::CertificateRecord> csc_credential(TrustService& svc, const std::string& identity, const std::string& credential_id) {
  auto c = svc.store().certificate(credential_id);
  if (!c || c->identity_name != identity) return fail(ErrorCode::not_found, "no credential '" + credential_id.substr(0, 64) + "' for this caller");
  return std::move(*c);
}

Result<CscAuthorization> csc_authorize(TrustService& svc, const std::string& identity, const CscAuthorizeInput& in,
                                       TimePoint now) {
  QS_TRY(auto cert, csc_credential(svc, identity, in.credential_id));
  QS_TRY_VOID(check_credential(svc, identity, cert.serial_hex, now));
  if (in.hashes.empty()) return fail(ErrorCode::invalid_input, "hashes are required: the SAD is bound to them (SCAL 2)");
  if (in.hashes.size() > kMaxHashes) return fail(ErrorCode::invalid_input, "at most 64 hashes per authorisation");
  if (in.num_signatures != static_cast<int>(in.hashes.size()))
    return fail(ErrorCode::invalid_input, "numSignatures must equal the number of hashes");
  if (in.description.size() > 500) return fail(ErrorCode::invalid_input, "description is at most 500 characters");
  QS_TRY(auto alg, digest_from_oid(in.hash_algorithm_oid));
  QS_TRY(auto hints, client_hints(in.client_data));
  for (const auto& h : in.hashes) {
    if (h.size() != core::digest_size(alg)) return fail(ErrorCode::invalid_input, "a hash has the wrong length for hashAlgorithmOID");
    for (const auto& other : in.hashes)
      if (&other != &h && other == h) return fail(ErrorCode::invalid_input, "the same hash is given twice");
  }
  // Each hash is its own sign request with its own policy decision (a denial of one is
  // reported by conclude()).
  auto submitted = parallel_map(in.hashes.size(), kParallel, [&](std::size_t i) {
    SignRequestInput req;
    req.identity = identity;
    req.document_type = hints.document_type;
    req.attributes = hints.attributes;
    req.document = DocumentDigest{"", alg, in.hashes[i], -1};
    req.format = hints.format;
    req.level = hints.level;
    req.detached = hints.detached;
    req.requester = in.requester + " via csc";
    req.credential = cert.serial_hex;  // the SAD authorises this credential (CSC API v2 credentials/authorize)
    return submit_sign_request(svc, req, now);
  });
  std::vector<std::string> ids;
  for (auto& s : submitted) {
    if (!s) return fail(std::move(s).error());
    ids.push_back(s->request.id);
  }
  return conclude(svc, identity, ids, now);
}

Result<CscAuthorization> csc_authorize_check(TrustService& svc, const std::string& identity, const std::string& handle,
                                             TimePoint now) {
  QS_TRY(auto ids, parse_handle(handle));
  return conclude(svc, identity, ids, now);
}

namespace {
// The one-time SADs of one signHash/signDoc call, consumed together (all or none, one commit):
// a call that loses a race for one of its hashes burns none of the others, so no hash is
// signed without its signature reaching the caller.
Result<std::vector<store::SadRecord>> consume_all(TrustService& svc, const std::vector<Secret>& sads, TimePoint now) {
  std::vector<std::string> hashes;
  for (const Secret& s : sads) hashes.push_back(token_hash(s));
  return svc.store().consume_sads(hashes, now);
}
}  // namespace

namespace {

// invalid_input unless `scheme` (of a request's signAlgo) fits the credential's key, and so does
// the salt of any RSASSA-PSS parameters asked for with `digest` (checked here, before a SAD is
// consumed, not only by the signer after).
Result<void> check_scheme_fits(TrustService& svc, const store::CertificateRecord& cert, hsm::SignatureScheme scheme,
                               core::DigestAlgorithm digest = core::DigestAlgorithm::sha256,
                               const std::optional<hsm::PssParams>& pss = std::nullopt) {
  QS_TRY(auto info, csc_key_info(svc, cert));
  bool ec_key = !info.curve_oid.empty() || info.algorithms.front() == kEcdsaSha256;
  if (ec_key != (scheme == hsm::SignatureScheme::ecdsa))
    return fail(ErrorCode::invalid_input, "signAlgo does not fit the credential's key (key.algo lists the ones that do)");
  if (pss && !hsm::pss_salt_fits(info.bits, core::digest_size(digest), pss->salt_length))
    return fail(ErrorCode::invalid_input, "signAlgoParams: a salt of " + std::to_string(pss->salt_length) +
                                              " bytes does not fit the credential's " + std::to_string(info.bits) +
                                              "-bit key with " + core::digest_name(digest) + " (RFC 8017 §9.1.1)");
  return ok();
}

}  // namespace

Result<std::vector<Bytes>> csc_sign_hash(TrustService& svc, const std::string& identity, const std::string& credential_id,
                                         const Secret& sad, const std::vector<Bytes>& hashes,
                                         const std::string& hash_algorithm_oid, const std::string& sign_algo, TimePoint now,
                                         const std::optional<Bytes>& sign_algo_params) {
  QS_TRY(auto cert, csc_credential(svc, identity, credential_id));
  if (hashes.empty() || hashes.size() > kMaxHashes) return fail(ErrorCode::invalid_input, "give 1 to 64 hashes");
  QS_TRY(auto alg, digest_from_oid(hash_algorithm_oid.empty() ? kSha256Oid : hash_algorithm_oid));
  QS_TRY(auto scheme, scheme_from_sign_algo(sign_algo, alg));
  // signHash honours any RSASSA-PSS parameters the key can take (the client states them in what
  // it builds around the value); the default ones take the default path.
  std::optional<hsm::PssParams> pss;
  if (sign_algo_params) {
    QS_TRY(pss, sign_algo_pss_params(sign_algo, alg, *sign_algo_params));
  }
  if (pss && pss->mgf1_digest == alg && pss->salt_length == core::digest_size(alg)) pss.reset();
  QS_TRY_VOID(check_scheme_fits(svc, cert, scheme, alg, pss));
  QS_TRY_VOID(check_sad_form(sad));
  // Everything is checked before the first SAD is consumed: a bad request burns nothing.
  std::vector<Secret> inner;
  for (const auto& h : hashes) {
    if (h.size() != core::digest_size(alg)) return fail(ErrorCode::invalid_input, "a hash has the wrong length for hashAlgorithmOID");
    QS_TRY(auto c, covered(svc, sad, document_hash_ref(DocumentDigest{"", alg, h, -1}), identity, cert.serial_hex, now));
    if (c.request.format != kRaw)
      return fail(ErrorCode::invalid_input, "this SAD authorises " + c.request.format + " signatures: use signatures/signDoc");
    inner.push_back(std::move(c.sad));
  }
  QS_TRY(auto activations, consume_all(svc, inner, now));
  auto results = parallel_map(hashes.size(), kParallel, [&](std::size_t i) {
    SignInput input;
    input.digest = hashes[i];
    input.scheme = scheme;
    input.pss = pss;
    input.identity = identity;
    input.credential = cert.serial_hex;
    return sign_with_consumed_sad(svc, activations[i], input, now);
  });
  std::vector<Bytes> out;
  for (auto& r : results) {
    if (!r) return fail(std::move(r).error());
    out.push_back(std::move(r->signature.signature));
  }
  return out;
}

Result<std::vector<CscSignedDocument>> csc_sign_doc(TrustService& svc, const std::string& identity,
                                                    const std::string& credential_id, const Secret& sad,
                                                    const std::vector<CscDocument>& documents, TimePoint now) {
  QS_TRY(auto cert, csc_credential(svc, identity, credential_id));
  if (documents.empty() || documents.size() > kMaxHashes) return fail(ErrorCode::invalid_input, "give 1 to 64 documents");
  QS_TRY_VOID(check_sad_form(sad));
  std::vector<Secret> inner;
  std::vector<Bytes> digests;
  for (const auto& d : documents) {
    if (d.scheme) QS_TRY_VOID(check_scheme_fits(svc, cert, *d.scheme));
    QS_TRY(auto hints, client_hints(nlohmann::json{{"qualsig", {{"signature_format", d.signature_format},
                                                               {"conformance_level", d.conformance_level}}}}.dump()));
    DocumentDigest dd{"", core::DigestAlgorithm::sha256, core::sha256(d.content), static_cast<std::int64_t>(d.content.size())};
    if (d.digest) {
      if (d.digest->size() != core::digest_size(d.digest_algorithm))
        return fail(ErrorCode::invalid_input, "a documentDigests hash has the wrong length for its hashAlgorithmOID");
      dd = DocumentDigest{"", d.digest_algorithm, *d.digest, -1};
    }
    QS_TRY(auto c, covered(svc, sad, document_hash_ref(dd), identity, cert.serial_hex, now));
    if (c.request.format != hints.format || c.request.level != hints.level)
      return fail(ErrorCode::invalid_input, "this SAD authorises a " + c.request.format + " signature at " + c.request.level +
                                                ", not " + hints.format + " at " + hints.level);
    // From a hash alone only a detached signature can be made (a CAdES SignerInfo signs the
    // message-digest attribute, RFC 5652 §5.4; XAdES a ds:Reference digest; JAdES a sigD hashV),
    // and not an archive time-stamp over the document; the others need the bytes.
    if (d.digest && needs_content(c.request.format, c.request.level, c.request.detached))
      return fail(ErrorCode::invalid_input, "this SAD authorises a " + std::string(c.request.detached ? "detached " : "") +
                                                c.request.format + " signature at " + c.request.level +
                                                ", which needs the document itself: send it in 'documents'");
    inner.push_back(std::move(c.sad));
    digests.push_back(std::move(dd.value));
  }
  QS_TRY(auto activations, consume_all(svc, inner, now));
  auto results = parallel_map(documents.size(), kParallel, [&](std::size_t i) {
    SignInput input;
    input.digest = digests[i];
    if (!documents[i].digest) input.content = ByteView(documents[i].content);
    input.identity = identity;
    input.credential = cert.serial_hex;
    return sign_with_consumed_sad(svc, activations[i], input, now);
  });
  std::vector<CscSignedDocument> out;
  for (std::size_t i = 0; i < documents.size(); ++i) {
    if (!results[i]) return fail(std::move(results[i]).error());
    auto& signed_ = *results[i];
    CscSignedDocument doc;
    QS_TRY(auto req, find_sign_request(svc, signed_.signature.request_id));
    if (signed_.appended_to_document) {
      doc.bytes = documents[i].content;
      doc.bytes.insert(doc.bytes.end(), signed_.signature.signature.begin(), signed_.signature.signature.end());
      doc.attached = true;
    } else {
      doc.bytes = std::move(signed_.signature.signature);
      doc.attached = !req.detached;
    }
    out.push_back(std::move(doc));
  }
  return out;
}

Result<formats::cades::ValidationData> csc_validation_info(TrustService& svc, const std::string& identity,
                                                  const std::string& credential_id, TimePoint now) {
  QS_TRY(auto rec, csc_credential(svc, identity, credential_id));
  QS_TRY(auto cert, svc.parsed_certificate(rec.der));
  return signer_validation_data(svc, cert.get(), now);
}

}  // namespace qualsig::service
