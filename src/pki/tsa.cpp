#include "pki/tsa.h"

#include <openssl/asn1t.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstring>
#include <exception>
#include <limits>
#include <optional>

#include "core/fs.h"

// ASN.1 template. OpenSSL's macros define functions with external linkage, so the type carries a
// QS_ prefix and lives at global scope (as in qc_statements.cpp).
//
// PKIStatusInfo for the rejections qualsig decides itself (RFC 3161 §2.4.2):
//   PKIStatusInfo ::= SEQUENCE {
//      status        PKIStatus,
//      statusString  PKIFreeText     OPTIONAL,
//      failInfo      PKIFailureInfo  OPTIONAL }
//   PKIFreeText ::= SEQUENCE SIZE (1..MAX) OF UTF8String      (RFC 4210 §5.1.1)
// OpenSSL's TS_STATUS_INFO is opaque and has no setter for failInfo or statusString outside a
// TS_RESP_CTX, so the value is encoded with this template and read back as a TS_STATUS_INFO.
// clang-format off
struct QS_TSA_STATUS_INFO {
  ASN1_INTEGER* status;
  STACK_OF(ASN1_UTF8STRING)* text;  // null when absent
  ASN1_BIT_STRING* failure_info;     // null when absent
};
DECLARE_ASN1_FUNCTIONS(QS_TSA_STATUS_INFO)
ASN1_SEQUENCE(QS_TSA_STATUS_INFO) = {
    ASN1_SIMPLE(QS_TSA_STATUS_INFO, status, ASN1_INTEGER),
    ASN1_SEQUENCE_OF_OPT(QS_TSA_STATUS_INFO, text, ASN1_UTF8STRING),
    ASN1_OPT(QS_TSA_STATUS_INFO, failure_info, ASN1_BIT_STRING),
} ASN1_SEQUENCE_END(QS_TSA_STATUS_INFO)
IMPLEMENT_ASN1_FUNCTIONS(QS_TSA_STATUS_INFO)
// clang-format on

namespace qualsig::core {
// The rejection structure is declared in this file (OpenSSL has no public setter for it).
template <>
struct OpenSslDeleter<QS_TSA_STATUS_INFO> {
  void operator()(QS_TSA_STATUS_INFO* p) const noexcept { QS_TSA_STATUS_INFO_free(p); }
};
}  // namespace qualsig::core

