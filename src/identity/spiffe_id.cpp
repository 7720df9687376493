#include "identity/spiffe_id.h"

namespace qualsig::identity {
namespace {

constexpr std::string_view kScheme = "spiffe://";

bool is_lower_alnum(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }
bool is_upper(char c) { return c >= 'A' && c <= 'Z'; }

Unexpected bad_id(std::string why) {
  return fail(ErrorCode::invalid_input, "malformed SPIFFE ID: " + std::move(why));
}

}  // namespace

Result<void> check_trust_domain_name(std::string_view name) {
  if (name.empty()) return bad_id("the trust domain is empty");
  if (name.size() > kMaxTrustDomainLength) {
    return bad_id("the trust domain is longer than " + std::to_string(kMaxTrustDomainLength) + " bytes");
  }
  for (char c : name) {
    if (is_lower_alnum(c) || c == '.' || c == '-' || c == '_') continue;
    // §2.1: "Trust domain names ... MUST contain only lowercase letters, numbers, dots, dashes,
    // and underscores".
    if (is_upper(c)) return bad_id("the trust domain must be lowercase");
    if (c == '%') return bad_id("the trust domain must not be percent-encoded");
    return bad_id("the trust domain may hold only a-z, 0-9, '.', '-' and '_'");
  }
  return ok();
}

Result<SpiffeId> parse_spiffe_id(std::string_view uri) {
  if (uri.size() > kMaxSpiffeIdLength) {
    return bad_id("longer than " + std::to_string(kMaxSpiffeIdLength) + " bytes");
  }
  if (uri.substr(0, kScheme.size()) != kScheme) return bad_id("the scheme must be \"spiffe://\"");
  std::string_view rest = uri.substr(kScheme.size());
  // §2: "MUST NOT include a query or fragment component".
  if (rest.find('?') != std::string_view::npos) return bad_id("a query is not allowed");
  if (rest.find('#') != std::string_view::npos) return bad_id("a fragment is not allowed");
  const std::size_t slash = rest.find('/');
  const std::string_view authority = rest.substr(0, slash);
  // §2.1: "The userinfo and port parts of the authority component MUST NOT be set".
  if (authority.find('@') != std::string_view::npos) return bad_id("userinfo is not allowed");
  if (authority.find(':') != std::string_view::npos) return bad_id("a port is not allowed");
  QS_TRY_VOID(check_trust_domain_name(authority));

  SpiffeId id;
  id.trust_domain = std::string(authority);
  if (slash == std::string_view::npos) return id;
  const std::string_view path = rest.substr(slash);
  // §2.2: segments separated by '/', each non-empty, not "." or "..", of [a-zA-Z0-9.-_].
  std::size_t start = 1;
  while (true) {
    const std::size_t end = std::min(path.find('/', start), path.size());
    const std::string_view segment = path.substr(start, end - start);
    if (segment.empty()) {
      return bad_id(end == path.size() ? "the path must not end with '/'" : "the path has an empty segment");
    }
    if (segment == "." || segment == "..") return bad_id("the path must not hold \".\" or \"..\" segments");
    for (char c : segment) {
      if (!(is_lower_alnum(c) || is_upper(c) || c == '.' || c == '-' || c == '_')) {
        return bad_id("path segments may hold only A-Z, a-z, 0-9, '.', '-' and '_'");
      }
    }
    if (end == path.size()) break;
    start = end + 1;
  }
  id.path = std::string(path);
  return id;
}

}  // namespace qualsig::identity
