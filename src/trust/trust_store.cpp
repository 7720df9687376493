// TrustStore: loads signed TS 119 612 lists and finds the services that list a certificate.

#include "trust/trust_store.h"

#include <algorithm>
#include <system_error>

#include <openssl/err.h>

#include "core/fs.h"
#include "core/openssl.h"
#include "formats/xades.h"

namespace qualsig::trust {
namespace {

core::UniquePtr<X509> decode_certificate(ByteView der) {
  const unsigned char* p = der.data();
  core::UniquePtr<X509> cert(d2i_X509(nullptr, &p, static_cast<long>(der.size())));
  ERR_clear_error();
  if (cert && p != der.data() + der.size()) cert.reset();
  return cert;
}

// qualification.md §2.1: a service lists a certificate when one of its ServiceDigitalIdentity
// certificates has the same public key and the same subject DN (a re-issued CA certificate with
// the same key still matches; the serial number and validity do not matter).
bool same_key_and_subject(const X509* listed, const X509* cert) {
  if (X509_NAME_cmp(X509_get_subject_name(listed), X509_get_subject_name(cert)) != 0) return false;
  const EVP_PKEY* a = X509_get0_pubkey(listed);
  const EVP_PKEY* b = X509_get0_pubkey(cert);
  return a != nullptr && b != nullptr && EVP_PKEY_eq(a, b) == 1;
}

std::vector<std::string> list_warnings(const TrustedList& list) {
  std::vector<std::string> warnings;
  if (list.version != 5 && list.version != 6)
    warnings.push_back("TSLVersionIdentifier " + std::to_string(list.version) + " is neither 5 nor 6");
  if (!list.next_update) warnings.push_back("no NextUpdate: the list is closed");
  for (const auto& tsp : list.providers)
    for (const auto& svc : tsp.services) {
      if (svc.history_out_of_order) warnings.push_back("service history of " + tsp.name + " is not strictly descending");
      for (const auto& period : svc.periods)
        if (period.critical_extension_unknown)
          warnings.push_back("service '" + period.name + "' has a critical extension this parser does not know");
    }
  return warnings;
}

}  // namespace

Result<const LoadedList*> TrustStore::add_verified(ByteView xml, TrustedList list, const std::vector<Bytes>& allowed_signers,
                                                   ListAuthority authority, std::string source) {
  if (!list.signed_) return fail(ErrorCode::denied, "trusted list " + source + " is not signed");
  auto verified = formats::xades::verify(xml);
  if (!verified) {
    if (verified.error().code == ErrorCode::denied || verified.error().code == ErrorCode::invalid_input)
      return fail(ErrorCode::denied, "signature of trusted list " + source + " does not verify: " + verified.error().message,
                  verified.error().detail);
    return fail(std::move(verified).error());
  }
  // qualification.md §1: exactly one enveloped signature covering the whole document (a ds:Signature
  // that signs only its own ds:Object would leave the list content unsigned).
  if (verified->signature_count != 1 || verified->packaging != formats::xades::Packaging::enveloped)
    return fail(ErrorCode::denied, "trusted list " + source + " must carry exactly one enveloped signature");
  const Bytes& signer = verified->signer_certificate;
  if (signer.empty()) return fail(ErrorCode::denied, "signature of trusted list " + source + " names no signer certificate");
  if (std::find(allowed_signers.begin(), allowed_signers.end(), signer) == allowed_signers.end())
    return fail(ErrorCode::denied, "trusted list " + source + " is signed by a certificate that is not announced for it");
  // qualification.md §1: the signing time must lie inside the signer certificate's validity.
  if (verified->signing_time) {
    auto cert = decode_certificate(signer);
    if (!cert) return fail(ErrorCode::denied, "signer certificate of trusted list " + source + " does not decode");
    time_t at = static_cast<time_t>(verified->signing_time->time_since_epoch().count());
    if (X509_cmp_time(X509_get0_notBefore(cert.get()), &at) > 0 || X509_cmp_time(X509_get0_notAfter(cert.get()), &at) < 0)
      return fail(ErrorCode::denied, "trusted list " + source + " was signed outside its signer certificate's validity");
  }
  auto loaded = std::make_unique<LoadedList>();
  loaded->warnings = list_warnings(list);
  loaded->list = std::move(list);
  loaded->source = std::move(source);
  loaded->authority = authority;
  loaded->signer_certificate = signer;
  m_lists.push_back(std::move(loaded));
  return m_lists.back().get();
}

Result<const LoadedList*> TrustStore::add_lotl(ByteView xml, const std::vector<Bytes>& signing_certificates,
                                               std::string source) {
  QS_TRY(TrustedList list, parse_trusted_list(xml));
  if (list.tsl_type != kTslTypeEuLotl)
    return fail(ErrorCode::invalid_input, source + " is not a list of trusted lists (TSLType " + list.tsl_type + ")");
  QS_TRY(const LoadedList* added, add_verified(xml, std::move(list), signing_certificates, ListAuthority::eu_lotl, std::move(source)));
  index(*added);
  return added;
}

Result<const LoadedList*> TrustStore::add_member_state_list(ByteView xml, std::string source) {
  QS_TRY(TrustedList list, parse_trusted_list(xml));
  // TS 119 612 §5.3.13: the LOTL's pointer to a list carries the certificates that may sign it.
  std::vector<Bytes> announced;
  std::vector<const TslPointer*> pointers;
  for (const auto& loaded : m_lists) {
    if (loaded->authority != ListAuthority::eu_lotl) continue;
    for (const auto& pointer : loaded->list.pointers)
      // The list's own (signed) DistributionPoints name where it is published (TS 119 612 §5.3.17):
      // a pointer to that location announces it too, whatever file it was read from.
      if (pointer.tsl_type != kTslTypeEuLotl &&
          (pointer.location == source || pointer.territory == list.territory ||
           std::find(list.distribution_points.begin(), list.distribution_points.end(), pointer.location) !=
               list.distribution_points.end())) {
        announced.insert(announced.end(), pointer.signing_certificates.begin(), pointer.signing_certificates.end());
        pointers.push_back(&pointer);
      }
  }
  if (announced.empty())
    return fail(ErrorCode::denied, "no loaded list of trusted lists announces " + source + " or a list for territory '" +
                                       list.territory + "'");
  QS_TRY(const LoadedList* added, add_verified(xml, std::move(list), announced, ListAuthority::eu_member_state, std::move(source)));
  // The pointer that announced the certificate that signed it decides whether it is a
  // third-country list read through MRA equivalences.
  LoadedList& stored = *m_lists.back();
  for (const TslPointer* pointer : pointers) {
    const auto& certs = pointer->signing_certificates;
    if (pointer->mra.empty() || std::find(certs.begin(), certs.end(), stored.signer_certificate) == certs.end()) continue;
    stored.mra = pointer->mra;
    stored.list = translate_mra(stored.list, stored.mra);
    stored.authority = ListAuthority::eu_mra;
    break;
  }
  index(stored);
  return added;
}

Result<const LoadedList*> TrustStore::add_private_list(ByteView xml, const std::vector<Bytes>& signing_certificates,
                                                       std::string source) {
  QS_TRY(TrustedList list, parse_trusted_list(xml));
  QS_TRY(const LoadedList* added,
         add_verified(xml, std::move(list), signing_certificates, ListAuthority::private_list, std::move(source)));
  index(*added);
  return added;
}

Result<TrustStore::DirectoryLoad> TrustStore::add_directory(const std::filesystem::path& dir,
                                                            const std::vector<Bytes>& lotl_signers) {
  std::error_code ec;
  std::vector<std::filesystem::path> files;
  for (std::filesystem::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec))
    if (it->path().extension() == ".xml" && it->is_regular_file(ec)) files.push_back(it->path());
  if (ec) return fail(ErrorCode::environment, "cannot list trusted list directory " + dir.string(), ec.message());
  std::sort(files.begin(), files.end());

