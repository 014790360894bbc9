// Word of mouth: `referral` events per day, the users who referred someone in the 30 days
// ending on each day (numerator of the recommendation rate; MAU is the denominator), and
// conversions: referred users (their `signup` names a `referrer_user_id`) who became active.
// Conversions are counted on the referred user's partition, so no cross-partition join is needed.
#pragma once

#include <cstdint>

#include "processors/activity/daily_aggregates.h"
#include "processors/day_figures.h"
#include "processors/runtime/processor.h"
#include "processors/user_profile.h"

namespace engaged {

class ReferralProcessor final : public Processor {
 public:
  void process(ProcessorContext& ctx) override;
  // An accepted `referral` event on `day`.
  static void process(DayTable<DayFigures>& days, UserProfile& user, int32_t day);
  // Conversions, on the referred user's side: a user whose `signup` names a referrer counts
  // once, on their cohort day (the day they first became active). Call for every accepted event
  // with the user's cohort day before and after it; `signup_referred`: this event is such a
  // signup.
  static void converted(DayTable<DayFigures>& days, UserProfile& user, int32_t cohort_before,
                        int32_t cohort_after, bool signup_referred);
};

}  // namespace engaged
