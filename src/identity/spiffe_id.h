#pragma once
// SPIFFE IDs (SPIFFE-ID spec §2): spiffe://<trust domain>/<path>.

#include <cstddef>
#include <string>
#include <string_view>

#include "core/result.h"

namespace qualsig::identity {

// §2.3: "SPIFFE implementations MUST support SPIFFE URIs up to 2048 bytes in length"; longer
// ones are refused. "the maximum length of a trust domain name is 255 bytes".
inline constexpr std::size_t kMaxSpiffeIdLength = 2048;
inline constexpr std::size_t kMaxTrustDomainLength = 255;

struct SpiffeId {
  std::string trust_domain;  // "example.org"
  std::string path;          // "/ns/ci/sa/release", or empty for the trust domain's own ID
  std::string to_string() const { return "spiffe://" + trust_domain + path; }
};

// Checks a trust domain name (§2.1): 1..255 bytes of lowercase letters, digits, '.', '-', '_'.
// Fails with invalid_input naming the problem.
Result<void> check_trust_domain_name(std::string_view name);

// Parses a SPIFFE ID strictly (§2, §2.1, §2.2):
//  - the scheme is exactly "spiffe" (lowercase) followed by "://";
//  - no query ('?') or fragment ('#'), no userinfo ('@') or port (':') in the authority;
//  - the trust domain passes check_trust_domain_name() (so no uppercase, no percent-encoding);
//  - the path is empty or "/"-separated segments of [A-Za-z0-9.-_], none empty (no "//", no
//    trailing '/'), none "." or "..";
//  - at most kMaxSpiffeIdLength bytes in all.
// Fails with invalid_input and a message naming the rule broken; long or unprintable input is
// not echoed.
Result<SpiffeId> parse_spiffe_id(std::string_view uri);

}  // namespace qualsig::identity
