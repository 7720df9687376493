// RFC 8785 (JCS) canonical form and the strict JSON parser: vectors from the RFC, hostile
// input, and a comparison with an independent implementation (tests/interop, Node.js).
#include "core/canonical_json.h"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

namespace qualsig::core {
namespace {

using nlohmann::json;
using namespace std::string_literals;

std::string canonical_or_error(const json& v) {
  auto r = canonical_json(v);
  return r ? *r : "ERROR: " + r.error().message;
}

std::string canonical_of_text(std::string_view text) {
  auto v = parse_json_strict(text);
  return v ? canonical_or_error(*v) : "PARSE ERROR: " + v.error().message;
}

// RFC 8785 §3.2.3, the sorting example: its input, and its values in the order given there.
TEST(CanonicalJson, Rfc8785Section323SortsNamesAsUtf16CodeUnits) {
  const char* input = R"({
      "\u20ac": "Euro Sign",
      "\r": "Carriage Return",
      "\ufb33": "Hebrew Letter Dalet With Dagesh",
      "1": "One",
      "\ud83d\ude00": "Emoji: Grinning Face",
      "\u0080": "Control",
      "\u00f6": "Latin Small Letter O With Diaeresis"
    })";
  const std::string expected =
      "{\"\\r\":\"Carriage Return\",\"1\":\"One\",\"\xC2\x80\":\"Control\","
      "\"\xC3\xB6\":\"Latin Small Letter O With Diaeresis\",\"\xE2\x82\xAC\":\"Euro Sign\","
      "\"\xF0\x9F\x98\x80\":\"Emoji: Grinning Face\","
      "\"\xEF\xAC\xB3\":\"Hebrew Letter Dalet With Dagesh\"}";
  EXPECT_EQ(canonical_of_text(input), expected);
}

// Pairs (first, second) that must come out in this order; UTF-8 byte order differs for some.
TEST(CanonicalJson, MemberOrderIsUtf16NotUtf8Bytes) {
  const std::pair<std::string, std::string> pairs[] = {
      {"\xF0\x9F\x98\x80", "\xEF\xAC\xB3"},      // U+1F600 (D83D DE00) before U+FB33
      {"\xF0\x90\x80\x80", "\xEE\x80\x80"},      // U+10000 (D800 DC00) before U+E000
      {"\xF4\x8F\xBF\xBF", "\xEF\xBF\xBF"},      // U+10FFFF (DBFF DFFF) before U+FFFF
      {"\xED\x9F\xBF", "\xF0\x9F\x98\x80"},      // U+D7FF before U+1F600
      {"\xF0\x9F\x98\x80", "\xF0\x9F\x98\x81"},  // same high surrogate, low decides
      {"a", "ab"},                               // a prefix sorts first
      {"", "0"},
      {"B", "a"},                                // no case folding
  };
  for (const auto& [first, second] : pairs) {
    SCOPED_TRACE(first + " < " + second);
    const json doc = {{second, 2}, {first, 1}};
    EXPECT_EQ(canonical_or_error(doc), "{\"" + first + "\":1,\"" + second + "\":2}");
  }
}

// RFC 8785 §3.2.2.2: escape only `"`, `\` and U+0000..U+001F; everything else as-is.
TEST(CanonicalJson, Rfc8785Section3222StringEscaping) {
  const std::pair<std::string, std::string> vectors[] = {
      {"\"", R"("\"")"},
      {"\\", R"("\\")"},
      {"\b\t\n\f\r", R"("\b\t\n\f\r")"},
      {"\0"s, R"("\u0000")"},
      {"\x01\x07\x0B\x0E\x1A\x1F", R"("\u0001\u0007\u000b\u000e\u001a\u001f")"},
      {"/", R"("/")"},                                 // solidus left alone
      {"\x7F", "\"\x7F\""},                            // DEL is not a control to escape
      {"\xE2\x80\xA8\xE2\x80\xA9", "\"\xE2\x80\xA8\xE2\x80\xA9\""},  // U+2028, U+2029
      {"\xC3\xA9\xE4\xB8\xAD\xF0\x9F\x98\x80", "\"\xC3\xA9\xE4\xB8\xAD\xF0\x9F\x98\x80\""},
      {"'<>&", R"("'<>&")"},
  };
  for (const auto& [raw, expected] : vectors) {
    SCOPED_TRACE(expected);
    EXPECT_EQ(canonical_or_error(json(raw)), expected);
    EXPECT_EQ(canonical_or_error(json{{raw, raw}}), "{" + expected + ":" + expected + "}");
  }
  // The string and literals of the RFC 8785 §3.2.4 example (its numbers are out of profile).
  EXPECT_EQ(canonical_of_text(R"({"string": "\u20ac$\u000F\u000aA'\u0042\u0022\u005c\\\"\/",
                                  "literals": [null, true, false]})"),
            "{\"literals\":[null,true,false],\"string\":\"\xE2\x82\xAC$\\u000f\\nA'B\\\"\\\\\\\\\\\"/\"}");
}

