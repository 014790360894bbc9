// Streaks, referrals, paying users and LTV: scripted users with exact figures, and every arrival
// order of random histories against a recomputation from the definitions (docs/metrics.md).
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <random>
#include <set>

#include "domain/timestamp.h"
#include "processors/referrals/referral_processor.h"
#include "processors/revenue/purchase_processor.h"
#include "processors/streaks/streak_processor.h"

namespace engaged {
namespace {

constexpr int32_t kDay = 20600;  // 2026-05-27

DayFigures row(const DayTable<DayFigures>& t, int32_t d) {
  const DayFigures* f = t.find(d);
  return f ? *f : DayFigures{};
}

TEST(StreakProcessor, NineDaysThenASkip) {
  DayTable<DayFigures> days;
  UserProfile u;
  for (int i = 0; i < 9; ++i) StreakProcessor::process(days, u, kDay + i);
  StreakProcessor::process(days, u, kDay + 3);  // a second check-in the same day: nothing
  for (int i = 0; i < 9; ++i) {
    EXPECT_EQ(row(days, kDay + i).check_ins, 1);
    EXPECT_EQ(row(days, kDay + i).on_streak_7, i >= 6 ? 1 : 0) << i;
    EXPECT_EQ(row(days, kDay + i).streak_breaks, 0);
  }
  EXPECT_EQ(row(days, kDay + 9).streak_breaks, 1);  // the 9-day streak ended
  EXPECT_EQ(u.longest_streak, 9);
  EXPECT_EQ(StreakProcessor::current_streak(u, kDay + 9), 9);  // not checked in yet today
  EXPECT_EQ(StreakProcessor::current_streak(u, kDay + 10), 0);
  // A late check-in on day 9 extends the streak: the break moves to day 10.
  StreakProcessor::process(days, u, kDay + 9);
  EXPECT_EQ(row(days, kDay + 9).streak_breaks, 0);
  EXPECT_EQ(row(days, kDay + 10).streak_breaks, 1);
  EXPECT_EQ(u.longest_streak, 10);
}

TEST(StreakProcessor, ALateCheckInJoinsTwoRuns) {
  DayTable<DayFigures> days;
  UserProfile u;
  for (int i : {0, 1, 2, 4, 5, 6}) StreakProcessor::process(days, u, kDay + i);
  EXPECT_EQ(row(days, kDay + 3).streak_breaks, 1);
  EXPECT_EQ(row(days, kDay + 6).on_streak_7, 0);
  StreakProcessor::process(days, u, kDay + 3);
  EXPECT_EQ(row(days, kDay + 3).streak_breaks, 0);
  EXPECT_EQ(row(days, kDay + 6).on_streak_7, 1);  // 7 days in a row now
  EXPECT_EQ(row(days, kDay + 7).streak_breaks, 1);
  EXPECT_EQ(u.longest_streak, 7);
}

TEST(ReferralProcessor, ReferrersOverThirtyDays) {
  DayTable<DayFigures> days;
  UserProfile u;
  ReferralProcessor::process(days, u, kDay);
  ReferralProcessor::process(days, u, kDay);       // two referrals, one referrer
  ReferralProcessor::process(days, u, kDay + 10);  // still the same referrer
  EXPECT_EQ(row(days, kDay).referrals_sent, 2);
  EXPECT_EQ(row(days, kDay + 10).referrals_sent, 1);
  for (int32_t d = kDay; d <= kDay + 39; ++d) EXPECT_EQ(row(days, d).referrers_30d, 1) << d;
  EXPECT_EQ(row(days, kDay + 40).referrers_30d, 0);
  EXPECT_EQ(row(days, kDay - 1).referrers_30d, 0);
}

Event purchase(int32_t day, double amount, const char* currency) {
  Event ev;
  ev.type = EventType::kPurchase;
  ev.ts_ms = int64_t{day} * 86400000 + 3600000;
  ev.amount = amount;
  ev.currency = currency;
  return ev;
}

TEST(PurchaseProcessor, LtvHorizonsAndAMovingCohort) {
  DayTable<DayFigures> days;
  DayTable<CohortFigures> cohorts;
  UserProfile u;
  const TimeZone utc;
  int32_t cohort = kDay;
  for (int off : {0, 6, 7, 29, 30, 89, 90})
    PurchaseProcessor::process(days, cohorts, u, cohort, purchase(kDay + off, 1.5, "USD"), utc);
  PurchaseProcessor::process(days, cohorts, u, cohort, purchase(kDay + 6, 10, "EUR"), utc);
  EXPECT_EQ(row(days, kDay + 6).paying_users, 1);  // two purchases, one paying user
  const CohortFigures& c = *cohorts.find(kDay);
  EXPECT_EQ(c.payers, (std::array<int64_t, 3>{1, 1, 1}));
  EXPECT_EQ(c.ltv.at("USD").micros, (std::array<int64_t, 3>{3000000, 6000000, 9000000}));
  EXPECT_EQ(c.ltv.at("EUR").micros, (std::array<int64_t, 3>{10000000, 10000000, 10000000}));
  EXPECT_EQ(u.purchases.size(), 7u);  // day 90 can never count again
  // A late event makes the user active 10 days earlier: every purchase is 10 days older.
  PurchaseProcessor::cohort_changed(cohorts, u, kDay, kDay - 10);
  EXPECT_EQ(cohorts.find(kDay)->payers, (std::array<int64_t, 3>{0, 0, 0}));
  EXPECT_EQ(cohorts.find(kDay)->ltv.at("USD").micros, (std::array<int64_t, 3>{}));
  const CohortFigures& moved = *cohorts.find(kDay - 10);
  EXPECT_EQ(moved.payers, (std::array<int64_t, 3>{0, 1, 1}));
  EXPECT_EQ(moved.ltv.at("USD").micros, (std::array<int64_t, 3>{0, 4500000, 7500000}));
  EXPECT_EQ(moved.ltv.at("EUR").micros, (std::array<int64_t, 3>{0, 10000000, 10000000}));
}

// Random check-in, referral and purchase days of a few users, applied in shuffled orders: the
// tables equal the definitions computed from the final day sets.
TEST(FiguresProcessors, AnyOrderGivesTheDefinitions) {
  std::mt19937 rng(7);
  const TimeZone utc;
  for (int round = 0; round < 200; ++round) {
    struct Item {
      int user, kind;  // kind 0 check-in, 1 referral, 2 purchase
      int32_t day;
      int cents;
    };
    std::vector<Item> items;
    std::vector<int32_t> cohort(4);
    for (int u = 0; u < 4; ++u) {
      cohort[u] = kDay + static_cast<int32_t>(rng() % 5);
      for (int k = 0; k < 12; ++k)
        items.push_back({u, static_cast<int>(rng() % 3), kDay + static_cast<int32_t>(rng() % 40),
                         static_cast<int>(100 + rng() % 900)});
    }
    std::shuffle(items.begin(), items.end(), rng);
    DayTable<DayFigures> days;
    DayTable<CohortFigures> cohorts;
    std::vector<UserProfile> users(4);
    for (const auto& it : items) {
      if (it.kind == 0) StreakProcessor::process(days, users[it.user], it.day);
      if (it.kind == 1) ReferralProcessor::process(days, users[it.user], it.day);
      if (it.kind == 2)
        PurchaseProcessor::process(days, cohorts, users[it.user], cohort[it.user],
                                   purchase(it.day, it.cents / 100.0, "USD"), utc);
    }
    // The definitions.
    std::map<int32_t, DayFigures> want;
    std::map<int32_t, CohortFigures> want_cohorts;
    for (int u = 0; u < 4; ++u) {
      std::set<int32_t> checks, refs, buys;
      for (const auto& it : items) {
        if (it.user != u) continue;
        (it.kind == 0 ? checks : it.kind == 1 ? refs : buys).insert(it.day);
        if (it.kind == 1) ++want[it.day].referrals_sent;
      }
      auto run = [&](int32_t d) {
        int n = 0;
        while (checks.count(d - n)) ++n;
        return n;
      };
      for (int32_t d = kDay - 1; d <= kDay + 80; ++d) {
        if (checks.count(d)) ++want[d].check_ins;
        if (run(d) >= 7) ++want[d].on_streak_7;
        if (!checks.count(d) && run(d - 1) >= 2) ++want[d].streak_breaks;
        if (std::any_of(refs.begin(), refs.end(), [&](int32_t r) { return r <= d && r > d - 30; }))
          ++want[d].referrers_30d;
        if (buys.count(d)) ++want[d].paying_users;
      }
      std::array<bool, 3> paid{};
      for (const auto& it : items) {
        if (it.user != u || it.kind != 2) continue;
        const int32_t off = it.day - cohort[u];
        for (size_t i = 0; i < 3; ++i)
          if (off >= 0 && off < kLtvDays[i]) {
            paid[i] = true;
            want_cohorts[cohort[u]].ltv["USD"].micros[i] += it.cents * 10000;
          }
      }
      for (size_t i = 0; i < 3; ++i) want_cohorts[cohort[u]].payers[i] += paid[i];
    }
    for (int32_t d = kDay - 1; d <= kDay + 80; ++d) {
      const DayFigures got = row(days, d), expected = want[d];
      ASSERT_EQ(got.check_ins, expected.check_ins) << round << " " << d;
      ASSERT_EQ(got.on_streak_7, expected.on_streak_7) << round << " " << d;
      ASSERT_EQ(got.streak_breaks, expected.streak_breaks) << round << " " << d;
      ASSERT_EQ(got.referrals_sent, expected.referrals_sent) << round << " " << d;
      ASSERT_EQ(got.referrers_30d, expected.referrers_30d) << round << " " << d;
      ASSERT_EQ(got.paying_users, expected.paying_users) << round << " " << d;
    }
    for (auto& [c, expected] : want_cohorts) {
      const CohortFigures* got = cohorts.find(c);
      ASSERT_TRUE(got || expected.payers[2] == 0);
      if (!got) continue;
      ASSERT_EQ(got->payers, expected.payers) << round;
      const auto usd = got->ltv.count("USD") ? got->ltv.at("USD").micros : std::array<int64_t, 3>{};
      ASSERT_EQ(usd, expected.ltv["USD"].micros) << round;
    }
  }
}

}  // namespace
}  // namespace engaged
