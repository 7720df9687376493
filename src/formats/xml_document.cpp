// Safe XML parsing, canonicalisation and tree helpers on libxml2; xmlsec1 initialisation.
#include "formats/xml_document.h"

#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/valid.h>
#include <openssl/rand.h>
#include <xmlsec/crypto.h>
#include <xmlsec/errors.h>
#include <xmlsec/io.h>
#include <xmlsec/xmlsec.h>

#include <algorithm>
#include <cstring>
#include <mutex>

#include "core/openssl.h"

namespace qualsig::formats::xml {
namespace {

thread_local const DetachedScope* t_detached = nullptr;

struct UriReader {
  ByteView content;
  std::size_t pos = 0;
};

// xmlsec's URI input callbacks: the only source of non-same-document data. Anything but the one
// URI installed by DetachedScope on this thread does not match, so xmlsec finds no handler and
// fails the reference.
int io_match(const char* uri) { return t_detached != nullptr && uri != nullptr && t_detached->uri() == uri ? 1 : 0; }
void* io_open(const char* uri) {
  if (io_match(uri) == 0) return nullptr;
  return new UriReader{t_detached->content(), 0};
}
int io_read(void* context, char* buffer, int len) {
  auto* reader = static_cast<UriReader*>(context);
  if (len <= 0) return 0;
  std::size_t n = std::min<std::size_t>(static_cast<std::size_t>(len), reader->content.size() - reader->pos);
  if (n > 0) std::memcpy(buffer, reader->content.data() + reader->pos, n);
  reader->pos += n;
  return static_cast<int>(n);
}
int io_close(void* context) {
  delete static_cast<UriReader*>(context);
  return 0;
}

// xmlsec reports errors through a global callback that prints to stderr by default; errors reach
// the caller as return codes, so the printout is dropped.
void quiet_errors(const char*, int, const char*, const char*, const char*, int, const char*) {}

bool g_initialized = false;
std::once_flag g_init_once;

void initialize() {
  xmlInitParser();
  if (xmlSecInit() < 0) return;
  if (xmlSecCheckVersion() != 1) return;
  if (xmlSecCryptoAppInit(nullptr) < 0) return;
  if (xmlSecCryptoInit() < 0) return;
  xmlSecErrorsSetCallback(&quiet_errors);
  // Replace the default file/HTTP/FTP handlers: references are served from memory only.
  xmlSecIOCleanupCallbacks();
  if (xmlSecIORegisterCallbacks(&io_match, &io_open, &io_read, &io_close) < 0) return;
  ERR_clear_error();
  g_initialized = true;
}

// SAX internalSubset / externalSubset: a DOCTYPE is refused before its internal subset (and so any
// entity declaration) is read.
void refuse_doctype(void* ctx, const xmlChar*, const xmlChar*, const xmlChar*) {
  auto* parser = static_cast<xmlParserCtxtPtr>(ctx);
  *static_cast<bool*>(parser->_private) = true;
  xmlStopParser(parser);
}

struct ParserFree {
  void operator()(xmlParserCtxt* ctxt) const noexcept { xmlFreeParserCtxt(ctxt); }
};

int tree_depth(const xmlNode* root) {
  int max_depth = 0;
  int depth = 1;
  const xmlNode* node = root;
  while (node != nullptr) {
    if (node->type == XML_ELEMENT_NODE) max_depth = std::max(max_depth, depth);
    if (node->type == XML_ELEMENT_NODE && node->children != nullptr) {
      node = node->children;
      ++depth;
      continue;
    }
    while (node != root && node->next == nullptr) {
      node = node->parent;
      --depth;
    }
    if (node == root) break;
    node = node->next;
  }
  return max_depth;
}

struct VisibleSet {
  const xmlNode* subtree;
  const xmlNode* exclude;
};

// xmlC14NIsVisibleCallback: a node is in the set when `subtree` is an ancestor-or-self (any node
// when null) and `exclude` is not. Namespace and attribute nodes belong to their element.
int is_visible(void* user_data, xmlNodePtr node, xmlNodePtr parent) {
  const auto* set = static_cast<const VisibleSet*>(user_data);
  const xmlNode* n = node;
  if (node == nullptr || node->type == XML_NAMESPACE_DECL) n = parent;
  bool inside = set->subtree == nullptr;
  for (const xmlNode* p = n; p != nullptr; p = p->parent) {
    if (p == set->exclude) return 0;
    if (p == set->subtree) inside = true;
    if (p->type == XML_DOCUMENT_NODE) break;
  }
  return inside ? 1 : 0;
}

int append_bytes(void* context, const char* buffer, int len) {
  auto* out = static_cast<Bytes*>(context);
  out->insert(out->end(), buffer, buffer + len);
  return len;
}

}  // namespace

Result<void> ensure_initialized() {
  std::call_once(g_init_once, initialize);
  if (!g_initialized) return fail(ErrorCode::internal, "XML: xmlsec could not be initialised");
  return ok();
}

DetachedScope::DetachedScope(std::string_view uri, ByteView content) : m_uri(uri), m_content(content) {
  t_detached = this;
}
DetachedScope::~DetachedScope() { t_detached = nullptr; }

Result<DocPtr> parse(ByteView data, std::size_t max_size, int max_depth) {
  QS_TRY_VOID(ensure_initialized());
  if (data.empty()) return fail(ErrorCode::invalid_input, "XML: empty document");
  if (data.size() > max_size) return fail(ErrorCode::invalid_input, "XML: document larger than the accepted maximum");
  std::unique_ptr<xmlParserCtxt, ParserFree> ctxt(xmlNewParserCtxt());
  if (!ctxt || ctxt->sax == nullptr) return fail(ErrorCode::internal, "XML: cannot create a parser");
  bool saw_doctype = false;
  ctxt->_private = &saw_doctype;
  ctxt->sax->internalSubset = &refuse_doctype;
  ctxt->sax->externalSubset = &refuse_doctype;
  // No XML_PARSE_NOENT (entity substitution), DTDLOAD, DTDATTR, DTDVALID, XINCLUDE or HUGE (which
  // would lift libxml2's own depth and size limits).
  const int options = XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING;
  DocPtr doc(xmlCtxtReadMemory(ctxt.get(), reinterpret_cast<const char*>(data.data()), static_cast<int>(data.size()),
                               nullptr, nullptr, options));
  if (saw_doctype) return fail(ErrorCode::invalid_input, "XML: documents with a DOCTYPE are refused");
  if (!doc || ctxt->wellFormed == 0) {
    const xmlError* err = xmlCtxtGetLastError(ctxt.get());
    return fail(ErrorCode::invalid_input, "XML: not a well-formed document",
                err != nullptr && err->message != nullptr ? err->message : "");
  }
  if (doc->intSubset != nullptr || doc->extSubset != nullptr)
    return fail(ErrorCode::invalid_input, "XML: documents with a DOCTYPE are refused");
  xmlNode* root = xmlDocGetRootElement(doc.get());
  if (root == nullptr) return fail(ErrorCode::invalid_input, "XML: no root element");
  if (tree_depth(root) > max_depth) return fail(ErrorCode::invalid_input, "XML: elements nested too deeply");
  return doc;
}

Result<void> register_ids(xmlDoc* doc) {
  xmlNode* root = xmlDocGetRootElement(doc);
  xmlNode* node = root;
  while (node != nullptr) {
    if (node->type == XML_ELEMENT_NODE) {
      for (xmlAttr* attr = node->properties; attr != nullptr; attr = attr->next) {
        if (attr->ns != nullptr || xmlStrcmp(attr->name, BAD_CAST "Id") != 0) continue;
        std::string value = text(reinterpret_cast<xmlNode*>(attr));
        xmlAttr* existing = xmlGetID(doc, BAD_CAST value.c_str());
        if (existing == attr) continue;
        if (existing != nullptr) return fail(ErrorCode::invalid_input, "XML: duplicate Id value '" + value + "' (signature wrapping?)");
        if (xmlAddID(nullptr, doc, BAD_CAST value.c_str(), attr) == nullptr)
          return fail(ErrorCode::invalid_input, "XML: cannot register Id '" + value + "'");
      }
    }
    if (node->type == XML_ELEMENT_NODE && node->children != nullptr) {
      node = node->children;
      continue;
    }
    while (node != nullptr && node != root && node->next == nullptr) node = node->parent;
    if (node == nullptr || node == root) break;
    node = node->next;
  }
  return ok();
}

Result<Bytes> serialize(xmlDoc* doc) {
  xmlChar* mem = nullptr;
  int size = 0;
  xmlDocDumpMemoryEnc(doc, &mem, &size, "UTF-8");
  if (mem == nullptr || size <= 0) return fail(ErrorCode::internal, "XML: cannot serialise the document");
  Bytes out(mem, mem + size);
  xmlFree(mem);
  return out;
}

Result<Bytes> canonicalize(xmlDoc* doc, xmlNode* subtree, std::string_view algorithm, const xmlNode* exclude) {
  int mode = 0;
  int with_comments = 0;
  if (algorithm == kExcC14n || algorithm == kExcC14nComments) {
    mode = XML_C14N_EXCLUSIVE_1_0;
  } else if (algorithm == kC14n10 || algorithm == kC14n10Comments) {
    mode = XML_C14N_1_0;
  } else if (algorithm == kC14n11 || algorithm == std::string_view("http://www.w3.org/2006/12/xml-c14n11#WithComments")) {
    mode = XML_C14N_1_1;
  } else {
    return fail(ErrorCode::invalid_input, "XML: unsupported canonicalisation method", std::string(algorithm));
  }
  // "#WithComments" only matters for a whole-document node set: a subtree chosen by Id
  // (XPointer #id) never holds comments (XMLDSig 1.1 §4.4.3.3).
  if (subtree == nullptr && algorithm.ends_with("#WithComments")) with_comments = 1;
  Bytes out;
  xmlOutputBufferPtr buf = xmlOutputBufferCreateIO(&append_bytes, nullptr, &out, nullptr);
  if (buf == nullptr) return fail(ErrorCode::internal, "XML: cannot create an output buffer");
  VisibleSet set{subtree, exclude};
  int rc = xmlC14NExecute(doc, &is_visible, &set, mode, nullptr, with_comments, buf);
  int close_rc = xmlOutputBufferClose(buf);
  if (rc < 0 || close_rc < 0) return fail(ErrorCode::invalid_input, "XML: canonicalisation failed");
  return out;
}

bool is_element(const xmlNode* node, const char* ns, const char* name) {
  return node != nullptr && node->type == XML_ELEMENT_NODE && node->ns != nullptr &&
         xmlStrcmp(node->ns->href, BAD_CAST ns) == 0 && xmlStrcmp(node->name, BAD_CAST name) == 0;
}

xmlNode* first_child(xmlNode* parent, const char* ns, const char* name) {
  if (parent == nullptr) return nullptr;
  for (xmlNode* c = parent->children; c != nullptr; c = c->next)
    if (is_element(c, ns, name)) return c;
  return nullptr;
}

std::vector<xmlNode*> children(xmlNode* parent, const char* ns, const char* name) {
  std::vector<xmlNode*> out;
  if (parent == nullptr) return out;
  for (xmlNode* c = parent->children; c != nullptr; c = c->next)
    if (is_element(c, ns, name)) out.push_back(c);
  return out;
}

std::vector<xmlNode*> descendants(xmlNode* root, const char* ns, const char* name) {
  std::vector<xmlNode*> out;
  xmlNode* node = root;
  while (node != nullptr) {
    if (is_element(node, ns, name)) out.push_back(node);
    if (node->type == XML_ELEMENT_NODE && node->children != nullptr) {
      node = node->children;
      continue;
    }
    while (node != nullptr && node != root && node->next == nullptr) node = node->parent;
    if (node == nullptr || node == root) break;
    node = node->next;
  }
  return out;
}

std::string text(const xmlNode* node) {
  if (node == nullptr) return {};
  xmlChar* content = xmlNodeGetContent(node);
  if (content == nullptr) return {};
  std::string out(reinterpret_cast<const char*>(content));
  xmlFree(content);
  return out;
}

std::optional<std::string> attribute(const xmlNode* node, const char* name) {
  if (node == nullptr) return std::nullopt;
  xmlChar* value = xmlGetNoNsProp(node, BAD_CAST name);
  if (value == nullptr) return std::nullopt;
  std::string out(reinterpret_cast<const char*>(value));
  xmlFree(value);
  return out;
}

Result<Bytes> base64_content(const xmlNode* node, std::string_view what) {
  std::string t = text(node);
  std::erase_if(t, [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; });
  auto decoded = base64_decode(t);
  if (!decoded || decoded->empty()) return fail(ErrorCode::invalid_input, "XAdES: " + std::string(what) + " is not base64");
  return std::move(*decoded);
}

xmlNode* add_element(xmlNode* parent, const char* ns_href, const char* prefix, const char* name, std::string_view content) {
  xmlNode* node = xmlNewNode(nullptr, BAD_CAST name);
  xmlAddChild(parent, node);
  xmlNs* ns = xmlSearchNsByHref(parent->doc, parent, BAD_CAST ns_href);
  if (ns == nullptr) ns = xmlNewNs(node, BAD_CAST ns_href, BAD_CAST prefix);
  xmlSetNs(node, ns);
  if (!content.empty()) {
    std::string copy(content);
    xmlNodeAddContent(node, BAD_CAST copy.c_str());
  }
  return node;
}

const char* digest_uri(core::DigestAlgorithm alg) {
  switch (alg) {
    case core::DigestAlgorithm::sha256: return "http://www.w3.org/2001/04/xmlenc#sha256";       // RFC 6931 §2.1.3
    case core::DigestAlgorithm::sha384: return "http://www.w3.org/2001/04/xmldsig-more#sha384";  // RFC 6931 §2.1.3
    case core::DigestAlgorithm::sha512: return "http://www.w3.org/2001/04/xmlenc#sha512";       // RFC 6931 §2.1.3
  }
  return "";
}

const EVP_MD* digest_for_uri(std::string_view uri) {
  if (uri == "http://www.w3.org/2001/04/xmlenc#sha256") return EVP_sha256();
  if (uri == "http://www.w3.org/2001/04/xmldsig-more#sha384") return EVP_sha384();
  if (uri == "http://www.w3.org/2001/04/xmlenc#sha512") return EVP_sha512();
  if (uri == "http://www.w3.org/2001/04/xmldsig-more#sha224") return EVP_sha224();
  if (uri == "http://www.w3.org/2000/09/xmldsig#sha1") return EVP_sha1();  // XMLDSig 1.1 §6.2.1 (legacy)
  return nullptr;
}

Result<std::string> random_id() {
  unsigned char raw[16];
  if (RAND_bytes(raw, sizeof(raw)) != 1) return core::openssl_error(ErrorCode::crypto, "XML: no random bytes for an Id");
  return "id-" + hex_encode(ByteView(raw, sizeof(raw)));
}

}  // namespace qualsig::formats::xml
