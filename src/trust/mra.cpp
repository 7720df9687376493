// translate_mra: a third-country list read through the EU's mutual recognition agreement
// equivalences (trusted_list.h, MraEquivalence), as DSS's MRA support reads the EU pilot LOTL.

#include <algorithm>

#include "trust/trusted_list.h"

namespace qualsig::trust {
namespace {

// The enacted equivalences whose pointed-party types include `type`.
std::vector<const MraEquivalence*> equivalences_for(const std::string& type, const std::vector<MraEquivalence>& mra) {
  std::vector<const MraEquivalence*> out;
  for (const MraEquivalence& e : mra) {
    if (e.status != kMraEnacted || e.pointing_types.empty()) continue;
    if (std::any_of(e.pointed_types.begin(), e.pointed_types.end(), [&](const auto& t) { return t.type == type; }))
      out.push_back(&e);
  }
  return out;
}

std::string mapped(const std::string& uri, const std::vector<std::pair<std::string, std::string>>& pairs) {
  for (const auto& [from, to] : pairs)
    if (from == uri) return to;
  return uri;  // no equivalence: kept, and then unknown to EU rules
}

// `p` as the EU reads it under `equivalences` (all enacted and applicable to its type).
ServiceStatusPeriod translated(const ServiceStatusPeriod& p, const std::vector<const MraEquivalence*>& equivalences) {
  ServiceStatusPeriod out = p;
  out.type = equivalences.front()->pointing_types.front().type;
  out.additional_service_info.clear();
  for (const MraEquivalence* e : equivalences)
    for (const auto& t : e->pointing_types)
      for (const auto& asi : t.additional_service_info)
        if (std::find(out.additional_service_info.begin(), out.additional_service_info.end(), asi) ==
            out.additional_service_info.end())
          out.additional_service_info.push_back(asi);
  for (const MraEquivalence* e : equivalences) {
    const std::string status = mapped(p.status, e->statuses);
    if (status != p.status) {
      out.status = status;
      break;
    }
  }
  for (auto& element : out.qualifications)
    for (auto& q : element.qualifiers)
      for (const MraEquivalence* e : equivalences) {
        const std::string to = mapped(q, e->qualifiers);
        if (to != q) {
          q = to;
          break;
        }
      }
  return out;
}

}  // namespace

TrustedList translate_mra(const TrustedList& list, const std::vector<MraEquivalence>& mra) {
  TrustedList out = list;
  for (auto& tsp : out.providers)
    for (auto& service : tsp.services) {
      std::vector<ServiceStatusPeriod> periods;  // newest first, as listed
      for (const ServiceStatusPeriod& p : service.periods) {
        auto equivalences = equivalences_for(p.type, mra);
        if (equivalences.empty()) {
          periods.push_back(p);
          continue;
        }
        // In force from the latest enactment of the equivalences that apply (they are one
        // agreement; a later-enacted part is not in force before its start).
        TimePoint enacted = equivalences.front()->status_start;
        for (const MraEquivalence* e : equivalences) enacted = std::max(enacted, e->status_start);
        if (p.end && *p.end <= enacted) {
          periods.push_back(p);
          continue;
        }
        ServiceStatusPeriod after = translated(p, equivalences);
        if (p.start < enacted) {
          after.start = enacted;
          ServiceStatusPeriod before = p;
          before.end = enacted;
          periods.push_back(std::move(after));
          periods.push_back(std::move(before));
        } else {
          periods.push_back(std::move(after));
        }
      }
      service.periods = std::move(periods);
    }
  return out;
}

}  // namespace qualsig::trust
