#pragma once
// What the API routes share: caller authentication from a request (Bearer access token or TLS
// client certificate), role checks, strict JSON and form bodies, and OAuth/CSC-style error
// responses (RFC 9457 problem documents that also carry the OAuth 2.0 "error" and
// "error_description" members CSC clients read, RFC 6749 §5.2).

#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/result.h"
#include "core/time.h"
#include "server/http_types.h"
#include "server/router.h"
#include "service/api_auth.h"
#include "service/trust_service.h"

namespace qualsig::server {

class Metrics;

// The caller of `request`: Bearer token first (RFC 6750 §2.1), else a TLS client certificate.
// A failure is logged (reason and remote address only, never the token) and comes back as an
// Error; unauthorized() answers it.
// With `metrics`, each failure is counted (qualsig_auth_failures_total{reason=bearer|mtls|none}).
Result<service::Principal> authenticate(service::TrustService& svc, const Request& request, Metrics* metrics = nullptr);
// 401 with `WWW-Authenticate: Bearer error="invalid_token"` (RFC 6750 §3) for an authentication
// failure; 503 when the failure was the database's.
Response unauthorized(const Error& error);

// denied unless the principal holds one of `roles`.
Result<void> require_role(const service::Principal& principal, std::initializer_list<const char*> roles);

// The request body as a JSON object (an empty body is {}). invalid_input naming the problem.
Result<nlohmann::json> json_object_body(const Request& request);
// application/x-www-form-urlencoded body (RFC 6749 App. B); repeated names refused.
Result<std::map<std::string, std::string>> form_body(const Request& request);
// The query string as a map (same rules).
Result<std::map<std::string, std::string>> query_params(std::string_view query);

// Typed members of a JSON request: absent -> nullopt (or the default), wrong type -> invalid_input
// "'name' must be a string".
Result<std::optional<std::string>> opt_string(const nlohmann::json& body, const char* name, std::size_t max_size = 4096);
Result<std::string> req_string(const nlohmann::json& body, const char* name, std::size_t max_size = 4096);
Result<bool> opt_bool(const nlohmann::json& body, const char* name, bool fallback);
Result<std::optional<std::int64_t>> opt_int(const nlohmann::json& body, const char* name);
// An RFC 3339 time (e.g. "2027-01-01T00:00:00Z"); absent -> nullopt.
Result<std::optional<TimePoint>> opt_time(const nlohmann::json& body, const char* name);
// An array of standard base64 strings (CSC binary data), each decoded; at most `max_items`.
Result<std::vector<Bytes>> base64_array(const nlohmann::json& body, const char* name, std::size_t max_items);

// The error response for API routes: problem+json with `error` (invalid_request,
// access_denied, not_found, conflict, server_error, ...) and `error_description`.
Response api_problem(const Error& error);

// Wraps a handler so that its Errors become api_problem() responses.
Handler api(std::function<Result<Response>(const Request&)> handler);

}  // namespace qualsig::server
