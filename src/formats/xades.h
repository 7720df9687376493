#pragma once
// XAdES digital signatures, ETSI EN 319 132-1 V1.1.1 baseline levels B-B, B-T, B-LT and B-LTA, on
// XML Signature (XMLDSig 1.1, W3C), enveloped, enveloping and detached.
//
// * libxml2 parses and canonicalises (exclusive C14N 1.0), xmlsec1 runs the XMLDSig core
//   validation; nothing here canonicalises or parses XML by hand.
// * Signing goes through hsm::Signer::sign_digest: the key stays in the token. EC keys sign with
//   ECDSA (SignatureValue r||s, XMLDSig 1.1 §6.4.3 / RFC 4050), RSA keys with PKCS#1 v1.5
//   (rsa-sha256/384/512, RFC 6931 §2.3.2); the hash is SignOptions::digest.
// * Time-stamps come from a cades::TimestampFn (formats/ knows no TSA); every token is checked to
//   time-stamp exactly the imprint that was asked for.
//
// Untrusted XML (every input of sign's enveloped mode, the add_* functions, inspect and verify) is
// parsed safely: at most kMaxXmlSize bytes, element nesting at most kMaxXmlDepth, no network
// (XML_PARSE_NONET), no entity substitution and no DTD loading; any document type declaration
// (<!DOCTYPE ...>) is refused outright, so no entity can ever be declared, expanded or fetched.
// Every attribute named Id (no namespace) is registered as an XML ID; a document in which two
// elements carry the same Id value is refused (signature wrapping). xmlsec resolves only
// same-document references, plus, for a detached signature, the one URI that is served from the
// caller's `detached_content` (never from disk or network); XSLT transforms are refused.
//
// Every function takes and returns whole UTF-8 documents, keeps nothing between calls, reads
// views only during the call and is thread-safe. See README.md in this folder.

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "core/bytes.h"
#include "core/digest.h"
#include "core/openssl.h"
#include "core/result.h"
#include "core/time.h"
#include "formats/cades.h"
#include "hsm/signer.h"

