#pragma once
// ETSI TS 119 102-2 V1.4.1 signature validation report (XML) for a ValidationReport:
// `qualsig verify --report etsi`. One SignatureValidationReport per signature with its
// identifier, validation time and best-signature-time, signer certificate (as a validation
// object), the building blocks as validation constraints, the signature quality (the
// qualification level) and the main and sub indications as the URIs of TS 119 102-2 §5.

#include <string>
#include <vector>

#include "core/result.h"
#include "validation/validate.h"

namespace qualsig::validation {

// `quality[i]` is the qualification of signatures[i] ("QESeal", "AdESig-QC", ...; "" when not
// determined); shorter vectors are padded with "". Fails with internal only if libxml2 cannot
// allocate.
Result<std::string> etsi_validation_report(const ValidationReport& report, const std::vector<std::string>& quality);

}  // namespace qualsig::validation
