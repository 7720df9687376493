#include "server/metrics.h"

#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <fstream>
#include <limits>
#include <sstream>
#include <stdexcept>

namespace qualsig::server {
namespace {

constexpr std::string_view kOther = "other";

// Exposition format: "value is a float represented as required by Go's ParseFloat()
// function. In addition to standard numerical values, NaN, +Inf, and -Inf are valid".
std::string number(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), v);
  if (ec != std::errc()) return "NaN";
  return std::string(buf, end);
}

std::string number(std::uint64_t v) { return std::to_string(v); }

bool valid_metric_name(std::string_view name) {
  if (name.empty()) return false;
  for (std::size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    const bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':';
    const bool digit = c >= '0' && c <= '9';
    if (!alpha && !(digit && i > 0)) return false;
  }
  return true;
}

// HELP text: "backslash and line feed characters have to be escaped as \\ and \n".
std::string escape_help(std::string_view help) {
  std::string out;
  for (char c : help) {
    if (c == '\\') out += "\\\\";
    else if (c == '\n') out += "\\n";
    else out += c;
  }
  return out;
}

std::string_view normalise_method(std::string_view method) {
  for (std::string_view known : {"GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"}) {
    if (method == known) return known;
  }
  return kOther;
}

void family(std::ostringstream& out, std::string_view name, std::string_view type, std::string_view help) {
  out << "# HELP " << name << ' ' << escape_help(help) << "\n# TYPE " << name << ' ' << type << '\n';
}

// proc(5): /proc/self/stat field 22 is starttime in clock ticks after boot; /proc/stat's
// "btime" is the boot time in seconds since the epoch.
std::optional<double> read_start_time() {
  std::ifstream stat("/proc/self/stat");
  std::string line;
  if (!std::getline(stat, line)) return std::nullopt;
  const auto paren = line.rfind(')');  // the command name may hold spaces and parentheses
  if (paren == std::string::npos) return std::nullopt;
  std::istringstream fields(line.substr(paren + 1));
  std::string field;
  // After ")" come fields 3.. ; starttime is field 22, the 20th of these.
  for (int i = 3; i <= 22; ++i) {
    if (!(fields >> field)) return std::nullopt;
  }
  unsigned long long ticks = 0;
  auto [p, ec] = std::from_chars(field.data(), field.data() + field.size(), ticks);
  if (ec != std::errc() || p != field.data() + field.size()) return std::nullopt;
  std::ifstream proc_stat("/proc/stat");
  std::string key;
  unsigned long long btime = 0;
  bool found = false;
  while (proc_stat >> key) {
    if (key == "btime") {
      found = static_cast<bool>(proc_stat >> btime);
      break;
    }
    proc_stat.ignore(std::numeric_limits<std::streamsize>::max(), '\n');
  }
  const long hz = ::sysconf(_SC_CLK_TCK);
  if (!found || hz <= 0) return std::nullopt;
  return static_cast<double>(btime) + static_cast<double>(ticks) / static_cast<double>(hz);
}

// proc(5): /proc/self/statm field 2 is the resident set size in pages.
std::optional<double> read_resident_bytes() {
  std::ifstream statm("/proc/self/statm");
  unsigned long long size = 0, resident = 0;
  if (!(statm >> size >> resident)) return std::nullopt;
  const long page = ::sysconf(_SC_PAGESIZE);
  if (page <= 0) return std::nullopt;
  return static_cast<double>(resident) * static_cast<double>(page);
}

}  // namespace

std::string escape_label_value(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    if (c == '\\') out += "\\\\";
    else if (c == '"') out += "\\\"";
    else if (c == '\n') out += "\\n";
    else out += c;
  }
  return out;
}

Metrics::Metrics() : m_start_time(read_start_time()) {}

void Metrics::observe_request(std::string_view route, std::string_view method, unsigned status,
                              double seconds) {
  if (!(seconds >= 0)) seconds = 0;  // also NaN
  std::size_t bucket = 0;
  while (bucket < kDurationBuckets.size() && seconds > kDurationBuckets[bucket]) ++bucket;
  std::lock_guard lock(m_http_mutex);
  ++m_requests[{std::string(route), std::string(normalise_method(method)), status}];
  auto it = m_durations.find(route);
  if (it == m_durations.end()) it = m_durations.emplace(std::string(route), Histogram{}).first;
  Histogram& h = it->second;
  if (bucket < h.buckets.size()) ++h.buckets[bucket];
  ++h.count;
  h.sum += seconds;
}

void Metrics::count_bounded(std::map<std::string, std::uint64_t, std::less<>>& counts,
                            std::string_view value) {
  auto it = counts.find(value);
  if (it == counts.end()) {
    if (counts.size() >= kMaxLabelValues) value = kOther;
    it = counts.try_emplace(std::string(value), 0).first;
  }
  ++it->second;
}