TEST(CanonicalJson, NestedAndEmptyContainersWithoutWhitespace) {
  const std::pair<const char*, const char*> vectors[] = {
      {"{}", "{}"},
      {"[]", "[]"},
      {" [ { } , [ ] , [ [ ] ] ] ", "[{},[],[[]]]"},
      {R"({"b": [3, {"z": null, "y": [true, false]}], "a": {"d": {}, "c": []}})",
       R"({"a":{"c":[],"d":{}},"b":[3,{"y":[true,false],"z":null}]})"},
      {"[3, 1, 2]", "[3,1,2]"},  // arrays keep their order
      {"\"top-level string\"", "\"top-level string\""},
      {"null", "null"},
      {"true", "true"},
  };
  for (const auto& [text, expected] : vectors) {
    SCOPED_TRACE(text);
    EXPECT_EQ(canonical_of_text(text), expected);
  }
}

TEST(CanonicalJson, IntegersInSafeRangeAsPlainDecimal) {
  constexpr std::int64_t kMax = kMaxSafeInteger;
  EXPECT_EQ(kMax, 9007199254740991);
  const std::pair<json, const char*> vectors[] = {
      {json(0), "0"},
      {json(-1), "-1"},
      {json(kMax), "9007199254740991"},
      {json(-kMax), "-9007199254740991"},
      {json(static_cast<std::uint64_t>(kMax)), "9007199254740991"},
      {json(std::uint64_t{0}), "0"},
  };
  for (const auto& [value, expected] : vectors) EXPECT_EQ(canonical_or_error(value), expected);
  const std::pair<const char*, const char*> texts[] = {
      {"-0", "0"}, {"9007199254740991", "9007199254740991"},
      {"-9007199254740991", "-9007199254740991"}, {"[0,-0,10]", "[0,0,10]"}};
  for (const auto& [text, expected] : texts) EXPECT_EQ(canonical_of_text(text), expected) << text;
}

TEST(CanonicalJson, RefusesFloatsAndUnsafeIntegers) {
  const std::string kFloat = "canonical JSON: floating-point numbers are not supported";
  const std::string kRange = "canonical JSON: integer out of the IEEE 754 safe range";
  const std::pair<json, std::string> vectors[] = {
      {json(kMaxSafeInteger + 1), kRange},
      {json(-kMaxSafeInteger - 1), kRange},
      {json(static_cast<std::uint64_t>(kMaxSafeInteger) + 1), kRange},
      {json(INT64_MIN), kRange},
      {json(UINT64_MAX), kRange},
      {json::array({1, json::object({{"deep", 9007199254740992}})}), kRange},
      {json(1.0), kFloat},
      {json(0.5), kFloat},
      {json(-0.0), kFloat},
      {json::parse("1.0"), kFloat},
      {json::parse("1e2"), kFloat},
      {json::parse("1E-2"), kFloat},
      {json::parse("-0.0"), kFloat},
      {json::parse(R"({"a":[1.5]})"), kFloat},
  };
  for (const auto& [value, message] : vectors) {
    SCOPED_TRACE(value.dump());
    auto r = canonical_json(value);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, ErrorCode::invalid_input);
    EXPECT_EQ(r.error().message.substr(0, message.size()), message);
  }
  EXPECT_EQ(canonical_json(json::binary({1, 2})).error().code, ErrorCode::invalid_input);
}

