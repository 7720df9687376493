// Revocation step of verify_bundle: the signer's certificate was not revoked at signing time, as
// shown by an OCSP response (RFC 6960 §4.2) signed by the issuing CA or its delegated responder
// (§4.2.2.2), or by a CRL (RFC 5280 §5) of the issuing CA. Revocation after the signing time does
// not undo the signature and is reported as such. CRLs of the root about the issuing CA are
// checked the same way.
#include "core/digest.h"
#include "evidence/verify_detail.h"

namespace qualsig::evidence::detail {
namespace {

struct Status {
  bool ok = false;
  bool about_signer = false;
  std::string detail;
};

// The judgement of one status at `at`: good, or revoked after `at`, is fine.
Status judge(int status, const std::optional<TimePoint>& revoked_at, const std::optional<TimePoint>& this_update, TimePoint at) {
  std::string when = this_update ? (*this_update >= at ? " (thisUpdate " + to_rfc3339(*this_update) + ", at or after signing)"
                                                      : " (thisUpdate " + to_rfc3339(*this_update) + ", before signing)")
                                 : std::string();
  if (status == V_OCSP_CERTSTATUS_GOOD) return {true, false, "good" + when};
  if (status == V_OCSP_CERTSTATUS_REVOKED) {
    if (revoked_at && *revoked_at > at)
      return {true, false, "revoked at " + to_rfc3339(*revoked_at) + ", after the signing time " + to_rfc3339(at) +
                               ": the signature was made while the certificate was valid" + when};
    return {false, false, "revoked at " + (revoked_at ? to_rfc3339(*revoked_at) : std::string("?")) +
                              ", not after the signing time " + to_rfc3339(at) + when};
  }
  return {false, false, "status unknown" + when};
}

Status check_ocsp(const Context& c, ByteView der, const std::vector<core::UniquePtr<X509>>& chain, TimePoint at) {
  const unsigned char* p = der.data();
  auto resp = core::wrap(d2i_OCSP_RESPONSE(nullptr, &p, static_cast<long>(der.size())));
  if (!resp || p != der.data() + der.size()) return {false, false, "not a DER OCSPResponse"};
  if (OCSP_response_status(resp.get()) != OCSP_RESPONSE_STATUS_SUCCESSFUL) return {false, false, "the response is not successful"};
  auto basic = core::wrap(OCSP_response_get1_basic(resp.get()));
  if (!basic) return {false, false, "no BasicOCSPResponse"};
  auto produced_at = asn1_time(OCSP_resp_get0_produced_at(basic.get()));
  auto anchor = trust_anchor(c);
  if (!produced_at || !anchor) return {false, false, !anchor ? "no root to verify the responder against" : "producedAt is malformed"};
  auto store = store_at(anchor.get(), *produced_at);
  auto certs = untrusted_certificates(c);
  if (!store || !certs) return {false, false, "out of memory"};
  // Checks the signature, the responder's chain to the root at producedAt and that the responder
  // is the CA or a responder it delegated with id-kp-OCSPSigning (RFC 6960 §4.2.2.2).
  if (OCSP_basic_verify(basic.get(), certs.get(), store.get(), 0) != 1)
    return {false, false, "the response's signature or responder does not verify: " + core::drain_openssl_errors()};
  if (!c.signer || chain.empty()) return {false, false, "no signer certificate or issuing CA to look up"};
  for (int i = 0; i < OCSP_resp_count(basic.get()); ++i) {
    OCSP_SINGLERESP* single = OCSP_resp_get0(basic.get(), i);
    const OCSP_CERTID* theirs = OCSP_SINGLERESP_get0_id(single);
    ASN1_OBJECT* alg = nullptr;
    if (OCSP_id_get0_info(nullptr, &alg, nullptr, nullptr, const_cast<OCSP_CERTID*>(theirs)) != 1) continue;
    const EVP_MD* md = EVP_get_digestbyobj(alg);
    if (!md) continue;
    OCSP_CERTID* ours = OCSP_cert_to_id(md, c.signer.get(), chain[0].get());
    if (!ours) continue;
    bool same = OCSP_id_cmp(ours, theirs) == 0;
    OCSP_CERTID_free(ours);
    if (!same) continue;
    int reason = 0;
    ASN1_GENERALIZEDTIME *revtime = nullptr, *thisupd = nullptr, *nextupd = nullptr;
    int status = OCSP_single_get0_status(single, &reason, &revtime, &thisupd, &nextupd);
    Status s = judge(status, asn1_time(revtime), asn1_time(thisupd), at);
    s.about_signer = true;
    s.detail = "OCSP, responder verified at producedAt " + to_rfc3339(*produced_at) + ": " + s.detail;
    return s;
  }
  return {false, false, "the response has no status for the signer's certificate"};
}

Status check_crl(const Context& c, ByteView der, const std::vector<core::UniquePtr<X509>>& chain, TimePoint at) {
  const unsigned char* p = der.data();
  auto crl = core::wrap(d2i_X509_CRL(nullptr, &p, static_cast<long>(der.size())));
  if (!crl || p != der.data() + der.size()) return {false, false, "not a DER CertificateList"};
  // Which certificate of the chain issued it (name and signature), and so whose status it tells.
  for (std::size_t k = 0; k < chain.size(); ++k) {
    if (X509_NAME_cmp(X509_CRL_get_issuer(crl.get()), X509_get_subject_name(chain[k].get())) != 0) continue;
    EVP_PKEY* key = X509_get0_pubkey(chain[k].get());
    if (!key || X509_CRL_verify(crl.get(), key) != 1) {
      core::drain_openssl_errors();
      return {false, false, "the CRL's signature does not verify with its issuer " + core::name_to_string(X509_get_subject_name(chain[k].get()))};
    }
    const X509* subject = k == 0 ? c.signer.get() : chain[k - 1].get();
    if (!subject) return {false, false, "no signer certificate"};
    X509_REVOKED* entry = nullptr;
    bool listed = X509_CRL_get0_by_serial(crl.get(), &entry, const_cast<ASN1_INTEGER*>(X509_get0_serialNumber(subject))) == 1;
    auto this_update = asn1_time(X509_CRL_get0_lastUpdate(crl.get()));
    Status s = judge(listed ? V_OCSP_CERTSTATUS_REVOKED : V_OCSP_CERTSTATUS_GOOD,
                     listed ? asn1_time(X509_REVOKED_get0_revocationDate(entry)) : std::nullopt, this_update, at);
    s.about_signer = k == 0;
    s.detail = "CRL of " + core::name_to_string(X509_get_subject_name(chain[k].get())) + " about " +
               core::name_to_string(X509_get_subject_name(subject)) + ": " + (listed ? s.detail : "not listed, " + s.detail);
    return s;
  }
  return {false, false, "the CRL was not issued by a certificate of the chain"};
}

}  // namespace

void verify_revocation(Context& c) {
  const Bundle& b = c.bundle;
  if (!c.signing_time) {
    c.check("revocation", false, "the signing time is unknown, so the status at signing time cannot be judged");
    return;
  }
  std::vector<core::UniquePtr<X509>> chain;
  for (const auto& der : b.chain)
    if (auto cert = core::x509_from_der(der)) chain.push_back(std::move(*cert));
  bool signer_covered = false;
  for (std::size_t i = 0; i < b.ocsp_responses.size(); ++i) {
    Status s = check_ocsp(c, b.ocsp_responses[i], chain, *c.signing_time);
    signer_covered = signer_covered || (s.ok && s.about_signer);
    c.check("revocation", s.ok, "ocsp_responses[" + std::to_string(i) + "]: " + s.detail);
  }
  for (std::size_t i = 0; i < b.crls.size(); ++i) {
    Status s = check_crl(c, b.crls[i], chain, *c.signing_time);
    signer_covered = signer_covered || (s.ok && s.about_signer);
    c.check("revocation", s.ok, "crls[" + std::to_string(i) + "]: " + s.detail);
  }
  if (!signer_covered)
    c.check("revocation", false, "no OCSP response or CRL in the bundle shows the signer's certificate unrevoked at " +
                                     to_rfc3339(*c.signing_time));
}

}  // namespace qualsig::evidence::detail
