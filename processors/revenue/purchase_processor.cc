// A user's LTV contribution is a function of their cohort day and purchases: recomputed and
// swapped (subtract old, add new) whenever either changes.
#include "processors/revenue/purchase_processor.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "processors/partition_aggregates.h"

namespace engaged {
namespace {

constexpr size_t kMaxPurchasesWithoutCohort = 256;  // a user who pays but is never active

void contribute(DayTable<CohortFigures>& cohorts, const UserProfile& user, int32_t cohort,
                int sign) {
  if (cohort == kNoDay) return;
  std::array<bool, kLtvDays.size()> paid{};
  for (const auto& p : user.purchases)
    for (size_t i = 0; i < kLtvDays.size(); ++i)
      paid[i] = paid[i] || (p.day >= cohort && p.day - cohort < kLtvDays[i]);
  if (!paid.back()) return;  // nothing within the longest horizon
  CohortFigures& c = cohorts.mutable_day(cohort);
  for (size_t i = 0; i < kLtvDays.size(); ++i) c.payers[i] += paid[i] ? sign : 0;
  for (const auto& p : user.purchases) {
    if (p.day < cohort || p.day - cohort >= kLtvDays.back()) continue;
    LtvCounters& l = c.ltv[std::string(p.currency.data(), p.currency.size())];
    for (size_t i = 0; i < kLtvDays.size(); ++i)
      if (p.day - cohort < kLtvDays[i]) l.micros[i] += sign * p.micros;
  }
}

// Purchases that can never count again: beyond the longest horizon of the cohort (which only
// ever moves earlier).
void prune(UserProfile& user, int32_t cohort) {
  if (cohort == kNoDay) {
    if (user.purchases.size() > kMaxPurchasesWithoutCohort)
      user.purchases.resize(kMaxPurchasesWithoutCohort);
    return;
  }
  std::erase_if(user.purchases,
                [&](const Purchase& p) { return p.day - cohort >= kLtvDays.back(); });
}

}  // namespace

void PurchaseProcessor::process(DayTable<DayFigures>& days, DayTable<CohortFigures>& cohorts,
                                UserProfile& user, int32_t cohort_day, const Event& ev,
                                const TimeZone& tz) {
  const int32_t day = tz.day_of(ev.ts_ms);
  if (user.purchase_days.add(day)) ++days.mutable_day(day).paying_users;
  if (!ev.amount || ev.currency.size() != 3) return;
  Purchase p{day, {ev.currency[0], ev.currency[1], ev.currency[2]}, std::llround(*ev.amount * 1e6)};
  contribute(cohorts, user, cohort_day, -1);
  // The figures need a day's sum per currency alone, so one entry holds it.
  auto same = std::find_if(user.purchases.begin(), user.purchases.end(), [&](const Purchase& x) {
    return x.day == p.day && x.currency == p.currency;
  });
  if (same != user.purchases.end())
    same->micros += p.micros;
  else
    user.purchases.push_back(p);
  contribute(cohorts, user, cohort_day, +1);
  prune(user, cohort_day);
}

void PurchaseProcessor::cohort_changed(DayTable<CohortFigures>& cohorts, UserProfile& user,
                                       int32_t before, int32_t after) {
  if (user.purchases.empty()) return;
  contribute(cohorts, user, before, -1);
  contribute(cohorts, user, after, +1);
  prune(user, after);
}

// The user's cohort moved: their purchases' LTV moves with it. Then the purchase itself.
void PurchaseProcessor::process(ProcessorContext& ctx) {
  PartitionAggregates& t = ctx.tables();
  const int32_t before = ctx.before().cohort_day, after = ctx.activity().cohort_day;
  if (before != after) cohort_changed(t.cohort_figures, ctx.profile(), before, after);
  if (ctx.event().type != EventType::kPurchase) return;
  process(t.figures, t.cohort_figures, ctx.profile(), after, ctx.event(), ctx.time_zone());
  t.forgotten += forget_oldest(ctx.profile().purchases);
}

}  // namespace engaged
