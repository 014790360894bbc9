// The activity processor against the spine's definitions: a scripted story with hand-computed
// values, and a property test comparing it with a brute-force recomputation for random,
// shuffled-within-lateness input.
#include "processors/activity/activity_processor.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <deque>
#include <map>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "app/zone_files.h"
#include "domain/timestamp.h"

namespace engaged {
namespace {

constexpr int64_t kDay = 86400000;
const int32_t kD0 = days_from_civil(2026, 6, 1);

struct Harness {
  ActivityProcessor processor{ActivityConfig{}};
  PartitionAggregates part;
  std::map<std::string, UserActivity> users;
  std::map<std::string, std::vector<SeenEvent>> seen;

  std::deque<std::string> ids;  // event ids must outlive the events that view them

  Verdict send(const std::string& user, int32_t day, int64_t ms_in_day = 43200000,
               EventType type = EventType::kAction) {
    Event ev;
    ev.user_id = user;
    ids.push_back("e" + std::to_string(ids.size()));
    ev.event_id = ids.back();
    ev.type = type;
    ev.ts_ms = int64_t{day} * kDay + ms_in_day;
    return processor.process(part, users[user], seen[user], ev);
  }
  DayCounters day(int32_t d) const {
    const DayCounters* c = part.daily.find(d);
    return c ? *c : DayCounters{};
  }
  int64_t retained(int32_t cohort, int n) const {
    const auto& rows = part.cohort(CohortTable::kDailyOn).rows();
    auto it = rows.find(cohort);
    if (it == rows.end() || n >= static_cast<int>(it->second.retained.size())) return 0;
    return it->second.retained[n];
  }
};

TEST(ActivityProcessor, ScriptedStory) {
  Harness h;
  // ann: active d0, d1, d3. bob: active d1 only. cy: active d3, then a late event on d0.
  h.send("ann", kD0);
  h.send("ann", kD0, 50000000);  // same day twice counts once
  h.send("ann", kD0 + 1);
  h.send("bob", kD0 + 1);
  h.send("ann", kD0 + 3);
  h.send("cy", kD0 + 3);
  h.send("cy", kD0, 1000);  // late: moves cy's cohort to d0

  // d0: ann, cy new.                         dau 2, new 2
  EXPECT_EQ(h.day(kD0), (DayCounters{2, 2, 2, 2, 0, 0, 0}));
  // d1: ann returning, bob new; cy dormant.
  EXPECT_EQ(h.day(kD0 + 1), (DayCounters{2, 3, 3, 1, 1, 0, 1}));
  // d2: nobody; ann, bob dormant.
  EXPECT_EQ(h.day(kD0 + 2), (DayCounters{0, 3, 3, 0, 0, 0, 2}));
  // d3: ann and cy resurrecting.
  EXPECT_EQ(h.day(kD0 + 3), (DayCounters{2, 3, 3, 0, 0, 2, 0}));
  // d4: ann, cy dormant; window still holds all three.
  EXPECT_EQ(h.day(kD0 + 4), (DayCounters{0, 3, 3, 0, 0, 0, 2}));
  // d7: d1..d7 -> ann, bob, cy all active within the week ending d7.
  EXPECT_EQ(h.day(kD0 + 7).wau, 3);
  EXPECT_EQ(h.day(kD0 + 8).wau, 2);  // d2..d8: ann, cy (d3)
  EXPECT_EQ(h.day(kD0 + 10).wau, 0);
  EXPECT_EQ(h.day(kD0 + 29).mau, 3);
  EXPECT_EQ(h.day(kD0 + 30).mau, 3);  // bob (d1) and ann, cy (d3) are in d1..d30
  EXPECT_EQ(h.day(kD0 + 31).mau, 2);

  EXPECT_EQ(h.retained(kD0, 0), 2);  // cohort d0 = ann, cy
  EXPECT_EQ(h.retained(kD0, 1), 1);
  EXPECT_EQ(h.retained(kD0, 3), 2);
  EXPECT_EQ(h.retained(kD0 + 1, 0), 1);  // bob
  EXPECT_EQ(h.retained(kD0 + 3, 0), 0);  // cy moved away from cohort d3
}

// A checkpoint writes the days marked changed: a new active day marks the 30 days of the
// stickiness distribution, but only the days whose counters moved.
TEST(ActivityProcessor, MarksOnlyTheDaysWhoseCountersChanged) {
  Harness h;
  h.send("ann", kD0);
  h.part.daily.clear_changed();
  h.part.figures.clear_changed();
  h.send("ann", kD0 + 1);
  std::vector<int32_t> counters, figures;
  h.part.daily.for_each_changed(
      [&](int32_t d, const DayCounters&) { counters.push_back(d - kD0); });
  h.part.figures.for_each_changed(
      [&](int32_t d, const DayFigures&) { figures.push_back(d - kD0); });
  // d1: dau, returning, no longer dormant; d2: dormant; d7: first week without d0 (wau);
  // d30: first month without d0 (mau).
  EXPECT_EQ(counters, (std::vector<int32_t>{1, 2, 7, 30}));
  EXPECT_EQ(h.day(kD0 + 1), (DayCounters{1, 1, 1, 0, 1, 0, 0}));
  EXPECT_EQ(h.day(kD0 + 2), (DayCounters{0, 1, 1, 0, 0, 0, 1}));
  EXPECT_EQ(h.day(kD0 + 7), (DayCounters{0, 1, 1, 0, 0, 0, 0}));
  EXPECT_EQ(h.day(kD0 + 30), (DayCounters{0, 0, 1, 0, 0, 0, 0}));
  ASSERT_EQ(figures.size(), 30u);
  EXPECT_EQ(figures.front(), 1);
  EXPECT_EQ(figures.back(), 30);
  EXPECT_EQ(h.part.figures.find(kD0 + 1)->active_days_30[2], 1);
  EXPECT_EQ(h.part.figures.find(kD0 + 1)->active_days_30[1], 0);
}

TEST(ActivityProcessor, RejectsTooLateButNotAfterQuietPeriods) {
  Harness h;
  EXPECT_EQ(h.send("a", kD0 + 10), Verdict::kApplied);
  EXPECT_EQ(h.send("b", kD0 + 3, 43200000), Verdict::kApplied);  // exactly 7 days behind
  EXPECT_EQ(h.send("c", kD0 + 3, 43199999), Verdict::kTooLate);
  EXPECT_EQ(h.part.rejected[static_cast<int>(RejectReason::kTooLate)], 1);
  EXPECT_EQ(h.day(kD0 + 3).dau, 1);
  EXPECT_EQ(h.send("a", kD0 + 200), Verdict::kApplied);  // a long silence is fine
}

TEST(ActivityProcessor, DropsEventsResentWithinTheDedupeWindow) {
  ActivityProcessor p{ActivityConfig{TimeZone(), 7 * kDay, {}, kDay}};
  PartitionAggregates part;
  UserActivity a, b;
  std::vector<SeenEvent> seen_a, seen_b;
  Event ev;
  ev.event_id = "e1";
  ev.user_id = "a";
  ev.ts_ms = int64_t{kD0} * kDay;
  EXPECT_EQ(p.process(part, a, seen_a, ev), Verdict::kApplied);
  EXPECT_EQ(p.process(part, a, seen_a, ev), Verdict::kDuplicate);  // producer retry
  Event late = ev;
  late.event_id = "late";
  late.ts_ms -= 3 * kDay;  // a late event (3 days behind, within lateness) and its retry
  EXPECT_EQ(p.process(part, a, seen_a, late), Verdict::kApplied);
  EXPECT_EQ(p.process(part, a, seen_a, late), Verdict::kDuplicate);
  ev.user_id = "b";  // the same event id from another user is another event
  EXPECT_EQ(p.process(part, b, seen_b, ev), Verdict::kApplied);
  Event other = ev;
  other.event_id = "e2";
  other.ts_ms += kDay + 1;  // stream time moves on by more than the window...
  EXPECT_EQ(p.process(part, b, seen_b, other), Verdict::kApplied);
  ev.ts_ms -= kDay;  // ...so a retry of e1, even a late one, is new again
  EXPECT_EQ(p.process(part, b, seen_b, ev), Verdict::kApplied);
  EXPECT_EQ(part.duplicates, 2);
  EXPECT_EQ(part.daily.find(kD0)->dau, 2);
}

TEST(ActivityProcessor, UserDeletedIsNotActivity) {
  Harness h;
  h.send("a", kD0, 1000, EventType::kUserDeleted);
  EXPECT_EQ(h.day(kD0).dau, 0);
  EXPECT_EQ(h.part.stream_time_ms, int64_t{kD0} * kDay + 1000);
}

TEST(ActivityProcessor, OnlyConfiguredEventsMakeUsersActive) {
  ActivityDefinition def;
  def.types.reset();
  def.types.set(static_cast<size_t>(EventType::kAction));
  def.types.set(static_cast<size_t>(EventType::kPurchase));
  def.excluded_action_names = {"login"};
  ActivityProcessor p{ActivityConfig{TimeZone(), 7 * kDay, def, /*dedupe_window_ms=*/0}};
  PartitionAggregates part;
  UserActivity u;
  std::vector<SeenEvent> seen;
  Event ev;
  ev.user_id = "a";
  ev.ts_ms = int64_t{kD0} * kDay;
  for (auto [type, name] : {std::pair{EventType::kSessionStart, ""},
                            {EventType::kAction, "login"},
                            {EventType::kCheckIn, ""}}) {
    ev.type = type;
    ev.name = name;
    EXPECT_EQ(p.process(part, u, seen, ev), Verdict::kApplied);
  }
  EXPECT_EQ(part.daily.find(kD0), nullptr);  // accepted, but nothing meaningful happened
  EXPECT_EQ(part.stream_time_ms, int64_t{kD0} * kDay);
  ev.type = EventType::kAction;
  ev.name = "open_lesson";
  p.process(part, u, seen, ev);
  EXPECT_EQ(part.daily.find(kD0)->dau, 1);
  def.action_names = {"complete_lesson"};
  EXPECT_FALSE(def.counts(ev));
}

TEST(ActivityProcessor, DayFollowsConfiguredTimeZone) {
  ActivityProcessor p{ActivityConfig{load_time_zone("America/New_York"), 7 * kDay}};
  PartitionAggregates part;
  UserActivity u;
  std::vector<SeenEvent> seen;
  Event ev;
  ev.user_id = "a";
  ev.ts_ms = *parse_rfc3339_ms("2026-06-02T03:00:00Z");  // 23:00 on June 1st in New York
  p.process(part, u, seen, ev);
  EXPECT_EQ(part.daily.find(days_from_civil(2026, 6, 1))->dau, 1);
}

// Brute force straight from the definitions, on the set of (user, day) pairs.
struct Expected {
  std::map<int32_t, DayCounters> daily;
  // Per day: users by active days in the 7 (30) days ending on it (the stickiness distribution).
  std::map<int32_t, std::array<int64_t, 8>> active_days_7;
  std::map<int32_t, std::array<int64_t, 31>> active_days_30;
  // Per CohortTable: (cohort key, n) -> users.
  std::array<std::map<std::pair<int32_t, int32_t>, int64_t>, kCohortTableCount> cohorts;
};

Expected brute_force(const std::map<int, std::set<int32_t>>& active) {
  Expected e;
  int32_t lo = INT32_MAX, hi = INT32_MIN;
  for (auto& [u, days] : active) {
    lo = std::min(lo, *days.begin());
    hi = std::max(hi, *days.rbegin());
  }
  for (int32_t d = lo; d <= hi + 30; ++d) {
    DayCounters c;
    for (auto& entry : active) {
      const auto& days = entry.second;  // a plain reference: clang 14 cannot capture bindings
      auto on = [&](int32_t x) { return days.count(x) > 0; };
      auto any = [&](int32_t a, int32_t b) {
        auto it = days.lower_bound(a);
        return it != days.end() && *it <= b;
      };
      int32_t cohort = *days.begin();
      c.dau += on(d);
      c.wau += any(d - 6, d);
      c.mau += any(d - 29, d);
      c.new_users += cohort == d;
      c.returning += on(d) && on(d - 1);
      c.resurrecting += on(d) && !on(d - 1) && cohort < d;
      c.dormant += on(d - 1) && !on(d);
      auto count = [&](int32_t a, int32_t b) {
        return std::distance(days.lower_bound(a), days.upper_bound(b));
      };
      if (const auto n7 = count(d - 6, d)) ++e.active_days_7[d][static_cast<size_t>(n7)];
      if (const auto n30 = count(d - 29, d)) ++e.active_days_30[d][static_cast<size_t>(n30)];
    }
    if (!(c == DayCounters{})) e.daily[d] = c;
  }
  for (auto& [u, days] : active) {
    const int32_t c = *days.begin(), last = *days.rbegin();
    const int32_t cw = week_of(c), lw = week_of(last);
    std::set<int32_t> weeks;
    for (int32_t d : days) {
      ++e.cohorts[0][{c, d - c}];
      weeks.insert(week_of(d));
    }
    for (int32_t n = 0; n <= last - c; ++n) ++e.cohorts[1][{c, n}];
    for (int32_t w : weeks) ++e.cohorts[2][{week_start(cw), w - cw}];
    for (int32_t n = 0; n <= lw - cw; ++n) ++e.cohorts[3][{week_start(cw), n}];
  }
  return e;
}

TEST(ActivityProcessor, MatchesBruteForceUnderShuffledInput) {
  std::mt19937_64 rng(12345);
  for (int round = 0; round < 20; ++round) {
    Harness h;
    struct Ev {
      int user;
      int64_t ts;
    };
    std::vector<Ev> events;
    const int users = 40, days = 70;
    for (int u = 0; u < users; ++u) {
      int start = static_cast<int>(rng() % days);
      double p = 0.1 + 0.8 * (rng() % 1000) / 1000.0;
      for (int d = start; d < days; ++d)
        if ((rng() % 1000) / 1000.0 < p)
          events.push_back({u, (kD0 + d) * kDay + static_cast<int64_t>(rng() % kDay)});
    }
    std::sort(events.begin(), events.end(), [](auto& a, auto& b) { return a.ts < b.ts; });
    // Delay ~20% of events by up to 6 days (inside the 7-day lateness).
    std::vector<std::pair<int64_t, Ev>> arrival;
    for (auto& e : events)
      arrival.push_back(
          {e.ts + ((rng() % 5 == 0) ? static_cast<int64_t>(rng() % (6 * kDay)) : 0), e});
    std::stable_sort(arrival.begin(), arrival.end(),
                     [](auto& a, auto& b) { return a.first < b.first; });
    std::map<int, std::set<int32_t>> active;
    for (auto& [at, e] : arrival) {
      ASSERT_EQ(h.send("u" + std::to_string(e.user), utc_day_of(e.ts), e.ts % kDay),
                Verdict::kApplied);
      active[e.user].insert(utc_day_of(e.ts));
    }
    Expected want = brute_force(active);
    for (auto& [d, c] : want.daily) EXPECT_EQ(h.day(d), c) << "round " << round << " day " << d;
    for (auto& [d, c] : want.daily) {
      const DayFigures* f = h.part.figures.find(d);
      ASSERT_NE(f, nullptr) << "round " << round << " day " << d;
      EXPECT_EQ(f->active_days_7, want.active_days_7[d]) << "round " << round << " day " << d;
      EXPECT_EQ(f->active_days_30, want.active_days_30[d]) << "round " << round << " day " << d;
    }
    for (int t = 0; t < kCohortTableCount; ++t) {
      std::map<std::pair<int32_t, int32_t>, int64_t> got;
      for (auto& [c, row] : h.part.cohorts[t].rows())
        for (size_t n = 0; n < row.retained.size(); ++n)
          if (row.retained[n] != 0) got[{c, static_cast<int32_t>(n)}] = row.retained[n];
      EXPECT_EQ(got, want.cohorts[t])
          << "round " << round << " table " << cohort_table_name(static_cast<CohortTable>(t));
    }
  }
}

}  // namespace
}  // namespace engaged
