#pragma once
// Request and response values exchanged between the HTTP layer and route handlers, and the
// one table that turns a domain Error into an RFC 9457 problem response (STYLE.md §6: the
// domain never knows HTTP; this file is where ErrorCode meets a status code).

#include <map>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/result.h"

namespace qualsig::server {

// One parsed HTTP/1.1 request (RFC 9112). Owned values: a handler may keep copies.
struct Request {
  std::string method;   // as sent, case-sensitive (RFC 9110 §9.1): "GET", "POST", ...
  std::string target;   // request-target as sent (RFC 9112 §3.2); may hold a query
  std::string path;     // target without "?query" (absolute-form reduced to its path)
  std::string query;    // text after the first '?', without it; empty if none
  // Field names lower-cased; repeated fields joined with ", " (RFC 9110 §5.3).
  std::map<std::string, std::string> headers;
  std::string body;
  std::string remote;   // peer "ip:port"
  bool tls = false;     // arrived on the HTTPS listener
  // The certificates the client presented in the TLS handshake (RFC 8446 §4.4.2), leaf first,
  // DER; empty without a client certificate. TLS accepts any certificate: whether it
  // authenticates anyone is decided by service/api_auth (chain to our CA or a SPIFFE bundle,
  // revocation status), so that a refusal is logged and answered as a problem document.
  std::vector<std::string> client_certificates;
};

// What a handler answers. Content-Length, Connection and Transfer-Encoding are set by the
// server and ignored here; `Cache-Control: no-store` is added unless a handler sets its own.
struct Response {
  unsigned status = 200;
  std::string content_type;
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // extra fields, in order
};

// A response whose body is `body` serialised as application/json. Invalid UTF-8 in strings
// is replaced rather than thrown.
Response json(unsigned status, const nlohmann::json& body);

// An RFC 9457 application/problem+json response {type, title, status, detail}. With the
// default type "about:blank" the title should be the status phrase (RFC 9457 §4.2.1).
Response problem(unsigned status, std::string title, std::string detail,
                 std::string type = "about:blank");

// The reason phrase of a status ("Not Found"); "Unknown" for codes without one.
std::string status_phrase(unsigned status);

// The HTTP status for an error code: the one table (every ErrorCode appears in it).
unsigned http_status(ErrorCode code);

// A problem response for a handler's Error: status from http_status(), title the status
// phrase, detail the user-safe `message` — except for 500 (internal, crypto), whose detail is
// a fixed text. `Error::detail` is never sent to the client; log it instead.
Response problem_from_error(const Error& error);

}  // namespace qualsig::server
