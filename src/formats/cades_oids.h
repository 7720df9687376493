#pragma once
// Object identifiers of CMS (RFC 5652) and CAdES (ETSI EN 319 122-1), each with its clause.

namespace qualsig::formats::cades::oid {

// RFC 5652 §4: id-data, the content type of arbitrary octets.
inline constexpr const char* kData = "1.2.840.113549.1.7.1";
// RFC 5652 §5.1: id-signedData.
inline constexpr const char* kSignedData = "1.2.840.113549.1.7.2";

// RFC 5652 §11.1: id-contentType (signed attribute; absent in countersignatures).
inline constexpr const char* kContentType = "1.2.840.113549.1.9.3";
// RFC 5652 §11.2: id-messageDigest.
inline constexpr const char* kMessageDigest = "1.2.840.113549.1.9.4";
// RFC 5652 §11.3: id-signingTime.
inline constexpr const char* kSigningTime = "1.2.840.113549.1.9.5";
// RFC 5652 §11.4: id-countersignature (unsigned attribute, value SignerInfo).
inline constexpr const char* kCountersignature = "1.2.840.113549.1.9.6";

// RFC 2634 §5.4 (ESS): id-aa-signingCertificate (ESSCertID with SHA-1; read, never written).
inline constexpr const char* kSigningCertificate = "1.2.840.113549.1.9.16.2.12";
// RFC 5035 §3 / EN 319 122-1 §5.2.2.3: id-aa-signingCertificateV2.
inline constexpr const char* kSigningCertificateV2 = "1.2.840.113549.1.9.16.2.47";
// RFC 3161 Appendix A / EN 319 122-1 §5.3: id-aa-signatureTimeStampToken.
inline constexpr const char* kSignatureTimeStampToken = "1.2.840.113549.1.9.16.2.14";
// RFC 3161 §2.4.2: id-ct-TSTInfo, the eContentType of a time-stamp token.
inline constexpr const char* kTstInfo = "1.2.840.113549.1.9.16.1.4";

// EN 319 122-1 §5.5.3: id-aa-ets-archiveTimestampV3.
inline constexpr const char* kArchiveTimestampV3 = "0.4.0.1733.2.4";
// EN 319 122-1 §5.5.2: id-aa-ATSHashIndexV3 (unsigned attribute of the archive time-stamp token).
inline constexpr const char* kAtsHashIndexV3 = "0.4.0.19122.1.5";

// Forms EN 319 122-1 replaced, read for validation only (qualsig never writes them).
// RFC 5126 §6.2.1 / §6.2.2 (CAdES-C): id-aa-ets-certificateRefs, id-aa-ets-revocationRefs.
inline constexpr const char* kCertificateRefs = "1.2.840.113549.1.9.16.2.21";
inline constexpr const char* kRevocationRefs = "1.2.840.113549.1.9.16.2.22";
// RFC 5126 §6.3.3 / §6.3.4 (CAdES-XL): id-aa-ets-certValues, id-aa-ets-revocationValues.
inline constexpr const char* kCertValues = "1.2.840.113549.1.9.16.2.23";
inline constexpr const char* kRevocationValues = "1.2.840.113549.1.9.16.2.24";
// RFC 5126 §6.3.5 / §6.3.6 (CAdES-X type 1 / type 2): id-aa-ets-escTimeStamp,
// id-aa-ets-certCRLTimestamp.
inline constexpr const char* kEscTimestamp = "1.2.840.113549.1.9.16.2.25";
inline constexpr const char* kCertCrlTimestamp = "1.2.840.113549.1.9.16.2.26";
// RFC 5126 §5.11.3 / §5.11.4: id-aa-ets-attrCertificateRefs, id-aa-ets-attrRevocationRefs.
inline constexpr const char* kAttrCertificateRefs = "1.2.840.113549.1.9.16.2.44";
inline constexpr const char* kAttrRevocationRefs = "1.2.840.113549.1.9.16.2.45";
// ETSI TS 101 733 V1.6 §7.4.1 (withdrawn CAdES-A v1): id-aa-ets-archiveTimestamp.
inline constexpr const char* kArchiveTimestampV1 = "1.2.840.113549.1.9.16.2.27";
// RFC 5126 §6.4.1 (CAdES-A): id-aa-ets-archiveTimestampV2.
inline constexpr const char* kArchiveTimestampV2 = "1.2.840.113549.1.9.16.2.48";

// RFC 5940 §4.1: id-ri-ocsp-response, OtherRevocationInfoFormat carrying a whole OCSPResponse.
inline constexpr const char* kRiOcspResponse = "1.3.6.1.5.5.7.16.2";

}  // namespace qualsig::formats::cades::oid
