#pragma once
// `qualsig status` and `qualsig ca export`: read-only views of an initialised service.

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "service/trust_service.h"

namespace qualsig::service {

struct KeyStatus {
  std::string role;
  std::string label;
  std::string id_hex;
  std::string type;        // "EC P-384"
  bool present = false;    // found in the token by CKA_ID
  bool sensitive = false;  // CKA_SENSITIVE and not CKA_EXTRACTABLE
};

struct TokenStatus {
  std::string module;
  std::string label;
  unsigned long slot = 0;
  std::string manufacturer;
  std::string model;
  std::string serial;
  std::size_t free_slots = 0;  // uninitialised slots in the module
  std::vector<KeyStatus> keys;
};

struct StatusReport {
  std::filesystem::path data_dir;
  std::string organization;
  std::string organization_identifier;
  std::string country;
  std::string base_url;
  std::vector<store::CaCertificate> certificates;
  std::optional<TokenStatus> token;  // nullopt when the token could not be opened
  std::string token_error;
  std::string database;
  int schema_version = 0;
  store::Counts counts;
};

// Never fails because of the token: its error is reported in the result instead.
Result<StatusReport> status(TrustService& service);

// Writes root.pem, issuing.pem, tsa.pem, ocsp.pem, tls.pem and chain.pem (issuing then root)
// into `out_dir` (created if missing). Returns the files written.
Result<std::vector<std::filesystem::path>> export_ca(TrustService& service, const std::filesystem::path& out_dir);

// The DER certificate of a service role ("root", "issuing", "tsa", "ocsp", "tls").
Result<Bytes> ca_certificate_der(TrustService& service, const std::string& role);

// Ready to serve: the database answers and the token is logged in and lists its slot.
Result<void> check_ready(TrustService& service);

}  // namespace qualsig::service
