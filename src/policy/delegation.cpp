#include "policy/delegation.h"

#include <algorithm>

#include "policy/text.h"

namespace qualsig::policy {
namespace {

constexpr std::string_view kIdentityPrefix = "identity:";

bool starts_with(std::string_view s, std::string_view prefix) { return s.substr(0, prefix.size()) == prefix; }

std::string label(std::size_t index, const Delegation& link) {
  return "link " + std::to_string(index + 1) + " (" + (link.id.empty() ? std::string("no id") : printable(link.id, 80)) +
         ")";
}

std::string list(const std::set<std::string>& scopes) {
  std::string out = "[";
  for (const auto& s : scopes) out += (out.size() > 1 ? "," : "") + s;
  return out + "]";
}

// The first scope of `child` that `parent` does not grant, if any.
const std::string* first_extra_scope(const std::set<std::string>& child, const std::set<std::string>& parent) {
  for (const auto& s : child) {
    if (parent.count(s) == 0) return &s;
  }
  return nullptr;
}

// Shape of a single link: what validate_grant() calls malformed.
Result<void> check_shape(const Delegation& link) {
  if (link.id.empty() || link.id.size() > 128 || !is_printable_utf8(link.id)) {
    return fail(ErrorCode::invalid_input, "delegation id must be 1..128 printable characters");
  }
  if (!is_principal(link.delegator, /*allow_identity=*/true)) {
    return fail(ErrorCode::invalid_input,
                "delegator must be \"person:NAME\", \"organisation:ID\" or \"identity:NAME\"");
  }
  if (!is_identity_name(link.delegate)) {
    return fail(ErrorCode::invalid_input, "delegate must be an identity name (letters, digits, '-', '_', '.')");
  }
  if (link.delegator == std::string(kIdentityPrefix) + link.delegate) {
    return fail(ErrorCode::invalid_input, "an identity cannot delegate to itself");
  }
  if (link.scopes.empty()) return fail(ErrorCode::invalid_input, "a delegation needs at least one scope");
  for (const auto& s : link.scopes) {
    if (!is_identifier(s)) return fail(ErrorCode::invalid_input, "scope names are [a-z0-9][a-z0-9._-]{0,63}");
  }
  if (link.not_before >= link.expires_at) {
    return fail(ErrorCode::invalid_input, "not_before must be earlier than expires_at");
  }
  return ok();
}

// Validity of one link at `now`; the message fragment says why not.
Result<void> check_valid_at(const Delegation& link, TimePoint now) {
  if (now < link.not_before) return fail(ErrorCode::denied, "not valid before " + to_rfc3339(link.not_before));
  if (now >= link.expires_at) return fail(ErrorCode::denied, "expired at " + to_rfc3339(link.expires_at));
  if (link.revoked_at && *link.revoked_at <= now) {
    return fail(ErrorCode::denied, "revoked at " + to_rfc3339(*link.revoked_at));
  }
  return ok();
}

// What a link may inherit from its parent: the rules shared by verify_chain() and
// validate_grant(). `child_label`/`parent_label` name the links in messages.
Result<void> check_narrows(const Delegation& child, const Delegation& parent, const std::string& child_label,
                           const std::string& parent_label) {
  if (child.delegator != std::string(kIdentityPrefix) + parent.delegate) {
    return fail(ErrorCode::denied, child_label + ": delegator " + printable(child.delegator, 80) + " is not " +
                                       parent_label + "'s delegate identity:" + parent.delegate);
  }
  if (!child.parent_id || *child.parent_id != parent.id) {
    return fail(ErrorCode::denied, child_label + ": parent_id does not name " + parent_label);
  }
  if (const std::string* extra = first_extra_scope(child.scopes, parent.scopes)) {
    return fail(ErrorCode::denied, child_label + ": scope \"" + *extra + "\" widens " + parent_label +
                                       ", which grants only " + list(parent.scopes));
  }
  if (child.expires_at > parent.expires_at) {
    return fail(ErrorCode::denied, child_label + ": expires_at " + to_rfc3339(child.expires_at) + " is later than " +
                                       parent_label + "'s " + to_rfc3339(parent.expires_at));
  }
  return ok();
}

}  // namespace

bool is_identity_name(std::string_view text) {
  return !text.empty() && text.size() <= 64 && std::all_of(text.begin(), text.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
           c == '.';
  });
}

bool is_identifier(std::string_view text) {
  const auto lower_or_digit = [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); };
  return !text.empty() && text.size() <= 64 && lower_or_digit(text[0]) &&
         std::all_of(text.begin(), text.end(),
                     [&](char c) { return lower_or_digit(c) || c == '.' || c == '_' || c == '-'; });
}

bool is_principal(std::string_view text, bool allow_identity) {
  std::string_view name;
  for (std::string_view prefix : {std::string_view("person:"), std::string_view("organisation:"), kIdentityPrefix}) {
    if (starts_with(text, prefix)) {
      if (prefix == kIdentityPrefix && !allow_identity) return false;
      name = text.substr(prefix.size());
      if (prefix == kIdentityPrefix) return is_identity_name(name);
      return !name.empty() && name.size() <= 240 &&
             std::all_of(name.begin(), name.end(), [](char c) { return c > 0x20 && c < 0x7F; });
    }
  }
  return false;
}

