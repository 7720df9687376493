#pragma once
// A store of ETSI TS 119 612 trusted lists whose enveloped XMLDSig signature verified with an
// announced certificate: the EU LOTL (with operator-configured signers), the member-state lists
// its pointers announce (TS 119 612 §5.3.13), and private lists trusted by configuration. It
// answers which services list a certificate (qualification.md §2.1).
//
// Lists are owned by the store and never move: every pointer it returns stays valid as long as the
// store lives. Not thread-safe for concurrent adds; const members may be called concurrently.

#include <openssl/x509.h>

#include <filesystem>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "core/bytes.h"
#include "core/openssl.h"
#include "core/result.h"
#include "trust/trusted_list.h"

namespace qualsig::trust {

// Which kind of authority a list has: only lists reached from the EU LOTL are "eu"; a list the
// operator configured with its own signing certificate (e.g. our own export-tl) is "private".
// A third-country list the LOTL announces with MRA equivalences (eIDAS Art. 14) is "eu_mra":
// recognised under EU law through the agreement, and read through its equivalences.
enum class ListAuthority { eu_lotl, eu_member_state, eu_mra, private_list };

struct LoadedList {
  TrustedList list;
  std::string source;                 // file name or URL it was read from
  ListAuthority authority = ListAuthority::private_list;
  Bytes signer_certificate;           // DER of the certificate whose signature verified
  std::vector<std::string> warnings;  // expired NextUpdate, version, etc.
  // eu_mra: the equivalences of the announcing pointer; `list` is already translated
  // (translate_mra), and qualification applies the certificate content equivalences.
  std::vector<MraEquivalence> mra;
};

// A service entry that lists a certificate of the chain (same public key and same subject DN).
// The pointers refer into the store and stay valid while it lives.
struct ServiceMatch {
  const LoadedList* list = nullptr;
  const TrustServiceProvider* provider = nullptr;
  const Service* service = nullptr;
};

class TrustStore {
 public:
  // A LOTL whose enveloped XMLDSig signature verifies (formats::xades::verify; exactly one
  // signature, enveloped, signing time inside the signer's validity) with a signer certificate that
  // is one of `signing_certificates` (DER, compared byte for byte); its pointers
  // announce who may sign the member-state lists. Fails with denied (bad signature, unsigned,
  // signer not one of the given certificates), invalid_input (not a TS 119 612 list, or its
  // TSLType is not the EU LOTL type).
  Result<const LoadedList*> add_lotl(ByteView xml, const std::vector<Bytes>& signing_certificates, std::string source);

  // A member-state list: its signature must verify and its signer certificate must be one a loaded
  // LOTL announces (TS 119 612 §5.3.13) in a pointer whose TSLLocation is `source` (the URL the list
  // was fetched from, as DSS follows pointers), one of the list's own DistributionPoints, or whose
  // SchemeTerritory is the list's. When that
  // pointer carries MRA equivalences, the list is a third-country list (eu_mra), stored translated
  // (translate_mra) with the equivalences. Fails with
  // denied (bad signature, no such LOTL pointer, signer not announced) or invalid_input (not a
  // TS 119 612 list).
  Result<const LoadedList*> add_member_state_list(ByteView xml, std::string source);

  // A private list (e.g. qualsig's own), trusted because the operator configured its signer: the
  // signature must verify with one of `signing_certificates` (DER). Fails as add_lotl (no TSLType
  // requirement).
  Result<const LoadedList*> add_private_list(ByteView xml, const std::vector<Bytes>& signing_certificates,
                                             std::string source);

  // Loads every *.xml in `dir` (sorted by name): files whose TSLType is the LOTL type first (with
  // `lotl_signers`), then the rest as member-state lists; lists that fail are reported in
  // `rejected` as (file name, error message), not fatal. Fails with environment if `dir` cannot be
  // listed or a file cannot be read.
  struct DirectoryLoad {
    std::vector<const LoadedList*> loaded;
    std::vector<std::pair<std::string, std::string>> rejected;
  };
  Result<DirectoryLoad> add_directory(const std::filesystem::path& dir, const std::vector<Bytes>& lotl_signers);

  // Every service of every loaded list whose current ServiceDigitalIdentity holds a certificate
  // with the public key and subject DN of `cert` (qualification.md §2.1). `cert` is borrowed for
  // the call; an empty result when nothing matches or `cert` is null.
  std::vector<ServiceMatch> services_for(const X509* cert) const;

  // A certificate some service of a loaded list names that issued `cert`: its subject DN is
  // `cert`'s issuer DN and its key verifies `cert`'s signature. Null when there is none. Owned by
  // the store. (A path that ends at a caller-trusted CA below the listed one continues through it.)
  const X509* listed_issuer_of(const X509* cert) const;

  const std::vector<std::unique_ptr<LoadedList>>& lists() const { return m_lists; }

 private:
  // Verifies the signature of `xml` (parsed as `list`): exactly one enveloped XAdES signature, by
  // one of `allowed_signers`, made inside that certificate's validity; then stores the list.
  Result<const LoadedList*> add_verified(ByteView xml, TrustedList list, const std::vector<Bytes>& allowed_signers,
                                         ListAuthority authority, std::string source);

  // Every certificate a service of a loaded list names, decoded once when its list is stored
  // (after any MRA translation: the pointers refer into the stored list).
  struct Listed {
    const LoadedList* list = nullptr;
    const TrustServiceProvider* provider = nullptr;
    const Service* service = nullptr;
    core::UniquePtr<X509> cert;
  };
  void index(const LoadedList& loaded);

  std::vector<std::unique_ptr<LoadedList>> m_lists;
  std::vector<Listed> m_listed;
};

}  // namespace qualsig::trust
