#include "identity/spiffe.h"

#include <openssl/err.h>
#include <openssl/pem.h>

#include <chrono>
#include <climits>
#include <ctime>
#include <vector>

#include "core/digest.h"
#include "core/openssl.h"
#include "identity/openssl_ext.h"
#include "identity/printable.h"
#include "identity/spiffe_id.h"

namespace qualsig::identity {
namespace {

using core::UniquePtr;

// The three buffers PEM_read_bio() allocates, freed with OPENSSL_free as its manual says.
struct PemBlock {
  char* name = nullptr;
  char* header = nullptr;
  unsigned char* data = nullptr;
  long length = 0;
  PemBlock() = default;
  PemBlock(const PemBlock&) = delete;
  PemBlock& operator=(const PemBlock&) = delete;
  ~PemBlock() {
    OPENSSL_free(name);
    OPENSSL_free(header);
    OPENSSL_free(data);
  }
};

// Reads every PEM block of `pem`; each must be a "CERTIFICATE" holding exactly one DER
// certificate (core::x509_from_der refuses trailing data).
Result<std::vector<UniquePtr<X509>>> read_certificates(std::string_view pem, const char* what,
                                                       std::size_t max_count) {
  if (pem.size() > kMaxPemSize) {
    return fail(ErrorCode::invalid_input, std::string(what) + " is larger than " + std::to_string(kMaxPemSize) + " bytes");
  }
  auto bio = core::wrap(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  if (!bio) return fail(core::openssl_error(ErrorCode::internal, "out of memory"));
  std::vector<UniquePtr<X509>> out;
  while (true) {
    ERR_clear_error();
    PemBlock block;
    if (PEM_read_bio(bio.get(), &block.name, &block.header, &block.data, &block.length) != 1) {
      const unsigned long err = ERR_peek_last_error();
      if (ERR_GET_LIB(err) == ERR_LIB_PEM && ERR_GET_REASON(err) == PEM_R_NO_START_LINE) {
        ERR_clear_error();  // no further block: the normal end
        break;
      }
      return fail(core::openssl_error(ErrorCode::invalid_input, std::string(what) + " holds a malformed PEM block"));
    }
    if (std::string_view(block.name) != PEM_STRING_X509) {
      return fail(ErrorCode::invalid_input, std::string(what) + " holds a PEM block that is not a CERTIFICATE");
    }
    if (block.header != nullptr && block.header[0] != '\0') {
      return fail(ErrorCode::invalid_input, std::string(what) + " holds a PEM block with headers (RFC 7468 §2 has none)");
    }
    if (out.size() == max_count) {
      return fail(ErrorCode::invalid_input, std::string(what) + " holds more than " + std::to_string(max_count) + " certificates");
    }
    auto cert = core::x509_from_der(ByteView(block.data, static_cast<std::size_t>(block.length)));
    if (!cert) {
      return fail(ErrorCode::invalid_input, std::string(what) + ": certificate " + std::to_string(out.size() + 1) +
                                                " is malformed: " + cert.error().message);
    }
    out.push_back(std::move(*cert));
  }
  if (out.empty()) return fail(ErrorCode::invalid_input, std::string(what) + " holds no PEM certificate");
  return out;
}

Unexpected refused(std::string message) {
  return fail(ErrorCode::denied, "X.509-SVID refused: " + std::move(message));
}

// §2 / §5.2: exactly one URI SAN, a SPIFFE ID with a path.
Result<SpiffeId> leaf_spiffe_id(X509* leaf) {
  int critical = -1;
  auto names = core::wrap(static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(leaf, NID_subject_alt_name, &critical, nullptr)));
  if (!names) {
    if (critical == -2) return refused("the leaf has more than one subjectAltName extension");
    if (critical != -1) return fail(core::openssl_error(ErrorCode::invalid_input, "the leaf's subjectAltName is malformed"));
    return refused("the leaf has no subjectAltName, so no SPIFFE ID");
  }
  const ASN1_IA5STRING* uri = nullptr;
  int uris = 0;
  for (int i = 0; i < sk_GENERAL_NAME_num(names.get()); ++i) {
    const GENERAL_NAME* name = sk_GENERAL_NAME_value(names.get(), i);
    if (name->type == GEN_URI) {
      uri = name->d.uniformResourceIdentifier;
      ++uris;
    }
  }
  if (uris == 0) return refused("the leaf has no URI SAN, so no SPIFFE ID");
  if (uris > 1) {
    return refused("the leaf has " + std::to_string(uris) + " URI SANs; an SVID must have exactly one (X509-SVID §2)");
  }
  const std::string_view text(reinterpret_cast<const char*>(ASN1_STRING_get0_data(uri)),
                              static_cast<std::size_t>(ASN1_STRING_length(uri)));
  if (text.substr(0, 9) != "spiffe://") return refused("the leaf's URI SAN is not a SPIFFE ID (scheme must be spiffe://)");
  QS_TRY(SpiffeId id, parse_spiffe_id(text));
  if (id.path.empty()) {
    return refused("the leaf's SPIFFE ID " + quote_untrusted(text) + " has no path; leaf SVIDs must (X509-SVID §3.1)");
  }
  return id;
}

// §4.1 and §4.3, as §5.2 asks validators to check them.
Result<void> check_leaf_constraints(X509* leaf) {
  int critical = -1;
  auto bc = core::wrap(static_cast<BASIC_CONSTRAINTS*>(X509_get_ext_d2i(leaf, NID_basic_constraints, &critical, nullptr)));
  if (!bc && critical != -1) return refused("the leaf's basicConstraints is malformed or repeated");
  if (bc && bc->ca) return refused("the leaf is a CA certificate (basicConstraints cA true; X509-SVID §4.1)");

  const int ku_index = X509_get_ext_by_NID(leaf, NID_key_usage, -1);
  if (ku_index < 0 || (X509_get_extension_flags(leaf) & EXFLAG_KUSAGE) == 0) {
    return refused("the leaf has no keyUsage extension (X509-SVID §4.3)");
  }
  if (X509_EXTENSION_get_critical(X509_get_ext(leaf, ku_index)) != 1) {
    return refused("the leaf's keyUsage is not critical (X509-SVID §4.3)");
  }
  const std::uint32_t usage = X509_get_key_usage(leaf);
  if ((usage & KU_DIGITAL_SIGNATURE) == 0) return refused("the leaf's keyUsage lacks digitalSignature (X509-SVID §4.3)");
  if ((usage & (KU_KEY_CERT_SIGN | KU_CRL_SIGN)) != 0) {
    return refused("the leaf's keyUsage includes keyCertSign or cRLSign (X509-SVID §4.3)");
  }
  return ok();
}

// §5.1: RFC 5280 path validation against the bundle at `now`.
Result<void> validate_path(std::vector<UniquePtr<X509>>& chain, const std::vector<UniquePtr<X509>>& bundle,
                           TimePoint now) {
  auto store = core::wrap(X509_STORE_new());
  auto untrusted = core::wrap(sk_X509_new_null());
  auto ctx = core::wrap(X509_STORE_CTX_new());
  if (!store || !untrusted || !ctx) return fail(core::openssl_error(ErrorCode::internal, "out of memory"));
  for (const auto& anchor : bundle) {
    if (X509_STORE_add_cert(store.get(), anchor.get()) != 1) {  // takes its own reference
      const unsigned long err = ERR_peek_last_error();
      if (ERR_GET_REASON(err) != X509_R_CERT_ALREADY_IN_HASH_TABLE) {
        return fail(core::openssl_error(ErrorCode::crypto, "cannot add a bundle certificate to the store"));
      }
      ERR_clear_error();
    }
  }
  for (std::size_t i = 1; i < chain.size(); ++i) {
    if (sk_X509_push(untrusted.get(), chain[i].get()) <= 0) {
      return fail(core::openssl_error(ErrorCode::internal, "out of memory"));
    }
    (void)chain[i].release();  // the stack owns it now
  }
  if (X509_STORE_CTX_init(ctx.get(), store.get(), chain[0].get(), untrusted.get()) != 1) {
    return fail(core::openssl_error(ErrorCode::crypto, "cannot initialise path validation"));
  }
  X509_VERIFY_PARAM* param = X509_STORE_CTX_get0_param(ctx.get());  // borrowed
  X509_VERIFY_PARAM_set_time(param, static_cast<time_t>(now.time_since_epoch().count()));
  // Every bundle certificate is an anchor, self-signed or not (go-spiffe semantics).
  X509_VERIFY_PARAM_set_flags(param, X509_V_FLAG_X509_STRICT | X509_V_FLAG_PARTIAL_CHAIN);
  X509_VERIFY_PARAM_set_depth(param, static_cast<int>(kMaxSvidChainLength));
  if (X509_verify_cert(ctx.get()) == 1) return ok();
  const int err = X509_STORE_CTX_get_error(ctx.get());
  const int depth = X509_STORE_CTX_get_error_depth(ctx.get());
  return fail(ErrorCode::denied,
              "X.509-SVID refused: the chain does not verify against the trust bundle at " + to_rfc3339(now) +
                  ": " + X509_verify_cert_error_string(err) + " (depth " + std::to_string(depth) + ")",
              core::drain_openssl_errors());
}

Result<TimePoint> not_after(const X509* cert) {
  std::tm tm{};
  if (ASN1_TIME_to_tm(X509_get0_notAfter(cert), &tm) != 1) {
    return fail(core::openssl_error(ErrorCode::invalid_input, "the leaf's notAfter is malformed"));
  }
  using namespace std::chrono;
  const year_month_day date{year{tm.tm_year + 1900}, month{static_cast<unsigned>(tm.tm_mon + 1)},
                           std::chrono::day{static_cast<unsigned>(tm.tm_mday)}};
  return TimePoint(sys_days(date).time_since_epoch() + hours(tm.tm_hour) + minutes(tm.tm_min) + seconds(tm.tm_sec));
}

}  // namespace

Result<SvidVerification> verify_x509_svid(std::string_view svid_pem, std::string_view trust_bundle_pem,
                                          TimePoint now,
                                          const std::optional<std::string>& expected_trust_domain) {
  if (expected_trust_domain) {
    auto valid = check_trust_domain_name(*expected_trust_domain);
    if (!valid) return fail(ErrorCode::usage, "expected trust domain: " + valid.error().message);
  }
  QS_TRY(auto chain, read_certificates(svid_pem, "the SVID", kMaxSvidChainLength));
  QS_TRY(auto bundle, read_certificates(trust_bundle_pem, "the trust bundle", kMaxBundleCertificates));
  X509* leaf = chain.front().get();

  QS_TRY(SpiffeId id, leaf_spiffe_id(leaf));
  QS_TRY_VOID(check_leaf_constraints(leaf));
  if (expected_trust_domain && id.trust_domain != *expected_trust_domain) {
    return refused("the SPIFFE ID is in trust domain " + quote_untrusted(id.trust_domain) + ", expected " +
                   quote_untrusted(*expected_trust_domain));
  }
  QS_TRY(Bytes der, core::x509_to_der(leaf));
  QS_TRY(TimePoint leaf_not_after, not_after(leaf));
  QS_TRY_VOID(validate_path(chain, bundle, now));

  SvidVerification out;
  out.spiffe_id = id.to_string();
  out.trust_domain = std::move(id.trust_domain);
  out.leaf_fingerprint_sha256 = hex_encode(core::sha256(der));
  out.not_after = leaf_not_after;
  return out;
}

}  // namespace qualsig::identity