  struct Pending {
    std::string name;
    Bytes xml;
    bool lotl = false;
  };
  std::vector<Pending> pending;
  DirectoryLoad result;
  for (const auto& file : files) {
    QS_TRY(Bytes xml, core::read_file_bytes(file));
    auto parsed = parse_trusted_list(xml);
    if (!parsed) {
      result.rejected.emplace_back(file.filename().string(), parsed.error().message);
      continue;
    }
    pending.push_back({file.filename().string(), std::move(xml), parsed->tsl_type == kTslTypeEuLotl});
  }
  // LOTLs first: their pointers announce the signers of the member-state lists.
  std::stable_partition(pending.begin(), pending.end(), [](const Pending& p) { return p.lotl; });
  for (auto& p : pending) {
    auto added = p.lotl ? add_lotl(p.xml, lotl_signers, p.name) : add_member_state_list(p.xml, p.name);
    if (added) result.loaded.push_back(*added);
    else result.rejected.emplace_back(p.name, added.error().message);
  }
  return result;
}

void TrustStore::index(const LoadedList& loaded) {
  for (const auto& tsp : loaded.list.providers)
    for (const auto& svc : tsp.services)
      for (const auto& der : svc.certificates)
        if (auto cert = decode_certificate(der)) m_listed.push_back({&loaded, &tsp, &svc, std::move(cert)});
}

std::vector<ServiceMatch> TrustStore::services_for(const X509* cert) const {
  std::vector<ServiceMatch> matches;
  if (cert == nullptr) return matches;
  for (const Listed& l : m_listed) {
    if (!matches.empty() && matches.back().service == l.service) continue;  // each service once
    if (same_key_and_subject(l.cert.get(), cert)) matches.push_back({l.list, l.provider, l.service});
  }
  return matches;
}

const X509* TrustStore::listed_issuer_of(const X509* cert) const {
  if (cert == nullptr) return nullptr;
  const X509* found = nullptr;
  for (const Listed& l : m_listed) {
    if (X509_NAME_cmp(X509_get_subject_name(l.cert.get()), X509_get_issuer_name(cert)) != 0) continue;
    EVP_PKEY* key = X509_get0_pubkey(l.cert.get());
    if (key != nullptr && X509_verify(const_cast<X509*>(cert), key) == 1) {
      found = l.cert.get();
      break;
    }
  }
  ERR_clear_error();
  return found;
}

}  // namespace qualsig::trust
