// X.509 path validation and revocation status for the validation processes (EN 319 102-1 §5.2.5,
// §5.2.6); see path.h.

#include "validation/path.h"

#include <openssl/err.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <ctime>

#include "pki/crl.h"
#include "pki/qc_statements.h"

namespace qualsig::validation::detail {
namespace {

bool contains(const STACK_OF(X509)* stack, const X509* cert) {
  for (int i = 0; i < sk_X509_num(stack); ++i)
    if (X509_cmp(sk_X509_value(stack, i), cert) == 0) return true;
  return false;
}

Result<core::UniquePtr<X509_CRL>> crl_from_der(ByteView der) {
  const unsigned char* p = der.data();
  auto crl = core::wrap(d2i_X509_CRL(nullptr, &p, static_cast<long>(der.size())));
  if (!crl || p != der.data() + der.size())
    return fail(core::openssl_error(ErrorCode::invalid_input, "extra_crls: not exactly one DER CRL (RFC 5280 §5.1)"));
  return crl;
}

// X509_verify_cert errors that mean "no path to a trust anchor" (NO_CERTIFICATE_CHAIN_FOUND);
// every other error is a defect of the path (CERTIFICATE_CHAIN_GENERAL_FAILURE).
bool is_missing_chain(int err) {
  return err == X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT || err == X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY ||
         err == X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT || err == X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN ||
         err == X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE || err == X509_V_ERR_CERT_UNTRUSTED;
}

// RFC 6960 §4.2.2.2: the response is signed by the CA itself, or by a responder the CA certified
// with id-kp-OCSPSigning; a responder that is a trust anchor is accepted too (DSS).
bool authorised_responder(X509* responder, X509* issuer, const Material& material) {
  if (X509_cmp(responder, issuer) == 0) return true;
  if (contains(material.anchors.get(), responder)) return true;
  if (X509_check_issued(issuer, responder) != X509_V_OK) return false;
  if (!material.signatures->certificate(responder, issuer)) return false;
  return (X509_get_extension_flags(responder) & EXFLAG_XKUSAGE) != 0 &&
         (X509_get_extended_key_usage(responder) & XKU_OCSP_SIGN) != 0;
}

// What a revocation object says about a certificate, before its signature is checked.
struct Candidate {
  RevocationStatus status;
  X509_CRL* crl = nullptr;          // borrowed from the material
  OCSP_BASICRESP* ocsp = nullptr;   // borrowed from the material
};

// Whether revocation data issued at `issued` can speak for `cert` (DSS RAC
// RevocationAfterCertificateIssuance and RevocationHasInformationAboutCertificate): not when it
// predates the certificate; and for a "good" answer, not when the certificate had expired before it
// was issued, as a CA may drop expired certificates from its CRLs (RFC 5280 §3.3, §5.3) and a
// responder may forget them, unless the data says it keeps them from `kept_from` on (X.509
// expiredCertsOnCRL, RFC 6960 §4.4.4 archiveCutoff) and the certificate expired after that.
bool speaks_for(X509* cert, TimePoint issued, bool listed_revoked, std::optional<TimePoint> kept_from) {
  auto not_before = to_time_point(X509_get0_notBefore(cert));
  auto not_after = to_time_point(X509_get0_notAfter(cert));
  if (!not_before || !not_after || issued < *not_before) return false;
  if (listed_revoked || issued <= *not_after) return true;
  return kept_from && *kept_from <= *not_after;
}

// A GeneralizedTime extension value (archiveCutoff) as a time point.
std::optional<TimePoint> time_extension(ASN1_GENERALIZEDTIME* value) {
  auto owned = std::unique_ptr<ASN1_GENERALIZEDTIME, decltype(&ASN1_GENERALIZEDTIME_free)>(value, &ASN1_GENERALIZEDTIME_free);
  ERR_clear_error();
  return owned ? to_time_point(owned.get()) : std::nullopt;
}

// The OCSP response's answer for `cert`; nullopt if it has none, or "unknown" (notes §4
// UnknownStatus), no readable producedAt or thisUpdate, or an answer that cannot speak for it
// (speaks_for, with the SingleResponse's archiveCutoff).
std::optional<RevocationStatus> ocsp_answer(OCSP_BASICRESP* bs, X509* cert, X509* issuer) {
  int status = -1, reason = -1;
  ASN1_GENERALIZEDTIME *revtime = nullptr, *thisupd = nullptr, *nextupd = nullptr;
  OCSP_SINGLERESP* single = nullptr;
  for (const EVP_MD* md : {EVP_sha1(), EVP_sha256(), EVP_sha384(), EVP_sha512()}) {
    auto id = std::unique_ptr<OCSP_CERTID, decltype(&OCSP_CERTID_free)>(OCSP_cert_to_id(md, cert, issuer), &OCSP_CERTID_free);
    const int index = id ? OCSP_resp_find(bs, id.get(), -1) : -1;
    if (index >= 0) {
      single = OCSP_resp_get0(bs, index);
      status = OCSP_single_get0_status(single, &reason, &revtime, &thisupd, &nextupd);
      break;
    }
  }
  ERR_clear_error();
  if (single == nullptr || status < 0 || status == V_OCSP_CERTSTATUS_UNKNOWN) return std::nullopt;
  auto produced = to_time_point(OCSP_resp_get0_produced_at(bs));
  auto this_update = to_time_point(thisupd);
  if (!produced || !this_update) return std::nullopt;
  // RFC 6960 §4.4.4: archiveCutoff is a singleExtension.
  auto cutoff = time_extension(static_cast<ASN1_GENERALIZEDTIME*>(
      OCSP_SINGLERESP_get1_ext_d2i(single, NID_id_pkix_OCSP_archiveCutoff, nullptr, nullptr)));
  if (!speaks_for(cert, *this_update, status == V_OCSP_CERTSTATUS_REVOKED, cutoff)) return std::nullopt;
  RevocationStatus out;
  out.source = "OCSP";
  out.produced_at = *produced;
  if (status == V_OCSP_CERTSTATUS_REVOKED) {
    out.state = reason == OCSP_REVOKED_STATUS_CERTIFICATEHOLD ? RevocationStatus::State::on_hold
                                                               : RevocationStatus::State::revoked;
    out.revoked_at = to_time_point(revtime);
  }
  return out;
}

// The responder's certificate was valid when it signed: producedAt inside its validity period
// (RFC 5280 §4.1.2.5: a signature made outside it is not vouched for by the issuer). A response
// produced by an expired delegated responder, whose key is no longer watched over, is not
// revocation data. A trust anchor is taken as it is configured (validity not judged, as
// X509_verify_cert does not for anchors).
bool signed_while_valid(OCSP_BASICRESP* bs, X509* responder, const Material& material) {
  if (contains(material.anchors.get(), responder)) return true;
  auto produced = to_time_point(OCSP_resp_get0_produced_at(bs));
  auto not_before = to_time_point(X509_get0_notBefore(responder));
  auto not_after = to_time_point(X509_get0_notAfter(responder));
  return produced && not_before && not_after && *not_before <= *produced && *produced <= *not_after;
}

// The response's signature verifies with its signer's key (found in the response or the pool),
// that signer may answer for certificates of `issuer`, and it signed while its certificate was valid.
bool ocsp_acceptable(OCSP_BASICRESP* bs, X509* issuer, const Material& material) {
  X509* responder = nullptr;
  bool ok = OCSP_resp_get0_signer(bs, &responder, material.pool.get()) == 1 && responder != nullptr &&
            material.signatures->ocsp(bs, responder) && authorised_responder(responder, issuer, material) &&
            signed_while_valid(bs, responder, material);
  ERR_clear_error();
  return ok;
}

// A distribution point name as a list of general names: the full name, or the name relative to
// the CRL issuer (RFC 5280 §4.2.1.13) as a directoryName made by OpenSSL's DIST_POINT_set_dpname.
bool same_distribution_point(DIST_POINT_NAME* a, DIST_POINT_NAME* b, const X509_NAME* crl_issuer) {
  auto names = [&](DIST_POINT_NAME* n, std::vector<const GENERAL_NAME*>& out, const X509_NAME*& relative) {
    if (n->type == 0) {
      for (int i = 0; i < sk_GENERAL_NAME_num(n->name.fullname); ++i) out.push_back(sk_GENERAL_NAME_value(n->name.fullname, i));
    } else if (DIST_POINT_set_dpname(n, crl_issuer) == 1) {
      relative = n->dpname;
    }
  };
  std::vector<const GENERAL_NAME*> na, nb;
  const X509_NAME *ra = nullptr, *rb = nullptr;
  names(a, na, ra);
  names(b, nb, rb);
  if (ra != nullptr && rb != nullptr) return X509_NAME_cmp(ra, rb) == 0;
  if (ra != nullptr || rb != nullptr) {
    const X509_NAME* rel = ra != nullptr ? ra : rb;
    for (const GENERAL_NAME* g : ra != nullptr ? nb : na)
      if (g->type == GEN_DIRNAME && X509_NAME_cmp(g->d.directoryName, rel) == 0) return true;
    return false;
  }
  for (const GENERAL_NAME* x : na)
    for (const GENERAL_NAME* y : nb)
      if (GENERAL_NAME_cmp(const_cast<GENERAL_NAME*>(x), const_cast<GENERAL_NAME*>(y)) == 0) return true;
  return false;
}

// Whether `crl` is a complete CRL whose scope includes `cert` (RFC 5280 §5.2, §6.3.3). Not usable:
// - a delta CRL (§5.2.4): it lists changes since a base CRL, so a certificate it does not list is
//   not thereby unrevoked;
// - a CRL with a critical extension other than the issuing distribution point (§5.2: "MUST NOT
//   use that CRL to determine the status of certificates");
// - by its issuing distribution point (§5.2.5, §6.3.3 (b)(2)): one for attribute certificates, for
//   CA certificates only when `cert` is not a CA, for end-entity certificates only when it is, an
//   indirect CRL or one for some revocation reasons only (qualsig reads complete, direct CRLs),
//   and a partition whose distribution point none of `cert`'s CRL distribution points names (a
//   CRL that names one applies to a certificate without distribution points neither).
bool crl_covers(X509_CRL* crl, X509* cert) {
  for (int i = 0; i < X509_CRL_get_ext_count(crl); ++i) {
    X509_EXTENSION* ext = X509_CRL_get_ext(crl, i);
    const int nid = OBJ_obj2nid(X509_EXTENSION_get_object(ext));
    if (nid == NID_delta_crl) return false;
    if (X509_EXTENSION_get_critical(ext) != 0 && nid != NID_issuing_distribution_point) return false;
  }
  int critical = -1;
  auto idp = std::unique_ptr<ISSUING_DIST_POINT, decltype(&ISSUING_DIST_POINT_free)>(
      static_cast<ISSUING_DIST_POINT*>(X509_CRL_get_ext_d2i(crl, NID_issuing_distribution_point, &critical, nullptr)),
      &ISSUING_DIST_POINT_free);
  ERR_clear_error();
  if (!idp) return critical == -1;  // absent: the CRL covers every certificate of its issuer
  const bool is_ca = (X509_get_extension_flags(cert) & EXFLAG_CA) != 0;
  if (idp->onlyattr > 0 || idp->indirectCRL > 0 || idp->onlysomereasons != nullptr) return false;
  if ((idp->onlyuser > 0 && is_ca) || (idp->onlyCA > 0 && !is_ca)) return false;
  if (idp->distpoint == nullptr) return true;
  auto dps = std::unique_ptr<STACK_OF(DIST_POINT), decltype(&CRL_DIST_POINTS_free)>(
      static_cast<STACK_OF(DIST_POINT)*>(X509_get_ext_d2i(cert, NID_crl_distribution_points, nullptr, nullptr)),
      &CRL_DIST_POINTS_free);
  ERR_clear_error();
  for (int i = 0; dps && i < sk_DIST_POINT_num(dps.get()); ++i) {
    DIST_POINT* dp = sk_DIST_POINT_value(dps.get(), i);
    if (dp->distpoint != nullptr && same_distribution_point(dp->distpoint, idp->distpoint, X509_CRL_get_issuer(crl)))
      return true;
  }
  return false;
}

// The CRL's answer for `cert` if it is issued under the name of `issuer`, whose key usage allows
// signing CRLs (RFC 5280 §6.3.3 (f)), and covers `cert` (crl_covers); nullopt otherwise, without a
// readable thisUpdate, or when the certificate's entry has a critical extension (certificateIssuer
// belongs to indirect CRLs; reasonCode, invalidityDate and holdInstructionCode are never critical).
std::optional<RevocationStatus> crl_answer(X509_CRL* crl, X509* cert, X509* issuer) {
  if (X509_NAME_cmp(X509_CRL_get_issuer(crl), X509_get_subject_name(issuer)) != 0) return std::nullopt;
  if ((X509_get_extension_flags(issuer) & EXFLAG_KUSAGE) != 0 && (X509_get_key_usage(issuer) & KU_CRL_SIGN) == 0)
    return std::nullopt;
  if (!crl_covers(crl, cert)) return std::nullopt;
  auto this_update = to_time_point(X509_CRL_get0_lastUpdate(crl));
  if (!this_update) return std::nullopt;
  RevocationStatus out;
  out.source = "CRL";
  out.produced_at = *this_update;
  X509_REVOKED* entry = nullptr;
  const bool listed = X509_CRL_get0_by_cert(crl, &entry, cert) == 1 && entry != nullptr;
  // X.509 §9.6.2.6 expiredCertsOnCRL: the CRL keeps revoked certificates that expired at or after that time.
  if (!speaks_for(cert, *this_update, listed, pki::expired_certs_on_crl(crl))) return std::nullopt;
  if (listed) {
    const STACK_OF(X509_EXTENSION)* entry_exts = X509_REVOKED_get0_extensions(entry);
    for (int i = 0; i < sk_X509_EXTENSION_num(entry_exts); ++i)
      if (X509_EXTENSION_get_critical(sk_X509_EXTENSION_value(entry_exts, i)) != 0) return std::nullopt;
    out.state = RevocationStatus::State::revoked;
    out.revoked_at = to_time_point(X509_REVOKED_get0_revocationDate(entry));
    auto reason = core::wrap(static_cast<ASN1_STRING*>(X509_REVOKED_get_ext_d2i(entry, NID_crl_reason, nullptr, nullptr)));
    if (reason && ASN1_ENUMERATED_get(reason.get()) == CRL_REASON_CERTIFICATE_HOLD) out.state = RevocationStatus::State::on_hold;
  }
  ERR_clear_error();
  return out;
}

}  // namespace

std::optional<TimePoint> to_time_point(const ASN1_TIME* t) {
  if (t == nullptr) return std::nullopt;
  std::tm tm{};
  if (ASN1_TIME_to_tm(t, &tm) != 1) return std::nullopt;
  return TimePoint{std::chrono::seconds{timegm(&tm)}};
}

std::string subject_of(const X509* cert) {
  auto bio = core::wrap(BIO_new(BIO_s_mem()));
  if (!bio || X509_NAME_print_ex(bio.get(), X509_get_subject_name(cert), 0, XN_FLAG_RFC2253) < 0) return {};
  char* data = nullptr;
  long len = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<std::size_t>(len));
}