// Ill-formed UTF-8 (RFC 3629), as a string value, a member name, and inside JSON text.
TEST(CanonicalJson, RefusesInvalidUtf8) {
  const std::pair<const char*, std::string> vectors[] = {
      {"overlong-nul", "\xC0\x80"},
      {"overlong-slash-2", "\xC1\xAF"},
      {"overlong-slash-3", "\xE0\x80\xAF"},
      {"overlong-4", "\xF0\x80\x80\xAF"},
      {"lone-continuation", "a\x80z"},
      {"lone-continuation-bf", "\xBF"},
      {"surrogate-d800", "\xED\xA0\x80"},
      {"surrogate-dfff", "\xED\xBF\xBF"},
      {"surrogate-pair-cesu8", "\xED\xA0\xBD\xED\xB8\x80"},
      {"truncated-2", "\xC3"},
      {"truncated-3", "\xE2\x82"},
      {"truncated-4", "x\xF0\x9F\x98"},
      {"above-10ffff", "\xF4\x90\x80\x80"},
      {"byte-f5", "\xF5\x80\x80\x80"},
      {"byte-ff", "\xFF"},
  };
  for (const auto& [name, bytes] : vectors) {
    SCOPED_TRACE(name);
    auto as_value = canonical_json(json::array({"ok", bytes}));
    ASSERT_FALSE(as_value);
    EXPECT_EQ(as_value.error().code, ErrorCode::invalid_input);
    EXPECT_EQ(as_value.error().message, "canonical JSON: string is not valid UTF-8");
    auto as_name = canonical_json(json{{bytes, 1}});
    ASSERT_FALSE(as_name);
    EXPECT_EQ(as_name.error().message, "canonical JSON: member name is not valid UTF-8");
    auto parsed = parse_json_strict("[\"" + bytes + "\"]");
    ASSERT_FALSE(parsed);
    EXPECT_EQ(parsed.error().code, ErrorCode::invalid_input);
    EXPECT_NE(parsed.error().message.find("UTF-8"), std::string::npos) << parsed.error().message;
  }
  for (const char* lone : {R"("\ud800")", R"("\udc00")", R"("\ud83dx")", R"("\ud83d\u0041")"}) {
    EXPECT_FALSE(parse_json_strict(lone)) << lone;
  }
}

// Hostile JSON text: each is refused with invalid_input and a message naming the problem.
TEST(ParseJsonStrict, RefusesHostileInput) {
  const std::string deep_arrays(100000, '[');
  std::string deep_objects;
  for (int i = 0; i < 100000; ++i) deep_objects += "{\"a\":";
  const std::string deep_closed = deep_arrays + std::string(100000, ']');
  struct Vector {
    const char* name;
    std::string text;
    const char* message_part;
  };
  const Vector vectors[] = {
      {"empty", "", "syntax error"},
      {"whitespace-only", " \n\t", "syntax error"},
      {"trailing-garbage", "{} x", "syntax error"},
      {"trailing-value", "1 2", "expected end of input"},
      {"trailing-bracket", "[1]]", "expected end of input"},
      {"duplicate-key", R"({"a":1,"a":2})", "duplicate member name \"a\""},
      {"duplicate-key-nested", R"({"x":{"a":1,"b":2,"a":{}}})", "duplicate member name \"a\""},
      {"duplicate-key-by-escape", R"({"a":1,"\u0061":2})", "duplicate member name \"a\""},
      {"nul-after-value", "{}\0{}"s, "NUL byte at offset 2"},
      {"nul-in-string", "[\"a\0b\"]"s, "NUL byte at offset 3"},
      {"nul-first", "\0"s, "NUL byte at offset 0"},
      {"byte-order-mark", "\xEF\xBB\xBF{}", "byte order mark"},
      {"unescaped-newline-in-string", "[\"a\nb\"]", "control character"},
      {"single-quotes", "{'a':1}", "syntax error"},
      {"trailing-comma", "[1,]", "syntax error"},
      {"leading-zero", "01", "expected end of input"},
      {"nan", "NaN", "syntax error"},
      {"comment", "/*x*/1", "syntax error"},
      {"unterminated-string", "\"abc", "syntax error"},
      {"integer-beyond-64-bits", "18446744073709551616", "integer literal does not fit in 64 bits"},
      {"negative-beyond-64-bits", "-9223372036854775809", "integer literal does not fit in 64 bits"},
      {"float-overflow", "1e400", "number overflow"},
      {"depth-65", std::string(65, '[') + std::string(65, ']'), "nesting deeper than 64 levels"},
      {"depth-100000-unclosed-arrays", deep_arrays, "nesting deeper than 64 levels"},
      {"depth-100000-closed-arrays", deep_closed, "nesting deeper than 64 levels"},
      {"depth-100000-objects", deep_objects, "nesting deeper than 64 levels"},
  };
  for (const auto& v : vectors) {
    SCOPED_TRACE(v.name);
    auto r = parse_json_strict(v.text);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, ErrorCode::invalid_input);
    EXPECT_NE(r.error().message.find(v.message_part), std::string::npos) << r.error().message;
    EXPECT_LT(r.error().message.size(), 400u) << "messages stay short";
  }
  EXPECT_TRUE(parse_json_strict(std::string(64, '[') + std::string(64, ']')));
  EXPECT_TRUE(parse_json_strict("[[]]", 2));
  EXPECT_FALSE(parse_json_strict("[[[]]]", 2));
  EXPECT_FALSE(parse_json_strict("[]", 0));
  EXPECT_TRUE(parse_json_strict("7", 0));
}

