// Shared pieces of the API routes (server/api_support.h).
#include "server/api_support.h"

#include <spdlog/spdlog.h>

#include "core/bytes.h"
#include "core/time.h"
#include "server/metrics.h"

namespace qualsig::server {
namespace {

constexpr std::size_t kMaxFormFields = 64;

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// application/x-www-form-urlencoded decoding (WHATWG URL §5.1): '+' is a space, %XX a byte.
std::optional<std::string> form_decode(std::string_view in) {
  std::string out;
  for (std::size_t i = 0; i < in.size(); ++i) {
    if (in[i] == '+') {
      out += ' ';
    } else if (in[i] == '%') {
      if (i + 2 >= in.size()) return std::nullopt;
      int hi = hex_value(in[i + 1]), lo = hex_value(in[i + 2]);
      if (hi < 0 || lo < 0) return std::nullopt;
      out += static_cast<char>(hi * 16 + lo);
      i += 2;
    } else {
      out += in[i];
    }
  }
  return out;
}

Result<std::map<std::string, std::string>> parse_pairs(std::string_view text, const char* what) {
  std::map<std::string, std::string> out;
  while (!text.empty()) {
    auto amp = text.find('&');
    auto pair = text.substr(0, amp);
    text = amp == std::string_view::npos ? std::string_view() : text.substr(amp + 1);
    if (pair.empty()) continue;
    auto eq = pair.find('=');
    auto name = form_decode(pair.substr(0, eq));
    auto value = form_decode(eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1));
    if (!name || !value) return fail(ErrorCode::invalid_input, std::string("malformed percent-encoding in the ") + what);
    if (out.size() >= kMaxFormFields) return fail(ErrorCode::invalid_input, std::string("too many fields in the ") + what);
    // RFC 6749 §3.1: "Request and response parameters MUST NOT be included more than once."
    if (!out.emplace(std::move(*name), std::move(*value)).second)
      return fail(ErrorCode::invalid_input, std::string("a parameter is repeated in the ") + what);
  }
  return out;
}

std::string oauth_error(ErrorCode code) {
  switch (code) {
    case ErrorCode::invalid_input:
    case ErrorCode::usage:
      return "invalid_request";
    case ErrorCode::not_found:
      return "not_found";
    case ErrorCode::denied:
      return "access_denied";
    case ErrorCode::already_exists:
    case ErrorCode::conflict:
      return "conflict";
    case ErrorCode::pending:
      return "authorization_pending";
    case ErrorCode::environment:
    case ErrorCode::token:
    case ErrorCode::database:
    case ErrorCode::unavailable:
      return "temporarily_unavailable";
    case ErrorCode::crypto:
    case ErrorCode::internal:
      return "server_error";
  }
  return "server_error";
}

}  // namespace

Result<service::Principal> authenticate(service::TrustService& svc, const Request& req, Metrics* metrics) {
  auto now = now_seconds();
  auto log_failure = [&](const Error& e, const char* method) {
    if (metrics) metrics->count_auth_failure(method);
    // Never the token or the certificate: the reason and where the request came from.
    spdlog::warn(nlohmann::json{{"event", "authentication_failed"}, {"method", method}, {"reason", e.message},
                                {"path", req.path}, {"remote", req.remote}}.dump());
  };
  if (auto it = req.headers.find("authorization"); it != req.headers.end()) {
    std::string_view v = it->second;
    // RFC 6750 §2.1: credentials = "Bearer" 1*SP b64token; the scheme is case-insensitive.
    if (v.size() < 7 || (v.substr(0, 7) != "Bearer " && v.substr(0, 7) != "bearer " && v.substr(0, 7) != "BEARER ")) {
      Error e = make_error(ErrorCode::denied, "the Authorization header must carry a Bearer access token");
      log_failure(e, "bearer");
      return fail(e);
    }
    Secret token(std::string(v.substr(7)));
    auto p = service::authenticate_bearer(svc, token, now);
    if (!p) log_failure(p.error(), "bearer");
    return p;
  }
  if (!req.client_certificates.empty()) {
    auto p = service::principal_from_certificate(svc, req.client_certificates, now);
    if (!p) log_failure(p.error(), "mtls");
    return p;
  }
  Error e = make_error(ErrorCode::denied, "authentication required: a Bearer access token or a TLS client certificate");
  log_failure(e, "none");
  return fail(e);
}

Response unauthorized(const Error& error) {
  if (error.code != ErrorCode::denied && error.code != ErrorCode::invalid_input && error.code != ErrorCode::not_found)
    return api_problem(error);
  auto r = problem(401, "Unauthorized", error.message);
  auto body = nlohmann::json::parse(r.body);
  body["error"] = "invalid_token";
  body["error_description"] = error.message;
  r.body = body.dump();
  // RFC 6750 §3: the challenge names the error; the description stays in the body.
  r.headers.emplace_back("WWW-Authenticate", "Bearer realm=\"qualsig\", error=\"invalid_token\"");
  return r;
}

