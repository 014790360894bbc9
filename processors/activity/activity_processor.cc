// Exactness under out-of-order input comes from one idea: a user's contribution to day D is a
// function of their active-day set and cohort day alone (contribution_at). Adding an active day
// changes that function only on a short range of days, so we subtract the old contribution and
// add the new one there. Late events then give the same counters as in-order ones by construction.
#include "processors/activity/activity_processor.h"

#include <algorithm>

#include "processors/dedupe/dedupe_window.h"

namespace engaged {
namespace {

struct Contribution {
  bool dau, wau, mau, is_new, returning, resurrecting, dormant;
  int days_7, days_30;  // active days in the 7 / 30 days ending on the day
};

Contribution contribution_at(const UserActivity& u, int32_t d) {
  if (!u.known()) return {};
  const bool a = u.active(d);
  const bool prev = u.active(d - 1);
  const int days_7 = u.count_active(d - 6, d), days_30 = u.count_active(d - 29, d);
  return {a,           days_7 > 0,
          days_30 > 0, d == u.cohort_day,
          a && prev,   a && !prev && u.cohort_day < d,
          prev && !a,  days_7,
          days_30};
}

// The same for every day of [top - 29, top] at once: `bits` holds the user's days
// [top - 63, top] (bit i: day top - i), each day's counts are a shift and two popcounts.
struct ContributionWindow {
  const UserActivity& u;
  int32_t top;
  uint64_t bits;

  ContributionWindow(const UserActivity& user, int32_t top_day)
      : u(user), top(top_day), bits(static_cast<uint64_t>(user.bits(top_day - 63, top_day))) {}