TEST(ParseJsonStrict, MegabyteStringsParseAndErrorsStayShort) {
  const std::string big(1 << 20, 'x');
  auto ok_value = parse_json_strict("{\"k\":\"" + big + "\"}");
  ASSERT_TRUE(ok_value) << ok_value.error().message;
  EXPECT_EQ((*ok_value)["k"].get_ref<const std::string&>().size(), big.size());
  EXPECT_EQ(canonical_or_error(*ok_value), "{\"k\":\"" + big + "\"}");

  for (const std::string& text : {"[\"" + big, "[\"" + big + "\x80\"]",
                                  "{\"" + big + "\":1,\"" + big + "\":2}"}) {
    auto r = parse_json_strict(text);
    ASSERT_FALSE(r);
    EXPECT_LT(r.error().message.size(), 400u);
    EXPECT_LT(r.error().detail.size(), 1100u);
  }
}

TEST(CanonicalJson, DeepValueBuiltInMemoryDoesNotRecurse) {
  json root = json::array();
  json* node = &root;
  for (int i = 0; i < 100000; ++i) {
    node->push_back(json::object());
    node = &node->back();
    (*node)["k"] = json::array();
    node = &(*node)["k"];
  }
  auto r = canonical_json(root);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->size(), 100000 * std::string(R"({"k":[]})").size() + 2);
}

TEST(CanonicalJson, RoundTripAndIsCanonical) {
  const char* canonical_texts[] = {
      "{}", "[]", "null", "0", "-9007199254740991", "\"\"",
      R"({"":[],"a":{"b":[1,{"c":null}]},"z":false})",
      "[\"\\u0000\\u001f\\b\\t\\n\\f\\r\\\"\\\\/\xE2\x80\xA8\x7F\"]",
      "{\"\\r\":1,\"1\":2,\"\xC2\x80\":3,\"\xF0\x9F\x98\x80\":4,\"\xEF\xAC\xB3\":5}",
  };
  for (const char* text : canonical_texts) {
    SCOPED_TRACE(text);
    EXPECT_EQ(canonical_of_text(text), text);
    auto c = is_canonical(text);
    ASSERT_TRUE(c) << c.error().message;
    EXPECT_TRUE(*c);
  }
  const char* not_canonical[] = {"{ }", R"({"b":1,"a":2})", R"("\u0041")", R"("\/")", "[1 ]",
                                 "-0", "\"\\u001F\"", "{\"\xEF\xAC\xB3\":1,\"\xF0\x9F\x98\x80\":2}"};
  for (const char* text : not_canonical) {
    auto c = is_canonical(text);
    ASSERT_TRUE(c) << text << ": " << c.error().message;
    EXPECT_FALSE(*c) << text;
  }
  for (const char* bad : {"{", "1.5", R"({"a":1,"a":1})", "9007199254740992"}) {
    EXPECT_FALSE(is_canonical(bad)) << bad;
  }
}

// --- Interop: the same documents through the `canonicalize` npm package (tests/interop). ---

std::string utf8(char32_t cp) {
  std::string out;
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
  return out;
}

// Random documents from a fixed seed; modulo rather than std::uniform_*_distribution so that
// every standard library draws the same documents.
class DocumentGenerator {
 public:
  std::uint64_t below(std::uint64_t n) { return m_rng() % n; }

  std::string text(std::size_t max_len) {
    // Ranges chosen to catch escaping and UTF-16 ordering mistakes.
    static constexpr std::pair<char32_t, char32_t> kRanges[] = {
        {'a', 'z'}, {'0', '9'}, {0x00, 0x1F}, {'"', '"'}, {'\\', '\\'}, {'/', '/'}, {0x7F, 0x7F},
        {0x80, 0xFF}, {0x4E00, 0x9FFF}, {0x2028, 0x2029}, {0xE000, 0xF8FF}, {0xFB33, 0xFB33},
        {0xFFFD, 0xFFFF}, {0x10000, 0x10000}, {0x1F600, 0x1F64F}, {0x20000, 0x2A6DF},
        {0x10FFFF, 0x10FFFF}};
    std::string out;
    for (std::size_t n = below(max_len + 1); n > 0; --n) {
      const auto& [lo, hi] = kRanges[below(std::size(kRanges))];
      out += utf8(static_cast<char32_t>(lo + below(hi - lo + 1)));
    }
    return out;
  }

