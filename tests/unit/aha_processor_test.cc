// The aha processor against its definitions: scripted users with hand-computed reach and
// discovery figures, the report helpers (rank_discovery, median_hours_to_aha), and a property test
// comparing the per-cohort figures with a brute-force recomputation for random users whose
// events arrive in several orders.
#include "processors/aha/aha_processor.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <deque>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "domain/timestamp.h"
#include "processors/activity/activity_processor.h"

namespace engaged {
namespace {

constexpr int64_t kDay = 86400000;
constexpr int64_t kHour = 3600000;
const int32_t kD0 = days_from_civil(2026, 6, 1);

int64_t at(int32_t day, int64_t hour, int64_t minute = 0) {
  return int64_t{day} * kDay + hour * kHour + minute * 60000;
}

ActivityConfig activity_config(std::vector<std::string> excluded = {}) {
  ActivityConfig c;
  c.allowed_lateness_ms = int64_t{kMaxLatenessDays} * kDay;  // every scripted event is accepted
  c.activity.excluded_action_names = std::move(excluded);
  return c;
}

AhaConfig reach_config(int count, int within_days) {
  return {"lesson", count, within_days, {}};
}

// Runs events through the real activity processor, then the aha processor.
struct Harness {
  ActivityProcessor activity;
  AhaProcessor aha;
  PartitionAggregates part;
  std::map<std::string, std::pair<UserActivity, UserProfile>> users;
  std::deque<std::string> strings;  // ids the events view must outlive them

  Harness(AhaConfig config, ActivityConfig a = activity_config())
      : activity(std::move(a)), aha(std::move(config)) {}

