// Referrals per day, and referrers over 30 days by the same subtract-and-add as activity.
#include "processors/referrals/referral_processor.h"

#include "processors/partition_aggregates.h"

namespace engaged {

void ReferralProcessor::process(DayTable<DayFigures>& days, UserProfile& user, int32_t day) {
  ++days.mutable_day(day).referrals_sent;
  const DayBitmap before = user.referral_days;
  if (!user.referral_days.add(day)) return;
  // The new day can only turn "referred in [D-29, D]" on, for D in [day, day + 29].
  for (int32_t d = day; d <= day + 29; ++d)
    if (before.count(d - 29, d) == 0) ++days.mutable_day(d).referrers_30d;
}

void ReferralProcessor::converted(DayTable<DayFigures>& days, UserProfile& user,
                                  int32_t cohort_before, int32_t cohort_after,
                                  bool signup_referred) {
  const bool was = user.referred && cohort_before != kNoDay;
  user.referred = user.referred || signup_referred;
  const bool is = user.referred && cohort_after != kNoDay;
  if (was && (!is || cohort_before != cohort_after))
    --days.mutable_day(cohort_before).referred_activated;
  if (is && (!was || cohort_before != cohort_after))
    ++days.mutable_day(cohort_after).referred_activated;
}

void ReferralProcessor::process(ProcessorContext& ctx) {
  const Event& ev = ctx.event();
  UserProfile& user = ctx.profile();
  const int32_t before = ctx.before().cohort_day, after = ctx.activity().cohort_day;
  const bool signup_referred = ev.type == EventType::kSignup && !ev.referrer_user_id.empty();
  if (signup_referred || (user.referred && before != after))
    converted(ctx.tables().figures, user, before, after, signup_referred);
  if (ev.type == EventType::kReferral)
    process(ctx.tables().figures, user, ctx.time_zone().day_of(ev.ts_ms));
}

}  // namespace engaged
