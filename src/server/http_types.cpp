#include "server/http_types.h"

#include <boost/beast/http/status.hpp>

namespace qualsig::server {
namespace {

constexpr const char* kInternalDetail = "The server could not complete the request.";

std::string dump(const nlohmann::json& j) {
  // Strings may carry client-supplied bytes (paths, names); never throw on bad UTF-8.
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace

Response json(unsigned status, const nlohmann::json& body) {
  Response r;
  r.status = status;
  r.content_type = "application/json";
  r.body = dump(body);
  return r;
}

Response problem(unsigned status, std::string title, std::string detail, std::string type) {
  Response r;
  r.status = status;
  r.content_type = "application/problem+json";
  r.body = dump(nlohmann::json{{"type", std::move(type)},
                               {"title", std::move(title)},
                               {"status", status},
                               {"detail", std::move(detail)}});
  return r;
}

std::string status_phrase(unsigned status) {
  namespace http = boost::beast::http;
  http::status s = http::int_to_status(status);
  if (s == http::status::unknown) return "Unknown";
  return std::string(http::obsolete_reason(s));
}

unsigned http_status(ErrorCode code) {
  // No default: -Wswitch (with -Werror) fails the build when an ErrorCode is added.
  switch (code) {
    case ErrorCode::invalid_input:
    case ErrorCode::usage:
      return 400;
    case ErrorCode::not_found:
      return 404;
    case ErrorCode::denied:
      return 403;
    case ErrorCode::already_exists:
    case ErrorCode::conflict:
      return 409;
    case ErrorCode::pending:
      return 202;
    case ErrorCode::environment:
    case ErrorCode::token:
    case ErrorCode::database:
    case ErrorCode::unavailable:
      return 503;
    case ErrorCode::crypto:
    case ErrorCode::internal:
      return 500;
  }
  return 500;  // an out-of-range value is a broken invariant
}

Response problem_from_error(const Error& error) {
  const unsigned status = http_status(error.code);
  std::string detail = status == 500 ? std::string(kInternalDetail) : error.message;
  return problem(status, status_phrase(status), std::move(detail));
}

}  // namespace qualsig::server
