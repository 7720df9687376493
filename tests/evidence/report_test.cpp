// The auditor's report (evidence/report.h), text and HTML, from a Report built by hand. Independent
// readers judge the output: iconv (valid UTF-8), wc -L (line width), xmllint (XML well-formedness
// and libxml2's HTML parser) and headless Chromium (the page as a browser renders and prints it).
#include "evidence/report.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "support/run_command.h"
#include "support/temp_dir.h"

namespace qualsig::evidence {
namespace {

using testing::run;

TimePoint at(std::int64_t seconds) { return TimePoint(std::chrono::seconds(1795000000 + seconds)); }

// A report as verify_bundle fills it for an allowed, approved, verified CAdES signature.
Report sample_report() {
  Report r;
  r.verified = true;
  r.signature_id = "sig-7f3a9c2e41d0";
  r.document_name = "invoice-2026-0117.pdf";
  r.document_hash = "sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
  r.identity = "invoice-agent-7";
  r.identity_kind = "ai-agent";
  r.organization = "Example Logistics GmbH (VATDE-123456789)";
  r.sponsor = "Alice Sponsor";
  r.assurance_level = "IAL2";
  r.proofing = {"sponsor attestation by Alice Sponsor, confirmed by Dora Officer (IAL2)",
                "OIDC workload token from https-less issuer ci.example (IAL1)"};
  r.policy = "invoices v3 (sha256:2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae)";
  r.decision = "needs-approval -> approved: amount 12000 EUR above the 10000 EUR limit, 2 of 3 approvers";
  r.rules = {"document_type invoice: allowed", "amount 12000 > 10000: needs 2 approvals",
             "counterparty ACME SE: on the allow list"};
  r.approvers = {{"Bob Approver", "approve", at(3600), r.document_hash},
                 {"Carol Controller", "approve", at(3700), r.document_hash}};
  r.certificate = "CN=invoice-agent-7, O=Example Logistics GmbH; serial 5A1F; valid 2026-11-20 to 2027-11-20";
  r.qualification = "QESeal: QcCompliance, QcSSCD (key in an HSM), QcType eseal; issuer on our trusted list";
  r.signed_at = at(3800);
  r.log_seq = 41;
  r.log_size = 57;
  r.root_fingerprint = "5f2b1c0e8d7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c2d1e0f9a8b7c6d5e4f3a2b1c";
  r.log_key_fingerprint = "0a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f9";
  r.timeline = {{at(-86400 * 3), 3, "identity.registered", "invoice-agent-7 registered by Alice Sponsor"},
                {at(-86400 * 3 + 60), 4, "identity.proofed", "sponsor attestation by Alice Sponsor"},
                {at(-86400 * 2), 7, "identity.confirmed", "confirmed by Dora Officer"},
                {at(-86400 * 2 + 30), 8, "certificate.issued", "serial 5A1F, QcType eseal"},
                {at(0), 38, "policy.decided", "needs-approval under invoices v3"},
                {at(3600), 39, "approval.granted", "Bob Approver approved"},
                {at(3700), 40, "approval.granted", "Carol Controller approved"},
                {at(3790), 40, "sad.issued", "one-time SAD for the document hash"},
                {at(3800), 41, "signature.produced", "CAdES B-LT, signature sig-7f3a9c2e41d0"}};
  for (const char* e : {"document", "signature", "chain", "revocation", "timestamps", "log.checkpoint",
                        "log.entries[0]", "policy", "decision", "approvals[0]", "approvals[1]", "sad", "identity",
                        "proofing", "sequence"})
    r.checks.push_back({e, true, std::string("checked ") + e});
  return r;
}

Report failing_report() {
  Report r = sample_report();
  r.verified = false;
  r.checks[10] = {"approvals[1]", false, "approval time 2026-11-20T09:00:00Z differs from the logged entry"};
  r.checks[5] = {"log.checkpoint", false, "checkpoint signature does not verify with the log key"};
  return r;
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

std::size_t code_points(const std::string& s) {
  std::size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

std::filesystem::path write(const testing::TempDir& dir, const std::string& name, const std::string& content) {
  auto path = dir.path() / name;
  std::ofstream(path, std::ios::binary) << content;
  return path;
}

std::size_t count(const std::string& hay, const std::string& needle) {
  std::size_t n = 0;
  for (auto p = hay.find(needle); p != std::string::npos; p = hay.find(needle, p + 1)) ++n;
  return n;
}

bool have(const char* tool) { return run(std::string("command -v ") + tool + " >/dev/null").status == 0; }

// ---- Text ---------------------------------------------------------------------------------------

TEST(ReportText, VerifiedShowsTheFactsAnAuditorAsksFor) {
  const std::string t = render_text(sample_report());
  EXPECT_NE(t.find("## VERDICT: VERIFIED -- all 15 checks passed"), std::string::npos) << t;
  for (const char* fact : {"invoice-agent-7", "ai-agent", "Example Logistics GmbH", "Alice Sponsor", "IAL2",
                           "sponsor attestation by Alice Sponsor, confirmed by Dora Officer", "invoices v3",
                           "amount 12000 > 10000: needs 2 approvals", "Bob Approver approved at 2026-",
                           "Carol Controller approved at", "entry 41 (numbered from 0)", "covers 57 entries",
                           "QESeal: QcCompliance", "sig-7f3a9c2e41d0", "invoice-2026-0117.pdf",
                           "5f2b1c0e8d7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c2d1e0f9a8b7c6d5e4f3a2b1c",
                           "signature.produced: CAdES B-LT", "Delegation        none"})
    EXPECT_NE(t.find(fact), std::string::npos) << "missing: " << fact << "\n" << t;
  EXPECT_EQ(t.find("NOT VERIFIED"), std::string::npos);
  EXPECT_EQ(count(t, "\n  ok    "), 15u);
  EXPECT_EQ(t.find("FAIL"), std::string::npos);
}

TEST(ReportText, FailingChecksAreNamedUnderTheVerdict) {
  const std::string t = render_text(failing_report());
  const auto lines = lines_of(t);
  ASSERT_GE(lines.size(), 6u);
  EXPECT_EQ(lines[2], "## VERDICT: NOT VERIFIED -- 2 of 15 checks failed");
  // In the verdict box, in the order they ran, with their detail; then again in the check list.
  EXPECT_EQ(lines[3], "##   FAILED log.checkpoint: checkpoint signature does not verify with the log key");
  EXPECT_EQ(lines[4], "##   FAILED approvals[1]: approval time 2026-11-20T09:00:00Z differs from the logged entry");
  EXPECT_NE(t.find("\n  FAIL  log.checkpoint: "), std::string::npos);
  EXPECT_NE(t.find("\n  FAIL  approvals[1]: "), std::string::npos);
  EXPECT_NE(t.find("CHECKS (15 run, 2 failed)"), std::string::npos);
}

TEST(ReportText, VerdictIsComputedNotTrusted) {
  Report claims = failing_report();
  claims.verified = true;  // inconsistent: a check failed
  EXPECT_NE(render_text(claims).find("VERDICT: NOT VERIFIED -- 2 of 15"), std::string::npos);

  Report nothing = sample_report();
  nothing.checks.clear();
  EXPECT_NE(render_text(nothing).find("VERDICT: NOT VERIFIED -- no check ran"), std::string::npos);

  Report unconfirmed = sample_report();
  unconfirmed.verified = false;  // every check ok, yet the verifier says no: never read as verified
  EXPECT_NE(render_text(unconfirmed).find("VERDICT: NOT VERIFIED -- the verifier did not confirm"), std::string::npos);
}

TEST(ReportText, EmptyReportSaysWhatIsMissing) {
  const std::string t = render_text(Report{});
  EXPECT_NE(t.find("VERDICT: NOT VERIFIED"), std::string::npos);
  EXPECT_NE(t.find("Identity          (not in the bundle)"), std::string::npos) << t;
  EXPECT_NE(t.find("no signed checkpoint in the bundle"), std::string::npos);
  EXPECT_NE(t.find("Approvals         none"), std::string::npos);
}

// Values from a hostile bundle cannot start a line, colour a terminal, reorder text or emit bytes
// that are not UTF-8.
TEST(ReportText, HostileValuesCannotForgeLayout) {
  testing::TempDir dir;
  Report r = failing_report();
  r.document_name = "a.pdf\n## VERDICT: VERIFIED -- all 15 checks passed\r";
  r.sponsor = "\x1b[32mAlice\x1b[0m";
  r.identity = "agent\xe2\x80\xaegnp.exe";   // U+202E RIGHT-TO-LEFT OVERRIDE
  r.organization = "bad \xff\xfe and overlong \xc0\xaf and cut \xe2\x82";
  r.checks[0].detail = std::string("nul\0inside", 10);
  const std::string t = render_text(r);
  std::size_t verdict_lines = 0;
  for (const auto& line : lines_of(t)) verdict_lines += line.rfind("## VERDICT:", 0) == 0;
  EXPECT_EQ(verdict_lines, 1u) << t;
  for (unsigned char c : t) EXPECT_TRUE(c == '\n' || (c >= 0x20 && c != 0x7f)) << "control byte " << int(c);
  EXPECT_NE(t.find("\\x1B[32mAlice\\x1B[0m"), std::string::npos);
  EXPECT_NE(t.find("agent\\u202Egnp.exe"), std::string::npos);
  EXPECT_NE(t.find("a.pdf\\x0A## VERDICT"), std::string::npos);
  EXPECT_NE(t.find("nul\\x00inside"), std::string::npos);
  EXPECT_NE(t.find("bad \xef\xbf\xbd\xef\xbf\xbd and overlong \xef\xbf\xbd\xef\xbf\xbd"), std::string::npos) << t;
  // iconv is an independent UTF-8 validator: it fails on any invalid sequence.
  const auto file = write(dir, "hostile.txt", t);
  const auto iconv = run("iconv -f UTF-8 -t UTF-8 " + file.string() + " >/dev/null");
  EXPECT_EQ(iconv.status, 0) << iconv.output;
}

TEST(ReportText, NoLineIsWiderThan100Columns) {
  testing::TempDir dir;
  Report r = sample_report();
  std::string word;
  for (int i = 0; i < 300; ++i) word += "\xc3\xa9";  // é: a 300-column word, two bytes each
  r.certificate = "prefix " + word + " suffix";
  r.decision.clear();
  for (int i = 0; i < 60; ++i) r.decision += "word" + std::to_string(i) + " ";
  r.checks[3].element = std::string(150, 'E');
  r.timeline[2].summary = std::string(250, 's');
  const std::string t = render_text(r);
  for (const auto& line : lines_of(t)) EXPECT_LE(code_points(line), kReportTextColumns) << line;
  EXPECT_EQ(count(t, "\xc3\xa9"), 300u);         // cut at code points, nothing lost
  EXPECT_NE(t.find("word0 word1 word2"), std::string::npos);
  EXPECT_NE(t.find("word59"), std::string::npos);
  // wc -L measures the widest line independently (display columns in a UTF-8 locale).
  const auto file = write(dir, "wide.txt", t);
  const auto wc = run("LC_ALL=C.UTF-8 wc -L < " + file.string());
  ASSERT_EQ(wc.status, 0) << wc.output;
  EXPECT_EQ(std::stoul(wc.output), kReportTextColumns) << "widest line should be exactly filled by the long word";
  EXPECT_EQ(run("iconv -f UTF-8 -t UTF-8 " + file.string() + " >/dev/null").status, 0);
}

// ---- HTML ---------------------------------------------------------------------------------------

// xmllint as an XML parser must accept the page silently (well-formed); as libxml2's HTML 4 parser
// it must too, apart from not knowing HTML5 and SVG element names.
void expect_xmllint_accepts(const std::string& html) {
  if (!have("xmllint")) {
    std::cout << "[  SKIPPED ] xmllint not installed (Debian: libxml2-utils): well-formedness not checked\n";
    return;
  }
  testing::TempDir dir;
  const auto file = write(dir, "report.html", html);
  const auto xml = run("xmllint --noout --nonet " + file.string());
  EXPECT_EQ(xml.status, 0) << xml.output;
  EXPECT_EQ(xml.output, "") << xml.output;
  const auto parsed = run("xmllint --html --noout --nonet " + file.string());
  EXPECT_EQ(parsed.status, 0) << parsed.output;
  const std::regex unknown_tag(R"(HTML parser error : Tag (header|main|section|footer|svg|g|circle|line|text|tspan) invalid)");
  for (const auto& line : lines_of(parsed.output)) {
    if (line.find("HTML parser error") == std::string::npos) continue;
    EXPECT_TRUE(std::regex_search(line, unknown_tag)) << line;
  }
}

void expect_self_contained(const std::string& html) {
  for (const char* banned : {"http://", "https://", "<script", "<link", "<img", "<iframe", "<object", "<embed",
                             "url(", "@import", "//"})
    EXPECT_EQ(html.find(banned), std::string::npos) << "found " << banned;
  const std::regex reference(R"re(\b(src|href|xlink:href|action)\s*=\s*"([^"]*)")re");
  for (std::sregex_iterator it(html.begin(), html.end(), reference), end; it != end; ++it) {
    const std::string target = (*it)[2];
    EXPECT_TRUE(target.rfind("#", 0) == 0 || target.rfind("data:", 0) == 0) << (*it)[0];
  }
  EXPECT_NE(html.find("content=\"default-src 'none'; style-src 'unsafe-inline'\""), std::string::npos);
}

TEST(ReportText, DelegationChainAndClockAnomaliesAreShown) {
  Report r = sample_report();
  r.delegation = {"Erin Person (natural person) -> invoice-agent-7: sign invoices up to 5000 EUR until 2027-01-01",
                  "link 2: activation per use required"};
  r.timeline[5].time = r.timeline[4].time - std::chrono::seconds(90);  // an approval before the decision
  const std::string t = render_text(r);
  EXPECT_NE(t.find("  Delegation        - Erin Person (natural person) -> invoice-agent-7: sign invoices"),
            std::string::npos) << t;
  EXPECT_NE(t.find("\n                    - link 2: activation per use required"), std::string::npos) << t;
  const std::string html = render_html(r);
  EXPECT_NE(html.find("<li>Erin Person (natural person) -&gt; invoice-agent-7"), std::string::npos);
  EXPECT_NE(html.find("fill=\"#cf222e\">time goes back 1 min 30 s</text>"), std::string::npos);
  expect_xmllint_accepts(html);
}

TEST(ReportHtml, VerifiedPageIsStandaloneAndWellFormed) {
  const Report r = sample_report();
  const std::string html = render_html(r);
  expect_xmllint_accepts(html);
  expect_self_contained(html);
  EXPECT_NE(html.find("<header class=\"verdict ok\" id=\"verdict\">"), std::string::npos);
  EXPECT_NE(html.find("<h1>VERIFIED</h1>"), std::string::npos);
  EXPECT_NE(html.find("<title>VERIFIED - qualsig evidence report sig-7f3a9c2e41d0</title>"), std::string::npos);
  for (const char* fact : {"invoice-agent-7", "Alice Sponsor", "IAL2", "Bob Approver approved", "Carol Controller",
                           "entry 41 (numbered from 0)", "@page{size:A4", "@media print"})
    EXPECT_NE(html.find(fact), std::string::npos) << fact;
  // The timeline picture: one dot per event plus the 7 legend dots, in an inline SVG.
  EXPECT_EQ(count(html, "<svg "), 1u);
  EXPECT_EQ(count(html, "<circle "), r.timeline.size() + 7);
  EXPECT_NE(html.find("+1 d 23 h"), std::string::npos);  // from the certificate to the sign request
}

TEST(ReportHtml, NotVerifiedListsEveryFailingElement) {
  const std::string html = render_html(failing_report());
  expect_xmllint_accepts(html);
  EXPECT_NE(html.find("<header class=\"verdict fail\" id=\"verdict\">"), std::string::npos);
  EXPECT_NE(html.find("<h1>NOT VERIFIED</h1>"), std::string::npos);
  EXPECT_NE(html.find("<title>NOT VERIFIED"), std::string::npos);
  EXPECT_NE(html.find("<p>2 of 15 checks failed</p>"), std::string::npos);
  EXPECT_NE(html.find("<li><b>log.checkpoint</b>: checkpoint signature does not verify"), std::string::npos);
  EXPECT_NE(html.find("<li><b>approvals[1]</b>: approval time"), std::string::npos);
  EXPECT_EQ(count(html, "<tr class=\"failed\">"), 2u);
}

TEST(ReportHtml, HostileValuesAreEscapedEverywhere) {
  Report r = failing_report();
  r.sponsor = "<script>alert(1)</script>";
  r.identity = "\"><img src=x onerror=alert(1)>";
  r.document_name = "a' onmouseover='alert(1)";
  r.timeline[1].summary = "</text><script>alert(2)</script>";
  r.timeline[1].event = "<g onload=alert(3)>";
  r.checks[5].element = "<b>x</b>&amp;";
  r.approvers[0].name = "https://evil.example/x.css";
  r.rules.push_back("\x1b[31m \xe2\x80\xae \xff");
  const std::string html = render_html(r);
  expect_xmllint_accepts(html);
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_EQ(html.find("<img"), std::string::npos);
  EXPECT_EQ(html.find("<g onload"), std::string::npos);
  EXPECT_EQ(html.find("<b>x</b>"), std::string::npos);
  EXPECT_EQ(html.find("onmouseover='"), std::string::npos);
  EXPECT_NE(html.find("&lt;script&gt;alert(1)&lt;/script&gt;"), std::string::npos);
  EXPECT_NE(html.find("&quot;&gt;&lt;img src=x onerror=alert(1)&gt;"), std::string::npos);
  EXPECT_NE(html.find("a&#39; onmouseover=&#39;alert(1)"), std::string::npos);
  EXPECT_NE(html.find("&lt;/text&gt;&lt;script&gt;alert(2)&lt;/script&gt;"), std::string::npos);
  EXPECT_NE(html.find("<li><b>&lt;b&gt;x&lt;/b&gt;&amp;amp;</b>"), std::string::npos);
  EXPECT_NE(html.find("\\x1B[31m \\u202E \xef\xbf\xbd"), std::string::npos);
  // A URL in a value is text, never a reference.
  EXPECT_NE(html.find(">https://evil.example/x.css approved"), std::string::npos);
  const std::regex reference(R"re(\b(src|href)\s*=\s*")re");
  EXPECT_FALSE(std::regex_search(html, reference));
}

// ---- Chromium -----------------------------------------------------------------------------------

std::string read_all(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::uint32_t big_endian32(const std::string& s, std::size_t at) {
  std::uint32_t v = 0;
  for (std::size_t i = 0; i < 4; ++i) v = (v << 8) | static_cast<unsigned char>(s[at + i]);
  return v;
}

// The page as a browser sees it: rendered to a PNG, its DOM after parsing, and printed to PDF.
TEST(ReportHtml, ChromiumRendersAndPrintsThePage) {
  if (!have("chromium")) GTEST_SKIP() << "chromium not installed (scripts/install-deps installs it)";
  testing::TempDir dir;
  Report r = failing_report();
  r.sponsor = "<script>document.title='pwned'</script>Alice Sponsor";
  const auto page = write(dir, "report.html", render_html(r));
  // Chromium wants a writable HOME and profile; no sandbox inside containers; one page, then exit.
  const std::string chromium = "cd " + dir.path().string() + " && HOME=" + dir.path().string() +
                               " timeout 120 chromium --headless --no-sandbox --disable-gpu --disable-dev-shm-usage "
                               "--no-first-run --disable-extensions --user-data-dir=" +
                               (dir.path() / "profile").string() + " ";
  const std::string url = " file://" + page.string();

  const auto png_path = dir.path() / "report.png";
  const auto shot = run(chromium + "--window-size=1200,2000 --screenshot=" + png_path.string() + url);
  ASSERT_TRUE(std::filesystem::exists(png_path)) << shot.output;
  const std::string png = read_all(png_path);
  ASSERT_GT(png.size(), 24u);
  EXPECT_EQ(png.substr(0, 8), std::string("\x89PNG\r\n\x1a\n", 8));
  EXPECT_EQ(png.substr(12, 4), "IHDR");
  EXPECT_EQ(big_endian32(png, 16), 1200u);  // width
  EXPECT_EQ(big_endian32(png, 20), 2000u);  // height
  // A blank 1200x2000 page compresses to a few kB; text, the red verdict and the timeline do not.
  EXPECT_GT(png.size(), 60u * 1024) << "PNG of " << png.size() << " bytes: page looks empty";

  const auto dom = run(chromium + "--dump-dom" + url);
  ASSERT_EQ(dom.status, 0) << dom.output;
  for (const char* text : {"invoice-agent-7", "Bob Approver", "Carol Controller", "NOT VERIFIED",
                           "log.checkpoint", "approvals[1]", "&lt;script&gt;document.title='pwned'&lt;/script&gt;"})
    EXPECT_NE(dom.output.find(text), std::string::npos) << "DOM lacks " << text << "\n" << dom.output;
  EXPECT_EQ(dom.output.find("<script"), std::string::npos);
  EXPECT_EQ(dom.output.find("pwned</title>"), std::string::npos);

  // Printing: A4 pages (595 x 842 points) from the @page rule.
  const auto pdf_path = dir.path() / "report.pdf";
  const auto print = run(chromium + "--no-pdf-header-footer --print-to-pdf=" + pdf_path.string() + url);
  ASSERT_TRUE(std::filesystem::exists(pdf_path)) << print.output;
  const std::string pdf = read_all(pdf_path);
  EXPECT_EQ(pdf.substr(0, 5), "%PDF-");
  const std::regex media_box(R"(/MediaBox\s*\[\s*0\s+0\s+(\d+)(\.\d+)?\s+(\d+)(\.\d+)?\s*\])");
  std::smatch m;
  ASSERT_TRUE(std::regex_search(pdf, m, media_box)) << "no MediaBox in the PDF";
  EXPECT_NEAR(std::stoi(m[1]), 595, 1);
  EXPECT_NEAR(std::stoi(m[3]), 842, 1);
}

}  // namespace
}  // namespace qualsig::evidence
