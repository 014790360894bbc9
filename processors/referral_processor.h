// Word of mouth: `referral` events per day, and the users who referred someone in the 30 days
// ending on each day (numerator of the recommendation rate; MAU is the denominator).
#pragma once

#include <cstdint>

#include "processors/daily_aggregates.h"
#include "processors/day_figures.h"
#include "processors/user_profile.h"

namespace engaged {

class ReferralProcessor {
 public:
  // An accepted `referral` event on `day`.
  static void process(DayTable<DayFigures>& days, UserProfile& user, int32_t day);
};

}  // namespace engaged
