#pragma once
// poppler's `pdfsig` as an independent PAdES verifier: an NSS database that trusts a given root,
// a run of pdfsig against it, and its report parsed into one struct per signature.
//
// How pdfsig 22.12 behaves (measured, see /work/shared/notes/stack-facts.md):
// - it exits 0 even on "Digest Mismatch." and 2 when the file has no signature: read the verdicts;
// - "Total document signed" appears only for the signature whose byte range ends at end of file;
// - with -no-ocsp a chain to a trusted root reads "Unknown issue with Certificate or corrupted
//   data."; without it pdfsig says "Certificate is Trusted." but contacts the OCSP URL of the
//   certificate, if it has one (so use PdfsigOcsp::online only for certificates without one or
//   with a local responder);
// - a document timestamp (/SubFilter ETSI.RFC3161) is listed with type "unknown" and the verdict
//   "Signature has not yet been verified." (and "Unimplemented Feature" on stderr);
// - a signature field without a value reads "The signature form field is not signed.".

#include <sys/wait.h>

#include <cstdint>
#include <filesystem>
#include <regex>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "support/run_command.h"

namespace qualsig::testing {

// "Signature Validation:" line.
enum class PdfsigVerdict {
  valid,                  // "Signature is Valid."
  invalid,                // "Signature is Invalid."
  digest_mismatch,        // "Digest Mismatch."
  not_signed_or_corrupt,  // "Document isn't signed or corrupted data."
  not_verified,           // "Signature has not yet been verified." (e.g. document timestamps)
  unknown_failure,        // "Unknown Validation Failure."
  field_not_signed,       // "The signature form field is not signed." (no verdict line)
  other,                  // any other text (kept in verdict_text)
};

// "Certificate Validation:" line.
enum class PdfsigCertificate {
  trusted,             // "Certificate is Trusted."
  issuer_not_trusted,  // "Certificate issuer isn't Trusted."
  issuer_unknown,      // "Certificate issuer is unknown."
  revoked,             // "Certificate has been Revoked."
  expired,             // "Certificate has Expired"
  not_verified,        // "Certificate has not yet been verified."
  unknown_issue,       // "Unknown issue with Certificate or corrupted data." (-no-ocsp + trusted root)
  not_reported,        // no such line (pdfsig prints it only after a valid signature, or -nocert)
  other,
};

struct PdfsigSignature {
  int number = 0;              // "Signature #n", from 1 in the file's field order
  std::string field_name;      // "Signature Field Name:"
  std::string signer_name;     // "Signer Certificate Common Name:"
  std::string signer_dn;       // "Signer full Distinguished Name:"
  std::string signing_time;    // as printed, e.g. "Jun 20 2019 09:11:21"
  std::string hash_algorithm;  // "SHA-256", "SHA1", ...
  std::string type;            // "ETSI.CAdES.detached", "adbe.pkcs7.detached", "unknown" (RFC 3161)
  std::vector<std::pair<std::uint64_t, std::uint64_t>> ranges;  // [begin, end) byte offsets
  bool total_document_signed = false;
  PdfsigVerdict verdict = PdfsigVerdict::other;
  std::string verdict_text;
  PdfsigCertificate certificate = PdfsigCertificate::not_reported;
  std::string certificate_text;
};

struct PdfsigReport {
  int exit_code = -1;      // pdfsig's exit status (0 with signatures, 2 without; see above)
  bool no_signatures = false;  // "does not contain any signatures"
  std::vector<PdfsigSignature> signatures;
  std::string output;      // stdout + stderr as printed, for failure messages
};

enum class PdfsigOcsp { off, online };

namespace pdfsig_detail {

inline std::string quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

inline PdfsigVerdict verdict_of(const std::string& text) {
  if (text == "Signature is Valid.") return PdfsigVerdict::valid;
  if (text == "Signature is Invalid.") return PdfsigVerdict::invalid;
  if (text == "Digest Mismatch.") return PdfsigVerdict::digest_mismatch;
  if (text == "Document isn't signed or corrupted data.") return PdfsigVerdict::not_signed_or_corrupt;
  if (text == "Signature has not yet been verified.") return PdfsigVerdict::not_verified;
  if (text == "Unknown Validation Failure.") return PdfsigVerdict::unknown_failure;
  return PdfsigVerdict::other;
}

inline PdfsigCertificate certificate_of(const std::string& text) {
  if (text == "Certificate is Trusted.") return PdfsigCertificate::trusted;
  if (text == "Certificate issuer isn't Trusted.") return PdfsigCertificate::issuer_not_trusted;
  if (text == "Certificate issuer is unknown.") return PdfsigCertificate::issuer_unknown;
  if (text == "Certificate has been Revoked.") return PdfsigCertificate::revoked;
  if (text == "Certificate has Expired") return PdfsigCertificate::expired;
  if (text == "Certificate has not yet been verified.") return PdfsigCertificate::not_verified;
  if (text == "Unknown issue with Certificate or corrupted data.") return PdfsigCertificate::unknown_issue;
  return PdfsigCertificate::other;
}

}  // namespace pdfsig_detail

// Parses pdfsig's report (stdout and stderr mixed, as run() captures them). Lines it does not
// know are ignored; a field that is absent keeps its default.
inline PdfsigReport parse_pdfsig(const std::string& output, int exit_code) {
  using namespace pdfsig_detail;
  PdfsigReport report;
  report.exit_code = exit_code;
  report.output = output;
  report.no_signatures = output.find("does not contain any signatures") != std::string::npos;
  std::istringstream in(output);
  std::string line;
  const std::regex heading(R"(^Signature #(\d+):\s*$)");
  const std::regex item(R"(^\s+- ([^:]+): (.*)$)");
  const std::regex range(R"(\[(\d+) - (\d+)\])");
  std::smatch m;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (std::regex_match(line, m, heading)) {
      report.signatures.push_back(PdfsigSignature{});
      report.signatures.back().number = std::stoi(m[1]);
      continue;
    }
    if (report.signatures.empty()) continue;
    PdfsigSignature& sig = report.signatures.back();
    if (line.find("The signature form field is not signed.") != std::string::npos) {
      sig.verdict = PdfsigVerdict::field_not_signed;
      sig.verdict_text = "The signature form field is not signed.";
    } else if (line == "  - Total document signed") {
      sig.total_document_signed = true;
    } else if (std::regex_match(line, m, item)) {
      const std::string key = m[1], value = m[2];
      if (key == "Signature Field Name") sig.field_name = value;
      else if (key == "Signer Certificate Common Name") sig.signer_name = value;
      else if (key == "Signer full Distinguished Name") sig.signer_dn = value;
      else if (key == "Signing Time") sig.signing_time = value;
      else if (key == "Signing Hash Algorithm") sig.hash_algorithm = value;
      else if (key == "Signature Type") sig.type = value;
      else if (key == "Signature Validation") {
        sig.verdict_text = value;
        sig.verdict = verdict_of(value);
      } else if (key == "Certificate Validation") {
        sig.certificate_text = value;
        sig.certificate = certificate_of(value);
      } else if (key == "Signed Ranges") {
        for (auto it = std::sregex_iterator(value.begin(), value.end(), range); it != std::sregex_iterator(); ++it)
          sig.ranges.emplace_back(std::stoull((*it)[1]), std::stoull((*it)[2]));
      }
    }
  }
  return report;
}

