// A check-in changes streak figures only from its day to the day after the run it joins: the
// contribution on those days is recomputed before and after, and the difference applied.
#include "processors/streaks/streak_processor.h"

#include <algorithm>

#include "processors/partition_aggregates.h"

namespace engaged {
namespace {

struct Contribution {
  bool checked, long_streak, broke;
};

Contribution contribution_at(const DayBitmap& b, int32_t d) {
  const bool checked = b.has(d);
  return {checked, checked && b.run_ending(d) >= kLongStreakDays,
          !checked && b.run_ending(d - 1) >= 2};
}

}  // namespace

void StreakProcessor::process(DayTable<DayFigures>& days, UserProfile& user, int32_t day) {
  const DayBitmap before = user.check_ins;
  if (!user.check_ins.add(day)) return;
  int32_t run_end = day;  // last day of the run the new day joined
  while (user.check_ins.has(run_end + 1)) ++run_end;
  for (int32_t d = day; d <= run_end + 1; ++d) {
    const Contribution b = contribution_at(before, d), a = contribution_at(user.check_ins, d);
    const int checked = a.checked - b.checked, long_streak = a.long_streak - b.long_streak,
              broke = a.broke - b.broke;
    if ((checked | long_streak | broke) == 0) continue;
    DayFigures& f = days.mutable_day(d);
    f.check_ins += checked;
    f.on_streak_7 += long_streak;
    f.streak_breaks += broke;
  }
  user.longest_streak = std::max(user.longest_streak, user.check_ins.run_ending(run_end));
}

int32_t StreakProcessor::current_streak(const UserProfile& user, int32_t day) {
  return user.check_ins.has(day) ? user.check_ins.run_ending(day)
                                 : user.check_ins.run_ending(day - 1);
}

void StreakProcessor::process(ProcessorContext& ctx) {
  if (ctx.event().type == EventType::kCheckIn)
    process(ctx.tables().figures, ctx.profile(), ctx.time_zone().day_of(ctx.event().ts_ms));
}

}  // namespace engaged
