// Policy documents: schema errors name the offending value by JSON Pointer; hostile text is
// refused cleanly; the hash is that of the RFC 8785 form (checked with npm canonicalize and
// openssl dgst).

#include "policy/policy.h"

#include <gtest/gtest.h>

#include <fstream>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include "policy_fixtures.h"
#include "support/run_command.h"
#include "support/temp_dir.h"

namespace qualsig::policy {
namespace {

using nlohmann::json;

struct SchemaCase {
  const char* name;
  std::function<void(json&)> mutate;
  std::string message;  // the whole message, or its start when it ends in "..."
};

void expect_message(const Error& e, const std::string& want) {
  EXPECT_EQ(e.code, ErrorCode::invalid_input);
  if (want.size() > 3 && want.compare(want.size() - 3, 3, "...") == 0) {
    EXPECT_EQ(e.message.substr(0, want.size() - 3), want.substr(0, want.size() - 3)) << e.message;
  } else {
    EXPECT_EQ(e.message, want);
  }
}

TEST(PolicyParse, FullPolicyParses) {
  auto p = parse_policy(testing::full_policy_json().dump(2));
  ASSERT_TRUE(p.has_value()) << p.error().message;
  EXPECT_EQ(p->name, "test-all-rules");
  EXPECT_EQ(p->version, 3);
  EXPECT_EQ(p->document_types, (std::vector<std::string>{"invoice", "credit-note"}));
  ASSERT_TRUE(p->max_amount.has_value());
  EXPECT_EQ(p->max_amount->at("USD").to_string(), "20000.00");
  ASSERT_TRUE(p->approvals.has_value());
  EXPECT_EQ(p->approvals->at(0).valid_for, std::chrono::hours(72));
  ASSERT_TRUE(p->delegation.has_value());
  EXPECT_FALSE(p->delegation->required);
  ASSERT_TRUE(p->time_windows.has_value());
  EXPECT_EQ(describe(p->time_windows->at(0)), "mon,tue,wed,thu,fri 08:00-18:00 +01:00");
  EXPECT_EQ(p->hash.size(), 7u + 64u);
  EXPECT_EQ(p->hash.rfind("sha256:", 0), 0u);
  EXPECT_EQ(p->hash.find_first_not_of("0123456789abcdef", 7), std::string::npos);
}

TEST(PolicyParse, SchemaErrorsNameTheField) {
  const std::string long_name(65, 'a');
  const std::vector<SchemaCase> cases = {
      {"root-not-object", [](json& d) { d = json::array(); }, "policy: (root): must be an object"},
      {"missing-schema", [](json& d) { d.erase("schema"); }, "policy: /schema: required member missing"},
      {"wrong-schema", [](json& d) { d["schema"] = "qualsig-policy/2"; }, "policy: /schema: must be \"qualsig-policy/1\""},
      {"schema-number", [](json& d) { d["schema"] = 1; }, "policy: /schema: must be \"qualsig-policy/1\""},
      {"missing-name", [](json& d) { d.erase("name"); }, "policy: /name: required member missing"},
      {"name-upper-case", [](json& d) { d["name"] = "Invoices"; }, "policy: /name: must be a policy name: [a-z0-9-]{1,64}"},
      {"name-too-long", [&](json& d) { d["name"] = long_name; }, "policy: /name: must be a policy name: [a-z0-9-]{1,64}"},
      {"name-empty", [](json& d) { d["name"] = ""; }, "policy: /name: must not be empty: a policy name: [a-z0-9-]{1,64}"},
      {"version-zero", [](json& d) { d["version"] = 0; }, "policy: /version: must be an integer from 1 to 9007199254740991"},
      {"version-float", [](json& d) { d["version"] = 1.0; }, "policy: /version: must be an integer from 1 to 9007199254740991"},
      {"version-string", [](json& d) { d["version"] = "1"; }, "policy: /version: must be an integer from 1 to 9007199254740991"},
      {"version-huge", [](json& d) { d["version"] = std::uint64_t{1} << 60; }, "policy: /version: must be an integer from 1 to 9007199254740991"},
      {"unknown-member", [](json& d) { d["maximum_amount"] = 1; }, "policy: /maximum_amount: unknown member (allowed: schema, name, ..."},
      {"unknown-member-escaped", [](json& d) { d["a/b~c"] = 1; }, "policy: /a~1b~0c: unknown member..."},
      {"description-control-char", [](json& d) { d["description"] = "line\nbreak"; }, "policy: /description: must not contain control characters"},
      {"description-too-long", [](json& d) { d["description"] = std::string(257, 'x'); }, "policy: /description: must be at most 256 bytes long"},
      {"document-types-missing", [](json& d) { d.erase("document_types"); }, "policy: /document_types: required member missing"},
      {"document-types-empty", [](json& d) { d["document_types"] = json::array(); }, "policy: /document_types: must not be empty"},
      {"document-types-string", [](json& d) { d["document_types"] = "invoice"; }, "policy: /document_types: must be an array"},
      {"document-type-duplicate", [](json& d) { d["document_types"] = {"invoice", "credit-note", "invoice"}; }, "policy: /document_types/2: duplicate of /document_types/0"},
      {"document-type-upper", [](json& d) { d["document_types"][1] = "Credit-Note"; }, "policy: /document_types/1: must be an identifier: [a-z0-9][a-z0-9._-]{0,63}"},
      {"document-type-number", [](json& d) { d["document_types"][0] = 7; }, "policy: /document_types/0: must be a string: an identifier..."},
      {"max-amount-float", [](json& d) { d["max_amount"]["EUR"] = 10000.5; }, "policy: /max_amount/EUR: must be a decimal string like \"10000.00\" or an integer (never a floating-point number)"},
      {"max-amount-negative", [](json& d) { d["max_amount"]["EUR"] = -1; }, "policy: /max_amount/EUR: must be an integer from 0 to 99999999999999"},
      {"max-amount-five-decimals", [](json& d) { d["max_amount"]["EUR"] = "1.00001"; }, "policy: /max_amount/EUR: must be a decimal amount: amount \"1.00001\": has more than 4 decimal places"},
      {"max-amount-exponent", [](json& d) { d["max_amount"]["USD"] = "1e4"; }, "policy: /max_amount/USD: must be a decimal amount: amount \"1e4\": must be a decimal number..."},
      {"max-amount-currency", [](json& d) { d["max_amount"]["euro"] = "1"; }, "policy: /max_amount/euro: member name must be an ISO 4217 currency code (three capital letters)"},
      {"max-amount-empty", [](json& d) { d["max_amount"] = json::object(); }, "policy: /max_amount: must name at least one currency"},
      {"max-amount-array", [](json& d) { d["max_amount"] = json::array({"EUR", 5}); }, "policy: /max_amount: must be an object of currency code to amount"},
      {"counterparty-control-char", [](json& d) { d["counterparties"][1] = "Globex\u0007"; }, "policy: /counterparties/1: must not contain control characters"},
      {"counterparty-too-long", [](json& d) { d["counterparties"][0] = std::string(257, 'A'); }, "policy: /counterparties/0: must be at most 256 bytes long"},
      {"counterparty-padded", [](json& d) { d["counterparties"][0] = " ACME"; }, "policy: /counterparties/0: must be text without leading or trailing spaces"},
      {"counterparties-duplicate", [](json& d) { d["counterparties"][1] = "ACME-SUPPLIES-BV"; }, "policy: /counterparties/1: duplicate of /counterparties/0"},
      {"time-window-day-name", [](json& d) { d["time_windows"][0]["days"][2] = "wednesday"; }, "policy: /time_windows/0/days/2: must be one of \"mon\", \"tue\", \"wed\", \"thu\", \"fri\", \"sat\", \"sun\""},
      {"time-window-day-duplicate", [](json& d) { d["time_windows"][0]["days"][4] = "mon"; }, "policy: /time_windows/0/days/4: duplicate day"},
      {"time-window-days-empty", [](json& d) { d["time_windows"][0]["days"] = json::array(); }, "policy: /time_windows/0/days: must not be empty"},
      {"time-window-from-format", [](json& d) { d["time_windows"][0]["from"] = "8:00"; }, "policy: /time_windows/0/from: must be a time \"HH:MM\" from \"00:00\" to \"23:59\""},
      {"time-window-from-24", [](json& d) { d["time_windows"][0]["from"] = "24:00"; }, "policy: /time_windows/0/from: must be a time \"HH:MM\" from \"00:00\" to \"23:59\""},
      {"time-window-to-before-from", [](json& d) { d["time_windows"][0]["to"] = "07:00"; }, "policy: /time_windows/0/to: must be later than \"from\" (a window does not cross midnight; use two windows)"},
      {"time-window-empty-span", [](json& d) { d["time_windows"][0]["to"] = "08:00"; }, "policy: /time_windows/0/to: must be later than..."},
      {"time-window-offset-z", [](json& d) { d["time_windows"][0]["utc_offset"] = "Z"; }, "policy: /time_windows/0/utc_offset: must be a UTC offset \"+HH:MM\" or \"-HH:MM\""},
      {"time-window-offset-range", [](json& d) { d["time_windows"][0]["utc_offset"] = "+15:00"; }, "policy: /time_windows/0/utc_offset: must be a UTC offset between -12:00 and +14:00"},
      {"time-window-offset-missing", [](json& d) { d["time_windows"][0].erase("utc_offset"); }, "policy: /time_windows/0/utc_offset: required member missing"},
      {"time-window-unknown", [](json& d) { d["time_windows"][0]["zone"] = "Europe/Amsterdam"; }, "policy: /time_windows/0/zone: unknown member (allowed: days, from, to, utc_offset)"},
      {"rate-limit-zero", [](json& d) { d["rate_limits"]["per_day"] = 0; }, "policy: /rate_limits/per_day: must be an integer from 1 to 1000000000"},
      {"rate-limit-float", [](json& d) { d["rate_limits"]["per_hour"] = 10.0; }, "policy: /rate_limits/per_hour: must be an integer from 1 to 1000000000"},
      {"rate-limits-empty", [](json& d) { d["rate_limits"] = json::object(); }, "policy: /rate_limits: must set per_hour, per_day or both"},
      {"rate-limit-unknown", [](json& d) { d["rate_limits"]["per_week"] = 5; }, "policy: /rate_limits/per_week: unknown member (allowed: per_hour, per_day)"},
      {"approvals-required-zero", [](json& d) { d["approvals"][0]["required"] = 0; }, "policy: /approvals/0/required: must be an integer from 1 to 100"},
      {"approvals-required-string", [](json& d) { d["approvals"][0]["required"] = "2"; }, "policy: /approvals/0/required: must be an integer from 1 to 100"},
      {"approvals-group-missing", [](json& d) { d["approvals"][1].erase("group"); }, "policy: /approvals/1/group: required member missing"},
      {"approvals-valid-for", [](json& d) { d["approvals"][0]["valid_for"] = "3 days"; }, "policy: /approvals/0/valid_for: must be a duration like..."},
      {"approvals-valid-for-too-long", [](json& d) { d["approvals"][0]["valid_for"] = "91d"; }, "policy: /approvals/0/valid_for: must be from 1m to 90d"},
      {"approvals-above-float", [](json& d) { d["approvals"][1]["above"]["EUR"] = 4e4; }, "policy: /approvals/1/above/EUR: must be a decimal string..."},
      {"approvals-same-threshold", [](json& d) { d["approvals"][1]["above"]["EUR"] = "10000"; }, "policy: /approvals/1/above/EUR: the same threshold as /approvals/0/above/EUR"},
      {"approvals-empty", [](json& d) { d["approvals"] = json::array(); }, "policy: /approvals: must not be empty"},
      {"approvals-entry-not-object", [](json& d) { d["approvals"][1] = "board"; }, "policy: /approvals/1: must be an object"},
      {"delegation-from-identity", [](json& d) { d["delegation"]["from"][0] = "identity:po-agent"; }, "policy: /delegation/from/0: must be \"person:NAME\" or \"organisation:ID\""},
      {"delegation-from-bare-name", [](json& d) { d["delegation"]["from"][0] = "cfo@acme.example"; }, "policy: /delegation/from/0: must be \"person:NAME\" or \"organisation:ID\""},
      {"delegation-required-string", [](json& d) { d["delegation"]["required"] = "yes"; }, "policy: /delegation/required: must be true or false"},
      {"delegation-scope-missing", [](json& d) { d["delegation"].erase("scope"); }, "policy: /delegation/scope: required member missing"},
      {"activation-too-long", [](json& d) { d["activation"]["sad_valid_for"] = "2h"; }, "policy: /activation/sad_valid_for: must be from 1s to 1h"},
      {"activation-by-organisation", [](json& d) { d["activation"]["by"] = "organisation:VATNL-123456789B01"; }, "policy: /activation/by: must be \"person:NAME\""},
      {"activation-missing-sad", [](json& d) { d["activation"] = json::object(); }, "policy: /activation/sad_valid_for: required member missing"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    json doc = testing::full_policy_json();
    c.mutate(doc);
    auto p = parse_policy(doc.dump());
    ASSERT_FALSE(p.has_value());
    expect_message(p.error(), c.message);
  }
}

// Text that JSON itself cannot carry as a value: duplicates, syntax, size, depth, encoding.
TEST(PolicyParse, HostileText) {
  const std::string good = testing::full_policy_json().dump();
  const std::string head = R"({"schema":"qualsig-policy/1","name":"x","version":1,"document_types":["invoice"])";
  struct TextCase { const char* name; std::string text; std::string message; };
  const std::vector<TextCase> cases = {
      {"duplicate-top-level", R"({"schema":"qualsig-policy/1","name":"a","name":"b","version":1,"document_types":["invoice"]})",
       "policy: /name: duplicate member name"},
      {"duplicate-nested", head + R"(,"max_amount":{"EUR":"1","EUR":"2"}})", "policy: /max_amount/EUR: duplicate member name"},
      {"duplicate-in-array-element",
       head + R"(,"approvals":[{"above":{"EUR":1},"required":1,"group":"g","valid_for":"1h"},)"
              R"({"above":{"EUR":2},"required":1,"required":2,"group":"g","valid_for":"1h"}]})",
       "policy: /approvals/1/required: duplicate member name"},
      {"duplicate-after-nested-arrays", head + R"(,"time_windows":[{"days":["mon"],"from":"08:00","to":"09:00","utc_offset":"+00:00","to":"10:00"}]})",
       "policy: /time_windows/0/to: duplicate member name"},
      {"duplicate-escaped-name", head + R"(,"a/b":1,"a\/b":2})", "policy: /a~1b: duplicate member name"},
      {"trailing-garbage", good + "x", "policy: invalid JSON..."},
      {"trailing-second-document", good + good, "policy: invalid JSON..."},
      {"truncated", good.substr(0, good.size() / 2), "policy: invalid JSON..."},
      {"empty", "", "policy: invalid JSON..."},
      {"byte-order-mark", "\xEF\xBB\xBF" + good, "policy: invalid JSON: byte order mark before the value"},
      {"nul-byte", good.substr(0, 10) + std::string(1, '\0') + good.substr(10), "policy: invalid JSON: NUL byte at offset 10"},
      {"invalid-utf8", head + ",\"description\":\"\xC3\x28\"}", "policy: invalid JSON..."},
      {"comment", "/* c */" + good, "policy: invalid JSON..."},
      {"single-quotes", "{'schema':'qualsig-policy/1'}", "policy: invalid JSON..."},
      {"too-deep", head + R"(,"description":[[[[[[[[1]]]]]]]]})", "policy: invalid JSON: nesting deeper than 8 levels"},
      {"too-large", good + std::string(kMaxPolicyBytes + 1 - good.size(), ' '),
       "policy: the document is larger than 262144 bytes"},
      {"integer-beyond-64-bits", head + R"(,"description":123456789012345678901234})", "policy: invalid JSON: integer literal does not fit in 64 bits"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    auto p = parse_policy(c.text);
    ASSERT_FALSE(p.has_value());
    expect_message(p.error(), c.message);
  }
  // Exactly at the size limit (whitespace padding) is accepted.
  auto at_limit = parse_policy(good + std::string(kMaxPolicyBytes - good.size(), ' '));
  EXPECT_TRUE(at_limit.has_value()) << at_limit.error().message;
}

TEST(PolicyParse, ListBounds) {
  json doc = testing::full_policy_json();
  doc["counterparties"] = json::array();
  for (int i = 0; i < 1000; ++i) doc["counterparties"].push_back("C" + std::to_string(i));
  EXPECT_TRUE(parse_policy(doc.dump()).has_value());
  doc["counterparties"].push_back("C1000");
  auto p = parse_policy(doc.dump());
  ASSERT_FALSE(p.has_value());
  expect_message(p.error(), "policy: /counterparties: must have at most 1000 entries");
}

TEST(PolicyParse, RandomAndMutatedInputNeverCrash) {
  const std::string good = testing::full_policy_json().dump();
  std::mt19937 rng(4217);
  std::uniform_int_distribution<int> byte(0, 255);
  std::size_t accepted = 0;
  for (int i = 0; i < 3000; ++i) {
    std::string text;
    if (i % 3 == 0) {  // random bytes
      text.resize(rng() % 300);
      for (auto& c : text) c = static_cast<char>(byte(rng));
    } else if (i % 3 == 1) {  // one byte of a valid document changed
      text = good;
      text[rng() % text.size()] = static_cast<char>(byte(rng));
    } else {  // a prefix
      text = good.substr(0, rng() % good.size());
    }
    auto p = parse_policy(text);
    if (p) {
      ++accepted;
      EXPECT_EQ(parse_policy(p->canonical)->hash, p->hash);
    } else {
      EXPECT_EQ(p.error().code, ErrorCode::invalid_input);
      EXPECT_EQ(p.error().message.rfind("policy: ", 0), 0u) << p.error().message;
    }
  }
  EXPECT_LT(accepted, 1000u);  // most mutations break the document; some (in strings) do not
}

TEST(PolicyHash, StableUnderWhitespaceAndOrderChangedByValues) {
  const json doc = testing::full_policy_json();
  auto compact = parse_policy(doc.dump());
  auto pretty = parse_policy(doc.dump(4));
  ASSERT_TRUE(compact && pretty);
  EXPECT_EQ(compact->hash, pretty->hash);
  // Members reversed in the text (nlohmann keeps them sorted, so write them by hand).
  const std::string reordered = R"({"document_types":["invoice"],"version":1,"name":"x","schema":"qualsig-policy/1"})";
  const std::string ordered = "{\n  \"schema\": \"qualsig-policy/1\",\n  \"name\": \"x\",\n  \"version\": 1,\n"
                              "  \"document_types\": [\"invoice\"]\n}\n";
  EXPECT_EQ(parse_policy(reordered)->hash, parse_policy(ordered)->hash);
  // Any changed value changes the hash, even one that means the same amount.
  for (const auto& change : std::vector<std::function<void(json&)>>{
           [](json& d) { d["version"] = 4; },
           [](json& d) { d["max_amount"]["EUR"] = "50000.0"; },
           [](json& d) { d["document_types"] = {"credit-note", "invoice"}; },
           [](json& d) { d["approvals"][0]["required"] = 3; },
           [](json& d) { d["description"] = "every rule once."; }}) {
    json changed = doc;
    change(changed);
    auto p = parse_policy(changed.dump());
    ASSERT_TRUE(p.has_value()) << p.error().message;
    EXPECT_NE(p->hash, compact->hash);
  }
  auto again = parse_policy(compact->canonical);
  ASSERT_TRUE(again.has_value());
  EXPECT_EQ(again->hash, compact->hash);
  EXPECT_EQ(again->canonical, compact->canonical);
  EXPECT_EQ(*policy_hash(doc), compact->hash);
}

// The hash, recomputed by other implementations: npm `canonicalize` (RFC 8785) for the canonical
// text and `openssl dgst -sha256` for the digest.
TEST(PolicyHashInterop, MatchesNpmCanonicalizeAndOpensslDigest) {
  if (qualsig::testing::run("node --version").status != 0) GTEST_SKIP() << "node is not installed";
  if (qualsig::testing::run("test -d " QUALSIG_SOURCE_DIR "/tests/interop/node_modules/canonicalize").status != 0) {
    GTEST_SKIP() << "tests/interop/node_modules missing: run scripts/install-deps";
  }
  qualsig::testing::TempDir dir;
  const std::vector<std::string> texts = {
      testing::full_policy_json().dump(3),
      R"({"version":1,"name":"x","schema":"qualsig-policy/1","document_types":["invoice"],)"
      R"("description":"Gr\u00fc\u00dfe \u20ac caf\u00e9 \ud83d\ude00 \"q\" \\ / tab-free"})",
  };
  for (std::size_t i = 0; i < texts.size(); ++i) {
    SCOPED_TRACE(i);
    auto p = parse_policy(texts[i]);
    ASSERT_TRUE(p.has_value()) << p.error().message;
    const auto in = dir.path() / ("in" + std::to_string(i) + ".json");
    const auto canonical = dir.path() / ("c" + std::to_string(i) + ".json");
    std::ofstream(in) << "[" << texts[i] << "]";
    auto node = qualsig::testing::run("node " QUALSIG_SOURCE_DIR "/tests/interop/jcs_check.mjs < " + in.string() +
                                      " | tr -d '\\n' > " + canonical.string() + " && cat " + canonical.string());
    ASSERT_EQ(node.status, 0) << node.output;
    EXPECT_EQ(node.output, p->canonical);
    auto dgst = qualsig::testing::run("openssl dgst -sha256 -r " + canonical.string());
    ASSERT_EQ(dgst.status, 0) << dgst.output;
    EXPECT_EQ("sha256:" + dgst.output.substr(0, 64), p->hash);
  }
}

}  // namespace
}  // namespace qualsig::policy