void add_certificate(STACK_OF(X509)* pool, X509* cert) {
  if (cert == nullptr || contains(pool, cert)) return;
  X509_up_ref(cert);
  sk_X509_push(pool, cert);
}

void add_certificate(Material& material, X509* cert) { add_certificate(material.pool.get(), cert); }

void add_ocsp_response(Material& material, ByteView der) {
  const unsigned char* p = der.data();
  auto resp = core::wrap(d2i_OCSP_RESPONSE(nullptr, &p, static_cast<long>(der.size())));
  if (!resp || OCSP_response_status(resp.get()) != OCSP_RESPONSE_STATUS_SUCCESSFUL) {
    ERR_clear_error();
    return;
  }
  auto basic = core::wrap(OCSP_response_get1_basic(resp.get()));
  if (!basic) {
    ERR_clear_error();
    return;
  }
  // The responder certificates inside the response are candidates for other paths too.
  const STACK_OF(X509)* certs = OCSP_resp_get0_certs(basic.get());
  for (int i = 0; i < sk_X509_num(certs); ++i) add_certificate(material, sk_X509_value(certs, i));
  material.ocsp.push_back(std::move(basic));
}

Material share(const Material& base) {
  Material m;
  m.signatures = base.signatures;
  m.online = base.online;
  m.anchors = core::wrap(X509_chain_up_ref(base.anchors.get()));
  m.pool = core::wrap(X509_chain_up_ref(base.pool.get()));
  for (const auto& crl : base.crls)
    if (X509_CRL_up_ref(crl.get()) == 1) m.crls.push_back(core::wrap(crl.get()));
  m.ocsp = base.ocsp;
  return m;
}

