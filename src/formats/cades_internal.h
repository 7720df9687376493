#pragma once
// Internal to formats/: pieces shared by cades_sign.cpp, cades_extend.cpp, cades_archive.cpp and
// cades_inspect.cpp.

#include <openssl/ts.h>

#include "formats/cades.h"
#include "formats/cms_structures.h"

namespace qualsig::formats::cades::detail {

// What a new SignerInfo signs: a document (content_type = true) or, for a countersignature, the
// signature value of another SignerInfo (content_type = false, RFC 5652 §11.4).
struct SignerInfoRequest {
  const X509* cert = nullptr;
  const hsm::Signer* signer = nullptr;
  core::DigestAlgorithm digest = core::DigestAlgorithm::sha256;
  TimePoint signing_time;
  ByteView message_digest;
  bool content_type = true;
};

// A SignerInfo version 1 (sid = issuerAndSerialNumber) with the CAdES B-B signed attributes,
// signed through the token and verified with the certificate's key. Errors as sign_detached.
Result<cms::SignerInfoPtr> make_signer_info(const SignerInfoRequest& request);

// Adds a certificate to SignedData.certificates unless the same DER is already there.
Result<void> add_certificate(QS_CADES_SIGNED_DATA* sd, ByteView der);
Result<void> add_certificate(QS_CADES_SIGNED_DATA* sd, const X509* cert);

// Appends an attribute with one value to the SignerInfo's unsignedAttrs.
Result<void> add_unsigned_attribute(QS_CADES_SIGNER_INFO* si, const char* oid, ByteView value_der);

// The TSTInfo of a TimeStampToken (RFC 3161 §2.4.2): a ContentInfo with SignedData whose
// eContentType is id-ct-TSTInfo. Fails with invalid_input otherwise (trailing data included).
Result<cms::Owned<TS_TST_INFO, TS_TST_INFO_free>> parse_token(ByteView token);

// The messageImprint of a TimeStampToken. Fails as parse_token, or with invalid_input if its hash
// algorithm is not SHA-256/384/512.
struct TokenImprint {
  core::DigestAlgorithm alg;
  Bytes digest;
};
Result<TokenImprint> token_imprint(ByteView token);

// Calls the TSA and checks that the token time-stamps exactly (alg, digest).
Result<Bytes> request_timestamp(const TimestampFn& timestamp, ByteView digest, core::DigestAlgorithm alg);

// The value of the first signed attribute `oid` (raw TLV), or invalid_input if absent.
Result<Bytes> signed_attribute(const QS_CADES_SIGNER_INFO* si, const char* oid);

// The "signed data hash" for an archive time-stamp: the eContent's digest under `alg` when the
// content is encapsulated, else the caller's digest of the detached document (checked for length).
Result<Bytes> content_digest_for(const QS_CADES_CONTENT_INFO* ci, std::optional<ByteView> detached_content_digest,
                                 core::DigestAlgorithm alg);

// EN 319 122-1 §5.5.2/§5.5.3: the DER ATSHashIndexV3 of the signature as it is now, and the
// archive-time-stamp-v3 message imprint for a given index value (its stored TLV).
Result<Bytes> build_ats_hash_index(const QS_CADES_SIGNED_DATA* sd, const QS_CADES_SIGNER_INFO* si,
                                   core::DigestAlgorithm alg);
// The fields version, sid, digestAlgorithm, signedAttrs (as stored, [0] IMPLICIT),
// signatureAlgorithm and signature of `si`, each TLV, concatenated in that order: the SignerInfo
// part of both the archive-time-stamp-v3 (EN 319 122-1 §5.5.3 item 3) and -v2 (RFC 5126 §6.4.1)
// imprints.
Result<Bytes> signer_info_fields(const QS_CADES_SIGNER_INFO* si);
Result<Bytes> ats_v3_imprint(const QS_CADES_CONTENT_INFO* ci, const QS_CADES_SIGNER_INFO* si, ByteView content_digest,
                             ByteView ats_hash_index_der, core::DigestAlgorithm alg);

// EVP_DigestFinal_ex into a Bytes of the algorithm's size.
Result<Bytes> digest_final(EVP_MD_CTX* ctx, core::DigestAlgorithm alg);

}  // namespace qualsig::formats::cades::detail
