#include "core/openssl.h"

#include <openssl/err.h>
#include <openssl/pem.h>

#include <climits>

#include "core/fs.h"

namespace qualsig::core {

std::string drain_openssl_errors() {
  std::string out;
  unsigned long e;
  while ((e = ERR_get_error()) != 0) {
    char buf[256];
    ERR_error_string_n(e, buf, sizeof(buf));
    if (!out.empty()) out += "; ";
    out += buf;
  }
  return out;
}

Error openssl_error(ErrorCode code, std::string message) {
  return make_error(code, std::move(message), drain_openssl_errors());
}

Result<Bytes> x509_to_der(const X509* cert) {
  unsigned char* buf = nullptr;
  int len = i2d_X509(cert, &buf);
  if (len <= 0) return fail(openssl_error(ErrorCode::crypto, "cannot encode certificate"));
  Bytes out(buf, buf + len);
  OPENSSL_free(buf);
  return out;
}

Result<UniquePtr<X509>> x509_from_der(ByteView der) {
  if (der.size() > INT_MAX) return fail(ErrorCode::invalid_input, "certificate too large");
  const unsigned char* p = der.data();
  auto cert = wrap(d2i_X509(nullptr, &p, static_cast<long>(der.size())));
  if (!cert) return fail(openssl_error(ErrorCode::invalid_input, "not a DER certificate"));
  if (p != der.data() + der.size()) return fail(ErrorCode::invalid_input, "trailing data after certificate");
  return cert;
}

Result<UniquePtr<X509>> x509_from_pem(std::string_view pem) {
  auto bio = wrap(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  if (!bio) return fail(openssl_error(ErrorCode::internal, "out of memory"));
  auto cert = wrap(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
  if (!cert) return fail(openssl_error(ErrorCode::invalid_input, "not a PEM certificate"));
  return cert;
}

Result<std::vector<Bytes>> certificates_from_file(const std::filesystem::path& path) {
  QS_TRY(auto text, read_file(path, 4u << 20));
  std::vector<Bytes> out;
  if (text.find("-----BEGIN CERTIFICATE-----") != std::string::npos) {
    auto bio = wrap(BIO_new_mem_buf(text.data(), static_cast<int>(text.size())));
    if (!bio) return fail(openssl_error(ErrorCode::internal, "out of memory"));
    while (auto* raw = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr)) {
      auto cert = wrap(raw);
      QS_TRY(auto der, x509_to_der(cert.get()));
      out.push_back(std::move(der));
    }
    drain_openssl_errors();  // PEM_read_bio_X509 ends with "no start line"
  } else {
    Bytes der(text.begin(), text.end());
    if (!x509_from_der(der)) return fail(ErrorCode::invalid_input, path.string() + ": not a PEM or DER certificate");
    out.push_back(std::move(der));
  }
  if (out.empty()) return fail(ErrorCode::invalid_input, path.string() + ": no certificate in it");
  return out;
}

Result<std::string> x509_to_pem(const X509* cert) {
  auto bio = wrap(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_X509(bio.get(), const_cast<X509*>(cert)) != 1)
    return fail(openssl_error(ErrorCode::crypto, "cannot encode certificate as PEM"));
  char* data = nullptr;
  long len = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<std::size_t>(len));
}

Result<Bytes> public_key_to_der(const EVP_PKEY* key) {
  unsigned char* buf = nullptr;
  int len = i2d_PUBKEY(key, &buf);
  if (len <= 0) return fail(openssl_error(ErrorCode::crypto, "cannot encode public key"));
  Bytes out(buf, buf + len);
  OPENSSL_free(buf);
  return out;
}

Result<UniquePtr<EVP_PKEY>> public_key_from_der(ByteView der) {
  const unsigned char* p = der.data();
  auto key = wrap(d2i_PUBKEY(nullptr, &p, static_cast<long>(der.size())));
  if (!key) return fail(openssl_error(ErrorCode::invalid_input, "not a DER SubjectPublicKeyInfo"));
  if (p != der.data() + der.size()) return fail(ErrorCode::invalid_input, "trailing data after public key");
  return key;
}

std::string subject_attribute(const X509* cert, int nid) {
  X509_NAME* name = X509_get_subject_name(cert);
  int at = X509_NAME_get_index_by_NID(name, nid, -1);
  if (at < 0) return {};
  unsigned char* utf8 = nullptr;
  int len = ASN1_STRING_to_UTF8(&utf8, X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, at)));
  if (len < 0) return {};
  std::string out(reinterpret_cast<char*>(utf8), static_cast<std::size_t>(len));
  OPENSSL_free(utf8);
  return out;
}

Result<Bytes> ecdsa_raw_to_der(ByteView raw) {
  if (raw.empty() || raw.size() % 2 != 0) return fail(ErrorCode::invalid_input, "an ECDSA r || s value must have two halves of equal length");
  const auto half = static_cast<int>(raw.size() / 2);
  auto sig = wrap(ECDSA_SIG_new());
  BIGNUM* r = BN_bin2bn(raw.data(), half, nullptr);
  BIGNUM* s = BN_bin2bn(raw.data() + half, half, nullptr);
  if (!sig || r == nullptr || s == nullptr || ECDSA_SIG_set0(sig.get(), r, s) != 1) {
    BN_free(r);
    BN_free(s);
    return openssl_error(ErrorCode::crypto, "cannot build ECDSA-Sig-Value");
  }
  unsigned char* der = nullptr;
  const int len = i2d_ECDSA_SIG(sig.get(), &der);
  if (len <= 0) return openssl_error(ErrorCode::crypto, "cannot encode ECDSA-Sig-Value");
  Bytes out(der, der + len);
  OPENSSL_free(der);
  return out;
}

Result<Bytes> ecdsa_der_to_raw(ByteView der, std::size_t field_size) {
  const unsigned char* p = der.data();
  auto sig = wrap(d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(der.size())));
  if (!sig || p != der.data() + der.size()) return openssl_error(ErrorCode::crypto, "the token's ECDSA signature is not DER");
  const BIGNUM* r = nullptr;
  const BIGNUM* s = nullptr;
  ECDSA_SIG_get0(sig.get(), &r, &s);
  Bytes out(2 * field_size);
  if (BN_bn2binpad(r, out.data(), static_cast<int>(field_size)) < 0 ||
      BN_bn2binpad(s, out.data() + field_size, static_cast<int>(field_size)) < 0)
    return openssl_error(ErrorCode::crypto, "ECDSA signature value too large for the curve");
  return out;
}

std::string name_to_string(const X509_NAME* name) {
  auto bio = wrap(BIO_new(BIO_s_mem()));
  if (!bio) return {};
  X509_NAME_print_ex(bio.get(), name, 0, XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB);
  char* data = nullptr;
  long len = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<std::size_t>(len));
}

std::string serial_to_hex(const ASN1_INTEGER* serial) {
  auto bn = wrap(ASN1_INTEGER_to_BN(serial, nullptr));
  if (!bn) return {};
  char* hex = BN_bn2hex(bn.get());
  std::string out(hex);
  OPENSSL_free(hex);
  return out;
}

}  // namespace qualsig::core
