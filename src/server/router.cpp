#include "server/router.h"

#include <algorithm>
#include <exception>
#include <stdexcept>

#include <spdlog/spdlog.h>

namespace qualsig::server {
namespace {

bool visible(Listener listener, bool tls) { return tls || listener == Listener::both; }

// RFC 9110 §5.1 field-name = token; §5.5 field values never carry CR, LF or NUL.
bool is_token(std::string_view s) {
  if (s.empty()) return false;
  for (unsigned char c : s) {
    const bool ok = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                    std::string_view("!#$%&'*+-.^_`|~").find(static_cast<char>(c)) !=
                        std::string_view::npos;
    if (!ok) return false;
  }
  return true;
}

bool is_field_value(std::string_view s) {
  return s.find_first_of(std::string_view("\r\n\0", 3)) == std::string_view::npos;
}

bool sendable(const Response& r) {
  if (r.status < 200 || r.status > 599) return false;
  if (!is_field_value(r.content_type)) return false;
  for (const auto& [name, value] : r.headers) {
    if (!is_token(name) || !is_field_value(value)) return false;
  }
  return true;
}

void log_failure(const Request& request, std::string_view what, const nlohmann::json& extra) {
  nlohmann::json j = {{"event", what}, {"method", request.method}, {"path", request.path}};
  j.update(extra);
  spdlog::error(j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
}

Response internal_error() {
  return problem(500, status_phrase(500), "The server could not complete the request.");
}

}  // namespace

void Router::add(std::string method, std::string path, Handler handler, Listener which) {
  if (method.empty() || path.empty() || path.front() != '/' || !handler) {
    throw std::logic_error("Router::add: empty method, handler or path not starting with '/'");
  }
  const bool prefix = path.size() >= 2 && path.compare(path.size() - 2, 2, "/*") == 0;
  if (prefix) path.pop_back();
  auto& methods = prefix ? m_prefix_routes[std::move(path)] : m_routes[std::move(path)];
  if (methods.contains(method)) {
    throw std::logic_error("Router::add: route registered twice: " + method);
  }
  methods.emplace(std::move(method), Route{std::move(handler), which});
}

bool Router::has(std::string_view method, std::string_view path) const {
  auto it = m_routes.find(path);
  return it != m_routes.end() && it->second.find(method) != it->second.end();
}

std::vector<std::pair<std::string, std::string>> Router::routes() const {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& [path, methods] : m_routes)
    for (const auto& [method, route] : methods) out.emplace_back(method, path);
  // Prefix routes are stored without the '*' (see add()); list them as registered.
  for (const auto& [prefix, methods] : m_prefix_routes)
    for (const auto& [method, route] : methods) out.emplace_back(method, prefix + "*");
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) {
    return a.second != b.second ? a.second < b.second : a.first < b.first;
  });
  return out;
}

Response Router::dispatch(const Request& request, std::string* matched_route) const {
  const std::map<std::string, Route, std::less<>>* methods = nullptr;
  std::string_view matched;
  bool prefix_match = false;
  if (auto exact = m_routes.find(request.path); exact != m_routes.end()) {
    methods = &exact->second;
    matched = exact->first;
  } else {
    // The longest registered prefix wins.
    std::size_t best = 0;
    for (const auto& [prefix, candidates] : m_prefix_routes)
      if (request.path.size() > prefix.size() && request.path.compare(0, prefix.size(), prefix) == 0 &&
          prefix.size() > best) {
        best = prefix.size();
        methods = &candidates;
        matched = prefix;
        prefix_match = true;
      }
  }
  const Route* route = nullptr;
  std::string allow;
  if (methods != nullptr) {
    for (const auto& [method, candidate] : *methods) {
      if (!visible(candidate.listener, request.tls)) continue;
      if (method == request.method) route = &candidate;
      allow += (allow.empty() ? "" : ", ") + method;
    }
  }
  if (matched_route != nullptr) {
    *matched_route = allow.empty() ? std::string("unmatched")
                                   : std::string(matched) + (prefix_match ? "*" : "");
  }
  if (allow.empty()) {
    return problem(404, status_phrase(404), "No resource at this path.");
  }
  if (route == nullptr) {
    Response r = problem(405, status_phrase(405), "Method not allowed for this resource.");
    r.headers.emplace_back("Allow", std::move(allow));
    return r;
  }

  // The per-request boundary of STYLE.md §6: nothing a handler throws escapes.
  try {
    Result<Response> result = route->handler(request);
    if (!result) {
      const Error& e = result.error();
      Response r = problem_from_error(e);
      if (r.status >= 500) {
        log_failure(request, "request_failed",
                    {{"code", error_code_name(e.code)}, {"message", e.message}, {"detail", e.detail}});
      }
      return r;
    }
    if (!sendable(*result)) {
      log_failure(request, "invalid_response", {{"status", result->status}});
      return internal_error();
    }
    return std::move(result).value();
  } catch (const std::exception& e) {
    log_failure(request, "handler_exception", {{"what", e.what()}});
  } catch (...) {
    log_failure(request, "handler_exception", {{"what", "non-standard exception"}});
  }
  return internal_error();
}

}  // namespace qualsig::server