Result<Material> material_from_options(const ValidationOptions& options, std::shared_ptr<SignatureCache> signatures,
                                       std::shared_ptr<Online> online) {
  Material m;
  if (signatures) m.signatures = std::move(signatures);
  if (online) {
    m.online = std::move(online);
  } else if (options.fetch) {
    m.online = std::make_shared<Online>();
    m.online->fetch = options.fetch;
    m.online->current_time = !options.validation_time;
  }
  for (const Bytes& der : options.trust_anchors) {
    auto cert = core::x509_from_der(der);
    if (!cert) return fail(ErrorCode::invalid_input, "trust_anchors: not a DER certificate", cert.error().detail);
    sk_X509_push(m.anchors.get(), cert->release());
  }
  for (const X509* anchor : options.parsed_trust_anchors) {
    X509* shared = const_cast<X509*>(anchor);  // the stack holds a reference of its own
    if (X509_up_ref(shared) != 1) return fail(ErrorCode::internal, "trust_anchors: cannot share a parsed certificate");
    sk_X509_push(m.anchors.get(), shared);
  }
  for (const Bytes& der : options.extra_certificates) {
    auto cert = core::x509_from_der(der);
    if (!cert) return fail(ErrorCode::invalid_input, "extra_certificates: not a DER certificate", cert.error().detail);
    add_certificate(m, cert->get());
  }
  for (const Bytes& der : options.extra_ocsp_responses) {
    std::size_t before = m.ocsp.size();
    add_ocsp_response(m, der);
    if (m.ocsp.size() == before)
      return fail(ErrorCode::invalid_input, "extra_ocsp_responses: not a successful DER OCSPResponse (RFC 6960 §4.2.1)");
  }
  for (const Bytes& der : options.extra_crls) {
    QS_TRY(auto crl, crl_from_der(der));
    m.crls.push_back(std::move(crl));
  }
  return m;
}

