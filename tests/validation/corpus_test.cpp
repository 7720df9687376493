// The DSS corpus (../shared/corpus/dss, README.md there): every CAdES, PAdES, JAdES and XAdES row of MANIFEST.tsv is
// validated with the context its notes describe, and the facts the DSS test asserts are compared:
// indication, sub-indication, qualification (with the trusted lists the notes name), level,
// "dflt:B-ok" (signature value and message digest intact = our CV block PASSED), "TST-ok" (no
// time-stamp with a broken imprint or signature) and time-stamp counts. Prints a table and the
// agreement per fact; disagreements are explained in docs/validation-corpus.md.

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <regex>
#include <sstream>

#include "core/openssl.h"
#include "trust/trust_store.h"
#include "validation/qualification.h"
#include "validation/validate.h"

namespace qualsig::validation {
namespace {

namespace fs = std::filesystem;

const fs::path kDss = fs::path(QUALSIG_CORPUS_DIR) / "dss";

struct Row {
  std::string file, format, test_class, indication, sub_indication, qualification, level, notes;
};

std::vector<std::string> split(const std::string& line, char sep) {
  std::vector<std::string> out;
  std::string cell;
  std::istringstream in(line);
  while (std::getline(in, cell, sep)) out.push_back(cell);
  return out;
}

std::vector<Row> manifest() {
  std::ifstream in(kDss / "MANIFEST.tsv");
  std::vector<Row> rows;
  std::string line;
  std::getline(in, line);  // header
  while (std::getline(in, line)) {
    auto c = split(line, '\t');
    if (c.size() < 9) continue;
    std::string cls = fs::path(c[3]).stem().string();
    rows.push_back({c[0], c[1], cls, c[4], c[5], c[6], c[7], c[8]});
  }
  return rows;
}

Bytes slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return Bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

Bytes cert_der(const fs::path& p) {
  Bytes data = slurp(p);
  if (data.size() > 10 && data[0] == '-') {
    auto cert = core::x509_from_pem(to_string(data));
    if (cert) return *core::x509_to_der(cert->get());
  }
  return data;
}

// The trusted lists a row's notes name ("LOTL tl/<lotl> -> TL tl/<tl>"): the LOTL verified with
// the LOTL signer certificate of extracted/<TestClass>/, the TL as announced by one of its
// pointers (DSS serves it at the pointer's TSLLocation). Null when the notes name none; a list that
// does not load fails the test.
std::unique_ptr<trust::TrustStore> lists_of(const Row& row) {
  std::smatch m;
  if (!std::regex_search(row.notes, m, std::regex(R"(LOTL (tl/[\w.-]+) -> TL (tl/[\w.-]+))"))) return nullptr;
  auto store = std::make_unique<trust::TrustStore>();
  std::vector<Bytes> signers;
  const fs::path extracted = kDss / "extracted" / row.test_class;
  if (fs::is_directory(extracted))
    for (const auto& entry : fs::directory_iterator(extracted))
      if (entry.path().filename().string().find("LOTL-signer") != std::string::npos) signers.push_back(cert_der(entry.path()));
  auto lotl = store->add_lotl(slurp(kDss / m[1].str()), signers, m[1].str());
  EXPECT_TRUE(lotl) << row.file << ": " << m[1].str() << ": " << lotl.error().message;
  if (!lotl) return nullptr;
  const Bytes tl = slurp(kDss / m[2].str());
  bool loaded = false;
  for (const trust::TslPointer& p : (*lotl)->list.pointers) loaded = loaded || store->add_member_state_list(tl, p.location).has_value();
  EXPECT_TRUE(loaded) << row.file << ": " << m[2].str() << " is not announced by " << m[1].str();
  return store;
}

// The qualification of signature `s` under `store` (validation::qualify, as `qualsig verify --tl`);
// nullopt without a readable signer certificate.
std::optional<QualificationResult> qualification_under(const SignatureReport& s, const trust::TrustStore& store) {
  auto signer = core::x509_from_der(s.signer_certificate);
  if (!signer) return std::nullopt;
  std::vector<core::UniquePtr<X509>> owned;
  std::vector<const X509*> chain;
  for (const Bytes& der : s.chain)
    if (auto c = core::x509_from_der(der)) {
      owned.push_back(std::move(*c));
      chain.push_back(owned.back().get());
    }
  return qualify(signer->get(), chain, store, s.best_signature_time, s.indication);
}

std::string qualification_of(const SignatureReport& s, const trust::TrustStore& store) {
  auto q = qualification_under(s, store);
  return q ? signature_level_name(q->level) : "no signer certificate";
}

// The validation context of README.md's notes column: "TA ..." installs the certificates of
// extracted/<TestClass>/ as trust anchors ("adjunct (NOT trusted)" as untrusted certificates),
// their OCSP responses as external revocation data; "VT=<time>" fixes the validation time;
// "detached content <file>" gives the signed document; cades/signCert.cer is trusted or only
// supplied as the notes say. Otherwise (ctx=OFFLINE) nothing is trusted: the DSS test PKI is not
// in the corpus.
ValidationOptions context(const Row& row) {
  ValidationOptions o;
  std::smatch m;
  if (std::regex_search(row.notes, m, std::regex(R"(VT=(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ))")))
    o.validation_time = parse_rfc3339(m[1].str());
  if (std::regex_search(row.notes, m, std::regex(R"(detached (content|payload) ((cades|xades|pades|jades)/[^;\s]+))")))
    o.detached_content = slurp(kDss / m[2].str());
  fs::path extracted = kDss / "extracted" / row.test_class;
  // Every certificate a service of the named lists holds is a trust anchor (as qualsig verify
  // --tl makes them).
  if (auto store = lists_of(row))
    for (const auto& list : store->lists())
      for (const auto& tsp : list->list.providers)
        for (const auto& service : tsp.services) o.trust_anchors.insert(o.trust_anchors.end(), service.certificates.begin(), service.certificates.end());
  // "extra trusted certs" (the MRA rows): DSS's test trusts them beside the trusted list, which
  // qualsig does not translate (docs/validation-corpus.md); the LOTL signer only signs the LOTL.
  const bool mra_trusted = row.notes.find("extra trusted certs") != std::string::npos;
  bool trusted = row.notes.find("TA ") != std::string::npos || row.notes.find("+ TA") != std::string::npos ||
                 row.notes.find("TA (") != std::string::npos || mra_trusted;
  bool adjunct_only = row.notes.find("NOT trusted") != std::string::npos;
  if (fs::is_directory(extracted)) {
    for (const auto& entry : fs::directory_iterator(extracted)) {
      std::string name = entry.path().filename().string();
      if (mra_trusted && name.find("LOTL-signer") != std::string::npos) continue;
      if (name.find("-cert-") != std::string::npos) {
        Bytes der = cert_der(entry.path());
        if (trusted && !adjunct_only)
          o.trust_anchors.push_back(der);
        else
          o.extra_certificates.push_back(der);
      } else if (name.find("-ocsp-") != std::string::npos) {
        o.extra_ocsp_responses.push_back(slurp(entry.path()));
      }
    }
  }
  // The three DK trusted-list rows (tl/dk_tl-sn21.xml) share extracted/AbstractDKTestCertificate/;
  // INDEX.tsv names each certificate by the test's variable: the one the notes' "TA = ..." names is
  // the trust anchor, the AIA_BASE64_CONTENT issuer an untrusted certificate.
  // Their notes give the validation time as a date only ("VT=2019-08-05"): midnight UTC.
  if (row.file == "tl/dk_tl-sn21.xml") {
    if (!o.validation_time) o.validation_time = parse_rfc3339("2019-08-05T00:00:00Z");
    const fs::path dk = kDss / "extracted" / "AbstractDKTestCertificate";
    const std::string anchor = row.notes.find("TA = previous") != std::string::npos ? "PREVIOUS_SIG_CERT"
                               : row.notes.find("TA = the NEWER") != std::string::npos ? "EXPECTED_SIG_CERT"
                                                                                       : "WRONG";
    std::ifstream index(dk / "INDEX.tsv");
    std::string line;
    while (std::getline(index, line)) {
      auto c = split(line, '\t');
      if (c.size() < 3 || c[1] != "cert") continue;
      if (c[2] == anchor)
        o.trust_anchors.push_back(cert_der(dk / c[0]));
      else if (c[2] == "AIA_BASE64_CONTENT")
        o.extra_certificates.push_back(cert_der(dk / c[0]));
    }
  }
  if (row.notes.find("signCert.cer") != std::string::npos) {
    Bytes der = cert_der(kDss / "cades" / "signCert.cer");
    if (row.notes.find("ONLY trust anchor") != std::string::npos)
      o.trust_anchors.push_back(der);
    else
      o.extra_certificates.push_back(der);
  }
  return o;
}

std::string dss_name(std::string s) {  // TOTAL-PASSED -> TOTAL_PASSED
  for (char& c : s)
    if (c == '-') c = '_';
  return s;
}

struct Tally {
  int asserted = 0, agreed = 0;
};

// Runs every row of `format` and returns the table; adds to `tally`.
void run_format(const std::string& format, std::map<std::string, Tally>& tally, std::ostringstream& table, int& rows);

// Runs every row of `format`, prints the table and expects >= 90% agreement.
void check_format(const std::string& format) {
  {
    SCOPED_TRACE(format);
    std::map<std::string, Tally> tally;
    std::ostringstream table;
    int rows = 0;
    run_format(format, tally, table, rows);
    int asserted = 0, agreed = 0;
    table << "\nfact | asserted | agreed | %\n";
    for (const auto& [fact, t] : tally) {
      table << fact << " | " << t.asserted << " | " << t.agreed << " | " << (100 * t.agreed / std::max(1, t.asserted)) << "\n";
      asserted += t.asserted;
      agreed += t.agreed;
    }
    std::cout << "== " << format << "\n" << table.str() << format << " rows: " << rows << ", agreement " << agreed << "/"
              << asserted << "\n\n";
    EXPECT_GT(rows, 0);
    ASSERT_GT(asserted, 0);
    EXPECT_GE(100 * agreed, 90 * asserted) << "agreement below 90%";
  }
}

TEST(DssCorpus, CadesPadesJadesRowsAgreeWithDss) {
  if (!fs::exists(kDss / "MANIFEST.tsv")) GTEST_SKIP() << "corpus absent: " << kDss;
  for (const std::string format : {"CAdES", "PAdES", "JAdES"}) check_format(format);
}

TEST(DssCorpus, XadesRowsAgreeWithDss) {
  if (!fs::exists(kDss / "MANIFEST.tsv")) GTEST_SKIP() << "corpus absent: " << kDss;
  check_format("XAdES");
}

// The two john-doe rows (a third country's qualified signature, recognised through the EU pilot
// LOTL's mutual recognition agreement): validated the day after they were made (DSS's test date
// precedes them, see docs/validation-corpus.md), they are QESig under EU law through the MRA
// equivalences, as DSS finds. The same ZZ list trusted as a private list, without the
// equivalences, qualifies nothing: its service type is no EU type.
TEST(DssCorpus, MraRecognisedListMakesTheJohnDoeSignaturesQesig) {
  if (!fs::exists(kDss / "MANIFEST.tsv")) GTEST_SKIP() << "corpus absent: " << kDss;
  int seen = 0;
  for (const Row& row : manifest()) {
    if (row.file.find("john-doe") == std::string::npos) continue;
    SCOPED_TRACE(row.file);
    ++seen;
    ValidationOptions o = context(row);
    o.validation_time = parse_rfc3339("2022-07-29T00:00:00Z");
    auto report = validate(slurp(kDss / row.file), o);
    ASSERT_TRUE(report) << report.error().message;
    ASSERT_FALSE(report->signatures.empty());
    const SignatureReport& s = report->signatures[0];
    EXPECT_EQ(s.indication, Indication::total_passed);
    auto store = lists_of(row);
    ASSERT_TRUE(store);
    ASSERT_EQ(store->lists().size(), 2u);
    EXPECT_EQ(store->lists()[1]->authority, trust::ListAuthority::eu_mra);
    auto qualified = qualification_under(s, *store);
    ASSERT_TRUE(qualified);
    const QualificationResult& q = *qualified;
    std::string why;
    for (const auto& r : q.reasons) why += r + "\n";
    EXPECT_EQ(q.level, SignatureLevel::qesig) << why;
    EXPECT_TRUE(q.eu) << why;
    ASSERT_EQ(q.lists.size(), 1u);
    EXPECT_NE(q.lists[0].find("mutual recognition agreement"), std::string::npos) << q.lists[0];
    EXPECT_NE(why.find("MRA equivalence QCForESig"), std::string::npos) << why;

    trust::TrustStore private_only;
    const Bytes zz = slurp(kDss / "tl" / "mra-zz-tl.xml");
    ASSERT_TRUE(private_only.add_private_list(zz, {store->lists()[1]->signer_certificate}, "mra-zz-tl.xml"));
    auto plain = qualification_under(s, private_only);
    ASSERT_TRUE(plain);
    EXPECT_NE(plain->level, SignatureLevel::qesig);
    EXPECT_FALSE(plain->combined.qualified);
  }
  EXPECT_EQ(seen, 2);
}

void run_format(const std::string& format, std::map<std::string, Tally>& tally, std::ostringstream& table, int& rows) {
  table << "file | fact | expected | got | agree\n";
  auto record = [&](const Row& row, const std::string& fact, const std::string& expected, const std::string& got) {
    bool agree = expected == got;
    tally[fact].asserted++;
    if (agree) tally[fact].agreed++;
    table << row.file << " | " << fact << " | " << expected << " | " << got << " | " << (agree ? "yes" : "NO") << "\n";
  };
  for (const Row& row : manifest()) {
    if (row.format != format) continue;
    ++rows;
    Bytes file = slurp(kDss / row.file);
    ASSERT_FALSE(file.empty()) << row.file;
    auto start = std::chrono::steady_clock::now();
    auto report = validate(file, context(row));
    auto seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    EXPECT_LT(seconds, 30.0) << row.file << " took too long";
    if (!report || report->signatures.empty()) {
      std::string got = report ? "no signature" : "error: " + report.error().message;
      if (row.indication != "unknown") record(row, "indication", row.indication, got);
      if (row.sub_indication != "unknown") record(row, "sub-indication", row.sub_indication, got);
      if (row.level != "unknown") record(row, "level", row.level, got);
      if (row.notes.find("dflt:B-ok") != std::string::npos) record(row, "B-ok (CV)", "PASSED", got);
      continue;
    }
    const SignatureReport& s = report->signatures[0];
    std::smatch count;
    if (std::regex_search(row.notes, count, std::regex(R"((\d) signatures)")))
      record(row, "signature count", count[1].str(), std::to_string(report->signatures.size()));
    if (row.indication != "unknown") record(row, "indication", row.indication, dss_name(indication_name(s.indication)));
    if (row.sub_indication != "unknown")
      record(row, "sub-indication", row.sub_indication, s.sub_indication ? sub_indication_name(*s.sub_indication) : "none");
    if (row.qualification != "unknown") {
      auto store = lists_of(row);
      record(row, "qualification", row.qualification, store ? qualification_of(s, *store) : "no trusted list named");
    }
    // DSS calls an XML signature that is not ETSI-conformant XML_NOT_ETSI; qualsig's level has only
    // "not a baseline profile" for it (coarser: see docs/validation-corpus.md, caveats).
    if (row.level != "unknown")
      record(row, "level", row.level,
             format == "XAdES" && s.level == "not a baseline profile" ? "XML_NOT_ETSI" : dss_name(s.level));
    // dflt:B-ok and TST-ok hold for every signature of the file (DSS base-class checks).
    if (row.notes.find("dflt:B-ok") != std::string::npos) {
      std::string worst = "PASSED";
      for (const SignatureReport& each : report->signatures) {
        if (each.level == "document-time-stamp") continue;
        // Not run: show the block that stopped the process before CV.
        std::string cv = each.checks.empty() ? "not run" : "not run, " + each.checks.back().first + " " + each.checks.back().second;
        for (const auto& [block, result] : each.checks)
          if (block.rfind("CV", 0) == 0) cv = result;
        if (cv != "PASSED") worst = each.id + ": " + cv;
      }
      record(row, "B-ok (CV)", "PASSED", worst);
    }
    if (row.notes.find("TST-ok") != std::string::npos) {
      std::string broken = "none";
      for (const SignatureReport& each : report->signatures)
        for (const TimestampReport& t : each.timestamps)
          if (t.indication == Indication::failed) broken = t.type + " " + (t.reasons.empty() ? "" : t.reasons[0]);
      record(row, "TST-ok", "none", broken);
    }
    std::smatch m;
    // "with 1 counter-signature (CAdES_BASELINE_B)": reported as signatures of their own.
    if (std::regex_search(row.notes, m, std::regex(R"((\d) counter-signatures? \((\w+)\))"))) {
      std::vector<const SignatureReport*> counters;
      for (const SignatureReport& each : report->signatures)
        if (!each.counter_signature_of.empty()) counters.push_back(&each);
      record(row, "counter-signature count", m[1].str(), std::to_string(counters.size()));
      record(row, "counter-signature level", m[2].str(), counters.empty() ? "none" : dss_name(counters[0]->level));
    }
    // "master signing-input intact; counter-signature signing-input and counter-signed signature
    // value NOT intact" (JAdES cSig): the CV blocks of the first signature and of its countersignature.
    if (std::regex_search(row.notes, m, std::regex(R"(counter-signature signing-input and counter-signed signature value (NOT )?intact)"))) {
      const std::string want = m[1].matched ? "FAILED" : "PASSED";
      std::string signing_input = "none", countersigned = "none";
      for (const SignatureReport& each : report->signatures) {
        if (each.counter_signature_of.empty()) continue;
        for (const auto& [block, result] : each.checks) {
          if (block == "CV (5.2.7)") signing_input = result.substr(0, result.find(':'));
          if (block == "CV (5.2.7, countersigned value)") countersigned = result.substr(0, result.find(':'));
        }
        break;
      }
      record(row, "counter-signature signing input", want, signing_input);
      record(row, "counter-signed value", want, countersigned);
      if (row.notes.find("master signing-input intact") != std::string::npos) {
        std::string master = "none";
        for (const auto& [block, result] : s.checks)
          if (block == "CV (5.2.7)") master = result.substr(0, result.find(':'));
        record(row, "master signing input", "PASSED", master);
      }
    }
    if (std::regex_search(row.notes, m, std::regex(R"((\d) timestamps)")))
      record(row, "timestamp count", m[1].str(), std::to_string(s.timestamps.size()));
    else if (std::regex_search(row.notes, m, std::regex(R"((\d) SIGNATURE_TIMESTAMP \+ (\d) ARCHIVE_TIMESTAMP)")))
      record(row, "timestamp count", std::to_string(std::stoi(m[1].str()) + std::stoi(m[2].str())),
             std::to_string(s.timestamps.size()));
  }
}

}  // namespace
}  // namespace qualsig::validation