  void send(const std::string& user, int64_t ts_ms, std::string_view name = "open",
            EventType type = EventType::kAction) {
    strings.push_back(user);
    Event ev;
    ev.user_id = strings.back();
    strings.push_back("e" + std::to_string(strings.size()));
    ev.event_id = strings.back();
    ev.type = type;
    ev.name = name;
    ev.ts_ms = ts_ms;
    auto& [act, profile] = users[user];
    const UserActivity before = act;
    ASSERT_EQ(activity.process(part, act, profile.seen, ev), Verdict::kApplied);
    aha.process(part.cohort_figures, profile, before, act, ev, activity.config().time_zone);
  }
  CohortFigures cohort(int32_t day) const {
    const CohortFigures* f = part.cohort_figures.find(day);
    return f ? *f : CohortFigures{};
  }
};

int64_t hour_count(const CohortFigures& f, size_t h) {
  return h < f.hours_to_aha.size() ? f.hours_to_aha[h] : 0;
}
int64_t total_hours(const CohortFigures& f) {
  int64_t n = 0;
  for (int64_t x : f.hours_to_aha) n += x;
  return n;
}

TEST(AhaProcessor, Reach) {
  Harness h(reach_config(3, 7));
  // ann: third lesson on day 2 at 02:30 -> hour 50.
  h.send("ann", at(kD0, 8));
  h.send("ann", at(kD0 + 1, 10), "lesson");
  h.send("ann", at(kD0 + 2, 1), "lesson");
  h.send("ann", at(kD0 + 2, 2, 30), "lesson");
  h.send("ann", at(kD0 + 3, 0), "lesson");  // a fourth changes nothing
  // bob: three lessons with the same timestamp are three events -> hour 5.
  for (int i = 0; i < 3; ++i) h.send("bob", at(kD0, 5), "lesson");
  // cy: third lesson on day 8 -> too late.
  h.send("cy", at(kD0, 9), "lesson");
  h.send("cy", at(kD0 + 1, 9), "lesson");
  h.send("cy", at(kD0 + 8, 9), "lesson");
  // dan: third lesson in the last minute of day 6 -> in time, hour 167.
  h.send("dan", at(kD0, 0), "lesson");
  h.send("dan", at(kD0, 1), "lesson");
  h.send("dan", at(kD0 + 6, 23, 59), "lesson");
  // eve: two lessons only.
  h.send("eve", at(kD0, 3), "lesson");
  h.send("eve", at(kD0, 4), "lesson");

  const CohortFigures f = h.cohort(kD0);
  EXPECT_EQ(f.aha_reached, 3);
  EXPECT_EQ(total_hours(f), 3);
  EXPECT_EQ(hour_count(f, 50), 1);
  EXPECT_EQ(hour_count(f, 5), 1);
  EXPECT_EQ(hour_count(f, 167), 1);
  EXPECT_EQ(median_hours_to_aha(f.hours_to_aha), 50);
  EXPECT_EQ(h.users["ann"].second.key_action_ms,
            (std::vector<int64_t>{at(kD0 + 1, 10), at(kD0 + 2, 1), at(kD0 + 2, 2, 30)}));
}

TEST(AhaProcessor, LateEventsFlipReach) {
  Harness h(reach_config(3, 7));
  // gus: cohort d3, third lesson on d8 (offset 5): reached at hour 5 * 24 + 6 ...
  h.send("gus", at(kD0 + 3, 1));
  h.send("gus", at(kD0 + 3, 2), "lesson");
  h.send("gus", at(kD0 + 4, 2), "lesson");
  h.send("gus", at(kD0 + 8, 6), "lesson");
  EXPECT_EQ(h.cohort(kD0 + 3).aha_reached, 1);
  EXPECT_EQ(hour_count(h.cohort(kD0 + 3), 126), 1);
  // ... until a late event moves the cohort to d1: now offset 7, too late.
  h.send("gus", at(kD0 + 1, 12));
  EXPECT_EQ(h.cohort(kD0 + 3).aha_reached, 0);
  EXPECT_EQ(total_hours(h.cohort(kD0 + 3)), 0);
  EXPECT_EQ(h.cohort(kD0 + 1).aha_reached, 0);

  // hal: cohort d2, lessons on d2, d3, d12 (not reached); a late lesson on d4 becomes the third.
  h.send("hal", at(kD0 + 2, 7), "lesson");
  h.send("hal", at(kD0 + 3, 7), "lesson");
  h.send("hal", at(kD0 + 12, 7), "lesson");
  EXPECT_EQ(h.cohort(kD0 + 2).aha_reached, 0);
  h.send("hal", at(kD0 + 4, 9), "lesson");
  EXPECT_EQ(h.cohort(kD0 + 2).aha_reached, 1);
  EXPECT_EQ(hour_count(h.cohort(kD0 + 2), 57), 1);
  EXPECT_EQ(median_hours_to_aha(h.cohort(kD0 + 2).hours_to_aha), 57);
}

TEST(AhaProcessor, KeyActionBeforeCohortDayCountsAtItsStart) {
  // Lessons are not activity here, so they can precede the cohort day.
  Harness h(reach_config(2, 3), activity_config({"lesson"}));
  h.send("ivy", at(kD0, 10), "lesson");
  h.send("ivy", at(kD0 + 1, 10), "lesson");
  EXPECT_EQ(h.part.cohort_figures.find(kD0), nullptr);  // not a cohort member yet
  h.send("ivy", at(kD0 + 2, 8));                        // cohort d2
  EXPECT_EQ(h.cohort(kD0 + 2).aha_reached, 1);
  EXPECT_EQ(hour_count(h.cohort(kD0 + 2), 0), 1);
}

TEST(AhaProcessor, Discovery) {
  Harness h(AhaConfig{"", 3, 7, {"share", "invite"}});
  // u1: share 3x in days 0..1, active in week 2 (d8).
  h.send("u1", at(kD0, 1), "share");
  h.send("u1", at(kD0, 2), "share");
  h.send("u1", at(kD0 + 1, 2), "share");
  h.send("u1", at(kD0 + 8, 2));
  // u2: share once on d6, invite 6x on d2; nothing in week 2.
  h.send("u2", at(kD0, 1));
  h.send("u2", at(kD0 + 6, 1), "share");
  for (int i = 0; i < 6; ++i) h.send("u2", at(kD0 + 2, i), "invite");
  // u3: no candidates, active on d13 (last day of week 2).
  h.send("u3", at(kD0, 1));
  h.send("u3", at(kD0 + 13, 23));
  // u4: active on d14 only after d0: not week 2.
  h.send("u4", at(kD0, 1));
  h.send("u4", at(kD0 + 14, 0));
  // u5: a share on d7 is week-2 activity, not first-week discovery.
  h.send("u5", at(kD0, 1));
  h.send("u5", at(kD0 + 7, 1), "share");
  // u6: shares on d3 and d9, then a late event on d2 makes d9 week 2 (offset 7).
  h.send("u6", at(kD0 + 3, 1), "share");
  h.send("u6", at(kD0 + 9, 1), "share");
  EXPECT_EQ(h.cohort(kD0 + 3).did[0], 1);
  EXPECT_EQ(h.cohort(kD0 + 3).week2_active, 0);
  h.send("u6", at(kD0 + 2, 1));

  const CohortFigures f = h.cohort(kD0);
  EXPECT_EQ(f.week2_active, 3);  // u1, u3, u5
  EXPECT_EQ(f.did, (std::vector<int64_t>{2, 1, 1, 0, 0, 1, 1, 1, 1, 1}));
  EXPECT_EQ(f.did_and_week2, (std::vector<int64_t>{1, 1, 1, 0, 0, 0, 0, 0, 0, 0}));
  const CohortFigures g = h.cohort(kD0 + 2);
  EXPECT_EQ(g.week2_active, 1);
  EXPECT_EQ(g.did, (std::vector<int64_t>{1, 0, 0, 0, 0, 0, 0, 0, 0, 0}));
  EXPECT_EQ(g.did_and_week2, g.did);
  EXPECT_EQ(h.cohort(kD0 + 3).did[0], 0);
  EXPECT_EQ(h.cohort(kD0 + 3).week2_active, 0);
}

TEST(AhaProcessor, RankDiscovery) {
  CohortFigures s;
  s.week2_active = 4;
  s.did = {5, 0, 0, 0, 0, 2, 0, 0, 0, 0};
  s.did_and_week2 = {3, 0, 0, 0, 0, 2, 0, 0, 0, 0};
  const auto rows = rank_discovery(s, 10, {"a", "b"});
  ASSERT_EQ(rows.size(), 10u);
  // b, k=1: a=2 b=0 c=2 d=6 -> 12 / sqrt(2 * 8 * 4 * 6).
  EXPECT_EQ(rows[0].name, "b");
  EXPECT_EQ(rows[0].k, 1);
  EXPECT_EQ(rows[0].users, 2);
  EXPECT_EQ(rows[0].retained, 2);
  EXPECT_DOUBLE_EQ(rows[0].phi, 12 / std::sqrt(384.0));
  EXPECT_DOUBLE_EQ(rows[0].ppv, 1.0);
  EXPECT_DOUBLE_EQ(rows[0].share, 0.2);
  // a, k=1: a=3 b=2 c=1 d=4 -> 10 / sqrt(5 * 5 * 4 * 6).
  EXPECT_EQ(rows[1].name, "a");
  EXPECT_EQ(rows[1].k, 1);
  EXPECT_DOUBLE_EQ(rows[1].phi, 10 / std::sqrt(600.0));
  EXPECT_DOUBLE_EQ(rows[1].ppv, 0.6);
  EXPECT_DOUBLE_EQ(rows[1].share, 0.5);
  // Nobody did the rest: phi 0 and ppv 0, ordered by name, then k.
  for (size_t i = 2; i < rows.size(); ++i) {
    EXPECT_EQ(rows[i].name, i < 6 ? "a" : "b");
    EXPECT_EQ(rows[i].k, i < 6 ? int(i) : int(i) - 4);
    EXPECT_EQ(rows[i].phi, 0);
    EXPECT_EQ(rows[i].ppv, 0);
  }
  // No figures at all (no cohort user touched discovery yet).
  for (const auto& r : rank_discovery(CohortFigures{}, 0, {"a"})) {
    EXPECT_EQ(r.users, 0);
    EXPECT_EQ(r.phi, 0);
    EXPECT_EQ(r.share, 0);
  }
}

TEST(AhaProcessor, MedianHours) {
  EXPECT_EQ(median_hours_to_aha({}), -1);
  EXPECT_EQ(median_hours_to_aha({0, 0}), -1);
  EXPECT_EQ(median_hours_to_aha({0, 1}), 1);
  EXPECT_EQ(median_hours_to_aha({1, 1}), 0);  // lower median
  EXPECT_EQ(median_hours_to_aha({2, 0, 1, 1}), 0);
  EXPECT_EQ(median_hours_to_aha({1, 0, 1, 1}), 2);
}

// ---- Property test --------------------------------------------------------------------------

struct TestEvent {
  std::string user, id;
  EventType type;
  std::string_view name;
  int64_t ts_ms;
};

// Vectors sized on first touch and emptied histogram tails depend on history; values do not.
CohortFigures normalized(CohortFigures f, size_t candidates) {
  while (!f.hours_to_aha.empty() && f.hours_to_aha.back() == 0) f.hours_to_aha.pop_back();
  f.did.resize(candidates * kDiscoveryMaxK);
  f.did_and_week2.resize(candidates * kDiscoveryMaxK);
  return f;
}

// The figures straight from the definitions, given every event of every user.
std::map<int32_t, CohortFigures> brute_force(const std::vector<TestEvent>& events,
                                             const AhaConfig& config, const ActivityConfig& ac) {
  std::map<std::string, std::vector<const TestEvent*>> by_user;
  for (const auto& e : events) by_user[e.user].push_back(&e);
  std::map<int32_t, CohortFigures> out;
  const size_t n = config.candidates.size();
  for (const auto& [user, evs] : by_user) {
    std::vector<int32_t> active;
    std::vector<int64_t> keys;
    for (const TestEvent* e : evs) {
      Event ev;
      ev.type = e->type;
      ev.name = e->name;
      if (ac.activity.counts(ev)) active.push_back(static_cast<int32_t>(e->ts_ms / kDay));
      if (e->type == EventType::kAction && e->name == config.key_action) keys.push_back(e->ts_ms);
    }
    if (active.empty()) continue;
    const int32_t c = *std::min_element(active.begin(), active.end());
    CohortFigures& f = out[c];
    f.did.resize(n * kDiscoveryMaxK);
    f.did_and_week2.resize(n * kDiscoveryMaxK);
    std::sort(keys.begin(), keys.end());
    const size_t count = static_cast<size_t>(config.count);
    if (keys.size() >= count && keys[count - 1] < int64_t{c + config.within_days} * kDay) {
      ++f.aha_reached;
      const size_t hour =
          static_cast<size_t>(std::max<int64_t>(0, keys[count - 1] - c * kDay) / kHour);
      if (f.hours_to_aha.size() <= hour) f.hours_to_aha.resize(hour + 1);
      ++f.hours_to_aha[hour];
    }
    const bool week2 = std::any_of(active.begin(), active.end(),
                                   [&](int32_t d) { return d >= c + 7 && d <= c + 13; });
    f.week2_active += week2;
    for (size_t i = 0; i < n; ++i) {
      int times = 0;
      for (const TestEvent* e : evs) {
        const int32_t d = static_cast<int32_t>(e->ts_ms / kDay);
        times += e->type == EventType::kAction && e->name == config.candidates[i] && d >= c &&
                 d <= c + 6;
      }
      for (int k = 1; k <= std::min(times, kDiscoveryMaxK); ++k) {
        ++f.did[i * kDiscoveryMaxK + k - 1];
        if (week2) ++f.did_and_week2[i * kDiscoveryMaxK + k - 1];
      }
    }
  }
  return out;
}

TEST(AhaProcessor, PropertyAnyOrderMatchesDefinitions) {
  std::mt19937_64 rng(20260601);
  const AhaConfig config{.key_action = "lesson",
                         .count = 3,
                         .within_days = 5,
                         .candidates = {"share", "invite", "lesson"}};
  const std::string_view names[] = {"lesson", "share", "invite", "open"};
  const EventType other_types[] = {EventType::kCheckIn, EventType::kSessionStart,
                                   EventType::kUserDeleted};
  // Default activity, and one where lessons and invites are not activity (so they can precede
  // the cohort day).
  for (const ActivityConfig& ac : {activity_config(), activity_config({"lesson", "invite"})}) {
    for (int round = 0; round < 4; ++round) {
      std::vector<TestEvent> events;
      for (int u = 0; u < 30; ++u) {
        const std::string user = "u" + std::to_string(u);
        const int32_t start = kD0 + static_cast<int32_t>(rng() % 8);
        const int n = 1 + static_cast<int>(rng() % 20);
        for (int i = 0; i < n; ++i) {
          // Hour resolution on purpose: equal timestamps happen.
          const int64_t ts =
              int64_t{start} * kDay + static_cast<int64_t>(rng() % (14 * 24)) * kHour;
          const size_t pick = rng() % 6;
          const EventType type = pick < 4 ? EventType::kAction : other_types[rng() % 3];
          events.push_back({user, "e" + std::to_string(events.size()), type,
                            pick < 4 ? names[pick] : names[3], ts});
        }
      }
      const auto expected = brute_force(events, config, ac);
      std::vector<std::map<int32_t, CohortFigures>> results;
      for (int order = 0; order < 4; ++order) {
        if (order == 0)
          std::sort(events.begin(), events.end(),
                    [](const TestEvent& a, const TestEvent& b) { return a.ts_ms < b.ts_ms; });
        else if (order == 1)
          std::reverse(events.begin(), events.end());
        else
          std::shuffle(events.begin(), events.end(), rng);
        Harness h(config, ac);
        for (const auto& e : events) {
          Event ev;
          ev.user_id = e.user;
          ev.event_id = e.id;
          ev.type = e.type;
          ev.name = e.name;
          ev.ts_ms = e.ts_ms;
          auto& [act, profile] = h.users[e.user];
          const UserActivity before = act;
          ASSERT_EQ(h.activity.process(h.part, act, profile.seen, ev), Verdict::kApplied);
          h.aha.process(h.part.cohort_figures, profile, before, act, ev, ac.time_zone);
          ASSERT_LE(profile.key_action_ms.size(), 3u);
          for (const CandidateDay& c : profile.first_week)  // only what can still count is kept
            ASSERT_TRUE(act.cohort_day == kNoDay || c.day <= act.cohort_day + 6);
        }
        std::map<int32_t, CohortFigures> got;
        for (int32_t d = kD0 - 1; d <= kD0 + 30; ++d) {
          const CohortFigures* f = h.part.cohort_figures.find(d);
          if (f && normalized(*f, 3) != normalized(CohortFigures{}, 3)) got[d] = normalized(*f, 3);
        }
        std::map<int32_t, CohortFigures> want;
        for (const auto& [d, f] : expected)
          if (normalized(f, 3) != normalized(CohortFigures{}, 3)) want[d] = normalized(f, 3);
        EXPECT_EQ(got.size(), want.size()) << "round " << round << " order " << order;
        for (const auto& [d, f] : want) {
          ASSERT_TRUE(got.count(d)) << d - kD0;
          EXPECT_EQ(got[d].aha_reached, f.aha_reached) << d - kD0;
          EXPECT_EQ(got[d].hours_to_aha, f.hours_to_aha) << d - kD0;
          EXPECT_EQ(got[d].week2_active, f.week2_active) << d - kD0;
          EXPECT_EQ(got[d].did, f.did) << d - kD0;
          EXPECT_EQ(got[d].did_and_week2, f.did_and_week2) << d - kD0;
        }
        results.push_back(std::move(got));
      }
      for (const auto& r : results) EXPECT_TRUE(r == results[0]);
    }
  }
}

}  // namespace
}  // namespace engaged