  json value(int depth) {
    switch (below(depth < 4 ? 8 : 5)) {
      case 0: return nullptr;
      case 1: return below(2) == 1;
      case 2: return text(12);
      case 3: {
        static constexpr std::int64_t kEdges[] = {0, 1, -1, kMaxSafeInteger, -kMaxSafeInteger,
                                                  2147483648, -2147483649, 1000000};
        if (below(3) == 0) return kEdges[below(std::size(kEdges))];
        return static_cast<std::int64_t>(below(2 * kMaxSafeInteger + 1)) - kMaxSafeInteger;
      }
      case 4: return static_cast<std::int64_t>(below(100));
      case 5: {
        json a = json::array();
        for (auto n = below(5); n > 0; --n) a.push_back(value(depth + 1));
        return a;
      }
      default: return object(depth + 1);
    }
  }

  json object(int depth) {
    json o = json::object();
    for (auto n = below(7); n > 0; --n) o[text(6)] = value(depth);
    return o;
  }

 private:
  std::mt19937_64 m_rng{8785};
};

TEST(CanonicalJsonInterop, MatchesNpmCanonicalizeOnRandomDocuments) {
  const std::filesystem::path interop = std::filesystem::path(QUALSIG_SOURCE_DIR) / "tests/interop";
  if (std::system("command -v node >/dev/null 2>&1") != 0) {
    GTEST_SKIP() << "node not found: run scripts/install-deps to compare with the independent "
                    "RFC 8785 implementation in tests/interop";
  }
  if (!std::filesystem::exists(interop / "node_modules/canonicalize/package.json")) {
    GTEST_SKIP() << interop.string() << "/node_modules missing: run scripts/install-deps";
  }

  json documents = json::array();
  documents.push_back(*parse_json_strict(R"({"\u20ac":1,"\r":2,"\ufb33":3,"1":4,
      "\ud83d\ude00":5,"\u0080":6,"\u00f6":7,"\ue000":8,"\ud800\udc00":9,"\uffff":10})"));
  documents.push_back(json{{"controls", "\x01\x1f\b\t\n\f\r\"\\/\x7F"}, {"ls", "\xE2\x80\xA8"}});
  documents.push_back(json{{"empty", json::object()}, {"list", json::array()}, {"", nullptr}});
  DocumentGenerator gen;
  while (documents.size() < 200) documents.push_back(gen.object(0));

  // Input through a file, output through the pipe: no bidirectional popen.
  const auto stem = std::filesystem::temp_directory_path() /
                    ("qualsig-jcs-interop-" + std::to_string(::getpid()));
  const auto input = stem.string() + ".json";
  const auto errors = stem.string() + ".stderr";
  std::ofstream(input, std::ios::binary) << documents.dump();
  struct RemoveFiles {
    std::vector<std::string> paths;
    ~RemoveFiles() {
      for (const auto& p : paths) std::filesystem::remove(p);
    }
  } remove_files{{input, errors}};
  const std::string command = "node '" + (interop / "jcs_check.mjs").string() + "' < '" + input +
                              "' 2> '" + errors + "'";
  FILE* pipe = ::popen(command.c_str(), "r");
  ASSERT_NE(pipe, nullptr) << command;
  std::string output;
  char buf[65536];
  for (std::size_t n; (n = std::fread(buf, 1, sizeof buf, pipe)) > 0;) output.append(buf, n);
  const int status = ::pclose(pipe);
  std::ostringstream stderr_text;
  stderr_text << std::ifstream(errors).rdbuf();
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << command << "\n" << stderr_text.str();

  std::vector<std::string> theirs;
  std::istringstream lines(output);
  for (std::string line; std::getline(lines, line);) theirs.push_back(line);
  ASSERT_EQ(theirs.size(), documents.size()) << output.substr(0, 2000);
  int mismatches = 0;
  for (std::size_t i = 0; i < documents.size(); ++i) {
    auto ours = canonical_json(documents[i]);
    ASSERT_TRUE(ours) << "document " << i << ": " << ours.error().message;
    if (*ours != theirs[i] && ++mismatches <= 5) {
      ADD_FAILURE() << "document " << i << "\n ours:   " << *ours << "\n theirs: " << theirs[i];
    }
  }
  EXPECT_EQ(mismatches, 0);
}

}  // namespace
}  // namespace qualsig::core