std::optional<RevocationStatus> revocation_status(X509* cert, X509* issuer, const Material& material, TimePoint at) {
  // notes §4: "The latest acceptable object (by production time) is used" (on equal times the
  // first: CRLs, then OCSP responses, each in the material's order); data produced after the
  // evaluation time did not exist then. The candidates are tried latest first, so only the
  // signatures of objects that could be the answer are checked.
  std::vector<Candidate> candidates;
  auto consider = [&](const std::vector<core::UniquePtr<X509_CRL>>& crls,
                      const std::vector<std::shared_ptr<OCSP_BASICRESP>>& responses, TimePoint produced_by) {
    for (const auto& crl : crls)
      if (auto s = crl_answer(crl.get(), cert, issuer); s && s->produced_at <= produced_by)
        candidates.push_back({std::move(*s), crl.get(), nullptr});
    for (const auto& bs : responses)
      if (auto s = ocsp_answer(bs.get(), cert, issuer); s && s->produced_at <= produced_by)
        candidates.push_back({std::move(*s), nullptr, bs.get()});
  };
  consider(material.crls, material.ocsp, at);
  // A validation at the current time read the clock before it fetched: a response the responder
  // produced a second later existed when it is used. Fetched data then counts when produced
  // before now, with the five minutes OpenSSL allows a responder's clock by default
  // (`openssl ocsp -validity_period`, apps/ocsp.c MAX_VALIDITY_PERIOD). A validation at a given
  // time takes nothing produced after it, fetched or not.
  if (material.online)
    consider(material.online->crls, material.online->ocsp,
             material.online->current_time ? std::max(at, now_seconds()) + std::chrono::minutes(5) : at);
  std::stable_sort(candidates.begin(), candidates.end(),
                   [](const Candidate& a, const Candidate& b) { return a.status.produced_at > b.status.produced_at; });
  for (auto& c : candidates) {
    bool acceptable = c.crl != nullptr ? material.signatures->crl(c.crl, issuer) : ocsp_acceptable(c.ocsp, issuer, material);
    if (acceptable) return std::move(c.status);
  }
  return std::nullopt;
}