namespace qualsig::pki {
namespace {

using core::UniquePtr;
using core::wrap;

// A TimeStampReq with a SHA-512 imprint, a policy and a 32-octet nonce is under 200 octets, and
// extensions are refused anyway; larger input is refused before it reaches the decoder.
constexpr std::size_t kMaxRequestSize = 8 * 1024;
// Responses carry a token with at most a few certificates.
constexpr std::size_t kMaxResponseSize = 1024 * 1024;
// RFC 3161 §2.4.1: "version INTEGER { v1(1) }".
constexpr long kRequestVersion = 1;
// Only reachable without memory: TimeStampResp { PKIStatusInfo { status rejection(2), failInfo
// systemFailure (bit 25: four octets, six unused bits, 0x40 in the last) } }.
constexpr std::uint8_t kSystemFailureResponse[] = {0x30, 0x0c, 0x30, 0x0a, 0x02, 0x01, 0x02,
                                                   0x03, 0x05, 0x06, 0x00, 0x00, 0x00, 0x40};
constexpr TsaFailure kAllFailures[] = {
    TsaFailure::bad_alg,           TsaFailure::bad_request,          TsaFailure::bad_data_format,
    TsaFailure::time_not_available, TsaFailure::unaccepted_policy,    TsaFailure::unaccepted_extension,
    TsaFailure::add_info_not_available, TsaFailure::system_failure};

template <typename T, int (*Encode)(const T*, unsigned char**)>
Bytes encode(const T* value) {
  unsigned char* buf = nullptr;
  const int len = Encode(value, &buf);
  Bytes out(buf, buf + std::max(len, 0));
  OPENSSL_free(buf);
  return out;
}

// A TimeStampResp that says rejection with one failInfo bit and `text` as statusString.
Bytes rejection(TsaFailure failure, const char* text) {
  auto info = wrap(QS_TSA_STATUS_INFO_new());
  auto utf8 = wrap(ASN1_UTF8STRING_new());
  bool ok = info && utf8 && ASN1_INTEGER_set(info->status, TS_STATUS_REJECTION) == 1 &&
            ASN1_STRING_set(utf8.get(), text, static_cast<int>(std::strlen(text))) == 1 &&
            (info->text = sk_ASN1_UTF8STRING_new_null()) != nullptr &&
            sk_ASN1_UTF8STRING_push(info->text, utf8.get()) > 0;
  if (ok) utf8.release();  // now owned by info->text
  ok = ok && (info->failure_info = ASN1_BIT_STRING_new()) != nullptr &&
       ASN1_BIT_STRING_set_bit(info->failure_info, static_cast<int>(failure), 1) == 1;
  Bytes der = ok ? encode<QS_TSA_STATUS_INFO, i2d_QS_TSA_STATUS_INFO>(info.get()) : Bytes{};
  const unsigned char* p = der.data();
  auto status = wrap(der.empty() ? nullptr : d2i_TS_STATUS_INFO(nullptr, &p, static_cast<long>(der.size())));
  auto response = wrap(TS_RESP_new());
  Bytes out;
  if (status && response && TS_RESP_set_status_info(response.get(), status.get()) == 1)
    out = encode<TS_RESP, i2d_TS_RESP>(response.get());
  core::drain_openssl_errors();
  if (out.empty()) return Bytes(std::begin(kSystemFailureResponse), std::end(kSystemFailureResponse));
  return out;
}

void log_system_failure(const char* what, const std::string& detail) {
  spdlog::error("TSA {}: {}", what, detail);
}

// What the callbacks of one TS_RESP_create_response call need.
struct CallbackState {
  const TsaSerialSource* serials;
  TimePoint now;
};

// TS_serial_cb: OpenSSL calls it once the request passed every check, before genTime and the
// signature; it frees the integer returned. A null return with a status set makes the answer.
ASN1_INTEGER* next_serial(TS_RESP_CTX* ctx, void* data) {
  const auto* state = static_cast<const CallbackState*>(data);
  Result<std::uint64_t> serial = fail(ErrorCode::internal, "no serial source");
  // A C callback: nothing may unwind through OpenSSL's frames, so an exception from the source
  // is turned into the same systemFailure as an error, and logged.
  try {
    serial = (*state->serials)();
  } catch (const std::exception& e) {
    serial = fail(ErrorCode::internal, "the serial source threw", e.what());
  } catch (...) {
    serial = fail(ErrorCode::internal, "the serial source threw");
  }
  if (serial) {
    auto out = wrap(ASN1_INTEGER_new());
    if (out && ASN1_INTEGER_set_uint64(out.get(), *serial) == 1) return out.release();
    serial = core::openssl_error(ErrorCode::internal, "cannot encode the serial number");
  }
  const Error& e = serial.error();
  log_system_failure("serial source failed", e.detail.empty() ? e.message : e.message + " (" + e.detail + ")");
  TS_RESP_CTX_set_status_info(ctx, TS_STATUS_REJECTION, "The serial number source is not available.");
  TS_RESP_CTX_add_failure_info(ctx, TS_INFO_SYSTEM_FAILURE);
  return nullptr;
}

// TS_time_cb: genTime is the caller's `now` (STYLE.md §7), whole seconds.
int gen_time(TS_RESP_CTX*, void* data, long* sec, long* usec) {
  const auto* state = static_cast<const CallbackState*>(data);
  *sec = static_cast<long>(std::chrono::system_clock::to_time_t(state->now));
  *usec = 0;
  return 1;
}

// A TS_RESP_CTX for one call: signer, digests, policy, accuracy and callbacks. Neither ordering
// (RFC 3161 §2.4.2: "ordering BOOLEAN DEFAULT FALSE") nor the tsa name is set, and ESSCertIDv2
// names the TSA certificate alone (no TS_ESS_CERT_ID_CHAIN).
Result<UniquePtr<TS_RESP_CTX>> make_context(const TsaIdentity& identity, const TsaOptions& options,
                                            CallbackState& state) {
  if (identity.certificate == nullptr || identity.key == nullptr || !*state.serials)
    return fail(ErrorCode::usage, "the TSA certificate, key or serial source is missing");
  const EVP_MD* md = core::evp_md(options.signing_digest);
  const auto accuracy_ms = options.accuracy.count();
  if (md == nullptr || accuracy_ms < 0 || accuracy_ms / 1000 > std::numeric_limits<int>::max())
    return fail(ErrorCode::usage, "bad TSA options (signing digest or accuracy)");
  auto ctx = wrap(TS_RESP_CTX_new());
  if (!ctx) return fail(core::openssl_error(ErrorCode::internal, "out of memory"));
  X509* cert = const_cast<X509*>(identity.certificate);  // TS_RESP_CTX takes a reference
  // RFC 3161 §2.3: the certificate has one critical extended key usage, id-kp-timeStamping.
  if (TS_RESP_CTX_set_signer_cert(ctx.get(), cert) != 1)
    return fail(core::openssl_error(ErrorCode::usage, "the TSA certificate is not for time-stamping"));
  if (X509_check_private_key(cert, identity.key) != 1)
    return fail(core::openssl_error(ErrorCode::usage, "the TSA key does not match its certificate"));
  auto certs = wrap(sk_X509_new_null());
  if (!certs) return fail(core::openssl_error(ErrorCode::internal, "out of memory"));
  for (const X509* c : identity.chain) {
    if (c == nullptr) return fail(ErrorCode::usage, "null certificate in the TSA chain");
    if (sk_X509_push(certs.get(), const_cast<X509*>(c)) <= 0)
      return fail(core::openssl_error(ErrorCode::internal, "out of memory"));
    X509_up_ref(const_cast<X509*>(c));  // owned by `certs` from here
  }
  auto policy = wrap(OBJ_txt2obj(options.policy_oid.c_str(), 1));
  if (!policy) return fail(core::openssl_error(ErrorCode::usage, "bad TSA policy OID '" + options.policy_oid + "'"));
  const bool ok = TS_RESP_CTX_set_signer_key(ctx.get(), identity.key) == 1 &&
                  TS_RESP_CTX_set_signer_digest(ctx.get(), md) == 1 &&
                  // RFC 5816 §2: ESSCertIDv2 (RFC 5035 §4), hashed with the signing digest.
                  TS_RESP_CTX_set_ess_cert_id_digest(ctx.get(), md) == 1 &&
                  TS_RESP_CTX_set_certs(ctx.get(), certs.get()) == 1 &&
                  TS_RESP_CTX_set_def_policy(ctx.get(), policy.get()) == 1 &&
                  // SHA-256/384/512 only: SHA-1 is not fit for new time-stamps (ETSI TS 119 312).
                  TS_RESP_CTX_add_md(ctx.get(), EVP_sha256()) == 1 && TS_RESP_CTX_add_md(ctx.get(), EVP_sha384()) == 1 &&
                  TS_RESP_CTX_add_md(ctx.get(), EVP_sha512()) == 1 &&
                  TS_RESP_CTX_set_accuracy(ctx.get(), static_cast<int>(accuracy_ms / 1000),
                                           static_cast<int>(accuracy_ms % 1000), 0) == 1;
  if (!ok) return fail(core::openssl_error(ErrorCode::internal, "cannot set up the TSA context"));
  TS_RESP_CTX_set_serial_cb(ctx.get(), next_serial, &state);
  TS_RESP_CTX_set_time_cb(ctx.get(), gen_time, &state);
  return ctx;
}

// TimeStampReq ::= SEQUENCE {
//    version         INTEGER  { v1(1) },
//    messageImprint  MessageImprint,
//    reqPolicy       TSAPolicyId              OPTIONAL,
//    nonce           INTEGER                  OPTIONAL,
//    certReq         BOOLEAN                  DEFAULT FALSE,
//    extensions      [0] IMPLICIT Extensions  OPTIONAL }
// Exactly one DER value: decoded, nothing after it, and re-encoded to the same bytes (a BER-only
// form — long-form lengths, an explicit certReq FALSE — does not survive that). Null if not.
UniquePtr<TS_REQ> parse_request(ByteView der) {
  if (der.empty() || der.size() > kMaxRequestSize) return nullptr;
  const unsigned char* p = der.data();
  auto req = wrap(d2i_TS_REQ(nullptr, &p, static_cast<long>(der.size())));
  if (!req || p != der.data() + der.size()) return nullptr;
  const Bytes again = encode<TS_REQ, i2d_TS_REQ>(req.get());
  if (again.size() != der.size() || !std::equal(again.begin(), again.end(), der.begin())) return nullptr;
  return req;
}

struct Refusal {
  TsaFailure failure;
  const char* text;
};

// qualsig's checks that TS_RESP_create_response does not make; they run first, so that a refused
// request never takes a serial number.
std::optional<Refusal> refuse(const TS_REQ* req, const X509* cert, TimePoint now) {
  // RFC 3161 §2.4.1: "If an extension, whether it is marked critical or not critical, is used by a
  // requester but is not recognized by a time-stamping server, the server SHALL not issue a token
  // and SHALL return a failure (unacceptedExtension)." qualsig recognises none.
  if (TS_REQ_get_ext_count(const_cast<TS_REQ*>(req)) > 0)
    return Refusal{TsaFailure::unaccepted_extension, "Request extensions are not supported."};
  const ASN1_INTEGER* nonce = TS_REQ_get_nonce(req);
  if (nonce != nullptr && static_cast<std::size_t>(ASN1_STRING_length(nonce)) > kMaxNonceOctets)
    return Refusal{TsaFailure::bad_request, "The nonce is longer than 32 octets."};
  // A token's genTime must fall inside the validity of the certificate that signs it.
  const time_t t = std::chrono::system_clock::to_time_t(now);
  const int after_start = ASN1_TIME_cmp_time_t(X509_get0_notBefore(cert), t);  // -1: notBefore < t
  const int before_end = ASN1_TIME_cmp_time_t(X509_get0_notAfter(cert), t);    // 1: notAfter > t
  if (after_start == -2 || after_start > 0 || before_end < 0)
    return Refusal{TsaFailure::time_not_available, "The TSA certificate is not valid at this time."};
  return std::nullopt;
}

}  // namespace

const char* tsa_failure_name(TsaFailure failure) {
  switch (failure) {
    case TsaFailure::bad_alg: return "badAlg";
    case TsaFailure::bad_request: return "badRequest";
    case TsaFailure::bad_data_format: return "badDataFormat";
    case TsaFailure::time_not_available: return "timeNotAvailable";
    case TsaFailure::unaccepted_policy: return "unacceptedPolicy";
    case TsaFailure::unaccepted_extension: return "unacceptedExtension";
    case TsaFailure::add_info_not_available: return "addInfoNotAvailable";
    case TsaFailure::system_failure: return "systemFailure";
  }
  return "?";
}

Bytes timestamp_respond(ByteView request_der, const TsaIdentity& identity, const TsaOptions& options,
                        const TsaSerialSource& serials, TimePoint now) {
  CallbackState state{&serials, now};
  auto ctx = make_context(identity, options, state);
  if (!ctx) {
    log_system_failure("misconfigured", ctx.error().message + (ctx.error().detail.empty() ? "" : " (" + ctx.error().detail + ")"));
    return rejection(TsaFailure::system_failure, "The TSA is not configured correctly.");
  }
  auto req = parse_request(request_der);
  if (!req) {
    core::drain_openssl_errors();
    return rejection(TsaFailure::bad_data_format, "The request is not one DER TimeStampReq.");
  }
  if (auto refusal = refuse(req.get(), identity.certificate, now)) return rejection(refusal->failure, refusal->text);

  // The bytes are exactly the request checked above; OpenSSL decodes them again from a BIO.
  auto bio = wrap(BIO_new_mem_buf(request_der.data(), static_cast<int>(request_der.size())));
  auto response = wrap(bio ? TS_RESP_create_response(ctx->get(), bio.get()) : nullptr);
  if (!response) {
    log_system_failure("could not make a response", core::drain_openssl_errors());
    return rejection(TsaFailure::system_failure, "The time-stamp response could not be made.");
  }
  const TS_STATUS_INFO* info = TS_RESP_get_status_info(response.get());
  // A rejection without failInfo is OpenSSL's "Error during signature generation." (or TSTInfo
  // generation): the token or the library failed, not the request.
  if (ASN1_INTEGER_get(TS_STATUS_INFO_get0_status(info)) != TS_STATUS_GRANTED &&
      TS_STATUS_INFO_get0_failure_info(info) == nullptr) {
    log_system_failure("signing failed", core::drain_openssl_errors());
    return rejection(TsaFailure::system_failure, "The time-stamp token could not be signed.");
  }
  core::drain_openssl_errors();  // OpenSSL's rejections leave entries behind
  Bytes out = encode<TS_RESP, i2d_TS_RESP>(response.get());
  if (out.empty()) {
    log_system_failure("could not encode the response", core::drain_openssl_errors());
    return rejection(TsaFailure::system_failure, "The time-stamp response could not be encoded.");
  }
  return out;
}

namespace {

// MessageImprint ::= SEQUENCE { hashAlgorithm AlgorithmIdentifier, hashedMessage OCTET STRING }
// with the parameters absent (RFC 5754 §2), a random nonce and certReq true.
Result<Bytes> make_request(ByteView digest, core::DigestAlgorithm alg, const ASN1_INTEGER* nonce) {
  auto req = wrap(TS_REQ_new());
  if (!req) return fail(core::openssl_error(ErrorCode::internal, "out of memory"));
  TS_MSG_IMPRINT* imprint = TS_REQ_get_msg_imprint(req.get());  // allocated by TS_REQ_new, borrowed
  X509_ALGOR* algo = TS_MSG_IMPRINT_get_algo(imprint);
  const bool ok = TS_REQ_set_version(req.get(), kRequestVersion) == 1 &&
                  X509_ALGOR_set0(algo, OBJ_nid2obj(EVP_MD_get_type(core::evp_md(alg))), V_ASN1_UNDEF, nullptr) == 1 &&
                  TS_MSG_IMPRINT_set_msg(imprint, const_cast<unsigned char*>(digest.data()),
                                         static_cast<int>(digest.size())) == 1 &&
                  TS_REQ_set_nonce(req.get(), nonce) == 1 && TS_REQ_set_cert_req(req.get(), 1) == 1;
  Bytes der = ok ? encode<TS_REQ, i2d_TS_REQ>(req.get()) : Bytes{};
  if (der.empty()) return fail(core::openssl_error(ErrorCode::internal, "cannot build the TimeStampReq"));
  return der;
}

int imprint_nid(TS_MSG_IMPRINT* imprint) {
  const ASN1_OBJECT* obj = nullptr;
  X509_ALGOR_get0(&obj, nullptr, nullptr, TS_MSG_IMPRINT_get_algo(imprint));
  return obj == nullptr ? NID_undef : OBJ_obj2nid(obj);
}

Error rejected(const TimestampResponse& r) {
  auto has = [&](TsaFailure f) { return std::find(r.failures.begin(), r.failures.end(), f) != r.failures.end(); };
  std::string what = "the TSA refused the timestamp: " + (r.status_text.empty() ? "no reason given" : r.status_text);
  if (has(TsaFailure::system_failure)) return make_error(ErrorCode::unavailable, std::move(what));
  if (has(TsaFailure::time_not_available)) return make_error(ErrorCode::conflict, std::move(what));
  return make_error(ErrorCode::internal, std::move(what));
}

}  // namespace

Result<Bytes> timestamp_digest(ByteView digest, core::DigestAlgorithm alg, const TsaIdentity& identity,
                               const TsaOptions& options, const TsaSerialSource& serials, TimePoint now,
                               std::optional<ByteView> requested_nonce) {
  if (core::evp_md(alg) == nullptr || digest.size() != core::digest_size(alg))
    return fail(ErrorCode::invalid_input, std::string("the digest is not a ") + core::digest_name(alg) + " value");
  if (requested_nonce && (requested_nonce->empty() || requested_nonce->size() > kMaxNonceOctets))
    return fail(ErrorCode::invalid_input, "a nonce is 1 to " + std::to_string(kMaxNonceOctets) + " octets");
  // RFC 3161 §2.4.1: the nonce lets the requester check "that the response corresponds to the request".
  const Bytes nonce_octets = requested_nonce ? Bytes(requested_nonce->begin(), requested_nonce->end()) : core::random_bytes(8);
  auto nonce_bn = wrap(BN_bin2bn(nonce_octets.data(), static_cast<int>(nonce_octets.size()), nullptr));
  auto nonce = wrap(nonce_bn ? BN_to_ASN1_INTEGER(nonce_bn.get(), nullptr) : nullptr);
  if (!nonce) return fail(core::openssl_error(ErrorCode::internal, "cannot make a nonce"));
  QS_TRY(Bytes request, make_request(digest, alg, nonce.get()));

  const Bytes answer = timestamp_respond(request, identity, options, serials, now);
  QS_TRY(TimestampResponse parsed, parse_timestamp_response(answer));
  if (parsed.status != TsaStatus::granted) return fail(rejected(parsed));

  // The TSTInfo must be the answer to this request: same nonce, imprint and policy.
  const unsigned char* p = answer.data();
  auto resp = wrap(d2i_TS_RESP(nullptr, &p, static_cast<long>(answer.size())));
  TS_TST_INFO* tst = resp ? TS_RESP_get_tst_info(resp.get()) : nullptr;  // borrowed from resp
  if (tst == nullptr) return fail(core::openssl_error(ErrorCode::internal, "granted response without TSTInfo"));
  TS_MSG_IMPRINT* imprint = TS_TST_INFO_get_msg_imprint(tst);
  const ASN1_OCTET_STRING* hashed = TS_MSG_IMPRINT_get_msg(imprint);
  const ByteView got(ASN1_STRING_get0_data(hashed), static_cast<std::size_t>(ASN1_STRING_length(hashed)));
  auto policy = wrap(OBJ_txt2obj(options.policy_oid.c_str(), 1));
  const bool matches =
      TS_TST_INFO_get_nonce(tst) != nullptr && ASN1_INTEGER_cmp(TS_TST_INFO_get_nonce(tst), nonce.get()) == 0 &&
      imprint_nid(imprint) == EVP_MD_get_type(core::evp_md(alg)) &&
      std::equal(got.begin(), got.end(), digest.begin(), digest.end()) && policy &&
      OBJ_cmp(TS_TST_INFO_get_policy_id(tst), policy.get()) == 0;
  core::drain_openssl_errors();
  if (!matches) return fail(ErrorCode::internal, "the time-stamp token does not match the request");
  return std::move(parsed.token_der);
}

// TimeStampResp ::= SEQUENCE { status PKIStatusInfo, timeStampToken TimeStampToken OPTIONAL }
Result<TimestampResponse> parse_timestamp_response(ByteView der) {
  if (der.empty() || der.size() > kMaxResponseSize)
    return fail(ErrorCode::invalid_input, "a TimeStampResp is between 1 octet and 1 MiB");
  const unsigned char* p = der.data();
  const unsigned char* const end = der.data() + der.size();
  auto resp = wrap(d2i_TS_RESP(nullptr, &p, static_cast<long>(der.size())));
  if (!resp || p != end) return fail(core::openssl_error(ErrorCode::invalid_input, "not one DER TimeStampResp"));

  TimestampResponse out;
  const TS_STATUS_INFO* info = TS_RESP_get_status_info(resp.get());
  const long status = ASN1_INTEGER_get(TS_STATUS_INFO_get0_status(info));
  if (status < 0 || status > static_cast<long>(TsaStatus::revocation_notification))
    return fail(ErrorCode::invalid_input, "unknown PKIStatus " + std::to_string(status));
  out.status = static_cast<TsaStatus>(status);
  const STACK_OF(ASN1_UTF8STRING)* text = TS_STATUS_INFO_get0_text(info);
  for (int i = 0; i < sk_ASN1_UTF8STRING_num(text); ++i) {
    const ASN1_UTF8STRING* s = sk_ASN1_UTF8STRING_value(text, i);
    if (!out.status_text.empty()) out.status_text += "; ";
    out.status_text.append(reinterpret_cast<const char*>(ASN1_STRING_get0_data(s)),
                           static_cast<std::size_t>(ASN1_STRING_length(s)));
  }
  if (const ASN1_BIT_STRING* bits = TS_STATUS_INFO_get0_failure_info(info)) {
    int known = 0;
    for (TsaFailure f : kAllFailures) {
      if (ASN1_BIT_STRING_get_bit(bits, static_cast<int>(f)) == 1) {
        out.failures.push_back(f);
        ++known;
      }
    }
    int set = 0;
    for (int i = 0; i < ASN1_STRING_length(bits) * 8; ++i) set += ASN1_BIT_STRING_get_bit(bits, i);
    if (set != known) return fail(ErrorCode::invalid_input, "failInfo has a bit RFC 3161 does not define");
  }
  const bool granted = out.status == TsaStatus::granted || out.status == TsaStatus::granted_with_mods;
  if (granted != (TS_RESP_get_token(resp.get()) != nullptr))
    return fail(ErrorCode::invalid_input, granted ? "granted without a TimeStampToken" : "a TimeStampToken with a refusal");
  // Definite lengths for the outer SEQUENCE and the PKIStatusInfo; the token, if any, is what
  // follows the PKIStatusInfo, kept exactly as sent (a BER token must not be re-encoded: its
  // signature covers the original signed attributes).
  const unsigned char* q = der.data();
  long len = 0;
  int tag = 0;
  int cls = 0;
  int rc = ASN1_get_object(&q, &len, &tag, &cls, static_cast<long>(der.size()));
  if ((rc & 0x80) != 0 || (rc & 0x01) != 0) return fail(ErrorCode::invalid_input, "TimeStampResp: indefinite length");
  rc = ASN1_get_object(&q, &len, &tag, &cls, static_cast<long>(end - q));
  if ((rc & 0x80) != 0 || (rc & 0x01) != 0) return fail(ErrorCode::invalid_input, "PKIStatusInfo: indefinite length");
  q += len;
  if (granted) {
    if (q >= end) return fail(ErrorCode::invalid_input, "TimeStampResp: no room for the token");
    out.token_der.assign(q, end);
  }
  core::drain_openssl_errors();
  return out;
}

}  // namespace qualsig::pki
