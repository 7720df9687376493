// translate_mra: a third-country list read through MRA equivalences (trusted_list.h), on lists
// built here: which periods are translated, from when, and what is left as listed.
#include <gtest/gtest.h>

#include "trust/trusted_list.h"

namespace qualsig::trust {
namespace {

using namespace std::chrono;

TimePoint on(int y, unsigned m, unsigned d) { return sys_days{year{y} / month{m} / std::chrono::day{d}}; }

constexpr const char* kZzType = "http://zz.example/Svctype/CA/QC";
constexpr const char* kZzGranted = "http://zz.example/Svcstatus/granted";
constexpr const char* kZzWithdrawn = "http://zz.example/Svcstatus/withdrawn";
constexpr const char* kZzWithQscd = "http://zz.example/SvcInfoExt/QCWithQSCD";
constexpr const char* kEuWithQscd = "http://uri.etsi.org/TrstSvc/TrustedList/SvcInfoExt/QCWithQSCD";

MraEquivalence equivalence(TimePoint enacted, std::string status = kMraEnacted) {
  MraEquivalence e;
  e.legal_identifier = "QCForESig";
  e.pointing_types = {{kSvcTypeCaQc, {kAsiForeSignatures}}};
  e.pointed_types = {{kZzType, {}}};
  e.status = std::move(status);
  e.status_start = enacted;
  e.statuses = {{kZzGranted, kStatusGranted}, {kZzWithdrawn, kStatusWithdrawn}};
  e.qualifiers = {{kZzWithQscd, kEuWithQscd}};
  return e;
}

// One TSP with one service: `periods` newest first, each (type, status, start).
TrustedList list_of(std::vector<std::tuple<std::string, std::string, TimePoint>> periods) {
  Service s;
  for (auto& [type, status, start] : periods) {
    ServiceStatusPeriod p;
    p.type = type;
    p.name = "ZZ CA";
    p.status = status;
    p.start = start;
    QualificationElement q;
    q.qualifiers = {kZzWithQscd};
    p.qualifications = {q};
    if (!s.periods.empty()) p.end = s.periods.back().start;
    s.periods.push_back(std::move(p));
  }
  TrustedList l;
  l.territory = "ZZ";
  l.providers = {{"ZZ TSP", {}, {s}}};
  return l;
}

const std::vector<ServiceStatusPeriod>& periods(const TrustedList& l) { return l.providers.at(0).services.at(0).periods; }

TEST(TranslateMra, PeriodAfterEnactmentTakesTheEuEquivalents) {
  TrustedList out = translate_mra(list_of({{kZzType, kZzGranted, on(2021, 1, 1)}}), {equivalence(on(2020, 5, 16))});
  ASSERT_EQ(periods(out).size(), 1u);
  const auto& p = periods(out)[0];
  EXPECT_EQ(p.type, kSvcTypeCaQc);
  EXPECT_EQ(p.additional_service_info, std::vector<std::string>{kAsiForeSignatures});
  EXPECT_EQ(p.status, kStatusGranted);
  EXPECT_EQ(p.start, on(2021, 1, 1));
  EXPECT_EQ(p.qualifications.at(0).qualifiers, std::vector<std::string>{kEuWithQscd});
}

TEST(TranslateMra, PeriodStraddlingTheEnactmentIsSplitAndHistoryKeepsItsStatus) {
  // Newest first: withdrawn since 2023, granted 2019-2023; the agreement is in force from 2021.
  TrustedList out = translate_mra(
      list_of({{kZzType, kZzWithdrawn, on(2023, 1, 1)}, {kZzType, kZzGranted, on(2019, 1, 1)}}), {equivalence(on(2021, 1, 1))});
  ASSERT_EQ(periods(out).size(), 3u);
  EXPECT_EQ(periods(out)[0].status, kStatusWithdrawn);
  EXPECT_EQ(periods(out)[0].start, on(2023, 1, 1));
  EXPECT_EQ(periods(out)[1].status, kStatusGranted);
  EXPECT_EQ(periods(out)[1].start, on(2021, 1, 1));
  EXPECT_EQ(periods(out)[1].end, on(2023, 1, 1));
  EXPECT_EQ(periods(out)[2].type, kZzType);  // before the agreement: as listed
  EXPECT_EQ(periods(out)[2].status, kZzGranted);
  EXPECT_EQ(periods(out)[2].start, on(2019, 1, 1));
  EXPECT_EQ(periods(out)[2].end, on(2021, 1, 1));
}

TEST(TranslateMra, NotEnactedOtherTypesAndEarlierPeriodsStayAsListed) {
  const TrustedList zz = list_of({{kZzType, kZzGranted, on(2021, 1, 1)}});
  EXPECT_EQ(translate_mra(zz, {equivalence(on(2020, 1, 1), "http://ec.europa.eu/tools/lotl/mra/notEnacted")}), zz);
  EXPECT_EQ(translate_mra(zz, {}), zz);
  const TrustedList other = list_of({{"http://zz.example/Svctype/TSA", kZzGranted, on(2021, 1, 1)}});
  EXPECT_EQ(translate_mra(other, {equivalence(on(2020, 1, 1))}), other);
  // A period that ended before the agreement came into force.
  const TrustedList old = list_of({{kZzType, kZzWithdrawn, on(2020, 1, 1)}, {kZzType, kZzGranted, on(2018, 1, 1)}});
  TrustedList out = translate_mra(old, {equivalence(on(2020, 6, 1))});
  ASSERT_EQ(periods(out).size(), 3u);
  EXPECT_EQ(periods(out)[2].type, kZzType);
  EXPECT_EQ(periods(out)[2].end, on(2020, 1, 1));
  // A status without an equivalence is kept (and is then no EU status: not granted).
  const TrustedList odd = list_of({{kZzType, "http://zz.example/Svcstatus/other", on(2021, 1, 1)}});
  EXPECT_EQ(periods(translate_mra(odd, {equivalence(on(2020, 1, 1))}))[0].status, "http://zz.example/Svcstatus/other");
}

}  // namespace
}  // namespace qualsig::trust