namespace {

// RFC 3739 §3.2.6: qcStatements may be critical, and then every statement in it is. OpenSSL does
// not process the extension; qualification (qc_facts.cpp) reads the EN 319 412-5 statements
// pki::qc_statements_of models. A critical qcStatements is therefore processed when it decodes
// and holds only those; any other critical extension OpenSSL does not know still fails the path
// (RFC 5280 §4.2).
bool critical_extensions_processed(const X509* cert) {
  for (int i = 0; i < X509_get_ext_count(cert); ++i) {
    X509_EXTENSION* ext = X509_get_ext(cert, i);
    if (X509_EXTENSION_get_critical(ext) == 0 || X509_supported_extension(ext) == 1) continue;
    if (OBJ_obj2nid(X509_EXTENSION_get_object(ext)) != NID_qcStatements) return false;
    auto statements = pki::qc_statements_of(cert);
    if (!statements || !statements->other_statement_oids.empty()) return false;
  }
  return true;
}

int accept_processed_critical_extensions(int ok, X509_STORE_CTX* ctx) {
  if (ok == 0 && X509_STORE_CTX_get_error(ctx) == X509_V_ERR_UNHANDLED_CRITICAL_EXTENSION) {
    const X509* cert = X509_STORE_CTX_get_current_cert(ctx);
    if (cert != nullptr && critical_extensions_processed(cert)) {
      X509_STORE_CTX_set_error(ctx, X509_V_OK);
      return 1;
    }
  }
  return ok;
}

}  // namespace

