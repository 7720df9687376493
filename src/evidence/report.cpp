// The auditor's report: plain text and one standalone HTML page (evidence/report.h).
#include "evidence/report.h"

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <string_view>
#include <utility>
#include <vector>

#include "core/time.h"

namespace qualsig::evidence {
namespace {

constexpr std::string_view kMissing = "(not in the bundle)";
constexpr std::size_t kLabelColumns = 20;      // "  Label" padded to this, then the value
constexpr std::size_t kSvgSummaryPoints = 96;  // an SVG text does not wrap: longer summaries are cut

// ---- Values from the bundle: valid UTF-8 with nothing that can forge layout --------------------

void append_code_point(std::string& out, std::uint32_t cp) {
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
}

// Decodes one UTF-8 sequence at s[i] (RFC 3629 §4: no overlong forms, no surrogates, at most
// U+10FFFF). Returns its length, or 0 when the bytes there are not valid UTF-8.
std::size_t decode_utf8(std::string_view s, std::size_t i, std::uint32_t& cp) {
  const auto b0 = static_cast<unsigned char>(s[i]);
  std::size_t len = b0 < 0x80 ? 1 : (b0 & 0xE0) == 0xC0 ? 2 : (b0 & 0xF0) == 0xE0 ? 3 : (b0 & 0xF8) == 0xF0 ? 4 : 0;
  if (len == 0 || i + len > s.size()) return 0;
  cp = len == 1 ? b0 : len == 2 ? (b0 & 0x1Fu) : len == 3 ? (b0 & 0x0Fu) : (b0 & 0x07u);
  for (std::size_t k = 1; k < len; ++k) {
    const auto b = static_cast<unsigned char>(s[i + k]);
    if ((b & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (b & 0x3Fu);
  }
  static constexpr std::uint32_t kMinimum[] = {0, 0, 0x80, 0x800, 0x10000};
  if (cp < kMinimum[len] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
  return len;
}

// Unicode bidirectional formatting characters (UAX #9 §2): they reorder what is displayed, so
// "cod\u202Egnp.exe" could read as something it is not.
bool bidi_control(std::uint32_t cp) {
  return cp == 0x061C || cp == 0x200E || cp == 0x200F || (cp >= 0x202A && cp <= 0x202E) ||
         (cp >= 0x2066 && cp <= 0x2069);
}

// Valid UTF-8 in which C0/C1 controls, DEL and bidi controls are written as visible escapes and
// every invalid byte as U+FFFD.
std::string clean(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  char buf[16];
  for (std::size_t i = 0; i < s.size();) {
    std::uint32_t cp = 0;
    const std::size_t len = decode_utf8(s, i, cp);
    if (len == 0) {
      append_code_point(out, 0xFFFD);
      ++i;
      continue;
    }
    if (cp < 0x20 || cp == 0x7F) {
      std::snprintf(buf, sizeof(buf), "\\x%02X", static_cast<unsigned>(cp));
      out += buf;
    } else if ((cp >= 0x80 && cp < 0xA0) || bidi_control(cp)) {
      std::snprintf(buf, sizeof(buf), "\\u%04X", static_cast<unsigned>(cp));
      out += buf;
    } else {
      out.append(s.substr(i, len));
    }
    i += len;
  }
  return out;
}

// Code points in valid UTF-8 (what a terminal shows as columns, wide East Asian forms aside).
std::size_t columns(std::string_view utf8) {
  return static_cast<std::size_t>(
      std::count_if(utf8.begin(), utf8.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

// The byte offset of code point `n` in valid UTF-8 (or its size).
std::size_t offset_of(std::string_view utf8, std::size_t n) {
  std::size_t i = 0;
  for (std::size_t seen = 0; i < utf8.size(); ++i) {
    if ((static_cast<unsigned char>(utf8[i]) & 0xC0) != 0x80 && seen++ == n) return i;
  }
  return utf8.size();
}

std::string value_or_missing(std::string_view v) { return v.empty() ? std::string(kMissing) : clean(v); }

std::string time_text(TimePoint t) { return to_rfc3339(t); }

// "+2 d 3 h", "+4 min 10 s", "+0 s"; a negative step (time going back) is spelled out.
std::string elapsed(TimePoint from, TimePoint to) {
  auto s = (to - from).count();
  const bool back = s < 0;
  if (back) s = -s;
  std::string out;
  if (s < 60) out = std::to_string(s) + " s";
  else if (s < 3600) out = std::to_string(s / 60) + " min " + std::to_string(s % 60) + " s";
  else if (s < 86400) out = std::to_string(s / 3600) + " h " + std::to_string(s % 3600 / 60) + " min";
  else out = std::to_string(s / 86400) + " d " + std::to_string(s % 86400 / 3600) + " h";
  return back ? "time goes back " + out : "+" + out;
}

std::vector<const Check*> failing(const Report& r) {
  std::vector<const Check*> out;
  for (const auto& c : r.checks)
    if (!c.ok) out.push_back(&c);
  return out;
}

bool is_verified(const Report& r) { return r.verified && !r.checks.empty() && failing(r).empty(); }

std::string verdict_summary(const Report& r) {
  const auto bad = failing(r).size();
  const auto all = std::to_string(r.checks.size());
  if (is_verified(r)) return "all " + all + " checks passed";
  if (r.checks.empty()) return "no check ran";
  if (bad == 0) return "the verifier did not confirm the result although all " + all + " checks passed";
  return std::to_string(bad) + " of " + all + " checks failed";
}

std::string approver_line(const Approver& a) {
  const std::string decision = a.decision == "approve"  ? "approved"
                               : a.decision == "reject" ? "rejected"
                                                        : "decided '" + clean(a.decision) + "'";
  return value_or_missing(a.name) + " " + decision + " at " + time_text(a.time) + " for document " +
         value_or_missing(a.document_hash);
}

std::string position_line(const Report& r) {
  if (r.log_size == 0) return "no signed checkpoint in the bundle";
  return "signature.produced is entry " + std::to_string(r.log_seq) + " (numbered from 0) of the log; the signed " +
         "checkpoint covers " + std::to_string(r.log_size) + " entries";
}

constexpr std::string_view kAnchorNote =
    "Unless the verifier was given pinned trust anchors, compare both fingerprints with the values the trust "
    "service publishes: the checks prove the bundle is consistent with these keys, not who holds them.";

// ---- Text ---------------------------------------------------------------------------------------

class TextWriter {
 public:
  // Writes `text` (already clean) after `first`, wrapping at spaces to kReportTextColumns; the
  // following lines start with `rest`. A word wider than the room left is cut across lines.
  void wrap(std::string_view first, std::string_view rest, std::string_view text) {
    std::string line(first);
    bool content = false;  // some of `text` is on `line`
    bool flushed = false;
    auto flush = [&] {
      m_out += line;
      m_out += '\n';
      line = rest;
      content = false;
      flushed = true;
    };
    for (std::size_t i = 0; i < text.size();) {
      const std::size_t end = std::min(text.find(' ', i), text.size());
      std::string_view word = text.substr(i, end - i);
      i = end + 1;
      if (word.empty()) continue;
      if (content && columns(line) + 1 + columns(word) > kReportTextColumns) flush();
      if (content) line += ' ';
      while (columns(line) + columns(word) > kReportTextColumns) {
        const std::size_t used = columns(line);
        const std::size_t room = kReportTextColumns > used ? kReportTextColumns - used : 1;
        const std::size_t cut = offset_of(word, room);
        line += word.substr(0, cut);
        word.remove_prefix(cut);
        flush();
      }
      line += word;
      content = true;
    }
    if (content || !flushed) flush();
  }

  void field(std::string_view label, std::string_view value) {
    std::string first = "  " + std::string(label);
    first.resize(std::max(first.size(), kLabelColumns), ' ');
    wrap(first, std::string(kLabelColumns, ' '), value);
  }

  void list(std::string_view label, const std::vector<std::string>& items, std::string_view none) {
    if (items.empty()) return field(label, none);
    for (std::size_t i = 0; i < items.size(); ++i) {
      std::string first = "  " + std::string(i == 0 ? label : "");
      first.resize(std::max(first.size(), kLabelColumns), ' ');
      wrap(first + "- ", std::string(kLabelColumns + 2, ' '), clean(items[i]));
    }
  }

  void heading(std::string_view title) {
    m_out += '\n';
    m_out += title;
    m_out += '\n';
  }

  void raw(std::string_view line) {
    m_out += line;
    m_out += '\n';
  }

  std::string take() { return std::move(m_out); }

 private:
  std::string m_out;
};

// ---- HTML ---------------------------------------------------------------------------------------

// Escapes clean text for element content and attribute values alike (& < > " ').
std::string esc_clean(std::string_view clean_text) {
  std::string out;
  out.reserve(clean_text.size());
  for (char c : clean_text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}
std::string esc(std::string_view v) { return esc_clean(clean(v)); }
std::string esc_or_missing(std::string_view v) { return esc_clean(value_or_missing(v)); }

constexpr std::string_view kStyle = R"(
:root{--ok:#1a7f37;--fail:#cf222e;--ink:#1f2328;--muted:#59636e;--line:#d1d9e0}
*{box-sizing:border-box}
body{font-family:"DejaVu Sans",system-ui,Arial,sans-serif;color:var(--ink);margin:0 auto;max-width:1100px;
padding:24px;line-height:1.45;font-size:15px;background:#fff}
.verdict{border-radius:8px;padding:18px 22px;color:#fff;margin-bottom:24px}
.verdict.ok{background:var(--ok)}.verdict.fail{background:var(--fail)}
.verdict h1{font-size:40px;margin:0;letter-spacing:1px}
.verdict p{margin:6px 0 0}.verdict ul{margin:8px 0 0;padding-left:22px}
.kicker{text-transform:uppercase;font-size:12px;letter-spacing:2px;opacity:.9;margin:0}
h2{font-size:19px;border-bottom:2px solid var(--line);padding-bottom:4px;margin:28px 0 10px}
table{border-collapse:collapse;width:100%}
th,td{text-align:left;vertical-align:top;padding:5px 8px;border-bottom:1px solid var(--line)}
table.facts th{width:200px;color:var(--muted);font-weight:normal}
td,code{overflow-wrap:anywhere;word-break:break-word}
code{font-family:"DejaVu Sans Mono",monospace;font-size:13px}
ul.plain{margin:0;padding-left:18px}
table.events td:nth-child(-n+3),table.events th,table.checks td:nth-child(-n+2){white-space:nowrap}
.status-ok{color:var(--ok);font-weight:bold}.status-fail{color:var(--fail);font-weight:bold}
tr.failed td{background:#ffebe9}
.note{color:var(--muted);font-size:13px}
svg{width:100%;height:auto;display:block;margin:8px 0 14px}
svg text{font-family:"DejaVu Sans",Arial,sans-serif}
svg .mono{font-family:"DejaVu Sans Mono",monospace}
footer{margin-top:30px;color:var(--muted);font-size:12px}
@page{size:A4;margin:14mm 12mm}
@media print{
body{max-width:none;padding:0;font-size:10pt}
.verdict,.status-ok,.status-fail,tr.failed td,svg{-webkit-print-color-adjust:exact;print-color-adjust:exact}
.verdict,tr,svg{break-inside:avoid}
h2{break-after:avoid}
}
)";

struct Row {
  std::string label;
  std::string html;  // escaped already
};

void facts(std::string& out, std::string_view title, const std::vector<Row>& rows) {
  out += "<section><h2>" + std::string(title) + "</h2><table class=\"facts\">\n";
  for (const auto& r : rows) out += "<tr><th>" + r.label + "</th><td>" + r.html + "</td></tr>\n";
  out += "</table></section>\n";
}

std::string html_list(const std::vector<std::string>& items, std::string_view none) {
  if (items.empty()) return std::string(none);
  std::string out = "<ul class=\"plain\">";
  for (const auto& i : items) out += "<li>" + esc(i) + "</li>";
  return out + "</ul>";
}

const char* event_colour(std::string_view event) {
  if (event == "approval.rejected") return "#cf222e";
  if (event.starts_with("approval.")) return "#1a7f37";
  if (event.starts_with("identity.")) return "#1f6feb";
  if (event.starts_with("certificate.")) return "#8250df";
  if (event.starts_with("policy.")) return "#9a6700";
  if (event.starts_with("sad.")) return "#0a7f8c";
  if (event.starts_with("signature.")) return "#1f2328";
  return "#6e7781";
}

// One row per event, top to bottom in log order, a dot coloured by kind on a vertical line, and
// the elapsed time between neighbours (events span days of proofing and seconds of signing, so a
// linear time axis would crush the signing steps into one point).
void timeline_svg(std::string& out, const std::vector<TimelineEvent>& events) {
  constexpr int kWidth = 960, kTop = 56, kRow = 50, kAxis = 200;
  const int height = kTop + static_cast<int>(events.size()) * kRow;
  const std::string span = time_text(events.front().time) + " to " + time_text(events.back().time);
  out += "<svg viewBox=\"0 0 " + std::to_string(kWidth) + " " + std::to_string(height) +
         "\" role=\"img\" aria-label=\"Timeline of " + std::to_string(events.size()) + " events, " + span + "\">";
  out += "<title>Timeline of " + std::to_string(events.size()) + " events, " + span + "</title>\n";
  const std::pair<const char*, const char*> legend[] = {
      {"identity.", "identity"}, {"certificate.", "certificate"}, {"policy.", "policy"},  {"approval.", "approval"},
      {"approval.rejected", "rejection"}, {"sad.", "activation (SAD)"}, {"signature.", "signature"}};
  int x = 10;
  for (const auto& [event, name] : legend) {
    out += "<circle cx=\"" + std::to_string(x + 6) + "\" cy=\"16\" r=\"6\" fill=\"" + event_colour(event) + "\"/>";
    out += "<text x=\"" + std::to_string(x + 16) + "\" y=\"20\" font-size=\"12\" fill=\"#59636e\">" + name + "</text>";
    x += 28 + static_cast<int>(std::string_view(name).size()) * 7;
  }
  out += "\n<line x1=\"" + std::to_string(kAxis) + "\" y1=\"" + std::to_string(kTop) + "\" x2=\"" +
         std::to_string(kAxis) + "\" y2=\"" + std::to_string(height - kRow + 10) +
         "\" stroke=\"#d1d9e0\" stroke-width=\"3\"/>\n";
  for (std::size_t i = 0; i < events.size(); ++i) {
    const auto& e = events[i];
    const int y = kTop + static_cast<int>(i) * kRow;
    const std::string ys = std::to_string(y), ys2 = std::to_string(y + 17);
    out += "<g><text class=\"mono\" x=\"" + std::to_string(kAxis - 16) + "\" y=\"" + std::to_string(y + 4) +
           "\" font-size=\"12\" text-anchor=\"end\">" + time_text(e.time) + "</text>";
    out += "<circle cx=\"" + std::to_string(kAxis) + "\" cy=\"" + ys + "\" r=\"8\" fill=\"" + event_colour(e.event) +
           "\" stroke=\"#fff\" stroke-width=\"2\"/>";
    out += "<text x=\"" + std::to_string(kAxis + 18) + "\" y=\"" + std::to_string(y + 5) +
           "\" font-size=\"14\" font-weight=\"bold\">" + esc(e.event) +
           "<tspan font-weight=\"normal\" fill=\"#59636e\" font-size=\"12\">  log entry " + std::to_string(e.seq) +
           "</tspan></text>";
    std::string summary = clean(e.summary);
    if (columns(summary) > kSvgSummaryPoints) summary = summary.substr(0, offset_of(summary, kSvgSummaryPoints - 1)) + "\u2026";
    out += "<text x=\"" + std::to_string(kAxis + 18) + "\" y=\"" + ys2 + "\" font-size=\"12\">" + esc_clean(summary) +
           "</text>";
    if (i + 1 < events.size()) {
      const auto gap = elapsed(e.time, events[i + 1].time);
      const bool back = events[i + 1].time < e.time;
      out += "<text x=\"" + std::to_string(kAxis - 16) + "\" y=\"" + std::to_string(y + kRow / 2 + 6) +
             "\" font-size=\"11\" text-anchor=\"end\" font-style=\"italic\" fill=\"" +
             (back ? "#cf222e" : "#59636e") + "\">" + gap + "</text>";
    }
    out += "</g>\n";
  }
  out += "</svg>\n";
}

}  // namespace

std::string render_text(const Report& r) {
  TextWriter w;
  const std::string bar(kReportTextColumns, '#');
  w.raw("QUALSIG EVIDENCE REPORT");
  w.raw(bar);
  w.wrap("## VERDICT: ", "##   ", std::string(is_verified(r) ? "VERIFIED" : "NOT VERIFIED") + " -- " + verdict_summary(r));
  for (const Check* c : failing(r))
    w.wrap("##   ", "##     ", "FAILED " + clean(c->element) + ": " + clean(c->detail));
  w.raw(bar);

  w.heading("SIGNATURE");
  w.field("Signature id", value_or_missing(r.signature_id));
  w.field("Document", value_or_missing(r.document_name));
  w.field("Document hash", value_or_missing(r.document_hash));
  w.field("Signed at", r.signed_at ? time_text(*r.signed_at) : std::string(kMissing));
  w.field("Certificate", value_or_missing(r.certificate));
  w.field("Qualification", value_or_missing(r.qualification));

  w.heading("SIGNER");
  w.field("Identity", value_or_missing(r.identity));
  w.field("Kind", value_or_missing(r.identity_kind));
  w.field("Organisation", value_or_missing(r.organization));
  w.field("Sponsor", value_or_missing(r.sponsor));
  w.field("Assurance level", value_or_missing(r.assurance_level));
  w.list("Proofing", r.proofing, kMissing);

  w.heading("AUTHORITY");
  w.field("Policy", value_or_missing(r.policy));
  w.field("Decision", value_or_missing(r.decision));
  w.list("Rule trace", r.rules, kMissing);
  std::vector<std::string> approvals;
  for (const auto& a : r.approvers) approvals.push_back(approver_line(a));
  w.list("Approvals", approvals, "none");
  w.list("Delegation", r.delegation, "none (the identity acts for itself)");

  w.heading("LOG");
  w.field("Position", position_line(r));
  w.field("Log key SHA-256", value_or_missing(r.log_key_fingerprint));
  w.field("Root cert SHA-256", value_or_missing(r.root_fingerprint));
  w.wrap("  ", "  ", kAnchorNote);

  w.heading("TIMELINE (" + std::to_string(r.timeline.size()) + " events, in log order)");
  if (r.timeline.empty()) w.raw("  none in the bundle");
  for (const auto& e : r.timeline) {
    std::string first = "  " + time_text(e.time) + "  #" + std::to_string(e.seq) + " ";
    first.resize(std::max<std::size_t>(first.size(), 32), ' ');
    w.wrap(first, std::string(32, ' '), clean(e.event) + ": " + clean(e.summary));
  }

  w.heading("CHECKS (" + std::to_string(r.checks.size()) + " run, " + std::to_string(failing(r).size()) + " failed)");
  if (r.checks.empty()) w.raw("  none ran");
  for (const auto& c : r.checks) {
    w.wrap(c.ok ? "  ok    " : "  FAIL  ", "        ", clean(c.element) + ": " + clean(c.detail));
  }
  return w.take();
}

std::string render_html(const Report& r) {
  const bool verified = is_verified(r);
  const std::string verdict = verified ? "VERIFIED" : "NOT VERIFIED";
  std::string out;
  out.reserve(16384);
  out += "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n";
  // Inert by construction: nothing may load or run, whatever a value contains.
  out += "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\"/>\n";
  out += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>\n";
  out += "<title>" + verdict + " - qualsig evidence report " + esc(r.signature_id) + "</title>\n";
  out += "<style>" + std::string(kStyle) + "</style>\n</head>\n<body>\n";

  out += std::string("<header class=\"verdict ") + (verified ? "ok" : "fail") + "\" id=\"verdict\">\n";
  out += "<p class=\"kicker\">qualsig evidence report</p>\n<h1>" + verdict + "</h1>\n";
  out += "<p>" + esc_clean(verdict_summary(r)) + "</p>\n";
  if (const auto bad = failing(r); !bad.empty()) {
    out += "<ul>";
    for (const Check* c : bad) out += "<li><b>" + esc(c->element) + "</b>: " + esc(c->detail) + "</li>";
    out += "</ul>\n";
  }
  out += "</header>\n<main>\n";

  facts(out, "Signature",
        {{"Signature id", "<code>" + esc_or_missing(r.signature_id) + "</code>"},
         {"Document", esc_or_missing(r.document_name)},
         {"Document hash", "<code>" + esc_or_missing(r.document_hash) + "</code>"},
         {"Signed at", r.signed_at ? time_text(*r.signed_at) : std::string(kMissing)},
         {"Certificate", esc_or_missing(r.certificate)},
         {"Qualification", esc_or_missing(r.qualification)}});
  facts(out, "Signer",
        {{"Identity", "<b>" + esc_or_missing(r.identity) + "</b>"},
         {"Kind", esc_or_missing(r.identity_kind)},
         {"Organisation", esc_or_missing(r.organization)},
         {"Sponsor", esc_or_missing(r.sponsor)},
         {"Assurance level", esc_or_missing(r.assurance_level)},
         {"Proofing", html_list(r.proofing, kMissing)}});
  std::vector<std::string> approvals;
  for (const auto& a : r.approvers) approvals.push_back(approver_line(a));
  // approver_line is clean already; html_list cleans again, which leaves clean text unchanged.
  facts(out, "Authority",
        {{"Policy", esc_or_missing(r.policy)},
         {"Decision", esc_or_missing(r.decision)},
         {"Rule trace", html_list(r.rules, kMissing)},
         {"Approvals", html_list(approvals, "none")},
         {"Delegation", html_list(r.delegation, "none (the identity acts for itself)")}});
  facts(out, "Log",
        {{"Position", esc_clean(position_line(r))},
         {"Log key SHA-256", "<code>" + esc_or_missing(r.log_key_fingerprint) + "</code>"},
         {"Root certificate SHA-256", "<code>" + esc_or_missing(r.root_fingerprint) + "</code>"}});
  out += "<p class=\"note\">" + esc_clean(kAnchorNote) + "</p>\n";

  out += "<section><h2>Timeline</h2>\n";
  if (r.timeline.empty()) {
    out += "<p>No events in the bundle.</p>\n";
  } else {
    timeline_svg(out, r.timeline);
    out += "<table class=\"events\"><tr><th>Time (UTC)</th><th>Log entry</th><th>Event</th><th>What happened</th></tr>\n";
    for (const auto& e : r.timeline)
      out += "<tr><td><code>" + time_text(e.time) + "</code></td><td>" + std::to_string(e.seq) + "</td><td>" +
             esc(e.event) + "</td><td>" + esc(e.summary) + "</td></tr>\n";
    out += "</table>\n";
  }
  out += "</section>\n";

  out += "<section><h2>Checks (" + std::to_string(r.checks.size()) + " run, " + std::to_string(failing(r).size()) +
         " failed)</h2>\n<table class=\"checks\"><tr><th>Result</th><th>Element</th><th>Detail</th></tr>\n";
  for (const auto& c : r.checks)
    out += std::string(c.ok ? "<tr><td class=\"status-ok\">ok" : "<tr class=\"failed\"><td class=\"status-fail\">FAILED") +
           "</td><td><code>" + esc(c.element) + "</code></td><td>" + esc(c.detail) + "</td></tr>\n";
  if (r.checks.empty()) out += "<tr><td colspan=\"3\">No check ran.</td></tr>\n";
  out += "</table></section>\n</main>\n";
  out += "<footer>Verified offline from the evidence bundle alone: no database, no network. Times are UTC.</footer>\n";
  out += "</body>\n</html>\n";
  return out;
}

}  // namespace qualsig::evidence
