// Paying users per day and lifetime value per cohort. A purchase counts towards LTV at horizon N
// (7, 30, 90) if it happened within the first N days of the user's cohort (day offsets 0..N-1);
// revenue stays per currency. When a late event moves the cohort day earlier, the user's
// purchases move with it, so the figures stay exact under any arrival order.
#pragma once

#include <cstdint>

#include "domain/event.h"
#include "domain/time_zone.h"
#include "processors/activity/daily_aggregates.h"
#include "processors/cohort_figures.h"
#include "processors/day_figures.h"
#include "processors/runtime/processor.h"
#include "processors/user_profile.h"

namespace engaged {

class PurchaseProcessor final : public Processor {
 public:
  void process(ProcessorContext& ctx) override;
  // An accepted `purchase` (with amount and currency). `cohort_day` is the user's cohort day
  // after the event was applied to their activity (kNoDay if they are not active yet).
  static void process(DayTable<DayFigures>& days, DayTable<CohortFigures>& cohorts,
                      UserProfile& user, int32_t cohort_day, const Event& ev, const TimeZone& tz);
  // The user's cohort day changed from `before` (kNoDay: none) to `after`: their purchases'
  // LTV contribution moves to the new cohort.
  static void cohort_changed(DayTable<CohortFigures>& cohorts, UserProfile& user, int32_t before,
                             int32_t after);
};

}  // namespace engaged