namespace qualsig::formats::xades {

// Largest XML document accepted (checked before parsing).
inline constexpr std::size_t kMaxXmlSize = 64u << 20;
// Deepest element nesting accepted (the root element is depth 1); deeper is invalid_input.
inline constexpr int kMaxXmlDepth = 256;

// Where the signed data is (EN 319 132-1 §4: enveloped, enveloping, detached).
enum class Packaging { enveloped, enveloping, detached };

struct SignOptions {
  cades::Level level = cades::Level::b_b;
  // Hash of the references, of SigningCertificateV2 and of the signature (SignatureMethod).
  core::DigestAlgorithm digest = core::DigestAlgorithm::sha256;
  Packaging packaging = Packaging::enveloped;
  TimePoint signing_time;                 // xades:SigningTime (EN 319 132-1 §5.2.1)
  std::vector<const X509*> chain;         // borrowed; ds:KeyInfo/X509Data gets signer + chain
  cades::TimestampFn timestamp;           // required for B-T and up
  cades::ValidationData validation_data;  // B-LT and up: at least one CRL or OCSP response
  // DataObjectFormat/MimeType (EN 319 132-1 §5.2.4); empty: "text/xml" (enveloped) or
  // "application/octet-stream" (enveloping, detached).
  std::string mime_type;
  // Detached only: the ds:Reference URI (e.g. the file name); required, must not start with '#'.
  std::string detached_uri;
};

// Signs `document` with `signer`, whose certificate is `signer_cert`, and returns the signed XML
// document (UTF-8), at options.level (the add_* functions below are applied in turn).
// * enveloped: `document` is an XML document; the ds:Signature is appended as the last child of its
//   root element; its data Reference has URI="" with the enveloped-signature and exc-c14n
//   transforms (XMLDSig §6.6.4).
// * enveloping: `document` is any bytes (XML too), always carried base64 in a ds:Object with
//   Encoding base64; the Reference points to the Object's Id with the base64 transform, so the
//   digest is over exactly the given bytes.
// * detached: use sign_detached (fails with usage here).
// The result is checked with verify before it is returned.
// Fails with conflict if the enveloped document already holds a XAdES signature (parallel
// signatures are not made: the add_* functions work on the first XAdES signature), with
// usage (missing time-stamp function or validation data for the level, a certificate
// whose key is not the signer's), invalid_input (the
// enveloped document is not acceptable XML, see the header comment, or an Id collides), token (the
// HSM refused), crypto (the new signature does not verify), or the add_* functions' errors.
// `signer_cert` and the chain are borrowed for the call.
Result<Bytes> sign(ByteView document, const X509* signer_cert, const hsm::Signer& signer, const SignOptions& options);

// A detached signature over an external document of which only the options.digest digest is
// given; the Reference has URI=options.detached_uri and no transforms. Returns a standalone
// ds:Signature document. options.packaging must be detached; options.level at most B-LT (the
// archive time-stamp needs the document: add it with add_archive_timestamp). Fails as sign, and
// with usage for an empty or '#' detached_uri, a digest of the wrong length or level B-LTA. The
// token's signature value is checked against SignedInfo with the certificate's key before it is
// used (the document itself is not available to verify).
Result<Bytes> sign_detached(ByteView document_digest, const X509* signer_cert, const hsm::Signer& signer,
                            const SignOptions& options);

// B-B -> B-T: adds a xades:SignatureTimeStamp (EN 319 132-1 §5.3) to the first XAdES signature's
// UnsignedSignatureProperties: the token's imprint is the `digest` hash of the exclusive
// canonicalisation of ds:SignatureValue. May be applied more than once. Fails with invalid_input
// for unacceptable XML or a document without a XAdES signature, or the TimestampFn's error, or
// invalid_input if the token does not time-stamp that imprint.
Result<Bytes> add_signature_timestamp(ByteView xml, const cades::TimestampFn& timestamp, core::DigestAlgorithm digest);

// B-T -> B-LT: adds xades:CertificateValues (EN 319 132-1 §5.4.1) and xades:RevocationValues with
// CRLValues / OCSPValues (§5.4.2). Fails with conflict without a signature time-stamp, usage if
// `data` has no CRL and no OCSP response, invalid_input if an element does not decode strictly
// (DER certificate, CRL, or OCSPResponse) or as add_signature_timestamp.
Result<Bytes> add_validation_data(ByteView xml, const cades::ValidationData& data);

// B-LT -> B-LTA: adds a xades141:ArchiveTimeStamp (EN 319 132-1 §5.5.2) whose imprint is computed
// by §5.5.2.2 with exclusive C14N: the data of every ds:Reference after its transforms (the
// XMLDSig reference processing, done by xmlsec, which also verifies the signature first), then
// ds:SignedInfo, ds:SignatureValue, ds:KeyInfo, the unsigned signature properties present before
// it, and every ds:Object other than the QualifyingProperties one (in the wording of TS 101 903
// v1.4.1 §8.2.1, which is what DSS computes and verifies).
// A detached signature needs `detached_content` (the external document's bytes). Fails with
// conflict below B-LT, denied if the signature does not verify, usage if `detached_content` is
// missing for a detached reference, or as add_signature_timestamp.
Result<Bytes> add_archive_timestamp(ByteView xml, std::optional<ByteView> detached_content,
                                    const cades::TimestampFn& timestamp, core::DigestAlgorithm digest);

struct SignatureInfo {
  // Structural (what is present): B-LTA with an ArchiveTimeStamp, B-LT with a SignatureTimeStamp
  // and CertificateValues or RevocationValues, B-T with a SignatureTimeStamp, else B-B.
  cades::Level level = cades::Level::b_b;
  // From the data reference: URI="" -> enveloped, "#id" of a ds:Object of the signature ->
  // enveloping, anything else -> detached.
  Packaging packaging = Packaging::enveloped;
  std::size_t signature_count = 0;         // ds:Signature elements in the document
  // XAdES signatures (ds:Signature with QualifyingProperties and no ds:Signature ancestor, then
  // their counter-signatures); the rest describes the one asked for (the first by default).
  std::size_t xades_signature_count = 0;
  std::optional<TimePoint> signing_time;
  Bytes signer_certificate;                // DER from KeyInfo (empty if absent)
  std::vector<Bytes> signature_timestamps; // DER TimeStampTokens
  std::vector<Bytes> archive_timestamps;   // xades141:ArchiveTimeStamp (and v1.3.2 xades:ArchiveTimeStamp)
  std::size_t certificate_values = 0, revocation_values = 0;
};

// Parses safely (see the header comment) and reads the structure of XAdES signature `index` (from
// 0, in document order; the first by default): a ds:Signature with xades:QualifyingProperties
// (XAdES v1.3.2 or v1.1.1/1.2.2 namespaces) and no ds:Signature ancestor; no cryptographic check.
// The signer certificate is the KeyInfo certificate matched by the signing-certificate digest, else
// the first one. Fails with invalid_input for unacceptable XML, a document without a XAdES
// signature (or none numbered `index`), or malformed values (base64, SigningTime, certificates).
Result<SignatureInfo> inspect(ByteView xml, std::size_t index = 0);

// XMLDSig core validation (xmlsec) of XAdES signature `index` (as inspect) with the KeyInfo certificate
// whose digest the SigningCertificateV2 (or legacy SigningCertificate) property holds (denied if
// none does), plus: a Reference with Type
// http://uri.etsi.org/01903#SignedProperties points to the SignedProperties inside this
// signature's own QualifyingProperties (Target = #signature Id), every SignatureTimeStamp and
// xades141:ArchiveTimeStamp token's imprint matches (§5.3, §5.5.2.2; the old v1.3.2
// xades:ArchiveTimeStamp is reported by inspect but not checked), at least one data object besides
// SignedProperties is referenced, and a Reference to a ds:Object points to one of this signature's
// own Objects (signature wrapping). `detached_content` serves the one reference whose URI is
// neither empty nor same-document, or that has no URI (XMLDSig 1.1 §4.4.3.1: the application
// knows its data; its SignatureValue is then checked by qualsig over ds:SignedInfo as signed, its
// references by xmlsec); it is refused (usage) when the signature has no such reference, and two
// detached references are refused (usage). The chain is not validated
// (validation/ does that), and no algorithm is judged too weak (SHA-1 references of old signatures
// verify). Fails with denied on a bad signature, digest or imprint, invalid_input on malformed or
// unacceptable input, usage for missing/unexpected detached content.
Result<SignatureInfo> verify(ByteView xml, std::optional<ByteView> detached_content = std::nullopt,
                             std::size_t index = 0);

}  // namespace qualsig::formats::xades
