// Online validation: fetching the revocation data a path lacks (see path.h, fetch_revocation).

#include <openssl/err.h>
#include <openssl/ocsp.h>
#include <openssl/pkcs7.h>
#include <openssl/x509v3.h>

#include "validation/path.h"

namespace qualsig::validation::detail {
namespace {

// Only http:// is fetched (core/http_fetch.h); other schemes (ldap://, https://) are skipped.
bool fetchable(const std::string& url) { return url.rfind("http://", 0) == 0; }


// The responder URLs of the AIA extension (RFC 5280 §4.2.2.1, id-ad-ocsp).
std::vector<std::string> ocsp_urls(X509* cert) {
  std::vector<std::string> out;
  STACK_OF(OPENSSL_STRING)* urls = X509_get1_ocsp(cert);
  for (int i = 0; i < sk_OPENSSL_STRING_num(urls); ++i) out.emplace_back(sk_OPENSSL_STRING_value(urls, i));
  X509_email_free(urls);  // the documented free for X509_get1_ocsp's stack
  return out;
}

// The fullName URIs of the CRL distribution points (RFC 5280 §4.2.1.13).
std::vector<std::string> crl_urls(X509* cert) {
  std::vector<std::string> out;
  auto points = core::wrap(static_cast<CRL_DIST_POINTS*>(X509_get_ext_d2i(cert, NID_crl_distribution_points, nullptr, nullptr)));
  ERR_clear_error();
  for (int i = 0; points && i < sk_DIST_POINT_num(points.get()); ++i) {
    DIST_POINT* dp = sk_DIST_POINT_value(points.get(), i);
    if (dp->distpoint == nullptr || dp->distpoint->type != 0) continue;  // 0: fullName
    GENERAL_NAMES* names = dp->distpoint->name.fullname;
    for (int k = 0; k < sk_GENERAL_NAME_num(names); ++k) {
      GENERAL_NAME* name = sk_GENERAL_NAME_value(names, k);
      if (name->type != GEN_URI) continue;
      const ASN1_IA5STRING* uri = name->d.uniformResourceIdentifier;
      out.emplace_back(reinterpret_cast<const char*>(ASN1_STRING_get0_data(uri)), static_cast<std::size_t>(ASN1_STRING_length(uri)));
    }
  }
  return out;
}

// RFC 6960 §4.1.1 OCSPRequest for one CertID. SHA-1 CertID: RFC 5019 §2.1.1 requires it of
// lightweight responders, and every responder understands it.
Bytes ocsp_request(X509* cert, X509* issuer) {
  auto req = core::wrap(OCSP_REQUEST_new());
  OCSP_CERTID* id = OCSP_cert_to_id(EVP_sha1(), cert, issuer);
  if (!req || id == nullptr || OCSP_request_add0_id(req.get(), id) == nullptr) {
    OCSP_CERTID_free(id);
    ERR_clear_error();
    return {};
  }
  int len = i2d_OCSP_REQUEST(req.get(), nullptr);
  if (len <= 0) return {};
  Bytes der(static_cast<std::size_t>(len));
  unsigned char* p = der.data();
  i2d_OCSP_REQUEST(req.get(), &p);
  return der;
}

// Makes the request once per run, and none to a URL that failed before in the run (a responder
// that is down costs one timeout, not one per certificate); nullopt when not made. The outcome
// is logged by the caller.
std::optional<Result<Bytes>> fetch_once(Online& online, const core::HttpRequest& request) {
  std::string key = request.url + '\n' + std::string(request.body.begin(), request.body.end());
  if (online.down.count(request.url) != 0 || !online.tried.insert(key).second) return std::nullopt;
  auto result = online.fetch(request);
  if (!result) online.down.insert(request.url);
  return result;
}

// "OCSP http://... for CN=...: ", the start of every log line about one request.
std::string line_for(const std::string& what, const std::string& url, const std::string& who) {
  return what + " " + core::printable_url(url) + " for " + who + ": ";
}

// Makes `request` for `what` of `who`: the body, or nullopt — with the reason logged when the
// URL is not fetchable or the fetch failed, silently when the request was made before (or its
// URL failed before) in this run.
std::optional<Bytes> fetch_logged(Online& online, const std::string& what, const std::string& who,
                                  const core::HttpRequest& request) {
  const std::string line = line_for(what, request.url, who);
  if (!fetchable(request.url)) {
    online.log.push_back(line + "not fetched (only http:// is)");
    return std::nullopt;
  }
  auto fetched = fetch_once(online, request);
  if (!fetched) return std::nullopt;
  if (!*fetched) {
    online.log.push_back(line + fetched->error().message);
    return std::nullopt;
  }
  return std::move(fetched->value());
}

// Fetches from the certificate's OCSP responders; true once a response answers for `cert`.
bool fetch_ocsp(X509* cert, X509* issuer, const Material& material, const std::string& who) {
  Online& online = *material.online;
  for (const std::string& url : ocsp_urls(cert)) {
    core::HttpRequest request;
    request.url = url;
    request.body = ocsp_request(cert, issuer);
    request.content_type = "application/ocsp-request";    // RFC 6960 Appendix C.1
    request.expected_type = "application/ocsp-response";  // RFC 6960 Appendix C.2
    request.max_response = 1u << 20;
    if (request.body.empty()) return false;
    auto der = fetch_logged(online, "OCSP", who, request);
    if (!der) continue;
    const std::string line = line_for("OCSP", url, who);
    const unsigned char* p = der->data();
    auto resp = core::wrap(d2i_OCSP_RESPONSE(nullptr, &p, static_cast<long>(der->size())));
    if (!resp || p != der->data() + der->size()) {
      ERR_clear_error();
      online.log.push_back(line + "not a DER OCSPResponse (RFC 6960 §4.2.1)");
      continue;
    }
    int status = OCSP_response_status(resp.get());
    auto basic = core::wrap(status == OCSP_RESPONSE_STATUS_SUCCESSFUL ? OCSP_response_get1_basic(resp.get()) : nullptr);
    ERR_clear_error();
    if (!basic) {
      online.log.push_back(line + "responder answered " + OCSP_response_status_str(status));
      continue;
    }
    // The responder's certificates may be needed to accept the response (path.cpp).
    const STACK_OF(X509)* certs = OCSP_resp_get0_certs(basic.get());
    for (int i = 0; i < sk_X509_num(certs); ++i) add_certificate(material.pool.get(), sk_X509_value(certs, i));
    online.ocsp.push_back(std::move(basic));
    online.log.push_back(line + "response received");
    return true;
  }
  return false;
}

void fetch_crls(X509* cert, const Material& material, const std::string& who) {
  Online& online = *material.online;
  for (const std::string& url : crl_urls(cert)) {
    core::HttpRequest request;
    request.url = url;
    auto der = fetch_logged(online, "CRL", who, request);  // none when fetched for another certificate
    if (!der) continue;
    const std::string line = line_for("CRL", url, who);
    const unsigned char* p = der->data();
    auto crl = core::wrap(d2i_X509_CRL(nullptr, &p, static_cast<long>(der->size())));
    if (!crl || p != der->data() + der->size()) {
      ERR_clear_error();
      online.log.push_back(line + "not a DER CRL (RFC 5280 §5.1)");
      continue;
    }
    online.crls.push_back(std::move(crl));
    online.log.push_back(line + "CRL received");
  }
}

// The caIssuers URIs of the AIA extension (RFC 5280 §4.2.2.1).
std::vector<std::string> ca_issuers_urls(X509* cert) {
  std::vector<std::string> out;
  auto aia = core::wrap(static_cast<AUTHORITY_INFO_ACCESS*>(X509_get_ext_d2i(cert, NID_info_access, nullptr, nullptr)));
  ERR_clear_error();
  for (int i = 0; aia && i < sk_ACCESS_DESCRIPTION_num(aia.get()); ++i) {
    ACCESS_DESCRIPTION* ad = sk_ACCESS_DESCRIPTION_value(aia.get(), i);
    if (OBJ_obj2nid(ad->method) != NID_ad_ca_issuers || ad->location->type != GEN_URI) continue;
    const ASN1_IA5STRING* uri = ad->location->d.uniformResourceIdentifier;
    out.emplace_back(reinterpret_cast<const char*>(ASN1_STRING_get0_data(uri)), static_cast<std::size_t>(ASN1_STRING_length(uri)));
  }
  return out;
}

// The certificates of a caIssuers answer: one DER certificate, or the certificates of a
// certs-only CMS SignedData ("application/pkcs7-mime", RFC 5280 §4.2.2.1).
std::vector<core::UniquePtr<X509>> certificates_of(const Bytes& der) {
  std::vector<core::UniquePtr<X509>> out;
  const unsigned char* p = der.data();
  if (auto cert = core::wrap(d2i_X509(nullptr, &p, static_cast<long>(der.size()))); cert && p == der.data() + der.size()) {
    out.push_back(std::move(cert));
    return out;
  }
  p = der.data();
  auto p7 = core::wrap(d2i_PKCS7(nullptr, &p, static_cast<long>(der.size())));
  ERR_clear_error();
  if (!p7 || p != der.data() + der.size() || !PKCS7_type_is_signed(p7.get()) || p7->d.sign == nullptr) return out;
  STACK_OF(X509)* certs = p7->d.sign->cert;
  for (int i = 0; i < sk_X509_num(certs); ++i) {
    X509* c = sk_X509_value(certs, i);
    if (X509_up_ref(c) == 1) out.push_back(core::wrap(c));
  }
  return out;
}

}  // namespace

bool fetch_issuer(X509* cert, const Material& material) {
  if (!material.online || !material.online->fetch) return false;
  Online& online = *material.online;
  const std::string who = subject_of(cert);
  for (const std::string& url : ca_issuers_urls(cert)) {
    core::HttpRequest request;
    request.url = url;
    request.max_response = 1u << 20;
    auto der = fetch_logged(online, "CA certificate", who, request);
    if (!der) continue;
    bool found = false;
    STACK_OF(X509)* pool = material.pool.get();
    for (auto& candidate : certificates_of(*der)) {
      if (X509_check_issued(candidate.get(), cert) != X509_V_OK) continue;
      const int before = sk_X509_num(pool);
      add_certificate(pool, candidate.get());
      found = found || sk_X509_num(pool) > before;
    }
    ERR_clear_error();
    const std::string line = line_for("CA certificate", url, who);
    online.log.push_back(line + (found ? "issuer certificate received" : "no new certificate that issued it"));
    if (found) return true;
  }
  return false;
}

void fetch_revocation(X509* cert, X509* issuer, const Material& material) {
  if (!material.online || !material.online->fetch) return;
  const std::string who = subject_of(cert);
  if (!fetch_ocsp(cert, issuer, material, who)) fetch_crls(cert, material, who);
}

}  // namespace qualsig::validation::detail
