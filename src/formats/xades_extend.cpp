// XAdES level extension (ETSI EN 319 132-1 V1.1.1): B-T (§5.3 SignatureTimeStamp), B-LT (§5.4.1
// CertificateValues, §5.4.2 RevocationValues) and B-LTA (§5.5.2 ArchiveTimeStamp).
#include <openssl/err.h>
#include <openssl/ocsp.h>

#include "formats/xades.h"
#include "formats/xml_xades.h"

namespace qualsig::formats::xades {
namespace {

using detail::Located;

bool has_child(xmlNode* parent, const char* ns, const char* name) { return xml::first_child(parent, ns, name) != nullptr; }

// The extension functions write v1.3.2 / v1.4.1 elements; older signatures are not extended.
Result<detail::Parsed> parse_for_extension(ByteView xml) {
  QS_TRY(detail::Parsed parsed, detail::parse_signature(xml));
  if (std::string_view(parsed.parts.xades_ns) != xml::kXadesNs)
    return fail(ErrorCode::invalid_input, "XAdES: only XAdES v1.3.2 signatures are extended");
  return parsed;
}

// Strict DER decoding of one validation-data element: the whole buffer, nothing after it.
template <typename T, typename Decoder>
Result<void> check_der(ByteView der, Decoder d2i, void (*free_fn)(T*), const char* what) {
  const unsigned char* p = der.data();
  T* obj = d2i(nullptr, &p, static_cast<long>(der.size()));
  bool good = obj != nullptr && p == der.data() + der.size();
  free_fn(obj);
  ERR_clear_error();
  if (!good) return fail(ErrorCode::invalid_input, std::string("XAdES: ") + what + " is not strict DER");
  return ok();
}

}  // namespace

Result<Bytes> add_signature_timestamp(ByteView xml, const cades::TimestampFn& timestamp, core::DigestAlgorithm digest) {
  QS_TRY(detail::Parsed parsed, parse_for_extension(xml));
  Located& parts = parsed.parts;
  // §5.3: "the input to the computation of the message imprint ... shall be the ds:SignatureValue
  // element, canonicalized" — with the CanonicalizationMethod written in the time-stamp (exc-c14n).
  QS_TRY(Bytes input, xml::canonicalize(parsed.doc.get(), parts.signature_value, xml::kExcC14n));
  QS_TRY(Bytes token, detail::timestamp_over(timestamp, input, digest));
  xmlNode* usp = detail::unsigned_signature_properties(parts);
  QS_TRY_VOID(detail::append_timestamp(usp, xml::kXadesNs, "xades", "SignatureTimeStamp", token));
  return xml::serialize(parsed.doc.get());
}

Result<Bytes> add_validation_data(ByteView xml, const cades::ValidationData& data) {
  if (data.crls.empty() && data.ocsp_responses.empty()) return fail(ErrorCode::usage, "XAdES: no CRL and no OCSP response to add");
  QS_TRY(detail::Parsed parsed, parse_for_extension(xml));
  Located& parts = parsed.parts;
  if (!has_child(parts.unsigned_signature_properties, xml::kXadesNs, "SignatureTimeStamp"))
    return fail(ErrorCode::conflict, "XAdES: B-LT needs a signature time-stamp first");
  for (const Bytes& c : data.certificates) QS_TRY_VOID(core::x509_from_der(c));
  for (const Bytes& c : data.crls) QS_TRY_VOID(check_der<X509_CRL>(c, d2i_X509_CRL, X509_CRL_free, "a CRL"));
  for (const Bytes& o : data.ocsp_responses) {
    QS_TRY_VOID(check_der<OCSP_RESPONSE>(o, d2i_OCSP_RESPONSE, OCSP_RESPONSE_free, "an OCSP response"));
  }
  xmlNode* usp = detail::unsigned_signature_properties(parts);
  // §5.4.1: CertificateValues / EncapsulatedX509Certificate (base64 DER).
  if (!data.certificates.empty()) {
    xmlNode* cv = xml::add_element(usp, xml::kXadesNs, "xades", "CertificateValues");
    for (const Bytes& c : data.certificates) xml::add_element(cv, xml::kXadesNs, "xades", "EncapsulatedX509Certificate", base64_encode(c));
  }
  // §5.4.2: RevocationValues { CRLValues / EncapsulatedCRLValue, OCSPValues / EncapsulatedOCSPValue }.
  xmlNode* rv = xml::add_element(usp, xml::kXadesNs, "xades", "RevocationValues");
  if (!data.crls.empty()) {
    xmlNode* crls = xml::add_element(rv, xml::kXadesNs, "xades", "CRLValues");
    for (const Bytes& c : data.crls) xml::add_element(crls, xml::kXadesNs, "xades", "EncapsulatedCRLValue", base64_encode(c));
  }
  if (!data.ocsp_responses.empty()) {
    xmlNode* ocsps = xml::add_element(rv, xml::kXadesNs, "xades", "OCSPValues");
    for (const Bytes& o : data.ocsp_responses)
      xml::add_element(ocsps, xml::kXadesNs, "xades", "EncapsulatedOCSPValue", base64_encode(o));
  }
  return xml::serialize(parsed.doc.get());
}

Result<Bytes> add_archive_timestamp(ByteView xml, std::optional<ByteView> detached_content, const cades::TimestampFn& timestamp,
                                    core::DigestAlgorithm digest) {
  QS_TRY(detail::Parsed parsed, parse_for_extension(xml));
  Located& parts = parsed.parts;
  xmlNode* usp = parts.unsigned_signature_properties;
  if (!has_child(usp, xml::kXadesNs, "SignatureTimeStamp") ||
      (!has_child(usp, xml::kXadesNs, "RevocationValues") && !has_child(usp, xml::kXadesNs, "CertificateValues")))
    return fail(ErrorCode::conflict, "XAdES: B-LTA needs a signature time-stamp and validation data first");
  // The signature is verified first; xmlsec's reference processing gives step 1's data.
  QS_TRY(Bytes cert, detail::signing_certificate(parts));
  QS_TRY(detail::CoreResult core, detail::core_verify(parts, cert, detached_content));
  QS_TRY(Bytes input, detail::archive_timestamp_input(parsed.doc.get(), parts, core, nullptr, xml::kExcC14n));
  QS_TRY(Bytes token, detail::timestamp_over(timestamp, input, digest));
  QS_TRY_VOID(detail::append_timestamp(usp, xml::kXades141Ns, "xades141", "ArchiveTimeStamp", token));
  return xml::serialize(parsed.doc.get());
}

}  // namespace qualsig::formats::xades
