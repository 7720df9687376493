#pragma once
// A plain-HTTP client for validation data: OCSP requests (RFC 6960 Appendix A.1, POST) and CRLs
// and certificates (RFC 5280 §4.2.1.13 / §4.2.2.1, GET). OpenSSL's own HTTP client
// (OSSL_HTTP_transfer, OpenSSL 3.0) does the work: no other library, and its response limit and
// timeout apply while reading, so a hostile server cannot make us buffer more than `max_response`
// or wait longer than `timeout`. Not supported: proxies, redirects, chunked transfer is
// OpenSSL's to handle.
// Validation data is fetched over http:// only: RFC 5280 §4.2.1.13 and RFC 6960 name HTTP; TLS
// would need the very revocation data being fetched to validate the server (RFC 5280 §8,
// circularity). Documents whose authenticity rests on the transport (an OIDC issuer's JWKS) set
// `https`: TLS 1.2 or later, the server certificate verified against `ca_file` or the system's
// trust store, and its name (or IP address) checked against the URL's host (RFC 6125).

#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>

#include "core/bytes.h"
#include "core/result.h"

namespace qualsig::core {

struct HttpRequest {
  std::string url;            // http://host[:port]/path[?query]
  Bytes body;                 // empty: GET; else POST of `body` as `content_type`
  std::string content_type;   // for POST, e.g. "application/ocsp-request"
  std::string expected_type;  // response Content-Type required when non-empty
  std::chrono::seconds timeout{10};    // the whole exchange, connection included
  std::size_t max_response = 16u << 20;  // bytes; CRLs of large CAs run to megabytes
  bool https = false;         // https:// URLs allowed (and then required to verify)
  std::string ca_file;        // PEM trust anchors for https; empty: the system's (OpenSSL default paths)
  bool der = true;            // the body must be one DER object (false: any bytes, e.g. JSON)
};

// The response body: one DER object, or any bytes when `der` is false.
// Errors: usage for a URL that is not http:// (or https:// when allowed), named; unavailable when the host does not
// resolve, refuses or does not answer in time, for an HTTP status other than 200 and for a body
// that is not DER or exceeds max_response (with OpenSSL's reason).
Result<Bytes> http_fetch(const HttpRequest& request);

// A URL as messages and reports show it: at most 200 characters, anything but printable ASCII
// replaced by '?' (URLs come from certificates and configuration, and must not forge log lines).
std::string printable_url(std::string_view url);

}  // namespace qualsig::core
