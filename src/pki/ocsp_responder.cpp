#include "pki/ocsp_responder.h"

#include <spdlog/spdlog.h>

#include <cstring>
#include <vector>

#include "pki/certificate_builder.h"
#include "pki/ocsp_cache.h"

namespace qualsig::pki {
namespace {

using core::UniquePtr;
using core::wrap;

// Far above any request this responder accepts (16 CertIDs of ~100 octets plus a nonce);
// larger input is refused before it reaches the decoder.
constexpr std::size_t kMaxRequestSize = 64 * 1024;
// RFC 8954 §2.1: "Nonce ::= OCTET STRING(SIZE(1..32))".
constexpr int kMaxNonceLength = 32;
// RFC 5280 §4.1.2.2: "Conforming CAs MUST NOT use serialNumber values longer than 20 octets."
constexpr int kMaxSerialOctets = 20;

Result<Bytes> response_to_der(OCSP_RESPONSE* response) {
  unsigned char* buf = nullptr;
  int len = i2d_OCSP_RESPONSE(response, &buf);
  if (len <= 0) return fail(core::openssl_error(ErrorCode::internal, "cannot encode OCSP response"));
  Bytes out(buf, buf + len);
  OPENSSL_free(buf);
  return out;
}

// An OCSPResponse without responseBytes (RFC 6960 §4.2.1: "If the value of responseStatus is
// one of the error conditions, the responseBytes field is not set").
Bytes status_response(int status) {
  auto response = wrap(OCSP_response_create(status, nullptr));
  if (response) {
    if (auto der = response_to_der(response.get())) return std::move(*der);
  }
  // Only reachable without memory: OCSPResponse { responseStatus internalError(2) }.
  core::drain_openssl_errors();
  return Bytes{0x30, 0x03, 0x0a, 0x01, 0x02};
}

struct ParsedRequest {
  UniquePtr<OCSP_REQUEST> request;
  bool has_nonce = false;
};

// RFC 8954 §2.1: a responder that supports the nonce rejects a nonce of 0 octets or of more than
// 32 octets with malformedRequest. extnValue holds the DER of the Nonce OCTET STRING.
bool nonce_acceptable(const X509_EXTENSION* ext) {
  const ASN1_OCTET_STRING* value = X509_EXTENSION_get_data(const_cast<X509_EXTENSION*>(ext));
  const unsigned char* start = ASN1_STRING_get0_data(value);
  const unsigned char* p = start;
  const long len = ASN1_STRING_length(value);
  auto nonce = wrap(d2i_ASN1_OCTET_STRING(nullptr, &p, len));
  return nonce && p == start + len && ASN1_STRING_length(nonce.get()) >= 1 &&
         ASN1_STRING_length(nonce.get()) <= kMaxNonceLength;
}

// OCSPRequest ::= SEQUENCE { tbsRequest TBSRequest, optionalSignature [0] EXPLICIT Signature OPTIONAL }
// TBSRequest ::= SEQUENCE { version [0] EXPLICIT Version DEFAULT v1, requestorName [1] EXPLICIT
//   GeneralName OPTIONAL, requestList SEQUENCE OF Request, requestExtensions [2] EXPLICIT Extensions OPTIONAL }
// Request ::= SEQUENCE { reqCert CertID, singleRequestExtensions [0] EXPLICIT Extensions OPTIONAL }
// nullopt -> malformedRequest.
std::optional<ParsedRequest> parse_request(ByteView der, const OcspOptions& options) {
  if (der.empty() || der.size() > kMaxRequestSize) return std::nullopt;
  const unsigned char* p = der.data();
  ParsedRequest parsed{wrap(d2i_OCSP_REQUEST(nullptr, &p, static_cast<long>(der.size())))};
  if (!parsed.request || p != der.data() + der.size()) return std::nullopt;
  OCSP_REQUEST* req = parsed.request.get();
  const int count = OCSP_request_onereq_count(req);
  if (count < 1 || static_cast<std::size_t>(count) > options.max_request_certs) return std::nullopt;
  // RFC 6960 §4.4: "Unrecognized extensions MUST be ignored (unless they have the critical
  // flag set and are not understood)." We understand only the nonce.
  for (int i = 0; i < OCSP_REQUEST_get_ext_count(req); ++i) {
    X509_EXTENSION* ext = OCSP_REQUEST_get_ext(req, i);
    if (OBJ_obj2nid(X509_EXTENSION_get_object(ext)) == NID_id_pkix_OCSP_Nonce) {
      if (parsed.has_nonce || !nonce_acceptable(ext)) return std::nullopt;
      parsed.has_nonce = true;
    } else if (X509_EXTENSION_get_critical(ext) != 0) {
      return std::nullopt;
    }
  }
  for (int i = 0; i < count; ++i)
    if (OCSP_ONEREQ_get_ext_by_critical(OCSP_request_onereq_get0(req, i), 1, -1) >= 0) return std::nullopt;
  core::drain_openssl_errors();  // d2i of optional parts may leave entries behind
  return parsed;
}

// RFC 6960 §4.1.1: "issuerNameHash is the hash of the issuer's distinguished name (DN)...
// issuerKeyHash is the hash of the issuer's public key ... (excluding the tag and length fields)
// in the responder certificate", under hashAlgorithm.
bool names_our_ca(OCSP_CERTID* cid, const X509* ca) {
  ASN1_OCTET_STRING* name_hash = nullptr;
  ASN1_OBJECT* alg = nullptr;
  ASN1_OCTET_STRING* key_hash = nullptr;
  if (OCSP_id_get0_info(&name_hash, &alg, &key_hash, nullptr, cid) != 1) return false;
  const int nid = OBJ_obj2nid(alg);
  const EVP_MD* md = nid == NID_sha1 ? EVP_sha1() : nid == NID_sha256 ? EVP_sha256() : nullptr;
  if (md == nullptr) return false;
  unsigned char expected[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  auto same = [&](const ASN1_OCTET_STRING* got) {
    return static_cast<unsigned int>(ASN1_STRING_length(got)) == len &&
           std::memcmp(ASN1_STRING_get0_data(got), expected, len) == 0;
  };
  if (X509_NAME_digest(X509_get_subject_name(ca), md, expected, &len) != 1 || !same(name_hash)) return false;
  return X509_pubkey_digest(ca, md, expected, &len) == 1 && same(key_hash);
}

// The hex serial to look up, or nullopt for one this CA cannot have issued.
std::optional<std::string> lookup_serial(OCSP_CERTID* cid) {
  ASN1_INTEGER* serial = nullptr;
  if (OCSP_id_get0_info(nullptr, nullptr, nullptr, &serial, cid) != 1 || serial == nullptr) return std::nullopt;
  auto bn = wrap(ASN1_INTEGER_to_BN(serial, nullptr));
  if (!bn || BN_is_negative(bn.get()) || BN_is_zero(bn.get()) || BN_num_bytes(bn.get()) > kMaxSerialOctets)
    return std::nullopt;
  return core::serial_to_hex(serial);
}

Result<UniquePtr<ASN1_TIME>> make_time(TimePoint t) {
  auto out = wrap(ASN1_TIME_set(nullptr, std::chrono::system_clock::to_time_t(t)));
  if (!out) return fail(core::openssl_error(ErrorCode::internal, "time out of range"));
  return out;
}

// BasicOCSPResponse (RFC 6960 §4.2.1) for statuses already looked up, in request order.
Result<Bytes> build_response(OCSP_REQUEST* req, bool has_nonce, const std::vector<CertStatus>& statuses,
                             const OcspResponderIdentity& identity, const OcspOptions& options, TimePoint now) {
  auto basic = wrap(OCSP_BASICRESP_new());
  QS_TRY(auto this_update, make_time(now));
  QS_TRY(auto next_update, make_time(now + options.next_update));
  if (!basic) return fail(core::openssl_error(ErrorCode::internal, "out of memory"));
  UniquePtr<ASN1_GENERALIZEDTIME> cutoff;
  if (options.archive_cutoff) {
    cutoff = wrap(ASN1_GENERALIZEDTIME_set(nullptr, std::chrono::system_clock::to_time_t(*options.archive_cutoff)));
    if (!cutoff) return fail(core::openssl_error(ErrorCode::internal, "archive cutoff out of range"));
  }
  for (std::size_t i = 0; i < statuses.size(); ++i) {
    OCSP_CERTID* cid = OCSP_onereq_get0_id(OCSP_request_onereq_get0(req, static_cast<int>(i)));
    const CertStatus& s = statuses[i];
    int state = V_OCSP_CERTSTATUS_UNKNOWN;
    int reason = OCSP_REVOKED_STATUS_NOSTATUS;  // omits revocationReason
    UniquePtr<ASN1_TIME> revoked_at;
    if (s.state == CertState::good) state = V_OCSP_CERTSTATUS_GOOD;
    if (s.state == CertState::revoked) {
      state = V_OCSP_CERTSTATUS_REVOKED;
      if (std::string_view(reason_name(s.reason)) == "?")
        return fail(ErrorCode::internal, "the status lookup returned revocation reason " +
                                             std::to_string(static_cast<int>(s.reason)));
      if (s.reason != RevocationReason::unspecified) reason = static_cast<int>(s.reason);
      QS_TRY(revoked_at, make_time(s.revoked_at));
    }
    // The CertID is copied as the client sent it, so its hash algorithm is echoed.
    OCSP_SINGLERESP* single =
        OCSP_basic_add1_status(basic.get(), cid, state, reason, revoked_at.get(), this_update.get(), next_update.get());
    if (single == nullptr) return fail(core::openssl_error(ErrorCode::internal, "cannot add SingleResponse"));
    // RFC 6960 §4.4.4: "ArchiveCutoff ::= GeneralizedTime", a single extension.
    if (cutoff && OCSP_SINGLERESP_add1_ext_i2d(single, NID_id_pkix_OCSP_archiveCutoff, cutoff.get(), 0,
                                               X509V3_ADD_DEFAULT) != 1)
      return fail(core::openssl_error(ErrorCode::internal, "cannot add archive cutoff"));
  }
  // RFC 6960 §4.4.1: the nonce binds request and response (against replay), so it is copied into
  // the signed response data.
  if (has_nonce && OCSP_copy_nonce(basic.get(), req) != 1)
    return fail(core::openssl_error(ErrorCode::internal, "cannot copy nonce"));
  // producedAt is the caller's `now` (time is a parameter): OCSP_basic_sign would read the
  // clock, so it is told not to (OCSP_NOTIME) and the field OCSP_BASICRESP_new allocated is set
  // in place; there is no setter for it.
  auto* produced_at = const_cast<ASN1_GENERALIZEDTIME*>(OCSP_resp_get0_produced_at(basic.get()));
  if (produced_at == nullptr ||
      ASN1_GENERALIZEDTIME_set(produced_at, std::chrono::system_clock::to_time_t(now)) == nullptr)
    return fail(core::openssl_error(ErrorCode::internal, "cannot set producedAt"));
  // RFC 6960 §4.2.2.3 responderID byKey; §4.2.1 "The responder MAY include certificates in the
  // certs field of BasicOCSPResponse that help the OCSP client verify the responder's signature."
  if (OCSP_basic_sign(basic.get(), const_cast<X509*>(identity.responder_cert), identity.responder_key,
                      digest_for_key(identity.responder_key), nullptr, OCSP_RESPID_KEY | OCSP_NOTIME) != 1)
    return fail(core::openssl_error(ErrorCode::token, "the token could not sign the OCSP response"));
  auto response = wrap(OCSP_response_create(OCSP_RESPONSE_STATUS_SUCCESSFUL, basic.get()));
  if (!response) return fail(core::openssl_error(ErrorCode::internal, "cannot make OCSP response"));
  return response_to_der(response.get());
}

void log_internal_error(const char* what, const Error& e) {
  if (e.detail.empty()) spdlog::error("OCSP {}: {}", what, e.message);
  else spdlog::error("OCSP {}: {} ({})", what, e.message, e.detail);
}

struct Answer {
  Bytes der;
  bool cacheable = false;  // successful and without "unknown"
};

Answer answer(const ParsedRequest& parsed, const OcspResponderIdentity& identity, const StatusLookup& lookup,
              const OcspOptions& options, TimePoint now) {
  if (identity.ca == nullptr || identity.responder_cert == nullptr || identity.responder_key == nullptr ||
      !lookup || options.next_update <= std::chrono::seconds::zero()) {
    spdlog::error("OCSP responder misconfigured: identity, lookup or next_update missing");
    return {status_response(OCSP_RESPONSE_STATUS_INTERNALERROR)};
  }
  OCSP_REQUEST* req = parsed.request.get();
  const int count = OCSP_request_onereq_count(req);
  // RFC 6960 §2.3: unauthorized — "the server is not capable of responding authoritatively".
  for (int i = 0; i < count; ++i)
    if (!names_our_ca(OCSP_onereq_get0_id(OCSP_request_onereq_get0(req, i)), identity.ca)) {
      core::drain_openssl_errors();
      return {status_response(OCSP_RESPONSE_STATUS_UNAUTHORIZED)};
    }
  std::vector<CertStatus> statuses;
  bool any_unknown = false;
  for (int i = 0; i < count; ++i) {
    CertStatus status;  // unknown
    if (auto serial = lookup_serial(OCSP_onereq_get0_id(OCSP_request_onereq_get0(req, i)))) {
      auto found = lookup(*serial);
      if (!found) {
        log_internal_error("status lookup failed", found.error());
        return {status_response(OCSP_RESPONSE_STATUS_INTERNALERROR)};
      }
      if (*found) status = **found;
    }
    any_unknown = any_unknown || status.state == CertState::unknown;
    statuses.push_back(status);
  }
  auto der = build_response(req, parsed.has_nonce, statuses, identity, options, now);
  if (!der) {
    log_internal_error("response not made", der.error());
    return {status_response(OCSP_RESPONSE_STATUS_INTERNALERROR)};
  }
  return {std::move(*der), !any_unknown};
}

// The CertIDs of the request, DER, in order (each is a TLV, so the concatenation is unambiguous).
std::optional<std::string> cache_key(OCSP_REQUEST* req) {
  std::string key;
  for (int i = 0; i < OCSP_request_onereq_count(req); ++i) {
    unsigned char* buf = nullptr;
    int len = i2d_OCSP_CERTID(OCSP_onereq_get0_id(OCSP_request_onereq_get0(req, i)), &buf);
    if (len <= 0) {
      core::drain_openssl_errors();
      return std::nullopt;
    }
    key.append(reinterpret_cast<const char*>(buf), static_cast<std::size_t>(len));
    OPENSSL_free(buf);
  }
  return key;
}

}  // namespace

Bytes respond(ByteView request_der, const OcspResponderIdentity& identity, const StatusLookup& lookup,
              const OcspOptions& options, TimePoint now) {
  auto parsed = parse_request(request_der, options);
  if (!parsed) {
    core::drain_openssl_errors();  // hostile input is expected: not logged
    return status_response(OCSP_RESPONSE_STATUS_MALFORMEDREQUEST);
  }
  return answer(*parsed, identity, lookup, options, now).der;
}

Bytes respond_cached(ByteView request_der, const OcspResponderIdentity& identity, const StatusLookup& lookup,
                     const OcspOptions& options, OcspResponseCache& cache, TimePoint now) {
  auto parsed = parse_request(request_der, options);
  if (!parsed) {
    core::drain_openssl_errors();
    return status_response(OCSP_RESPONSE_STATUS_MALFORMEDREQUEST);
  }
  // A pre-produced response cannot carry the client's nonce: a nonce answer is signed on demand.
  std::optional<std::string> key;
  if (!parsed->has_nonce) key = cache_key(parsed->request.get());
  if (!key) return answer(*parsed, identity, lookup, options, now).der;
  if (auto hit = cache.find(*key, now)) return std::move(*hit);
  // Read before the lookup, so a status change racing with this request cannot leave the
  // old status in the cache (see OcspResponseCache::generation).
  const std::uint64_t generation = cache.generation();
  Answer fresh = answer(*parsed, identity, lookup, options, now);
  if (fresh.cacheable) cache.store(std::move(*key), fresh.der, now, now + options.next_update / 2, generation);
  return std::move(fresh.der);
}

}  // namespace qualsig::pki