ChainResult build_chain(X509* leaf, const Material& material, TimePoint at) {
  ChainResult out;
  auto store = core::wrap(X509_STORE_new());
  auto ctx = core::wrap(X509_STORE_CTX_new());
  if (!store || !ctx) {
    out.structural = SubIndication::certificate_chain_general_failure;
    out.reason = "out of memory";
    return out;
  }
  for (int i = 0; i < sk_X509_num(material.anchors.get()); ++i) X509_STORE_add_cert(store.get(), sk_X509_value(material.anchors.get(), i));
  ERR_clear_error();  // duplicate anchors leave an entry
  // A trust anchor need not be self-signed (EN 319 102-1 §5.2.4: the validation context names
  // the trust anchors). Validity periods are judged by judge_chain at the time each process needs.
  X509_STORE_set_flags(store.get(), X509_V_FLAG_PARTIAL_CHAIN | X509_V_FLAG_NO_CHECK_TIME);
  material.signatures->install(store.get());  // each certificate signature once per run
  X509_STORE_set_verify_cb(store.get(), accept_processed_critical_extensions);
  if (X509_STORE_CTX_init(ctx.get(), store.get(), leaf, material.pool.get()) != 1) {
    out.structural = SubIndication::certificate_chain_general_failure;
    out.reason = core::drain_openssl_errors();
    return out;
  }
  int ok = X509_verify_cert(ctx.get());
  int err = X509_STORE_CTX_get_error(ctx.get());
  for (int round = 0; ok != 1 && material.online && round < 4 &&
                      (err == X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY || err == X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT);
       ++round) {
    X509* orphan = X509_STORE_CTX_get_current_cert(ctx.get());
    if (orphan == nullptr) break;
    X509_up_ref(orphan);  // the context's reference ends with cleanup
    auto held = core::wrap(orphan);
    if (!fetch_issuer(held.get(), material)) break;
    X509_STORE_CTX_cleanup(ctx.get());
    if (X509_STORE_CTX_init(ctx.get(), store.get(), leaf, material.pool.get()) != 1) break;
    ok = X509_verify_cert(ctx.get());
    err = X509_STORE_CTX_get_error(ctx.get());
  }
  ERR_clear_error();
  if (ok != 1) {
    out.structural = is_missing_chain(err) ? SubIndication::no_certificate_chain_found
                                           : SubIndication::certificate_chain_general_failure;
    out.reason = std::string("X.509 path: ") + X509_verify_cert_error_string(err);
    return out;
  }
  out.chain_found = true;
  out.chain = core::wrap(X509_STORE_CTX_get1_chain(ctx.get()));
  int n = sk_X509_num(out.chain.get());
  // RFC 5280 §4.2.1.3: a keyUsage without digitalSignature and nonRepudiation (contentCommitment)
  // does not allow the key to sign documents or time-stamps (`openssl cms -verify` refuses such a
  // signer for S/MIME signing, `openssl ts -verify` for time-stamping).
  if (X509* leaf_cert = sk_X509_value(out.chain.get(), 0);
      leaf_cert != nullptr && (X509_get_extension_flags(leaf_cert) & EXFLAG_KUSAGE) != 0 &&
      (X509_get_key_usage(leaf_cert) & (KU_DIGITAL_SIGNATURE | KU_NON_REPUDIATION)) == 0)
    out.constraint = "the certificate's keyUsage allows neither digitalSignature nor nonRepudiation (RFC 5280 §4.2.1.3)";
  // The path ends at the first certificate that is a trust anchor (EN 319 102-1 §5.2.4): with
  // X509_V_FLAG_PARTIAL_CHAIN OpenSSL may return issuers above it, whose revocation and validity
  // are not part of this path (a signer that is itself an anchor has no links at all).
  for (int i = 0; i < n; ++i) {
    X509* cert = sk_X509_value(out.chain.get(), i);
    bool anchor = false;
    for (int k = 0; k < sk_X509_num(material.anchors.get()) && !anchor; ++k)
      anchor = X509_cmp(cert, sk_X509_value(material.anchors.get(), k)) == 0;
    if (anchor) {
      n = i + 1;
      break;
    }
  }
  for (int i = 0; i + 1 < n; ++i) {
    X509* cert = sk_X509_value(out.chain.get(), i);
    X509* issuer = sk_X509_value(out.chain.get(), i + 1);
    ChainResult::Link link;
    link.not_before = to_time_point(X509_get0_notBefore(cert)).value_or(TimePoint::max());
    link.not_after = to_time_point(X509_get0_notAfter(cert)).value_or(TimePoint::min());
    // RFC 6960 §4.2.2.2.1 id-pkix-ocsp-nocheck: no revocation checking for this responder.
    link.revocation_needed = X509_get_ext_by_NID(cert, NID_id_pkix_OCSP_noCheck, -1) < 0;
    link.revocation = revocation_status(cert, issuer, material, at);
    if (!link.revocation && link.revocation_needed && material.online) {
      fetch_revocation(cert, issuer, material);
      link.revocation = revocation_status(cert, issuer, material, at);
    }
    out.links.push_back(link);
  }
  return out;
}

