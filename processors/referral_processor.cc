// Referrals per day, and referrers over 30 days by the same subtract-and-add as activity.
#include "processors/referral_processor.h"

namespace engaged {

void ReferralProcessor::process(DayTable<DayFigures>& days, UserProfile& user, int32_t day) {
  ++days.mutable_day(day).referrals_sent;
  const DayBitmap before = user.referral_days;
  if (!user.referral_days.add(day)) return;
  // The new day can only turn "referred in [D-29, D]" on, for D in [day, day + 29].
  for (int32_t d = day; d <= day + 29; ++d)
    if (before.count(d - 29, d) == 0) ++days.mutable_day(d).referrers_30d;
}

}  // namespace engaged
