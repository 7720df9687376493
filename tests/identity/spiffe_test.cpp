// X.509-SVID verification against certificates made by the openssl command line (a trust
// domain CA, an intermediate, another trust domain's CA, and leaves with one mutation each),
// cross-checked with `openssl verify` where the question is plain path validation.
#include "identity/spiffe.h"

#include <gtest/gtest.h>

#include <map>

#include "test_support.h"

namespace qualsig::identity {
namespace {

using namespace qualsig::identity::test;

// CA extension profiles; the leaf sections are added from leaf_profiles().
constexpr const char* kExtensions = R"(
[req]
distinguished_name = dn
[dn]
[ca]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
subjectAltName = URI:spiffe://example.org
[other_ca]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
subjectAltName = URI:spiffe://other.org
[intermediate]
basicConstraints = critical,CA:TRUE,pathlen:0
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
subjectAltName = URI:spiffe://example.org
)";

// The good leaf's extensions; every other leaf profile changes one of them (nullopt removes it).
const std::map<std::string, std::string> kGoodLeaf = {
    {"basicConstraints", "critical,CA:FALSE"},
    {"keyUsage", "critical,digitalSignature"},
    {"extendedKeyUsage", "serverAuth,clientAuth"},
    {"subjectKeyIdentifier", "hash"},
    {"authorityKeyIdentifier", "keyid"},
    {"subjectAltName", "URI:spiffe://example.org/ns/ci/sa/release"},
};
using Changes = std::map<std::string, std::optional<std::string>>;

const std::map<std::string, Changes>& leaf_profiles() {
  static const std::map<std::string, Changes> profiles = {
      {"good", {}},
      {"with_dns_san", {{"subjectAltName", "URI:spiffe://example.org/ns/ci/sa/release,DNS:release.example.org"}}},
      {"no_uri_san", {{"subjectAltName", "DNS:release.example.org"}}},
      {"no_san", {{"subjectAltName", std::nullopt}}},
      {"two_uri_sans", {{"subjectAltName", "URI:spiffe://example.org/ns/ci/sa/release,URI:spiffe://example.org/ns/ci/sa/other"}}},
      {"http_uri", {{"subjectAltName", "URI:http://example.org/ns/ci/sa/release"}}},
      {"leaf_is_ca", {{"basicConstraints", "critical,CA:TRUE"}}},
      {"no_basic_constraints", {{"basicConstraints", std::nullopt}}},
      {"key_cert_sign", {{"keyUsage", "critical,digitalSignature,keyCertSign"}}},
      {"crl_sign", {{"keyUsage", "critical,digitalSignature,cRLSign"}}},
      {"no_digital_signature", {{"keyUsage", "critical,keyEncipherment"}}},
      {"key_usage_not_critical", {{"keyUsage", "digitalSignature"}}},
      {"no_key_usage", {{"keyUsage", std::nullopt}}},
      {"no_authority_key_id", {{"authorityKeyIdentifier", std::nullopt}}},
      {"other_trust_domain", {{"subjectAltName", "URI:spiffe://other.org/ns/ci/sa/release"}}},
      {"uppercase_domain", {{"subjectAltName", "URI:spiffe://Example.org/ns/ci"}}},
      {"dot_dot", {{"subjectAltName", "URI:spiffe://example.org/ns/../sa"}}},
      {"trailing_slash", {{"subjectAltName", "URI:spiffe://example.org/ns/ci/"}}},
      {"query", {{"subjectAltName", "URI:spiffe://example.org/ns/ci?x=1"}}},
      {"port", {{"subjectAltName", "URI:spiffe://example.org:8443/ns/ci"}}},
      {"root_id", {{"subjectAltName", "URI:spiffe://example.org"}}},
  };
  return profiles;
}

std::string leaf_section(const std::string& name, const Changes& changes) {
  auto fields = std::map<std::string, std::optional<std::string>>(kGoodLeaf.begin(), kGoodLeaf.end());
  for (const auto& [k, v] : changes) fields[k] = v;
  std::string out = "[" + name + "]\n";
  for (const auto& [k, v] : fields) {
    if (v) out += k + " = " + *v + "\n";
  }
  return out;
}

struct SvidFiles {
  std::optional<std::string> unavailable;  // skip reason
  std::optional<std::string> error;        // a command failed
  std::map<std::string, std::string> pem;  // "ca", "other_ca", "intermediate", "leaf:<profile>", "via_intermediate"
  std::map<std::string, std::string> path; // same keys, file paths for `openssl verify`
  TimePoint not_before{}, not_after{};     // of the good leaf, from `openssl x509 -dates`
  std::string fingerprint;                 // of the good leaf, from `openssl x509 -fingerprint`
  std::unique_ptr<TempDir> dir;
};

std::optional<TimePoint> openssl_date(const std::string& out, const std::string& field) {
  // "notBefore=2026-08-25 10:00:00Z" with -dateopt iso_8601.
  const auto p = out.find(field + "=");
  if (p == std::string::npos) return std::nullopt;
  std::string value = out.substr(p + field.size() + 1, 20);
  value[10] = 'T';
  return parse_rfc3339(value);
}

const SvidFiles& svid_files() {
  static const SvidFiles files = [] {
    SvidFiles f;
    if (!have_program("openssl")) {
      f.unavailable = "the openssl command line is not installed (Debian package openssl)";
      return f;
    }
    f.dir = std::make_unique<TempDir>("qualsig-svid");
    const TempDir& d = *f.dir;
    std::string config = kExtensions;
    for (const auto& [name, changes] : leaf_profiles()) config += leaf_section(name, changes);
    write_text(d / "ext.cnf", config);
    const std::string log = shell_quote((d / "openssl.log").string());
    auto q = [&](const std::string& name) { return shell_quote((d / name).string()); };
    auto sh = [&](const std::string& command) {
      if (f.error) return;
      if (run_command("cd " + shell_quote(d.path().string()) + " && { " + command + "; } >>" + log + " 2>&1").exit_status != 0) {
        f.error = "command failed: " + command + "\n" + read_text(d / "openssl.log");
      }
    };
    const std::string ec = "openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out ";
    sh(ec + "ca.key && " + ec + "other_ca.key && " + ec + "intermediate.key && " + ec + "leaf.key");
    sh("openssl req -x509 -new -key ca.key -subj '/O=example.org/CN=SPIFFE CA' -days 3650 -config ext.cnf -extensions ca -out ca.pem");
    sh("openssl req -x509 -new -key other_ca.key -subj '/O=other.org/CN=SPIFFE CA' -days 3650 -config ext.cnf -extensions other_ca -out other_ca.pem");
    sh("openssl req -new -key intermediate.key -subj '/O=example.org/CN=SPIRE intermediate' -config ext.cnf -out intermediate.csr");
    sh("openssl x509 -req -in intermediate.csr -CA ca.pem -CAkey ca.key -set_serial 100 -days 365 -extfile ext.cnf -extensions intermediate -out intermediate.pem");
    sh("openssl req -new -key leaf.key -subj '/O=SPIRE' -config ext.cnf -out leaf.csr");
    int serial = 1000;
    for (const auto& [name, changes] : leaf_profiles()) {
      sh("openssl x509 -req -in leaf.csr -CA ca.pem -CAkey ca.key -set_serial " + std::to_string(++serial) +
         " -days 30 -extfile ext.cnf -extensions " + name + " -out leaf_" + name + ".pem");
    }
    sh("openssl x509 -req -in leaf.csr -CA intermediate.pem -CAkey intermediate.key -set_serial 2000 -days 30 -extfile ext.cnf -extensions good -out via_intermediate.pem");
    sh("openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out rsa_leaf.key && "
       "openssl req -new -key rsa_leaf.key -subj '/O=SPIRE' -config ext.cnf -out rsa_leaf.csr && "
       "openssl x509 -req -in rsa_leaf.csr -CA ca.pem -CAkey ca.key -set_serial 3000 -days 30 -extfile ext.cnf -extensions good -out rsa_leaf.pem");
    if (f.error) return f;
    for (const auto& name : {"ca", "other_ca", "intermediate", "via_intermediate", "rsa_leaf"}) {
      f.path[name] = (d / (std::string(name) + ".pem")).string();
    }
    for (const auto& [name, changes] : leaf_profiles()) f.path["leaf:" + name] = (d / ("leaf_" + name + ".pem")).string();
    for (const auto& [name, path] : f.path) f.pem[name] = read_text(path);

    const auto dates = run_command("openssl x509 -in " + q("leaf_good.pem") + " -noout -startdate -enddate -dateopt iso_8601");
    const auto fingerprint = run_command("openssl x509 -in " + q("leaf_good.pem") + " -noout -fingerprint -sha256");
    auto before = openssl_date(dates.out, "notBefore");
    auto after = openssl_date(dates.out, "notAfter");
    if (dates.exit_status != 0 || !before || !after || fingerprint.exit_status != 0) {
      f.error = "cannot read the good leaf's dates or fingerprint: " + dates.out + fingerprint.out;
      return f;
    }
    f.not_before = *before;
    f.not_after = *after;
    // "sha256 Fingerprint=AB:CD:..." -> "abcd..."
    for (char c : fingerprint.out.substr(fingerprint.out.find('=') + 1)) {
      if (std::isxdigit(static_cast<unsigned char>(c))) f.fingerprint += static_cast<char>(std::tolower(c));
    }
    return f;
  }();
  return files;
}

#define QS_REQUIRE_SVID_FILES(f)                                   \
  const auto& f = svid_files();                                    \
  if (f.unavailable) GTEST_SKIP() << "SKIPPED: " << *f.unavailable; \
  ASSERT_FALSE(f.error) << *f.error

TimePoint hours_after(TimePoint t, int hours) { return t + std::chrono::hours(hours); }

std::string concat(const SvidFiles& f, const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += f.pem.at(n);
  return out;
}

TEST(SvidOpenssl, GoodSvidIsAcceptedWithItsFacts) {
  QS_REQUIRE_SVID_FILES(f);
  const TimePoint now = hours_after(f.not_before, 1);
  for (const std::optional<std::string>& domain : {std::optional<std::string>("example.org"), std::optional<std::string>()}) {
    auto r = verify_x509_svid(f.pem.at("leaf:good"), f.pem.at("ca"), now, domain);
    ASSERT_TRUE(r) << r.error().message << " | " << r.error().detail;
    EXPECT_EQ(r->spiffe_id, "spiffe://example.org/ns/ci/sa/release");
    EXPECT_EQ(r->trust_domain, "example.org");
    EXPECT_EQ(r->leaf_fingerprint_sha256, f.fingerprint);  // as `openssl x509 -fingerprint -sha256`
    EXPECT_EQ(r->not_after, f.not_after);                   // as `openssl x509 -enddate`
  }
  EXPECT_EQ(f.not_after - f.not_before, std::chrono::days(30));
}

struct SvidCase {
  const char* name;
  std::vector<std::string> svid, bundle;
  int hours = 1;  // verification time: the good leaf's notBefore plus this
  std::optional<std::string> domain = "example.org";
  bool accepted = false;
  ErrorCode code = ErrorCode::denied;
  std::string part;  // substring of the error message
};

TEST(SvidOpenssl, Table) {
  QS_REQUIRE_SVID_FILES(f);
  using E = ErrorCode;
  const std::vector<std::string> ca = {"ca"};
  const int expired = static_cast<int>(std::chrono::duration_cast<std::chrono::hours>(f.not_after - f.not_before).count()) + 1;
  const std::vector<SvidCase> cases = {
      {"good", {"leaf:good"}, ca, 1, "example.org", true, E::denied, ""},
      {"good-any-trust-domain", {"leaf:good"}, ca, 1, std::nullopt, true, E::denied, ""},
      {"good-rsa-key", {"rsa_leaf"}, ca, 1, "example.org", true, E::denied, ""},
      {"good-with-dns-san-too", {"leaf:with_dns_san"}, ca, 1, "example.org", true, E::denied, ""},
      {"good-without-basic-constraints", {"leaf:no_basic_constraints"}, ca, 1, "example.org", true, E::denied, ""},
      {"good-bundle-of-two-domains", {"leaf:good"}, {"other_ca", "ca"}, 1, "example.org", true, E::denied, ""},
      {"good-via-intermediate", {"via_intermediate", "intermediate"}, ca, 1, "example.org", true, E::denied, ""},
      {"good-intermediate-as-anchor", {"via_intermediate"}, {"intermediate"}, 1, "example.org", true, E::denied, ""},
      {"good-at-last-hour", {"leaf:good"}, ca, expired - 2, "example.org", true, E::denied, ""},
      {"untrusted-bundle", {"leaf:good"}, {"other_ca"}, 1, "example.org", false, E::denied, "unable to get local issuer certificate (depth 0)"},
      {"expired", {"leaf:good"}, ca, expired, "example.org", false, E::denied, "certificate has expired (depth 0)"},
      {"not-yet-valid", {"leaf:good"}, ca, -24, "example.org", false, E::denied, "certificate is not yet valid"},
      {"intermediate-missing", {"via_intermediate"}, ca, 1, "example.org", false, E::denied, "unable to get local issuer certificate"},
      {"intermediate-first", {"intermediate", "via_intermediate"}, ca, 1, "example.org", false, E::denied, "has no path"},
      {"no-uri-san", {"leaf:no_uri_san"}, ca, 1, "example.org", false, E::denied, "no URI SAN"},
      {"no-san", {"leaf:no_san"}, ca, 1, "example.org", false, E::denied, "no subjectAltName"},
      {"two-uri-sans", {"leaf:two_uri_sans"}, ca, 1, "example.org", false, E::denied, "2 URI SANs"},
      {"http-uri", {"leaf:http_uri"}, ca, 1, "example.org", false, E::denied, "not a SPIFFE ID"},
      {"leaf-is-ca", {"leaf:leaf_is_ca"}, ca, 1, "example.org", false, E::denied, "leaf is a CA certificate"},
      {"key-cert-sign", {"leaf:key_cert_sign"}, ca, 1, "example.org", false, E::denied, "keyCertSign or cRLSign"},
      {"crl-sign", {"leaf:crl_sign"}, ca, 1, "example.org", false, E::denied, "keyCertSign or cRLSign"},
      {"no-digital-signature", {"leaf:no_digital_signature"}, ca, 1, "example.org", false, E::denied, "lacks digitalSignature"},
      {"key-usage-not-critical", {"leaf:key_usage_not_critical"}, ca, 1, "example.org", false, E::denied, "keyUsage is not critical"},
      {"no-key-usage", {"leaf:no_key_usage"}, ca, 1, "example.org", false, E::denied, "no keyUsage"},
      {"wrong-trust-domain-expected", {"leaf:good"}, ca, 1, "other.org", false, E::denied, "trust domain \"example.org\", expected \"other.org\""},
      {"other-domain-id-from-our-ca", {"leaf:other_trust_domain"}, ca, 1, "example.org", false, E::denied, "trust domain \"other.org\""},
      {"uppercase-domain", {"leaf:uppercase_domain"}, ca, 1, "example.org", false, E::invalid_input, "must be lowercase"},
      {"dot-dot-segment", {"leaf:dot_dot"}, ca, 1, "example.org", false, E::invalid_input, "\"..\""},
      {"trailing-slash", {"leaf:trailing_slash"}, ca, 1, "example.org", false, E::invalid_input, "must not end with '/'"},
      {"query", {"leaf:query"}, ca, 1, "example.org", false, E::invalid_input, "query"},
      {"port", {"leaf:port"}, ca, 1, "example.org", false, E::invalid_input, "port"},
      {"root-id-as-leaf", {"leaf:root_id"}, ca, 1, "example.org", false, E::denied, "has no path"},
      {"bad-expected-domain", {"leaf:good"}, ca, 1, "Example.org", false, E::usage, "expected trust domain"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    auto r = verify_x509_svid(concat(f, c.svid), concat(f, c.bundle), hours_after(f.not_before, c.hours), c.domain);
    ASSERT_EQ(r.has_value(), c.accepted) << (r ? r->spiffe_id : r.error().message + " | " + r.error().detail);
    if (!r) {
      EXPECT_EQ(r.error().code, c.code) << error_code_name(r.error().code) << ": " << r.error().message;
      EXPECT_NE(r.error().message.find(c.part), std::string::npos) << r.error().message;
    }
  }
}

TEST(SvidOpenssl, MalformedInputIsInvalid) {
  QS_REQUIRE_SVID_FILES(f);
  const TimePoint now = hours_after(f.not_before, 1);
  const std::string good = f.pem.at("leaf:good");
  const std::string ca = f.pem.at("ca");
  const std::string key = read_text(*f.dir / "leaf.key");
  std::string truncated = good.substr(0, good.size() / 2) + "\n-----END CERTIFICATE-----\n";
  std::string bad_base64 = good;
  bad_base64[40] = '!';
  const std::vector<std::tuple<const char*, std::string, std::string, std::string>> cases = {
      {"empty-svid", "", ca, "the SVID holds no PEM certificate"},
      {"text-svid", "hello", ca, "the SVID holds no PEM certificate"},
      {"empty-bundle", good, "", "the trust bundle holds no PEM certificate"},
      {"private-key-in-svid", good + key, ca, "not a CERTIFICATE"},
      {"truncated-certificate", truncated, ca, "malformed"},
      {"bad-base64", bad_base64, ca, "malformed"},
      {"svid-over-1-mib", good + std::string(kMaxPemSize, '\n'), ca, "larger than"},
      {"seventeen-certificates", [&] { std::string s; for (int i = 0; i < 17; ++i) s += good; return s; }(), ca, "more than 16"},
  };
  for (const auto& [name, svid, bundle, part] : cases) {
    SCOPED_TRACE(name);
    auto r = verify_x509_svid(svid, bundle, now, std::nullopt);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, ErrorCode::invalid_input) << r.error().message;
    EXPECT_NE(r.error().message.find(part), std::string::npos) << r.error().message;
  }
  // Text around the PEM blocks (as `openssl x509 -text` writes) is fine.
  EXPECT_TRUE(verify_x509_svid("subject=O = SPIRE\n" + good + "trailing words\n", ca, now, std::nullopt));
}

// Plain path validation must agree with `openssl verify` (same flags: strict, any bundle
// certificate an anchor, the same time).
TEST(SvidOpenssl, PathValidationAgreesWithOpensslVerify) {
  QS_REQUIRE_SVID_FILES(f);
  struct PathCase {
    const char* name;
    std::string leaf;
    std::vector<std::string> intermediates, bundle;
    int hours;
  };
  const int expired = static_cast<int>(std::chrono::duration_cast<std::chrono::hours>(f.not_after - f.not_before).count()) + 1;
  const std::vector<PathCase> cases = {
      {"good", "leaf:good", {}, {"ca"}, 1},
      {"untrusted", "leaf:good", {}, {"other_ca"}, 1},
      {"expired", "leaf:good", {}, {"ca"}, expired},
      {"not-yet-valid", "leaf:good", {}, {"ca"}, -24},
      {"via-intermediate", "via_intermediate", {"intermediate"}, {"ca"}, 1},
      {"intermediate-missing", "via_intermediate", {}, {"ca"}, 1},
      {"intermediate-anchor", "via_intermediate", {}, {"intermediate"}, 1},
      // Whether X509_V_FLAG_X509_STRICT requires an authorityKeyIdentifier depends on the
      // OpenSSL version; whatever it decides, we must decide the same.
      {"no-authority-key-id", "leaf:no_authority_key_id", {}, {"ca"}, 1},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    const TimePoint at = hours_after(f.not_before, c.hours);
    TempDir dir("qualsig-svid-verify");
    write_text(dir / "bundle.pem", concat(f, c.bundle));
    std::string command = "openssl verify -x509_strict -partial_chain -attime " +
                          std::to_string(at.time_since_epoch().count()) + " -CAfile " +
                          shell_quote((dir / "bundle.pem").string());
    if (!c.intermediates.empty()) {
      write_text(dir / "untrusted.pem", concat(f, c.intermediates));
      command += " -untrusted " + shell_quote((dir / "untrusted.pem").string());
    }
    command += " " + shell_quote(f.path.at(c.leaf)) + " >/dev/null 2>&1";
    const bool openssl_ok = run_command(command).exit_status == 0;
    std::vector<std::string> chain = {c.leaf};
    chain.insert(chain.end(), c.intermediates.begin(), c.intermediates.end());
    auto ours = verify_x509_svid(concat(f, chain), concat(f, c.bundle), at, std::nullopt);
    EXPECT_EQ(ours.has_value(), openssl_ok) << (ours ? "" : ours.error().message);
  }
}

}  // namespace
}  // namespace qualsig::identity
