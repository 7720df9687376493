#pragma once
// The auditor's report of a verified evidence bundle (issue: evidence bundles, "Verify"): the
// facts a non-specialist can follow — which identity, proofed how and at which level, sponsored by
// whom, under which policy rule, approved by whom and when, logged at which position, qualified or
// not and why — then every check with its result. Two renderings of the same content: plain text
// and one standalone HTML page with a timeline picture of the events from proofing to signature.
//
// The verdict comes first in both and is computed here, not only taken from `Report::verified`:
// a report is VERIFIED only when `verified` is set, at least one check ran and every check is ok.
// Anything else reads NOT VERIFIED, followed by each failing element and its detail.
//
// Every string in a Report may come from a hostile bundle. Both renderings therefore neutralise
// what could forge content: control characters (a newline cannot start a fake "VERDICT:" line,
// an ANSI escape cannot recolour a terminal), Unicode bidirectional overrides and invalid UTF-8
// are shown as visible escapes ("\u202E", "\x1B", U+FFFD). The HTML page also escapes & < > " '
// in every value and forbids, through its Content-Security-Policy, any script or fetch at all.

#include <cstddef>
#include <string>

#include "evidence/verify.h"

namespace qualsig::evidence {

// Plain text, UTF-8, '\n' line ends; no line is wider than kReportTextColumns code points (long
// values are wrapped, unbreakable ones such as hashes are cut across lines). Sections: verdict
// (with the failing checks), signature, signer identity and proofing, authority (policy, decision
// trace, approvals, delegation), log position and trust-anchor fingerprints, timeline, and all
// checks in the order they ran. An empty fact is printed as "(not in the bundle)". Never fails.
std::string render_text(const Report& report);

// The same content as one standalone HTML page (UTF-8, well-formed as XML too): no external
// resources — no scripts, fonts, images or style sheets from elsewhere, no URL anywhere in the
// markup; inline CSS and an inline SVG timeline (one row per event, coloured by kind, with the
// elapsed time between events). Opens in any browser and prints on A4 (@page, @media print).
// Every value from the report is HTML-escaped; a CSP meta tag (default-src 'none') keeps the
// page inert even if it were not. Never fails.
std::string render_html(const Report& report);

// The widest line render_text writes, in Unicode code points.
inline constexpr std::size_t kReportTextColumns = 100;

}  // namespace qualsig::evidence
