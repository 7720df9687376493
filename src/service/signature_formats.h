#pragma once
// The formats a sign request can produce, and the one place that turns an authorised request into
// bytes of that format (formats/ does the encoding; this file chooses the options from the
// request and the service's own TSA and revocation data).
//
//   cades                   EN 319 122-1  detached (digest only) or enveloping
//   cades-countersignature  RFC 5652 §11.4: the "document" is an existing CAdES signature
//   pades                   EN 319 142-1  an incremental update of the PDF (never detached)
//   xades                   EN 319 132-1  detached (digest only); otherwise enveloped when the
//                                         document is XML, enveloping (base64) when it is not
//   jades                   TS 119 182-1  JWS; B-B compact, B-T/B-LT JSON; detached = b64:false over
//                                         the content, or sigD by reference from the digest alone
//   raw                     a bare signature value over the digest (CSC API v2 signatures/signHash):
//                           DER ECDSA-Sig-Value or an RSASSA signature; level "none", detached

#include <optional>
#include <string>

#include "core/bytes.h"
#include "core/digest.h"
#include "core/openssl.h"
#include "core/result.h"
#include "core/time.h"
#include "hsm/signer.h"
#include <nlohmann/json.hpp>

#include "service/trust_service.h"

namespace qualsig::service {

inline constexpr const char* kCades = "cades";
inline constexpr const char* kCadesCounterSignature = "cades-countersignature";
inline constexpr const char* kPades = "pades";
inline constexpr const char* kXades = "xades";
inline constexpr const char* kJades = "jades";
inline constexpr const char* kRaw = "raw";
inline constexpr const char* kRawLevel = "none";  // a bare signature value has no AdES level

// Per-format options of a sign request, stored with it: what approvers approve is what is made.
struct Appearance {             // a visible PAdES signature (ISO 32000-1 §12.7.4.5 widget)
  int page = 1;                 // 1-based
  double llx = 0, lly = 0, urx = 0, ury = 0;
};
struct FormatOptions {
  std::optional<int> certify;           // pades: a certification signature, DocMDP P 1..3 (ISO 32000-1 §12.8.2.2)
  std::optional<Appearance> visible;    // pades: drawn with the signer's name, organisation and the time
  std::string reason, location;         // pades: /Reason and /Location
  std::string packaging;                // xades: "" (enveloped for XML, enveloping otherwise) | enveloped | enveloping
};
// Strict JSON form {"certify":2,"visible":{"page":1,"rect":[x1,y1,x2,y2]},"reason":"","location":"",
// "packaging":""}; absent members take the defaults. invalid_input names the bad member.
Result<FormatOptions> parse_format_options(std::string_view json);
nlohmann::json to_json(const FormatOptions& options);
// "PAGE:LLX,LLY,URX,URY" (the CLI's --visible). invalid_input otherwise.
Result<Appearance> parse_appearance(std::string_view text);

// Checks that `format` exists and can be made at `level` with `detached` and `options`; the
// message names what is possible. invalid_input otherwise.
Result<void> check_format(const std::string& format, const std::string& level, bool detached,
                          const FormatOptions& options = {});

// Whether producing `format` needs the document's bytes (not only its digest).
bool needs_content(const std::string& format, const std::string& level, bool detached);

// Largest document `format` accepts as content (the CLI refuses bigger files before reading).
std::size_t max_content_size(const std::string& format);

struct ProduceInput {
  std::string format;
  std::string level;
  bool detached = false;
  core::DigestAlgorithm digest = core::DigestAlgorithm::sha256;
  Bytes document_digest;         // under `digest`
  std::optional<ByteView> content;  // required when needs_content(); borrowed
  std::string document_name;     // XAdES detached reference URI
  FormatOptions options;
  const X509* certificate = nullptr;
  const hsm::Signer* signer = nullptr;
  // raw: the scheme the caller asked for (CSC signAlgo); absent: the key's default scheme.
  std::optional<hsm::SignatureScheme> scheme;
  // raw with scheme rsa_pss: RSASSA-PSS parameters other than the default (CSC signAlgoParams).
  std::optional<hsm::PssParams> pss;
};

struct Produced {
  // What the service stores and logs as "the signature": for PAdES the incremental update alone
  // (the signed PDF is the document followed by it: documents are not stored, decisions.md).
  Bytes signature;
  bool appended_to_document = false;  // PAdES: the signed file is content || signature
};

// Produces the signature in the token at the request's level, with the service's TSA for B-T and
// up and its own revocation data for B-LT and up. Errors of formats/ pass through.
Result<Produced> produce_signature(TrustService& svc, const ProduceInput& in, TimePoint now);

}  // namespace qualsig::service
