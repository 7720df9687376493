#include "service/oidc_keys.h"

#include <spdlog/spdlog.h>

#include <mutex>
#include <optional>

#include "core/fs.h"
#include "core/http_fetch.h"
#include "service/config.h"

namespace qualsig::service {

// Kept by TrustService (oidc_key_cache()), one per service; guarded by `mutex`.
struct OidcKeyCache {
  using Clock = std::chrono::steady_clock;
  std::mutex mutex;
  std::string url;                                  // the URL the kept keys came from
  std::shared_ptr<const identity::Jwks> keys;       // null until a fetch succeeded
  Clock::time_point fetched_at{};                   // of `keys`
  Clock::time_point attempted_at{};                 // the last fetch, good or bad
  std::optional<Error> last_error;                  // of the last fetch, if it failed
};

namespace {

Result<std::shared_ptr<const identity::Jwks>> parse(const std::string& text) {
  QS_TRY(auto jwks, identity::parse_jwks(text));
  return std::shared_ptr<const identity::Jwks>(std::make_shared<identity::Jwks>(std::move(jwks)));
}

// The keys, fetching them when none are kept, the kept ones are older than kJwksKeep, or
// `refresh` asks for it — and the last attempt is at least the minimum refetch interval old.
Result<std::shared_ptr<const identity::Jwks>> url_keys(TrustService& svc, const ProofingConfig& cfg, bool refresh) {
  OidcKeyCache& cache = svc.oidc_key_cache();
  std::lock_guard lock(cache.mutex);  // concurrent requests wait for the one fetch
  const auto now = OidcKeyCache::Clock::now();
  if (cache.url != cfg.oidc_jwks_url) {  // configured anew: nothing kept applies
    cache.url = cfg.oidc_jwks_url;
    cache.keys.reset();
    cache.attempted_at = {};
    cache.last_error.reset();
  }
  const std::chrono::seconds min_refetch{cfg.oidc_jwks_min_refetch_seconds};
  const bool may_fetch = cache.attempted_at == OidcKeyCache::Clock::time_point{} || now - cache.attempted_at >= min_refetch;
  const bool due = !cache.keys || now - cache.fetched_at >= kJwksKeep || refresh;
  if (!due || !may_fetch) {
    if (cache.keys) return cache.keys;
    return fail(*cache.last_error);
  }
  cache.attempted_at = now;
  core::HttpRequest request;
  request.url = cfg.oidc_jwks_url;
  request.https = true;
  request.der = false;
  request.ca_file = cfg.oidc_jwks_ca_file.empty() ? std::string() : resolve(svc.data_dir(), cfg.oidc_jwks_ca_file).string();
  request.max_response = identity::kMaxJwksSize;
  auto fetched = core::http_fetch(request);
  Result<std::shared_ptr<const identity::Jwks>> keys =
      fetched ? parse(std::string(fetched->begin(), fetched->end())) : Result<std::shared_ptr<const identity::Jwks>>(fail(fetched.error()));
  if (keys) {
    cache.keys = *keys;
    cache.fetched_at = now;
    cache.last_error.reset();
    spdlog::info("OIDC issuer keys fetched from {}: {} usable, {} ignored", cfg.oidc_jwks_url, (*keys)->keys.size(),
                 (*keys)->ignored.size());
    return cache.keys;
  }
  cache.last_error = make_error(ErrorCode::unavailable,
                                "cannot get the OIDC issuer's keys from " + cfg.oidc_jwks_url + ": " + keys.error().message);
  if (cache.keys && now - cache.fetched_at < kJwksStaleLimit) {
    // The error goes nowhere else: log it (a returned error is reported by the caller).
    spdlog::warn("{}; the keys fetched {} s ago still serve", cache.last_error->message,
                 std::chrono::duration_cast<std::chrono::seconds>(now - cache.fetched_at).count());
    return cache.keys;
  }
  return fail(*cache.last_error);
}

Result<std::shared_ptr<const identity::Jwks>> issuer_keys(TrustService& svc, bool refresh) {
  const ProofingConfig& cfg = svc.config().proofing;
  if (!cfg.oidc_jwks_url.empty()) return url_keys(svc, cfg, refresh);
  if (cfg.oidc_jwks_file.empty())
    return fail(ErrorCode::environment, "OIDC workload tokens are not configured (proofing.oidc_jwks_file or oidc_jwks_url)");
  QS_TRY(auto text, core::read_file(resolve(svc.data_dir(), cfg.oidc_jwks_file), identity::kMaxJwksSize));
  return parse(text);
}

}  // namespace

OidcKeyCache& TrustService::oidc_key_cache() {
  std::lock_guard lock(m_mutex);
  if (!m_oidc_keys) m_oidc_keys = std::make_shared<OidcKeyCache>();
  return *m_oidc_keys;
}

Result<identity::OidcClaims> verify_workload_token(TrustService& svc, std::string_view jwt,
                                                   const identity::OidcExpectations& expected, TimePoint now) {
  QS_TRY(auto keys, issuer_keys(svc, false));
  auto claims = identity::verify_oidc_token(jwt, *keys, expected, now);
  // A well-formed token the kept keys refuse may be signed with a key the issuer rotated in
  // since: fetch once more (rate-limited in url_keys) and try with the new keys.
  if (!claims && claims.error().code == ErrorCode::denied && !svc.config().proofing.oidc_jwks_url.empty()) {
    auto fresh = issuer_keys(svc, true);
    if (fresh && *fresh != keys) return identity::verify_oidc_token(jwt, **fresh, expected, now);
  }
  return claims;
}

}  // namespace qualsig::service
