#pragma once
// Ownership of OpenSSL objects (STYLE.md §3, after BoringSSL's bssl::UniquePtr):
// wrap every new/get1/d2i result in UniquePtr<T> at once; get0 results are borrowed;
// release() only after a set0/assign call succeeded.

#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/cms.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/ocsp.h>
#include <openssl/pkcs7.h>
#include <openssl/ssl.h>
#include <openssl/ts.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "core/bytes.h"
#include "core/result.h"

namespace qualsig::core {

template <typename T>
struct OpenSslDeleter;

#define QUALSIG_OPENSSL_DELETER(type, fn)           \
  template <>                                       \
  struct OpenSslDeleter<type> {                     \
    void operator()(type* p) const noexcept { fn(p); } \
  };

QUALSIG_OPENSSL_DELETER(BIO, BIO_free_all)
QUALSIG_OPENSSL_DELETER(BIGNUM, BN_free)
QUALSIG_OPENSSL_DELETER(EVP_PKEY, EVP_PKEY_free)
QUALSIG_OPENSSL_DELETER(EVP_PKEY_CTX, EVP_PKEY_CTX_free)
QUALSIG_OPENSSL_DELETER(EVP_MD_CTX, EVP_MD_CTX_free)
QUALSIG_OPENSSL_DELETER(EC_GROUP, EC_GROUP_free)
QUALSIG_OPENSSL_DELETER(EC_POINT, EC_POINT_free)
QUALSIG_OPENSSL_DELETER(ECDSA_SIG, ECDSA_SIG_free)
QUALSIG_OPENSSL_DELETER(X509, X509_free)
QUALSIG_OPENSSL_DELETER(X509_NAME, X509_NAME_free)
QUALSIG_OPENSSL_DELETER(X509_EXTENSION, X509_EXTENSION_free)
QUALSIG_OPENSSL_DELETER(X509_CRL, X509_CRL_free)
QUALSIG_OPENSSL_DELETER(X509_STORE, X509_STORE_free)
QUALSIG_OPENSSL_DELETER(X509_STORE_CTX, X509_STORE_CTX_free)
// ASN1_INTEGER, ASN1_TIME, ASN1_OCTET_STRING are all ASN1_STRING.
QUALSIG_OPENSSL_DELETER(ASN1_STRING, ASN1_STRING_free)
QUALSIG_OPENSSL_DELETER(ASN1_OBJECT, ASN1_OBJECT_free)
QUALSIG_OPENSSL_DELETER(BASIC_CONSTRAINTS, BASIC_CONSTRAINTS_free)
QUALSIG_OPENSSL_DELETER(CERTIFICATEPOLICIES, CERTIFICATEPOLICIES_free)
QUALSIG_OPENSSL_DELETER(AUTHORITY_INFO_ACCESS, AUTHORITY_INFO_ACCESS_free)
QUALSIG_OPENSSL_DELETER(CRL_DIST_POINTS, CRL_DIST_POINTS_free)
QUALSIG_OPENSSL_DELETER(EXTENDED_KEY_USAGE, EXTENDED_KEY_USAGE_free)
QUALSIG_OPENSSL_DELETER(GENERAL_NAMES, GENERAL_NAMES_free)
QUALSIG_OPENSSL_DELETER(CMS_ContentInfo, CMS_ContentInfo_free)
QUALSIG_OPENSSL_DELETER(OCSP_REQUEST, OCSP_REQUEST_free)
QUALSIG_OPENSSL_DELETER(OCSP_RESPONSE, OCSP_RESPONSE_free)
QUALSIG_OPENSSL_DELETER(OCSP_BASICRESP, OCSP_BASICRESP_free)
QUALSIG_OPENSSL_DELETER(TS_REQ, TS_REQ_free)
QUALSIG_OPENSSL_DELETER(TS_RESP, TS_RESP_free)
QUALSIG_OPENSSL_DELETER(TS_RESP_CTX, TS_RESP_CTX_free)
QUALSIG_OPENSSL_DELETER(TS_STATUS_INFO, TS_STATUS_INFO_free)
QUALSIG_OPENSSL_DELETER(TS_TST_INFO, TS_TST_INFO_free)
QUALSIG_OPENSSL_DELETER(TS_VERIFY_CTX, TS_VERIFY_CTX_free)
QUALSIG_OPENSSL_DELETER(PKCS7, PKCS7_free)
QUALSIG_OPENSSL_DELETER(SSL_CTX, SSL_CTX_free)
#undef QUALSIG_OPENSSL_DELETER
// A stack that owns its certificates (sk_X509_pop_free). A stack of borrowed certificates is
// freed with sk_X509_free and is not a UniquePtr.
template <>
struct OpenSslDeleter<STACK_OF(X509)> {
  void operator()(STACK_OF(X509)* p) const noexcept { sk_X509_pop_free(p, X509_free); }
};

template <typename T>
using UniquePtr = std::unique_ptr<T, OpenSslDeleter<T>>;

template <typename T>
UniquePtr<T> wrap(T* p) {
  return UniquePtr<T>(p);
}

// Drains OpenSSL's thread-local error queue into one line ("what: lib:reason; ...").
std::string drain_openssl_errors();

// An Error of the given code whose detail is the drained OpenSSL error queue.
Error openssl_error(ErrorCode code, std::string message);

// DER of a certificate / parse of DER. Parse rejects trailing data.
Result<Bytes> x509_to_der(const X509* cert);
Result<UniquePtr<X509>> x509_from_der(ByteView der);
Result<UniquePtr<X509>> x509_from_pem(std::string_view pem);
Result<std::string> x509_to_pem(const X509* cert);
// Every certificate of a file, as DER: all of a PEM file's CERTIFICATE blocks, or the one
// certificate of a DER file. Fails with invalid_input when it holds none, environment when it
// cannot be read.
Result<std::vector<Bytes>> certificates_from_file(const std::filesystem::path& path);
// SubjectPublicKeyInfo DER of a key.
Result<Bytes> public_key_to_der(const EVP_PKEY* key);
Result<UniquePtr<EVP_PKEY>> public_key_from_der(ByteView der);

// One-line RFC 2253 rendering of a name.
std::string name_to_string(const X509_NAME* name);
// The first value of attribute `nid` (e.g. NID_commonName) in the certificate's subject, as
// UTF-8; "" when absent or not convertible.
std::string subject_attribute(const X509* cert, int nid);
// A DER ECDSA-Sig-Value (RFC 3279 §2.2.3), as tokens return it, as the fixed-length r || s that
// JWS (RFC 7518 §3.4) and XMLDSig 1.1 (§6.4.3, RFC 4050 §3.3) use: each integer left-padded to
// `field_size` bytes. Fails with crypto for non-DER input or an integer longer than the field.
Result<Bytes> ecdsa_der_to_raw(ByteView der, std::size_t field_size);
// The reverse: r || s (two halves of equal length) as a DER ECDSA-Sig-Value, the form OpenSSL
// verifies. Fails with invalid_input for an empty or odd-length input, crypto if OpenSSL cannot
// build or encode it.
Result<Bytes> ecdsa_raw_to_der(ByteView raw);
// Hex of an ASN.1 INTEGER (certificate serial), upper-case, no separators.
std::string serial_to_hex(const ASN1_INTEGER* serial);

}  // namespace qualsig::core