Verdict judge_chain(const ChainResult& chain, TimePoint at, bool require_revocation) {
  if (!chain.chain_found) return {Indication::indeterminate, chain.structural, chain.reason};
  if (!chain.constraint.empty()) return {Indication::indeterminate, SubIndication::chain_constraints_failure, chain.constraint};
  using State = RevocationStatus::State;
  for (std::size_t i = 0; i < chain.links.size(); ++i) {
    const auto& rev = chain.links[i].revocation;
    if (rev && rev->state == State::revoked && rev->revoked_at && *rev->revoked_at <= at)
      return {Indication::indeterminate, i == 0 ? SubIndication::revoked_no_poe : SubIndication::revoked_ca_no_poe,
              (i == 0 ? "signer certificate revoked at " : "CA certificate revoked at ") + to_rfc3339(*rev->revoked_at)};
  }
  for (std::size_t i = 0; i < chain.links.size(); ++i) {
    const auto& rev = chain.links[i].revocation;
    if (rev && rev->state == State::on_hold && rev->revoked_at && *rev->revoked_at <= at)
      return {Indication::indeterminate, SubIndication::try_later, "certificate on hold (certificateHold)"};
  }
  for (std::size_t i = 0; i < chain.links.size(); ++i) {
    const auto& link = chain.links[i];
    if (at < link.not_before || at > link.not_after) {
      bool known_good = chain.links[0].revocation && chain.links[0].revocation->state == State::good;
      return {Indication::indeterminate,
              known_good ? SubIndication::out_of_bounds_not_revoked : SubIndication::out_of_bounds_no_poe,
              std::string(i == 0 ? "signer" : "CA") + " certificate outside its validity period at " + to_rfc3339(at)};
    }
  }
  if (require_revocation) {
    for (std::size_t i = 0; i < chain.links.size(); ++i)
      if (chain.links[i].revocation_needed && !chain.links[i].revocation)
        return {Indication::indeterminate, SubIndication::try_later,
                std::string("no acceptable revocation data for the ") + (i == 0 ? "signer" : "CA") + " certificate " +
                    subject_of(sk_X509_value(chain.chain.get(), static_cast<int>(i)))};
  }
  return {};
}

}  // namespace qualsig::validation::detail
