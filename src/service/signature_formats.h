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
//   jades                   TS 119 182-1  JWS; B-B compact, B-T/B-LT JSON; detached = b64:false

#include <optional>
#include <string>

#include "core/bytes.h"
#include "core/digest.h"
#include "core/openssl.h"
#include "core/result.h"
#include "core/time.h"
#include "hsm/signer.h"
#include "service/trust_service.h"

namespace qualsig::service {

inline constexpr const char* kCades = "cades";
inline constexpr const char* kCadesCounterSignature = "cades-countersignature";
inline constexpr const char* kPades = "pades";
inline constexpr const char* kXades = "xades";
inline constexpr const char* kJades = "jades";

// Checks that `format` exists and can be made at `level` with `detached`; the message names
// what is possible. invalid_input otherwise.
Result<void> check_format(const std::string& format, const std::string& level, bool detached);

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
  std::optional<Bytes> content;  // required when needs_content()
  std::string document_name;     // XAdES detached reference URI
  const X509* certificate = nullptr;
  const hsm::Signer* signer = nullptr;
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
