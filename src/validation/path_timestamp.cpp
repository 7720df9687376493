// Time-stamp token validation (EN 319 102-1 §5.4) for the validation processes; see path.h.

#include <openssl/pkcs7.h>
#include <openssl/ts.h>

#include "validation/path.h"

namespace qualsig::validation::detail {
namespace {

TimestampReport failed(TimestampReport r, Indication ind, std::optional<SubIndication> sub, std::string why) {
  r.indication = ind;
  r.sub_indication = sub;
  r.reasons.push_back(std::move(why));
  return r;
}

// The token's CMS signature, ESSCertID(v2) and the TSA certificate's purpose, with the TSA
// certificate itself as the only anchor (its path is judged separately, at the validation time).
// Certificate signatures OpenSSL checks on the way go through the run's cache.
bool signature_verifies(PKCS7* token, X509* tsa_cert, SignatureCache& signatures) {
  auto ctx = core::wrap(TS_VERIFY_CTX_new());
  X509_STORE* store = X509_STORE_new();
  if (!ctx || store == nullptr) {
    X509_STORE_free(store);
    return false;
  }
  X509_STORE_add_cert(store, tsa_cert);
  X509_STORE_set_flags(store, X509_V_FLAG_PARTIAL_CHAIN | X509_V_FLAG_NO_CHECK_TIME);
  signatures.install(store);
  TS_VERIFY_CTX_set_store(ctx.get(), store);  // the context owns the store from here
  TS_VERIFY_CTX_set_flags(ctx.get(), TS_VFY_VERSION | TS_VFY_SIGNATURE);
  bool ok = TS_RESP_verify_token(ctx.get(), token) == 1;
  ERR_clear_error();
  return ok;
}

}  // namespace

TimestampReport validate_timestamp(ByteView token_der, std::string type, const ImprintFn& expected, Material& material,
                                   TimePoint at) {
  TimestampReport r;
  r.type = std::move(type);
  const unsigned char* p = token_der.data();
  auto token = core::wrap(d2i_PKCS7(nullptr, &p, static_cast<long>(token_der.size())));
  core::UniquePtr<TS_TST_INFO> info;
  if (token && p == token_der.data() + token_der.size()) info = core::wrap(PKCS7_to_TS_TST_INFO(token.get()));
  if (!info) {
    ERR_clear_error();
    return failed(std::move(r), Indication::failed, SubIndication::format_failure,
                  "time-stamp token is not a DER SignedData holding a TSTInfo (RFC 3161 §2.4.2)");
  }
  if (auto t = to_time_point(TS_TST_INFO_get_time(info.get()))) r.gen_time = *t;

  // The TSA's certificates travel in the token; the signer is found among them and the pool.
  if (PKCS7_type_is_signed(token.get()) && token->d.sign != nullptr) {
    STACK_OF(X509)* certs = token->d.sign->cert;
    for (int i = 0; i < sk_X509_num(certs); ++i) add_certificate(material, sk_X509_value(certs, i));
  }
  STACK_OF(X509)* signers = PKCS7_get0_signers(token.get(), material.pool.get(), 0);
  X509* tsa_cert = sk_X509_num(signers) == 1 ? sk_X509_value(signers, 0) : nullptr;
  if (tsa_cert != nullptr) X509_up_ref(tsa_cert);
  sk_X509_free(signers);
  ERR_clear_error();
  auto tsa = core::wrap(tsa_cert);

  // Message imprint (§5.4: the time-stamp must be over the data it claims to cover).
  TS_MSG_IMPRINT* imprint = TS_TST_INFO_get_msg_imprint(info.get());
  const X509_ALGOR* alg = TS_MSG_IMPRINT_get_algo(imprint);
  const EVP_MD* md = EVP_get_digestbyobj(alg->algorithm);
  if (md == nullptr)
    return failed(std::move(r), Indication::indeterminate, SubIndication::cryptographic_constraints_failure_no_poe,
                  "time-stamp imprint uses an unknown hash algorithm");
  auto want = expected(md);
  if (!want)
    return failed(std::move(r), Indication::indeterminate, want.error().code == ErrorCode::not_found
                                                               ? std::optional(SubIndication::signed_data_not_found)
                                                               : std::nullopt,
                  want.error().message);
  const ASN1_OCTET_STRING* got = TS_MSG_IMPRINT_get_msg(imprint);
  if (Bytes(ASN1_STRING_get0_data(got), ASN1_STRING_get0_data(got) + ASN1_STRING_length(got)) != *want)
    return failed(std::move(r), Indication::failed, SubIndication::hash_failure, "time-stamp message imprint does not match");

  if (!tsa)
    return failed(std::move(r), Indication::indeterminate, SubIndication::no_signing_certificate_found,
                  "TSA certificate not found in the token or the validation material");
  r.tsa = subject_of(tsa.get());
  if (!signature_verifies(token.get(), tsa.get(), *material.signatures))
    return failed(std::move(r), Indication::failed, SubIndication::sig_crypto_failure,
                  "time-stamp signature, ESSCertID or TSA certificate purpose does not verify");

  auto chain = std::make_shared<ChainResult>(build_chain(tsa.get(), material, at));
  r.tsa_path = chain;
  Verdict v = judge_chain(*chain, at, false);
  if (!v.passed()) return failed(std::move(r), v.indication, *v.sub, "TSA certificate: " + v.reason);
  r.indication = Indication::passed;
  return r;
}

void past_timestamp_validation(std::vector<TimestampReport>& timestamps) {
  // EN 319 102-1 §5.6.2.4 (past signature validation) for time-stamp tokens: a token whose TSA
  // path fails at the validation time only for what a proof of existence cures -- its TSA
  // certificate (or a CA's) has expired or was revoked since -- is PASSED when a PASSED archive
  // time-stamp covering it proves the token existed at a time the same path was valid. The
  // earliest such POE counts. A token cured this way is a POE in turn (the renewal chain of
  // archive time-stamps: each one protects the ones before it), hence the repetition.
  auto curable = [](const TimestampReport& t) {
    return t.indication == Indication::indeterminate && t.tsa_path && t.sub_indication &&
           (*t.sub_indication == SubIndication::out_of_bounds_no_poe ||
            *t.sub_indication == SubIndication::out_of_bounds_not_revoked ||
            *t.sub_indication == SubIndication::revoked_no_poe || *t.sub_indication == SubIndication::revoked_ca_no_poe);
  };
  for (bool changed = true; changed;) {
    changed = false;
    for (std::size_t x = 0; x < timestamps.size(); ++x) {
      if (!curable(timestamps[x])) continue;
      std::optional<TimePoint> poe;
      for (const TimestampReport& a : timestamps)
        if (a.indication == Indication::passed && std::find(a.covers.begin(), a.covers.end(), x) != a.covers.end())
          poe = poe ? std::min(*poe, a.gen_time) : a.gen_time;
      if (!poe || *poe < timestamps[x].gen_time) continue;
      if (!judge_chain(*timestamps[x].tsa_path, *poe, false).passed()) continue;
      TimestampReport& t = timestamps[x];
      std::string was = t.reasons.empty() ? std::string(sub_indication_name(*t.sub_indication)) : t.reasons.front();
      t.indication = Indication::passed;
      t.sub_indication.reset();
      t.reasons = {"PASSED by past signature validation (EN 319 102-1 §5.6.2.4): an archive time-stamp proves the token "
                   "existed at " + to_rfc3339(*poe) + ", when its TSA path was valid (at the validation time: " + was + ")"};
      changed = true;
    }
  }
}

}  // namespace qualsig::validation::detail
