#pragma once
// Exact-path routing of requests to handlers, with the per-listener filter: the plain HTTP
// listener serves only routes marked Listener::both (OCSP RFC 6960 App. A, CRL RFC 5280
// §4.2.1.13 and TSA RFC 3161 §3.4 clients fetch over plain HTTP); everything else is HTTPS.

#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/result.h"
#include "server/http_types.h"

namespace qualsig::server {

// A route handler. Runs on a server thread, possibly on several at once (so it must be
// thread-safe), and may block (HSM signing); the Request is valid for the duration of the call. An Error becomes a problem response via problem_from_error().
using Handler = std::function<Result<Response>(const Request&)>;

// Which listeners serve a route.
enum class Listener { https_only, both };

class Router final {
 public:
  // Registers `handler` for `method` (case-sensitive, e.g. "GET") on the exact `path`
  // (no patterns, no percent-decoding; must start with '/'). A path ending in "/*" matches
  // every path under that prefix that has no exact route (e.g. "/ocsp/*" for RFC 6960
  // Appendix A.1 GET requests, whose last segment is the base64 request). Registering the same method and
  // path twice is a programming error and throws std::logic_error.
  void add(std::string method, std::string path, Handler handler,
           Listener which = Listener::https_only);

  // True if `method` `path` is registered (on any listener).
  bool has(std::string_view method, std::string_view path) const;

  // Every registered route as (method, path), on any listener, sorted by path then method;
  // a prefix route is listed as registered ("/ocsp/*"). For the route-coverage check of the
  // OpenAPI description (docs/openapi.json). Returns copies; never fails.
  std::vector<std::pair<std::string, std::string>> routes() const;

  // Runs the matching handler and always returns a response:
  //  * path unknown, or known only for HTTPS while request.tls is false -> 404 problem;
  //  * path known but not for this method -> 405 problem with an Allow field (RFC 9110 §15.5.6);
  //  * handler Error -> problem_from_error (5xx logged with the error's detail);
  //  * exception from the handler, or a response that cannot be sent (status outside
  //    200..599, a header with CR/LF) -> 500 problem; the exception text is logged, never sent.
  // Thread-safe for concurrent calls once no more routes are added.
  // If `matched_route` is not null it receives the registered path that matched (a prefix
  // route as registered, e.g. "/ocsp/*"), or "unmatched" when the answer is 404 — a label
  // of bounded cardinality for metrics, never the raw request path.
  Response dispatch(const Request& request, std::string* matched_route = nullptr) const;

 private:
  struct Route {
    Handler handler;
    Listener listener = Listener::https_only;
  };
  // path -> method -> route
  std::map<std::string, std::map<std::string, Route, std::less<>>, std::less<>> m_routes;
  // prefix (ending in '/') -> method -> route
  std::map<std::string, std::map<std::string, Route, std::less<>>, std::less<>> m_prefix_routes;
};

}  // namespace qualsig::server
