// Check-ins and streaks. A user's streak on day D is the number of consecutive days ending at D on
// which they checked in (0 if not on D). Per day: users who checked in, users on a streak of at
// least 7 days, and streak breaks (streak of >= 2 days on D-1, no check-in on D). All three are
// functions of the user's check-in day set, so a late check-in subtracts the old contribution
// and adds the new one, exactly as for activity.
#pragma once

#include <cstdint>

#include "processors/activity/daily_aggregates.h"
#include "processors/day_figures.h"
#include "processors/runtime/processor.h"
#include "processors/user_profile.h"

namespace engaged {

inline constexpr int32_t kLongStreakDays = 7;

class StreakProcessor final : public Processor {
 public:
  void process(ProcessorContext& ctx) override;
  // An accepted `check_in` on `day` (in the configured time zone).
  static void process(DayTable<DayFigures>& days, UserProfile& user, int32_t day);
  // The user's streak as of `day`: run ending on `day`, or on `day - 1` if not checked in yet.
  static int32_t current_streak(const UserProfile& user, int32_t day);
};

}  // namespace engaged
