// The per-day figures beyond the activity counters, in one row per day so one column family and
// one codec serve them all: the stickiness distribution, check-ins and streaks, paying users,
// referrals and support. Every field is a count (or a sum), so partitions and instances add up.
#pragma once

#include <array>
#include <cstdint>

#include "processors/program/nudge_kind.h"

namespace engaged {

// Support response-time buckets (seconds): <5m, 5-15m, 15m-1h, 1-4h, 4-24h, >=24h.
inline constexpr std::array<int64_t, 5> kResponseBoundsS = {300, 900, 3600, 14400, 86400};
inline constexpr int kResponseBuckets = 6;

struct DayFigures {
  // Users by number of active days in the 7 (30) days ending on the day; index = days (1..7 or
  // 1..30), index 0 unused. The sum over k equals WAU (MAU).
  std::array<int64_t, 8> active_days_7{};
  std::array<int64_t, 31> active_days_30{};

  int64_t check_ins = 0;      // users who checked in on the day
  int64_t streak_breaks = 0;  // users whose streak of >= 2 days ended the day before
  int64_t on_streak_7 = 0;    // users whose check-in streak on the day is >= 7 days

  int64_t paying_users = 0;  // users with at least one purchase on the day

  int64_t referrals_sent = 0;  // `referral` events on the day
  int64_t referrers_30d = 0;   // users who sent a referral in the 30 days ending on the day
  int64_t referred_activated =
      0;  // referred users (signup with a referrer) first active on the day

  // Support, by the day the ticket was opened.
  int64_t tickets_opened = 0;
  int64_t tickets_answered = 0;    // opened on the day and answered since
  int64_t answered_within_1h = 0;  // of those, first reply within one hour
  int64_t response_ms = 0;         // summed first-response times of the answered ones
  std::array<int64_t, kResponseBuckets> response_time{};  // answered, by response-time bucket
  std::array<int64_t, 24> unanswered_by_hour{};  // still unanswered, by hour opened (from local
                                                 // midnight)

  // The mentoring program by entry day, per arm (0 = treated, 1 = holdout): users who entered,
  // and of those the ones active on one of the 7 days after, on day 7 and on day 30 after it.
  std::array<int64_t, 2> program_entered{}, program_returned_7d{}, program_active_d7{},
      program_active_d30{};
  // Nudges opened on the day, by kind, and of those the ones whose user was active again on one
  // of the 7 days after the opening day.
  std::array<int64_t, kNudgeKindCount> nudges_opened{}, nudge_returns{};

  // Calls f on every field (int64_t& or std::array<int64_t, N>&, const for a const row) in a
  // fixed order: the storage order of the codec and the order of operator+=.
  template <typename F>
  void visit(F&& f) {
    visit_fields(*this, f);
  }
  template <typename F>
  void visit(F&& f) const {
    visit_fields(*this, f);
  }
  DayFigures& operator+=(const DayFigures& o);
  bool operator==(const DayFigures&) const = default;

 private:
  template <typename Self, typename F>
  static void visit_fields(Self& s, F& f) {
    f(s.active_days_7), f(s.active_days_30), f(s.check_ins), f(s.streak_breaks), f(s.on_streak_7),
        f(s.paying_users), f(s.referrals_sent), f(s.referrers_30d), f(s.referred_activated),
        f(s.tickets_opened), f(s.tickets_answered), f(s.answered_within_1h), f(s.response_ms),
        f(s.response_time), f(s.unanswered_by_hour), f(s.program_entered), f(s.program_returned_7d),
        f(s.program_active_d7), f(s.program_active_d30), f(s.nudges_opened), f(s.nudge_returns);
  }
};

}  // namespace engaged
