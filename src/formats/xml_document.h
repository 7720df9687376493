#pragma once
// Internal to formats/: safe XML parsing, canonicalisation and tree helpers on libxml2, and the
// one-time xmlsec1 initialisation, for the XAdES code (xades_*.cpp).
//
// Safety (see xades.h): size and depth bounds, XML_PARSE_NONET, no entity substitution, no DTD
// loading, and any <!DOCTYPE> refused (the SAX internalSubset callback stops the parser before the
// internal subset is read). Ids are registered explicitly and duplicates refused.

#include <libxml/c14n.h>
#include <openssl/evp.h>
#include <libxml/tree.h>

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/bytes.h"
#include "core/digest.h"
#include "core/result.h"

namespace qualsig::formats::xml {

// XMLDSig core namespace (XMLDSig 1.1 §1.3) and XAdES namespaces (EN 319 132-1 §4.2; the
// v1.1.1 one is read for old signatures only).
inline constexpr const char* kDsNs = "http://www.w3.org/2000/09/xmldsig#";
inline constexpr const char* kXadesNs = "http://uri.etsi.org/01903/v1.3.2#";
inline constexpr const char* kXades141Ns = "http://uri.etsi.org/01903/v1.4.1#";
inline constexpr const char* kXades111Ns = "http://uri.etsi.org/01903/v1.1.1#";

// Algorithm URIs. Canonicalisation: XML-C14N 1.0, C14N 1.1, Exclusive C14N 1.0 (XMLDSig 1.1 §6.5).
inline constexpr const char* kC14n10 = "http://www.w3.org/TR/2001/REC-xml-c14n-20010315";
inline constexpr const char* kC14n10Comments = "http://www.w3.org/TR/2001/REC-xml-c14n-20010315#WithComments";
inline constexpr const char* kC14n11 = "http://www.w3.org/2006/12/xml-c14n11";
inline constexpr const char* kExcC14n = "http://www.w3.org/2001/10/xml-exc-c14n#";
inline constexpr const char* kExcC14nComments = "http://www.w3.org/2001/10/xml-exc-c14n#WithComments";
// XMLDSig 1.1 §6.6.4 enveloped-signature transform, §6.6.2 base64 transform.
inline constexpr const char* kEnvelopedTransform = "http://www.w3.org/2000/09/xmldsig#enveloped-signature";
inline constexpr const char* kBase64Transform = "http://www.w3.org/2000/09/xmldsig#base64";
// EN 319 132-1 §6.3 / XAdES: Type of the Reference to SignedProperties.
inline constexpr const char* kSignedPropertiesType = "http://uri.etsi.org/01903#SignedProperties";

// RAII for libxml2 documents.
struct DocFree {
  void operator()(xmlDoc* doc) const noexcept { xmlFreeDoc(doc); }
};
using DocPtr = std::unique_ptr<xmlDoc, DocFree>;

// Initialises libxml2, xmlsec and its OpenSSL backend exactly once per process (std::call_once),
// and replaces xmlsec's I/O callbacks by one that serves only the URI installed with
// DetachedScope (no file or network access). Never shut down. Fails with internal if xmlsec
// could not be initialised (then it fails every time).
Result<void> ensure_initialized();

// While alive, xmlsec's URI input on this thread serves `content` for exactly `uri` and nothing
// else. Not reentrant; the views must outlive the scope.
class DetachedScope {
 public:
  DetachedScope(std::string_view uri, ByteView content);
  ~DetachedScope();
  DetachedScope(const DetachedScope&) = delete;
  DetachedScope& operator=(const DetachedScope&) = delete;

  const std::string& uri() const { return m_uri; }
  ByteView content() const { return m_content; }

 private:
  std::string m_uri;
  ByteView m_content;
};

// Parses `data` as described at the top. `max_size`/`max_depth` are the bounds. Fails with
// invalid_input naming the problem (empty, too large, DOCTYPE, too deep, not well-formed).
Result<DocPtr> parse(ByteView data, std::size_t max_size, int max_depth);

// Registers every no-namespace attribute named "Id" as an XML ID (xmlAddID). Fails with
// invalid_input when two elements carry the same value.
Result<void> register_ids(xmlDoc* doc);

// Serialises a document as UTF-8 with an XML declaration.
Result<Bytes> serialize(xmlDoc* doc);

// Canonical form of the node set "`subtree` and its descendants" (the whole document when null),
// without comments, minus the subtree `exclude` (if given), by libxml2's xmlC14NExecute.
// `algorithm` is one of the c14n URIs above (kC14n10, kC14n11, kExcC14n); others fail with
// invalid_input.
Result<Bytes> canonicalize(xmlDoc* doc, xmlNode* subtree, std::string_view algorithm, const xmlNode* exclude = nullptr);

// Tree helpers. Names are local names in namespace `ns`.
bool is_element(const xmlNode* node, const char* ns, const char* name);
xmlNode* first_child(xmlNode* parent, const char* ns, const char* name);
std::vector<xmlNode*> children(xmlNode* parent, const char* ns, const char* name);
// All elements in document order below (and including) `root`, iteratively.
std::vector<xmlNode*> descendants(xmlNode* root, const char* ns, const char* name);
std::string text(const xmlNode* node);                    // concatenated text content
std::optional<std::string> attribute(const xmlNode* node, const char* name);  // no-namespace attribute
// Base64 text content (whitespace ignored). Fails with invalid_input when not base64.
Result<Bytes> base64_content(const xmlNode* node, std::string_view what);

// New element in namespace `ns_href` with prefix `prefix` (declared on the element unless an
// ancestor of `parent` declares it), appended to `parent`; text content optional.
xmlNode* add_element(xmlNode* parent, const char* ns_href, const char* prefix, const char* name,
                     std::string_view content = {});

// XMLDSig digest URIs (XMLDSig 1.1 §6.2, RFC 6931 §2.1.3) for SHA-256/384/512, and the reverse
// (also SHA-1 and SHA-224 for reading old signatures; nullptr if unknown).
const char* digest_uri(core::DigestAlgorithm alg);
const EVP_MD* digest_for_uri(std::string_view uri);

// An Id value "id-<32 hex digits>" from 16 random bytes. Fails with crypto if OpenSSL's DRBG fails.
Result<std::string> random_id();

}  // namespace qualsig::formats::xml
