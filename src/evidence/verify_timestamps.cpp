// Time-stamp tokens of the signature: each signature-time-stamp (ETSI EN 319 122-1 §5.3, over the
// SignerInfo's signature value) and archive-time-stamp-v3 (§5.5.3) is an RFC 3161 TimeStampToken
// whose signature verifies with the TSA certificate chained to the root at its genTime, and whose
// messageImprint is the one the signature requires.
#include <openssl/objects.h>

#include <functional>
#include <variant>

#include "core/digest.h"
#include "evidence/verify_detail.h"
#include "formats/cades.h"

namespace qualsig::evidence::detail {
namespace {

namespace cades = formats::cades;

std::optional<core::DigestAlgorithm> digest_of_nid(int nid) {
  switch (nid) {
    case NID_sha256: return core::DigestAlgorithm::sha256;
    case NID_sha384: return core::DigestAlgorithm::sha384;
    case NID_sha512: return core::DigestAlgorithm::sha512;
    default: return std::nullopt;
  }
}

struct TokenView {
  core::UniquePtr<PKCS7> token;
  core::UniquePtr<TS_TST_INFO> tst;
  core::DigestAlgorithm alg = core::DigestAlgorithm::sha256;
  Bytes imprint;
  TimePoint gen_time;
};

// Parses the token and its TSTInfo (RFC 3161 §2.4.2); an error message when it cannot.
std::variant<TokenView, std::string> read_token(ByteView der) {
  TokenView v;
  const unsigned char* p = der.data();
  v.token = core::wrap(d2i_PKCS7(nullptr, &p, static_cast<long>(der.size())));
  if (!v.token || p != der.data() + der.size()) return std::string("not a DER TimeStampToken");
  v.tst = core::wrap(PKCS7_to_TS_TST_INFO(v.token.get()));
  if (!v.tst) return std::string("no TSTInfo in the token");
  TS_MSG_IMPRINT* mi = TS_TST_INFO_get_msg_imprint(v.tst.get());
  auto alg = digest_of_nid(OBJ_obj2nid(TS_MSG_IMPRINT_get_algo(mi)->algorithm));
  if (!alg) return std::string("the token's imprint algorithm is not SHA-256, SHA-384 or SHA-512");
  v.alg = *alg;
  const ASN1_OCTET_STRING* msg = TS_MSG_IMPRINT_get_msg(mi);
  v.imprint.assign(ASN1_STRING_get0_data(msg), ASN1_STRING_get0_data(msg) + ASN1_STRING_length(msg));
  auto gen_time = asn1_time(TS_TST_INFO_get_time(v.tst.get()));
  if (!gen_time) return std::string("the token's genTime does not parse");
  v.gen_time = *gen_time;
  return v;
}

// RFC 3161 §2.4.2 signature and TSA certificate chain, at the token's own genTime.
std::string verify_token_signature(const Context& c, TokenView& v, bool& ok) {
  ok = false;
  auto anchor = trust_anchor(c);
  if (!anchor) return "no root certificate to verify the TSA against";
  auto store = store_at(anchor.get(), v.gen_time);
  auto certs = untrusted_certificates(c);
  auto ctx = core::wrap(TS_VERIFY_CTX_new());
  if (!store || !certs || !ctx) return "out of memory";
  TS_VERIFY_CTX_set_flags(ctx.get(), TS_VFY_SIGNATURE);
  TS_VERIFY_CTX_set_store(ctx.get(), store.release());  // owned by ctx from here
  TS_VERIFY_CTS_set_certs(ctx.get(), certs.release());   // owned by ctx from here
  ok = TS_RESP_verify_token(ctx.get(), v.token.get()) == 1;
  std::string errors = core::drain_openssl_errors();
  return ok ? "" : "the token's signature or TSA chain does not verify: " + errors;
}

}  // namespace

void check_token(Context& c, const std::string& what, ByteView der,
                 const std::function<Result<Bytes>(core::DigestAlgorithm)>& expected, bool imprint_verified) {
  auto read = read_token(der);
  if (auto* error = std::get_if<std::string>(&read)) {
    c.check("timestamps", false, what + ": " + *error);
    return;
  }
  auto& v = std::get<TokenView>(read);
  bool ok = false;
  std::string detail = verify_token_signature(c, v, ok);
  if (ok) {
    auto want = expected ? expected(v.alg) : imprint_verified ? Result<Bytes>(v.imprint)
                                                              : Result<Bytes>(fail(ErrorCode::denied, "the signature's verification did not confirm it"));
    if (!want) {
      ok = false;
      detail = "its imprint cannot be computed: " + want.error().message;
    } else if (*want != v.imprint) {
      ok = false;
      detail = "its messageImprint is not the one the signature requires";
    } else if (c.signing_time && v.gen_time < *c.signing_time) {
      ok = false;
      detail = "its genTime " + to_rfc3339(v.gen_time) + " is before the signing time " + to_rfc3339(*c.signing_time);
    } else {
      detail = std::string("verifies (TSA chained to the root) with the right imprint") +
               (expected ? "" : " (compared by the format's own verification)") + ", genTime " + to_rfc3339(v.gen_time);
    }
  }
  c.check("timestamps", ok, what + ": " + detail);
}

void check_timestamps(Context& c, CMS_ContentInfo* cms, const cades::SignatureInfo& info, const std::optional<Bytes>& content) {
  if (info.signature_timestamps.empty() && info.archive_timestamps.empty()) {
    // B-B has none by definition; at B-T and above inspect() would have found one.
    bool ok = c.bundle.level == "B-B";
    c.check("timestamps", ok, ok ? "none (level B-B)" : "the bundle says " + c.bundle.level + " but the signature has no time-stamp");
    return;
  }
  STACK_OF(CMS_SignerInfo)* infos = CMS_get0_SignerInfos(cms);
  ASN1_OCTET_STRING* value = infos && sk_CMS_SignerInfo_num(infos) > 0
                                 ? CMS_SignerInfo_get0_signature(sk_CMS_SignerInfo_value(infos, 0)) : nullptr;
  for (std::size_t k = 0; k < info.signature_timestamps.size(); ++k) {
    // EN 319 122-1 §5.3: "the hash of the value octets of the signature field".
    check_token(c, "signature-time-stamp[" + std::to_string(k) + "]", info.signature_timestamps[k],
                [&](core::DigestAlgorithm alg) -> Result<Bytes> {
                  if (!value) return fail(ErrorCode::invalid_input, "no SignerInfo signature value");
                  return core::digest(alg, ByteView(ASN1_STRING_get0_data(value), static_cast<std::size_t>(ASN1_STRING_length(value))));
                });
  }
  for (std::size_t k = 0; k < info.archive_timestamps.size(); ++k) {
    check_token(c, "archive-time-stamp[" + std::to_string(k) + "]", info.archive_timestamps[k],
                [&](core::DigestAlgorithm alg) -> Result<Bytes> {
                  std::optional<Bytes> digest;
                  if (info.detached) {
                    if (!content) {
                      // The document hash is enough when it was made with the token's algorithm.
                      std::string prefix = alg == core::DigestAlgorithm::sha256   ? "sha256:"
                                           : alg == core::DigestAlgorithm::sha384 ? "sha384:"
                                                                                   : "sha512:";
                      if (c.bundle.document_hash.rfind(prefix, 0) != 0)
                        return fail(ErrorCode::invalid_input, "the document is not included and its hash uses another algorithm");
                      digest = hex_decode(std::string_view(c.bundle.document_hash).substr(prefix.size()));
                      if (!digest) return fail(ErrorCode::invalid_input, "the document hash is not hex");
                    } else {
                      digest = core::digest(alg, *content);
                    }
                  }
                  std::optional<ByteView> d;
                  if (digest) d = ByteView(*digest);
                  return cades::archive_timestamp_imprint(c.bundle.signature, info.archive_timestamps[k], d);
                });
  }
}

}  // namespace qualsig::evidence::detail
