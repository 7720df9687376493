#pragma once
// RFC 7512 PKCS#11 URIs, the subset that selects a module, a token and an object:
//   pkcs11:token=qualsig;object=root-ca;id=%01%02?module-path=/usr/lib/softhsm/libsofthsm2.so
// pin-value is refused: a PIN does not belong in a URI stored in a config file (use pin-source
// or the environment).

#include <optional>
#include <string>

#include "core/bytes.h"
#include "core/result.h"

namespace qualsig::hsm {

struct Pkcs11Uri {
  std::optional<std::string> token;         // path attribute "token" (CK_TOKEN_INFO label)
  std::optional<std::string> manufacturer;  // "manufacturer"
  std::optional<std::string> serial;        // "serial"
  std::optional<std::string> model;         // "model"
  std::optional<unsigned long> slot_id;     // "slot-id" (RFC 7512 §2.3)
  std::optional<std::string> object;        // "object" (CKA_LABEL)
  std::optional<Bytes> id;                  // "id" (CKA_ID)
  std::optional<std::string> type;          // "type": private, public, cert, ...
  std::optional<std::string> module_path;   // query "module-path"
  std::optional<std::string> pin_source;    // query "pin-source" (file: URI or path)
};

// Parses and percent-decodes; unknown path attributes are refused (RFC 7512 §2.3 allows
// vendor attributes "x-..." which are ignored).
Result<Pkcs11Uri> parse_pkcs11_uri(std::string_view text);

}  // namespace qualsig::hsm