Result<ChainSummary> verify_chain(const std::vector<Delegation>& chain, const std::string& identity,
                                  const std::string& needed_scope, TimePoint now) {
  const auto deny = [](std::string why) { return fail(ErrorCode::denied, "delegation chain: " + std::move(why)); };
  if (chain.empty()) return deny("no delegation");
  if (chain.size() > kMaxDelegationChain) {
    return deny(std::to_string(chain.size()) + " links, more than " + std::to_string(kMaxDelegationChain));
  }
  ChainSummary summary;
  summary.not_before = chain.front().not_before;
  summary.expires_at = chain.front().expires_at;
  for (std::size_t i = 0; i < chain.size(); ++i) {
    const Delegation& link = chain[i];
    const std::string name = label(i, link);
    if (auto shape = check_shape(link); !shape) return deny(name + ": " + shape.error().message);
    for (std::size_t j = 0; j < i; ++j) {
      if (chain[j].id == link.id) return deny(name + ": the same id as " + label(j, chain[j]));
    }
    if (i == 0) {
      if (!is_principal(link.delegator, /*allow_identity=*/false)) {
        return deny(name + ": the root delegator must be a person or an organisation, not " + printable(link.delegator, 80));
      }
      if (link.parent_id) return deny(name + ": the root grant has a parent_id");
    } else {
      QS_TRY_VOID(check_narrows(link, chain[i - 1], "delegation chain: " + name, label(i - 1, chain[i - 1])));
    }
    if (auto valid = check_valid_at(link, now); !valid) return deny(name + ": " + valid.error().message);
    summary.not_before = std::max(summary.not_before, link.not_before);
    summary.expires_at = std::min(summary.expires_at, link.expires_at);
    summary.link_ids.push_back(link.id);
  }
  const Delegation& last = chain.back();
  if (last.delegate != identity) {
    return deny(label(chain.size() - 1, last) + ": delegates to " + last.delegate + ", not to " + printable(identity, 80));
  }
  if (last.scopes.count(needed_scope) == 0) {
    return deny(label(chain.size() - 1, last) + ": does not grant scope \"" + printable(needed_scope, 80) +
                "\" (grants " + list(last.scopes) + ")");
  }
  summary.root_delegator = chain.front().delegator;
  summary.identity = identity;
  summary.scope = needed_scope;
  summary.scopes = last.scopes;
  summary.verified_at = now;
  return summary;
}

Result<void> validate_grant(const Delegation& link, const Delegation* parent, TimePoint now) {
  QS_TRY_VOID(check_shape(link));
  if (link.expires_at <= now) return fail(ErrorCode::invalid_input, "expires_at must be in the future");
  if (link.revoked_at) return fail(ErrorCode::invalid_input, "a new delegation cannot be revoked already");
  if (parent == nullptr) {
    if (!is_principal(link.delegator, /*allow_identity=*/false)) {
      return fail(ErrorCode::denied, "only a person or an organisation can grant a root delegation; a re-delegation "
                                     "needs the delegation it narrows");
    }
    if (link.parent_id) return fail(ErrorCode::denied, "a root delegation has no parent_id");
    return ok();
  }
  QS_TRY_VOID(check_narrows(link, *parent, "new delegation", "parent " + printable(parent->id, 80)));
  if (auto valid = check_valid_at(*parent, now); !valid) {
    return fail(ErrorCode::denied, "parent " + printable(parent->id, 80) + " is " + valid.error().message);
  }
  return ok();
}

// Values are passed through printable(): these summaries go into traces and evidence, which
// must serialise even for a link that failed verification.
nlohmann::json to_json(const Delegation& link) {
  nlohmann::json scopes = nlohmann::json::array();
  for (const auto& sc : link.scopes) scopes.push_back(printable(sc));
  nlohmann::json j = {{"id", printable(link.id)},
                      {"delegator", printable(link.delegator)},
                      {"delegate", printable(link.delegate)},
                      {"scopes", std::move(scopes)},
                      {"not_before", to_rfc3339(link.not_before)},
                      {"expires_at", to_rfc3339(link.expires_at)}};
  if (link.revoked_at) j["revoked_at"] = to_rfc3339(*link.revoked_at);
  if (link.parent_id) j["parent_id"] = printable(*link.parent_id);
  return j;
}

nlohmann::json to_json(const ChainSummary& summary) {
  nlohmann::json scopes = nlohmann::json::array();
  for (const auto& sc : summary.scopes) scopes.push_back(printable(sc));
  nlohmann::json links = nlohmann::json::array();
  for (const auto& id : summary.link_ids) links.push_back(printable(id));
  return {{"root_delegator", printable(summary.root_delegator)},
          {"identity", printable(summary.identity)},
          {"scope", printable(summary.scope)},
          {"scopes", std::move(scopes)},
          {"links", std::move(links)},
          {"not_before", to_rfc3339(summary.not_before)},
          {"expires_at", to_rfc3339(summary.expires_at)},
          {"verified_at", to_rfc3339(summary.verified_at)}};
}

}  // namespace qualsig::policy
