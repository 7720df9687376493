#pragma once
// The service's Prometheus metrics, served as GET /metrics in the text exposition format
// 0.0.4 (https://prometheus.io/docs/instrumenting/exposition_formats/): counters of HTTP
// requests, a request-duration histogram, signatures by outcome, HSM errors and
// authentication failures, the process gauges of the Prometheus client conventions, and
// gauges that are read when scraped (audit log size, token readiness).
//
// Label values come from a bounded set so that a client cannot grow the series without
// limit: routes are registered paths (or "unmatched"), methods outside the standard ones
// become "other", and at most kMaxLabelValues distinct outcomes/reasons are kept (the rest
// are counted under "other").

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

namespace qualsig::server {

class Metrics final {
 public:
  // Upper bounds (seconds) of the request-duration histogram buckets; +Inf is implicit.
  static constexpr std::array<double, 13> kDurationBuckets = {
      0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0};
  // Distinct values kept per free-text label (signature outcome, auth failure reason).
  static constexpr std::size_t kMaxLabelValues = 32;

  // Reads the process start time once (from /proc).
  Metrics();

  // One finished HTTP request. `route` is the registered route path ("/ocsp/*" for
  // GET /ocsp/<b64>), "unmatched" for requests no route matched; `method` outside
  // GET/HEAD/POST/PUT/DELETE/PATCH/OPTIONS is counted as "other". Thread-safe.
  void observe_request(std::string_view route, std::string_view method, unsigned status,
                       double seconds);
  // One signature request by outcome: "signed" | "denied" | "failed". Thread-safe.
  void count_signature(std::string_view outcome);
  // One error reported by the PKCS#11 token. Thread-safe.
  void count_hsm_error();
  // One failed authentication; `reason` from a small fixed set, e.g. "bad_token",
  // "expired_token", "bad_client_certificate". Thread-safe.
  void count_auth_failure(std::string_view reason);

  // Registers a gauge read at scrape time. `read` runs on a server thread during render()
  // (possibly concurrently with itself) and returns nullopt when the value is unknown (the
  // sample is then left out). `name` must match [a-zA-Z_:][a-zA-Z0-9_:]* and not be taken:
  // otherwise std::logic_error (a programming error). Register before the server starts.
  void add_gauge(std::string name, std::string help, std::function<std::optional<double>()> read);

  // The exposition text (Content-Type "text/plain; version=0.0.4; charset=utf-8"): every
  // family with # HELP and # TYPE, samples sorted by labels. Thread-safe.
  std::string render() const;

  // Counters as rendered, for tests and the process's own use.
  std::uint64_t requests_total() const;

 private:
  struct Histogram {
    std::array<std::uint64_t, kDurationBuckets.size()> buckets{};  // not cumulative
    std::uint64_t count = 0;
    double sum = 0;
  };
  struct Gauge {
    std::string name;
    std::string help;
    std::function<std::optional<double>()> read;
  };
  static void count_bounded(std::map<std::string, std::uint64_t, std::less<>>& counts,
                            std::string_view value);

  mutable std::mutex m_http_mutex;
  // (route, method, code) -> count
  std::map<std::tuple<std::string, std::string, unsigned>, std::uint64_t> m_requests;
  std::map<std::string, Histogram, std::less<>> m_durations;

  mutable std::mutex m_counter_mutex;
  std::map<std::string, std::uint64_t, std::less<>> m_signatures;
  std::map<std::string, std::uint64_t, std::less<>> m_auth_failures;
  std::atomic<std::uint64_t> m_hsm_errors{0};

  mutable std::mutex m_gauge_mutex;
  std::vector<Gauge> m_gauges;

  std::optional<double> m_start_time;  // seconds since the epoch
};

// Escapes a label value for the exposition format: backslash, double quote and line feed
// become \\, \" and \n.
std::string escape_label_value(std::string_view value);

}  // namespace qualsig::server