Result<void> require_role(const service::Principal& p, std::initializer_list<const char*> roles) {
  for (const char* r : roles)
    if (p.has_role(r)) return ok();
  std::string names;
  for (const char* r : roles) names += (names.empty() ? "" : " or ") + std::string(r);
  return fail(ErrorCode::denied, "this needs the " + names + " role");
}

Result<nlohmann::json> json_object_body(const Request& req) {
  if (req.body.empty()) return nlohmann::json::object();
  auto j = nlohmann::json::parse(req.body, nullptr, false);
  if (j.is_discarded()) return fail(ErrorCode::invalid_input, "the request body is not valid JSON");
  if (!j.is_object()) return fail(ErrorCode::invalid_input, "the request body must be a JSON object");
  return j;
}

Result<std::map<std::string, std::string>> form_body(const Request& req) { return parse_pairs(req.body, "form body"); }
Result<std::map<std::string, std::string>> query_params(std::string_view query) { return parse_pairs(query, "query"); }

Result<std::optional<std::string>> opt_string(const nlohmann::json& body, const char* name, std::size_t max_size) {
  auto it = body.find(name);
  if (it == body.end() || it->is_null()) return std::optional<std::string>();
  if (!it->is_string()) return fail(ErrorCode::invalid_input, std::string("'") + name + "' must be a string");
  auto v = it->get<std::string>();
  if (v.size() > max_size) return fail(ErrorCode::invalid_input, std::string("'") + name + "' is too long");
  return std::optional<std::string>(std::move(v));
}

Result<std::string> req_string(const nlohmann::json& body, const char* name, std::size_t max_size) {
  QS_TRY(auto v, opt_string(body, name, max_size));
  if (!v || v->empty()) return fail(ErrorCode::invalid_input, std::string("'") + name + "' is required");
  return std::move(*v);
}

Result<bool> opt_bool(const nlohmann::json& body, const char* name, bool fallback) {
  auto it = body.find(name);
  if (it == body.end() || it->is_null()) return fallback;
  if (!it->is_boolean()) return fail(ErrorCode::invalid_input, std::string("'") + name + "' must be a boolean");
  return it->get<bool>();
}

Result<std::optional<std::int64_t>> opt_int(const nlohmann::json& body, const char* name) {
  auto it = body.find(name);
  if (it == body.end() || it->is_null()) return std::optional<std::int64_t>();
  if (!it->is_number_integer()) return fail(ErrorCode::invalid_input, std::string("'") + name + "' must be an integer");
  return std::optional<std::int64_t>(it->get<std::int64_t>());
}

Result<std::optional<TimePoint>> opt_time(const nlohmann::json& body, const char* name) {
  QS_TRY(auto text, opt_string(body, name, 64));
  if (!text) return std::optional<TimePoint>();
  auto t = parse_rfc3339(*text);
  if (!t) return fail(ErrorCode::invalid_input, std::string("'") + name + "' must be an RFC 3339 time, e.g. 2027-01-01T00:00:00Z");
  return std::optional<TimePoint>(*t);
}

Result<std::vector<Bytes>> base64_array(const nlohmann::json& body, const char* name, std::size_t max_items) {
  auto it = body.find(name);
  std::vector<Bytes> out;
  if (it == body.end() || it->is_null()) return out;
  if (!it->is_array()) return fail(ErrorCode::invalid_input, std::string("'") + name + "' must be an array of base64 strings");
  if (it->size() > max_items)
    return fail(ErrorCode::invalid_input, std::string("'") + name + "' has more than " + std::to_string(max_items) + " items");
  for (const auto& e : *it) {
    if (!e.is_string()) return fail(ErrorCode::invalid_input, std::string("'") + name + "' must be an array of base64 strings");
    auto b = base64_decode(e.get<std::string>());
    if (!b) return fail(ErrorCode::invalid_input, std::string("an item of '") + name + "' is not valid base64");
    out.push_back(std::move(*b));
  }
  return out;
}

Response api_problem(const Error& error) {
  auto r = problem_from_error(error);
  auto body = nlohmann::json::parse(r.body);
  body["error"] = oauth_error(error.code);
  body["error_description"] = body["detail"];
  r.body = body.dump();
  return r;
}

Handler api(std::function<Result<Response>(const Request&)> handler) {
  return [handler = std::move(handler)](const Request& req) -> Result<Response> {
    auto r = handler(req);
    if (!r) {
      if (http_status(r.error().code) >= 500)
        spdlog::error(nlohmann::json{{"event", "api_error"}, {"path", req.path}, {"message", r.error().message},
                                     {"detail", r.error().detail}}.dump());
      return api_problem(r.error());
    }
    return r;
  };
}

}  // namespace qualsig::server
