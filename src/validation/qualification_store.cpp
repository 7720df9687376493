// qualify() over a TrustStore: the matches of every chain certificate become candidates, named
// by their list's authority (only lists reached from the EU LOTL count as EU).

#include <algorithm>

#include "trust/trust_store.h"
#include "validation/qualification.h"

namespace qualsig::validation {
namespace {

std::string list_label(const trust::LoadedList& loaded) {
  switch (loaded.authority) {
    case trust::ListAuthority::eu_lotl: return "EU LOTL (" + loaded.source + ")";
    case trust::ListAuthority::eu_member_state:
      return "EU LOTL -> " + loaded.list.territory + " trusted list (" + loaded.source + ")";
    case trust::ListAuthority::eu_mra:
      return "EU LOTL -> " + loaded.list.territory + " third-country trusted list recognised by mutual recognition agreement (" +
             loaded.source + ")";
    case trust::ListAuthority::private_list: break;
  }
  return "private list " + loaded.source;
}

}  // namespace

QualificationResult qualify(const X509* signer, const std::vector<const X509*>& chain, const trust::TrustStore& store,
                            TimePoint best_signature_time, Indication indication) {
  std::vector<ServiceCandidate> candidates;
  std::vector<const trust::Service*> seen;
  std::vector<const X509*> certs;
  if (signer != nullptr) certs.push_back(signer);
  for (const X509* cert : chain)
    if (cert != nullptr && (signer == nullptr || X509_cmp(cert, signer) != 0)) certs.push_back(cert);
  // The path may end below the certificate a list names: at a CA the caller trusted directly (a
  // trust anchor need not be a root, EN 319 102-1 §5.2.4). Then the certificates the loaded lists
  // name that issued its last certificate (same issuer DN, signature verified) continue it, up to
  // three more levels, so that the services that list them are found.
  for (int level = 0; level < 3 && !certs.empty(); ++level) {
    const X509* last = certs.back();
    if (X509_NAME_cmp(X509_get_subject_name(last), X509_get_issuer_name(last)) == 0) break;
    if (!store.services_for(last).empty()) break;
    const X509* issuer = store.listed_issuer_of(last);
    if (issuer == nullptr || std::find(certs.begin(), certs.end(), issuer) != certs.end()) break;
    certs.push_back(issuer);
  }
  for (const X509* cert : certs) {
    for (const auto& match : store.services_for(cert)) {
      if (match.list == nullptr || match.service == nullptr || match.provider == nullptr) continue;
      // The same service may list two chain certificates (a re-issued CA): count it once.
      if (std::find(seen.begin(), seen.end(), match.service) != seen.end()) continue;
      seen.push_back(match.service);
      ServiceCandidate c;
      c.provider = match.provider;
      c.service = match.service;
      c.list = list_label(*match.list);
      c.territory = match.list->list.territory;
      c.eu = match.list->authority != trust::ListAuthority::private_list;
      if (match.list->authority == trust::ListAuthority::eu_mra) c.mra = &match.list->mra;
      candidates.push_back(std::move(c));
    }
    // Stop at a self-signed certificate (qualification.md §2.1).
    if (X509_NAME_cmp(X509_get_subject_name(cert), X509_get_issuer_name(cert)) == 0) break;
  }
  return qualify_services(signer, candidates, best_signature_time, indication);
}

}  // namespace qualsig::validation