// Runs `pdfsig [-nssdir sql:NSS] [-no-ocsp] PDF` and parses it. An empty `nss_dir` uses pdfsig's
// default database (then no test root is trusted). Never fails: a missing pdfsig shows as
// exit_code 127 and no signatures.
inline PdfsigReport run_pdfsig(const std::filesystem::path& pdf, const std::filesystem::path& nss_dir = {},
                               PdfsigOcsp ocsp = PdfsigOcsp::off) {
  using namespace pdfsig_detail;
  std::string cmd = "timeout 120 pdfsig";
  if (!nss_dir.empty()) cmd += " -nssdir " + quote("sql:" + nss_dir.string());
  if (ocsp == PdfsigOcsp::off) cmd += " -no-ocsp";
  CommandResult r = run(cmd + " " + quote(pdf.string()));
  const int code = r.status >= 0 && WIFEXITED(r.status) ? WEXITSTATUS(r.status) : -1;
  return parse_pdfsig(r.output, code);
}

// An NSS database (certutil, Debian package libnss3-tools) in a directory of the caller's, which
// the caller owns and removes. Trust is added per root with add_root().
class NssDatabase {
 public:
  // Creates the database with an empty password in `dir` (created if missing). ok() is false
  // with error() set when certutil is missing or fails.
  explicit NssDatabase(std::filesystem::path dir) : m_dir(std::move(dir)) {
    std::filesystem::create_directories(m_dir);
    CommandResult r = run("certutil -N -d " + pdfsig_detail::quote("sql:" + m_dir.string()) + " --empty-password");
    if (r.status != 0) m_error = "certutil -N failed: " + r.output;
  }
  // Trusts the certificate in `root_pem` (PEM) as a CA for signatures ("CT,C,C"). False, with
  // error() set, when certutil rejects it. `nickname` must be unique within the database.
  bool add_root(const std::filesystem::path& root_pem, const std::string& nickname = "root") {
    CommandResult r = run("certutil -A -d " + pdfsig_detail::quote("sql:" + m_dir.string()) + " -n " +
                          pdfsig_detail::quote(nickname) + " -t CT,C,C -i " + pdfsig_detail::quote(root_pem.string()));
    if (r.status != 0) m_error = "certutil -A failed: " + r.output;
    return r.status == 0;
  }
  bool ok() const { return m_error.empty(); }
  const std::string& error() const { return m_error; }
  const std::filesystem::path& dir() const { return m_dir; }
  // pdfsig on `pdf` against this database.
  PdfsigReport verify(const std::filesystem::path& pdf, PdfsigOcsp ocsp = PdfsigOcsp::off) const {
    return run_pdfsig(pdf, m_dir, ocsp);
  }

 private:
  std::filesystem::path m_dir;
  std::string m_error;
};

}  // namespace qualsig::testing
