#pragma once
// XML namespaces of ETSI TS 119 612 v2 (XSD v2.x, clause 5 and annexes C/D), internal to trust/.

#include "formats/xml_document.h"

namespace qualsig::trust {

// TS 119 612 Annex C: the trusted list schema.
inline constexpr const char* kTslNs = "http://uri.etsi.org/02231/v2#";
// TS 119 612 Annex C: additional types (MimeType, ExtendedKeyUsage, CertSubjectDNAttribute).
inline constexpr const char* kTslxNs = "http://uri.etsi.org/02231/v2/additionaltypes#";
// TS 119 612 §5.5.9.2: ecc:Qualifications.
inline constexpr const char* kEccNs = "http://uri.etsi.org/TrstSvc/SvcInfoExt/eSigDir-1999-93-EC-TrustedList/#";
// EN 319 132-1 (XAdES v1.3.2): xades:ObjectIdentifierType used for PolicyIdentifier.
inline constexpr const char* kXadesNs = formats::xml::kXadesNs;
// The EU LOTL's mutual recognition agreement extension (schema v2 of the EU pilot).
inline constexpr const char* kMraNs = "http://ec.europa.eu/tools/lotl/mra/schema/v2#";
// TS 119 612 §5.2.1: TSLTag attribute value of the root.
inline constexpr const char* kTslTag = "http://uri.etsi.org/19612/TSLTag";

}  // namespace qualsig::trust