void Metrics::count_signature(std::string_view outcome) {
  std::lock_guard lock(m_counter_mutex);
  count_bounded(m_signatures, outcome);
}

void Metrics::count_hsm_error() { m_hsm_errors.fetch_add(1, std::memory_order_relaxed); }

void Metrics::count_auth_failure(std::string_view reason) {
  std::lock_guard lock(m_counter_mutex);
  count_bounded(m_auth_failures, reason);
}

void Metrics::add_gauge(std::string name, std::string help, std::function<std::optional<double>()> read) {
  if (!valid_metric_name(name) || !read) throw std::logic_error("Metrics::add_gauge: bad name or no reader: " + name);
  std::lock_guard lock(m_gauge_mutex);
  const bool taken = name.rfind("qualsig_http_", 0) == 0 || name.rfind("process_", 0) == 0 ||
                     name == "qualsig_signatures_total" || name == "qualsig_hsm_errors_total" ||
                     name == "qualsig_auth_failures_total" ||
                     std::any_of(m_gauges.begin(), m_gauges.end(), [&](const Gauge& g) { return g.name == name; });
  if (taken) throw std::logic_error("Metrics::add_gauge: name already used: " + name);
  m_gauges.push_back(Gauge{std::move(name), std::move(help), std::move(read)});
}

std::uint64_t Metrics::requests_total() const {
  std::lock_guard lock(m_http_mutex);
  std::uint64_t total = 0;
  for (const auto& [key, n] : m_requests) total += n;
  return total;
}

std::string Metrics::render() const {
  std::ostringstream out;
  {
    std::lock_guard lock(m_http_mutex);
    family(out, "qualsig_http_requests_total", "counter", "HTTP requests answered, by route, method and status code.");
    for (const auto& [key, n] : m_requests) {
      const auto& [route, method, code] = key;
      out << "qualsig_http_requests_total{route=\"" << escape_label_value(route) << "\",method=\""
          << escape_label_value(method) << "\",code=\"" << code << "\"} " << number(n) << '\n';
    }
    family(out, "qualsig_http_request_duration_seconds", "histogram",
           "Time from the start of a request until its response is ready to be written, by route.");
    for (const auto& [route, h] : m_durations) {
      const std::string label = "route=\"" + escape_label_value(route) + "\"";
      std::uint64_t cumulative = 0;
      for (std::size_t i = 0; i < kDurationBuckets.size(); ++i) {
        cumulative += h.buckets[i];
        out << "qualsig_http_request_duration_seconds_bucket{" << label << ",le=\""
            << number(kDurationBuckets[i]) << "\"} " << number(cumulative) << '\n';
      }
      out << "qualsig_http_request_duration_seconds_bucket{" << label << ",le=\"+Inf\"} " << number(h.count) << '\n';
      out << "qualsig_http_request_duration_seconds_sum{" << label << "} " << number(h.sum) << '\n';
      out << "qualsig_http_request_duration_seconds_count{" << label << "} " << number(h.count) << '\n';
    }
  }
  {
    std::lock_guard lock(m_counter_mutex);
    family(out, "qualsig_signatures_total", "counter", "Signature requests by outcome (signed, denied, failed).");
    for (const auto& [outcome, n] : m_signatures)
      out << "qualsig_signatures_total{outcome=\"" << escape_label_value(outcome) << "\"} " << number(n) << '\n';
    family(out, "qualsig_auth_failures_total", "counter", "Failed authentications by reason.");
    for (const auto& [reason, n] : m_auth_failures)
      out << "qualsig_auth_failures_total{reason=\"" << escape_label_value(reason) << "\"} " << number(n) << '\n';
  }
  family(out, "qualsig_hsm_errors_total", "counter", "Errors reported by the PKCS#11 token.");
  out << "qualsig_hsm_errors_total " << number(m_hsm_errors.load(std::memory_order_relaxed)) << '\n';

  family(out, "process_resident_memory_bytes", "gauge", "Resident memory size in bytes.");
  if (auto rss = read_resident_bytes()) out << "process_resident_memory_bytes " << number(*rss) << '\n';
  family(out, "process_start_time_seconds", "gauge", "Start time of the process since unix epoch in seconds.");
  if (m_start_time) out << "process_start_time_seconds " << number(*m_start_time) << '\n';

  std::vector<Gauge> gauges;
  {
    std::lock_guard lock(m_gauge_mutex);
    gauges = m_gauges;
  }
  // Read outside the lock: a reader may be slow (database, token).
  for (const auto& g : gauges) {
    family(out, g.name, "gauge", g.help);
    if (auto v = g.read()) out << g.name << ' ' << number(*v) << '\n';
  }
  return out.str();
}

}  // namespace qualsig::server
