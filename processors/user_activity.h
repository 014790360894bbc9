// What the pipeline remembers about one user's activity: their cohort day, their signup day and
// which recent days they were active on (a DayBitmap ending at their newest active day).
#pragma once

#include <cstdint>

#include "domain/day_bitmap.h"

namespace engaged {

struct UserActivity : DayBitmap {
  int32_t cohort_day = kNoDay;  // day of the first active event
  int32_t signup_day = kNoDay;  // day of the earliest `signup` event (kNoDay: none yet)

  bool known() const { return !empty(); }
  bool active(int32_t day) const { return has(day); }
  bool any_active(int32_t lo, int32_t hi) const { return any(lo, hi); }  // active in [lo, hi]
  int count_active(int32_t lo, int32_t hi) const { return count(lo, hi); }

  void add_day(int32_t day) {
    add(day);
    if (cohort_day == kNoDay || day < cohort_day) cohort_day = day;
  }
};

}  // namespace engaged
