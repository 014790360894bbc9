// The product figures exported as gauges: the current day (of the newest event time) and the
// latest complete day (the one before), summed over a set of partitions. Pure; the shell calls
// it after each checkpoint. All figures are counts, so sums across instances stay exact.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <span>
#include <utility>

#include "processors/partition_aggregates.h"

namespace engaged {

inline constexpr std::array<int, 4> kRetentionGaugeDays = {1, 7, 14, 30};
// Cohorts in the trailing average an alert compares the latest complete cohort with.
inline constexpr int kTrailingCohorts = 28;

struct EngagementSnapshot {
  bool has_data = false;
  int64_t stream_time_ms = kNoTime;
  int32_t current_day = kNoDay;
  DayCounters current, latest_complete;
  SessionCounters current_sessions, latest_complete_sessions;
  // NPS responses on the day, and over the 30 days ending on it.
  FeedbackCounters current_feedback, latest_complete_feedback;
  FeedbackCounters current_feedback_30d, latest_complete_feedback_30d;
  // For N in kRetentionGaugeDays: cohort C = latest_complete - N, its size and users retained on
  // day N; and the same summed over the kTrailingCohorts cohorts before C (numerator and
  // denominator of the trailing 4-week average).
  std::array<int64_t, kRetentionGaugeDays.size()> retention_cohort_size{}, retention_retained{};
  std::array<int64_t, kRetentionGaugeDays.size()> trailing_cohort_size{}, trailing_retained{};
  // Unbounded retention of the same cohorts: users active on day N or later.
  std::array<int64_t, kRetentionGaugeDays.size()> unbounded_retained{},
      trailing_unbounded_retained{};
  // Stickiness distribution, streaks, paying users, referrals, support of the two days.
  DayFigures current_figures, latest_complete_figures;
  RevenueCounters current_revenue, latest_complete_revenue;
  int64_t tickets_over_sla = 0;  // unanswered tickets opened more than the SLA ago
  // Aha reach of the newest cohort whose reach window has ended: its size and users who reached.
  int64_t aha_cohort_size = 0, aha_reached = 0;
  // Churn risk over every scored user.
  RiskCounts risk;
  // The mentoring program per arm (0 treated, 1 holdout), over entry days in the last 90 days:
  // entries old enough for the 7-day / 30-day figures and the figures themselves.
  struct Uplift {
    int64_t entered_7d = 0, entered_30d = 0, returned_7d = 0, active_d7 = 0, active_d30 = 0;
  };
  std::array<Uplift, 2> uplift{};
  // Activity counters per segment (dimension, value index) on the two days.
  std::map<std::pair<int, int>, std::pair<DayCounters, DayCounters>> segments;
};

struct SnapshotOptions {
  int64_t support_sla_ms = 3600000;
  int aha_within_days = 7;
};

EngagementSnapshot take_snapshot(std::span<const PartitionAggregates* const> partitions,
                                 const TimeZone& tz, const SnapshotOptions& options);

}  // namespace engaged
