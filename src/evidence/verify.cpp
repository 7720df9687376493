// Offline verification of an evidence bundle (evidence/verify.h). The steps live in
// verify_*.cpp and share detail::Context (verify_detail.h); this file runs them in order and holds
// the helpers they share.
#include "evidence/verify.h"

#include <ctime>

#include "evidence/verify_detail.h"

namespace qualsig::evidence {
namespace detail {

std::string differs(const std::string& what, const std::string& bundle_value, const std::string& log_value) {
  return what + " is '" + bundle_value + "' in the bundle but '" + log_value + "' in the log";
}

std::optional<TimePoint> asn1_time(const ASN1_TIME* t) {
  std::tm tm{};
  if (!t || ASN1_TIME_to_tm(t, &tm) != 1) return std::nullopt;
  return TimePoint(std::chrono::seconds(timegm(&tm)));
}

core::UniquePtr<X509_STORE> store_at(const X509* root, TimePoint at) {
  auto store = core::wrap(X509_STORE_new());
  if (!store || !root || X509_STORE_add_cert(store.get(), const_cast<X509*>(root)) != 1) return nullptr;
  X509_VERIFY_PARAM* param = X509_STORE_get0_param(store.get());
  X509_VERIFY_PARAM_set_time(param, static_cast<time_t>(at.time_since_epoch().count()));
  // Our own root is the only anchor: no partial chains, no default paths.
  return store;
}

core::UniquePtr<X509> trust_anchor(const Context& c) {
  if (c.options.trusted_root) {
    auto r = core::x509_from_der(*c.options.trusted_root);
    return r ? std::move(*r) : nullptr;
  }
  if (c.bundle.chain.empty()) return nullptr;
  auto r = core::x509_from_der(c.bundle.chain.back());
  return r ? std::move(*r) : nullptr;
}

core::UniquePtr<STACK_OF(X509)> untrusted_certificates(const Context& c) {
  auto stack = core::wrap(sk_X509_new_null());
  if (!stack) return nullptr;
  auto add = [&](const Bytes& der) {
    auto cert = core::x509_from_der(der);
    if (!cert) return;
    if (sk_X509_push(stack.get(), cert->get()) > 0) (void)cert->release();
  };
  // The bundle's root is not trusted here: with a pinned root it is just another certificate.
  for (const auto& der : c.bundle.chain) add(der);
  for (const auto& der : c.bundle.service_certificates) add(der);
  return stack;
}

}  // namespace detail

Report verify_bundle(const Bundle& bundle, const VerifyOptions& options) {
  Report report;
  detail::Context c{bundle, options, report, {}, {}, {}, nullptr, {}};
  report.signature_id = bundle.signature_id;
  report.document_name = bundle.document_name;
  report.document_hash = bundle.document_hash;

  detail::verify_log(c);
  detail::verify_signature(c);
  detail::verify_revocation(c);
  detail::verify_records(c);
  detail::verify_identity(c);
  detail::verify_sequence(c);
  detail::fill_facts(c);

  report.verified = !report.checks.empty();
  for (const auto& check : report.checks)
    if (!check.ok) report.verified = false;
  return report;
}

}  // namespace qualsig::evidence