  Contribution at(int32_t d) const {  // d in [top - 29, top]
    if (!u.known()) return {};
    const uint64_t x = bits >> (top - d);  // bit k: day d - k
    const bool a = x & 1, prev = (x >> 1) & 1;
    const int days_7 = __builtin_popcountll(x & 0x7f),
              days_30 = __builtin_popcountll(x & 0x3fffffff);
    return {a,           days_7 > 0,
            days_30 > 0, d == u.cohort_day,
            a && prev,   a && !prev && u.cohort_day < d,
            prev && !a,  days_7,
            days_30};
  }
};

DayCounters counter_difference(const Contribution& b, const Contribution& a) {
  return {a.dau - b.dau,
          a.wau - b.wau,
          a.mau - b.mau,
          a.is_new - b.is_new,
          a.returning - b.returning,
          a.resurrecting - b.resurrecting,
          a.dormant - b.dormant};
}

bool stickiness_moves(const Contribution& b, const Contribution& a) {
  return a.days_7 != b.days_7 || a.days_30 != b.days_30;
}

// Moves the user between the stickiness distribution's buckets (when stickiness_moves).
void move_stickiness(DayFigures& f, const Contribution& b, const Contribution& a) {
  if (a.days_7 != b.days_7) {
    if (b.days_7) --f.active_days_7[static_cast<size_t>(b.days_7)];
    if (a.days_7) ++f.active_days_7[static_cast<size_t>(a.days_7)];
  }
  if (b.days_30) --f.active_days_30[static_cast<size_t>(b.days_30)];
  if (a.days_30) ++f.active_days_30[static_cast<size_t>(a.days_30)];
}

// Applies after - before on day d to the activity counters (and, if given, to the stickiness
// distribution), marking only what changed. Returns false if nothing did.
bool apply_difference(DailyAggregates& daily, DayTable<DayFigures>* figures, const Contribution& b,
                      const Contribution& a, int32_t d) {
  const DayCounters diff = counter_difference(b, a);
  const bool counters = !(diff == DayCounters{});
  if (counters) daily.mutable_day(d) += diff;
  const bool stickiness = figures && stickiness_moves(b, a);
  if (stickiness) move_stickiness(figures->mutable_day(d), b, a);
  return counters || stickiness;
}

// "On period n" tables: the user adds 1 to (cohort, n) for every period n they were active in.
// When the cohort moves earlier, every active period moves to the new cohort.
void update_daily_on(RetentionTable& t, const UserActivity& before, const UserActivity& after,
                     int32_t day) {
  if (before.known() && before.cohort_day != after.cohort_day) {
    for (int32_t d = before.cohort_day; d <= before.last_day; ++d) {
      if (!before.active(d)) continue;
      t.add(before.cohort_day, d - before.cohort_day, -1);
      t.add(after.cohort_day, d - after.cohort_day, +1);
    }
  }
  t.add(after.cohort_day, day - after.cohort_day, +1);
}

void update_weekly_on(RetentionTable& t, const UserActivity& before, const UserActivity& after,
                      int32_t day) {
  const int32_t week = week_of(day), cw = week_of(after.cohort_day);
  if (before.known() && week_of(before.cohort_day) != cw) {
    const int32_t cw_before = week_of(before.cohort_day);
    for (int32_t w = cw_before; w <= week_of(before.last_day); ++w) {
      if (!before.any_active(week_start(w), week_start(w) + 6)) continue;
      t.add(week_start(cw_before), w - cw_before, -1);
      t.add(week_start(cw), w - cw, +1);
    }
  }
  if (!before.any_active(week_start(week), week_start(week) + 6))
    t.add(week_start(cw), week - cw, +1);
}

// Unbounded retention: the user adds 1 to (cohort, n) for every period n in [0, last - cohort],
// so going from (cohort, last) before to after is a range subtraction and a range addition.
// Periods are day or week indices; `key` turns a cohort period into the table key.
template <typename Key>
void update_unbounded(RetentionTable& t, bool known_before, int32_t cohort_before,
                      int32_t last_before, int32_t cohort_after, int32_t last_after, Key key) {
  if (known_before && cohort_before == cohort_after) {
    if (last_after > last_before)
      t.add_range(key(cohort_after), last_before - cohort_after + 1, last_after - cohort_after, +1);
    return;
  }
  if (known_before) t.add_range(key(cohort_before), 0, last_before - cohort_before, -1);
  t.add_range(key(cohort_after), 0, last_after - cohort_after, +1);
}

// Signup cohorts: retained[0] counts the signup, retained[n] an active day n >= 1 after it.
void update_signup(RetentionTable& t, const UserActivity& u, int sign) {
  if (u.signup_day == kNoDay) return;
  t.add(u.signup_day, 0, sign);
  if (!u.known()) return;
  const int32_t lo = std::max(u.signup_day + 1, u.last_day - kActivityWindowDays + 1);
  for (int32_t d = lo; d <= u.last_day; ++d)
    if (u.active(d)) t.add(u.signup_day, d - u.signup_day, sign);
}

}  // namespace

bool ActivityDefinition::counts(const Event& ev) const {
  if (!types.test(static_cast<size_t>(ev.type))) return false;
  if (ev.type != EventType::kAction) return true;
  auto listed = [&](const std::vector<std::string>& names) {
    for (const auto& n : names)
      if (n == ev.name) return true;
    return false;
  };
  if (!action_names.empty() && !listed(action_names)) return false;
  return !listed(excluded_action_names);
}

DailyAggregates& ActivityProcessor::segment_table(PartitionAggregates& part, int dimension,
                                                  int slot) {
  auto& tables = part.segments[static_cast<size_t>(dimension)];
  if (tables.size() <= static_cast<size_t>(slot)) tables.resize(static_cast<size_t>(slot) + 1);
  return tables[static_cast<size_t>(slot)];
}

// A whole contribution, over the days as one array and 30 days' bits at a time (a user's first
// event carrying a segment moves it: most of a segment processor's work before, at 8.6 k
// instructions a move, day by day).
void ActivityProcessor::move_contribution(DailyAggregates& daily, const UserActivity& user,
                                          int sign) {
  if (!user.known()) return;
  const Contribution none{};
  const int32_t first = std::max(user.cohort_day, user.last_day - kActivityWindowDays + 1);
  const int32_t last = user.last_day + 29;
  DayCounters* days = daily.span(first, last);
  for (int32_t lo = first; lo <= last; lo += 30) {
    const int32_t top = std::min(lo + 29, last);
    const ContributionWindow window(user, top);
    for (int32_t d = lo; d <= top; ++d) {
      const Contribution c = window.at(d);
      const DayCounters diff = sign > 0 ? counter_difference(none, c) : counter_difference(c, none);
      if (diff == DayCounters{}) continue;
      days[d - first] += diff;
      daily.mark_changed(d);
    }
  }
  if (user.cohort_day < first) {  // `new` on a cohort day beyond the window
    const Contribution c = contribution_at(user, user.cohort_day);
    if (sign > 0)
      apply_difference(daily, nullptr, none, c, user.cohort_day);
    else
      apply_difference(daily, nullptr, c, none, user.cohort_day);
  }
}

void ActivityProcessor::mark_active(PartitionAggregates& part, UserActivity& user, int32_t day,
                                    const SegmentSlots& segments) {
  if (user.active(day)) return;
  const UserActivity before = user;
  user.add_day(day);
  DailyAggregates* segment_tables[kMaxSegmentDimensions];
  int n_segments = 0;
  for (int i = 0; i < kMaxSegmentDimensions; ++i)
    if (segments[static_cast<size_t>(i)])
      segment_tables[n_segments++] = &segment_table(part, i, segments[static_cast<size_t>(i)] - 1);
  // Day `day` can change dau..dormant on [day, day + 29] (the 30-day window is the widest). The
  // 30 days of each table are one array; only the days whose values change are marked.
  const ContributionWindow was(before, day + 29), is(user, day + 29);
  DayCounters* daily = part.daily.span(day, day + 29);
  DayFigures* figures = part.figures.span(day, day + 29);
  DayCounters* segment_days[kMaxSegmentDimensions];
  for (int i = 0; i < n_segments; ++i) segment_days[i] = segment_tables[i]->span(day, day + 29);
  // Unless the cohort day moved, a day `day + k` with k >= 2 keeps its dau and lifecycle (they
  // look at days day + k - 1 and day + k): only its 7-day count (k < 7) and 30-day count rise by
  // one, and wau and mau with them where they were 0. The general loop covers the first 2 days.
  const bool cohort_moved = before.known() && before.cohort_day != user.cohort_day;
  const int general = cohort_moved ? 30 : 2;
  for (int k = general; k < 30; ++k) {
    const Contribution b = was.at(day + k);
    DayFigures& f = figures[k];
    DayCounters diff{};
    if (k < 7) {
      if (b.days_7) --f.active_days_7[static_cast<size_t>(b.days_7)];
      ++f.active_days_7[static_cast<size_t>(b.days_7 + 1)];
      diff.wau = b.days_7 == 0;
    }
    if (b.days_30) --f.active_days_30[static_cast<size_t>(b.days_30)];
    ++f.active_days_30[static_cast<size_t>(b.days_30 + 1)];
    part.figures.mark_changed(day + k);
    diff.mau = b.days_30 == 0;
    if (!diff.wau && !diff.mau) continue;
    daily[k] += diff;
    part.daily.mark_changed(day + k);
    for (int i = 0; i < n_segments; ++i) {
      segment_days[i][k] += diff;
      segment_tables[i]->mark_changed(day + k);
    }
  }
  for (int k = 0; k < general; ++k) {
    const Contribution b = was.at(day + k), a = is.at(day + k);
    if (stickiness_moves(b, a)) {
      move_stickiness(figures[k], b, a);
      part.figures.mark_changed(day + k);
    }
    const DayCounters diff = counter_difference(b, a);
    if (diff == DayCounters{}) continue;
    daily[k] += diff;
    part.daily.mark_changed(day + k);
    for (int i = 0; i < n_segments; ++i) {
      segment_days[i][k] += diff;
      segment_tables[i]->mark_changed(day + k);
    }
  }
  // A late first event moves the cohort earlier: `new` and `resurrecting` change on the old
  // cohort day too.
  if (before.known() && before.cohort_day != user.cohort_day && before.cohort_day > day + 29) {
    const Contribution b = contribution_at(before, before.cohort_day),
                       a = contribution_at(user, before.cohort_day);
    if (apply_difference(part.daily, &part.figures, b, a, before.cohort_day))
      for (int i = 0; i < n_segments; ++i)
        apply_difference(*segment_tables[i], nullptr, b, a, before.cohort_day);
  }
  if (user.signup_day != kNoDay && day > user.signup_day)
    part.cohort(CohortTable::kSignupOn).add(user.signup_day, day - user.signup_day, +1);

  update_daily_on(part.cohort(CohortTable::kDailyOn), before, user, day);
  update_unbounded(part.cohort(CohortTable::kDailyUnbounded), before.known(), before.cohort_day,
                   before.last_day, user.cohort_day, user.last_day, [](int32_t d) { return d; });
  update_weekly_on(part.cohort(CohortTable::kWeeklyOn), before, user, day);
  update_unbounded(part.cohort(CohortTable::kWeeklyUnbounded), before.known(),
                   before.known() ? week_of(before.cohort_day) : 0,
                   before.known() ? week_of(before.last_day) : 0, week_of(user.cohort_day),
                   week_of(user.last_day), week_start);
}

Verdict ActivityProcessor::process(PartitionAggregates& part, UserActivity& user,
                                   std::vector<SeenEvent>& seen, const Event& ev,
                                   const IdKey& event_key, const SegmentSlots& segments) const {
  if (part.stream_time_ms != kNoTime &&
      ev.ts_ms < part.stream_time_ms - config_.allowed_lateness_ms) {
    ++part.rejected[static_cast<int>(RejectReason::kTooLate)];
    return Verdict::kTooLate;
  }
  const int64_t stream_time = std::max(part.stream_time_ms, ev.ts_ms);
  if (config_.dedupe_window_ms > 0 &&
      seen_or_record(seen, event_key, stream_time, config_.dedupe_window_ms, part.legacy)) {
    ++part.duplicates;
    return Verdict::kDuplicate;
  }
  part.forgotten += forget_oldest(seen);
  part.stream_time_ms = stream_time;
  const int32_t day = config_.time_zone.day_of(ev.ts_ms);
  if (ev.type == EventType::kSignup && (user.signup_day == kNoDay || day < user.signup_day)) {
    update_signup(part.cohort(CohortTable::kSignupOn), user, -1);
    user.signup_day = day;
    update_signup(part.cohort(CohortTable::kSignupOn), user, +1);
  }
  if (config_.activity.counts(ev)) mark_active(part, user, day, segments);
  return Verdict::kApplied;
}

}  // namespace engaged
