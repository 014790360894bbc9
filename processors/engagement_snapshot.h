// The product figures exported as gauges: the current day (of the newest event time) and the
// latest complete day (the one before), summed over a set of partitions. Pure; the shell calls
// it after each checkpoint. All figures are counts, so sums across instances stay exact.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <span>
#include <utility>
#include <vector>

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

// Adds the retention gauges of latest complete day `complete` to `s` from one set of cohort
// rows (cohort day -> row, `retained_of(row)` its users retained by day n): the gauges of `run`
// (take_snapshot, per partition) and the history of `report history` (StateTables) both use it.
template <class Rows, class RetainedOf>
void add_retention_figures(const Rows& on, const Rows& unbounded, int32_t complete,
                           RetainedOf retained_of, EngagementSnapshot& s) {
  auto at = [](const std::vector<int64_t>& v, size_t n) { return v.size() > n ? v[n] : 0; };
  for (size_t i = 0; i < kRetentionGaugeDays.size(); ++i) {
    const auto n = static_cast<size_t>(kRetentionGaugeDays[i]);
    const int32_t latest = complete - kRetentionGaugeDays[i];
    for (auto it = on.lower_bound(latest - kTrailingCohorts); it != on.end() && it->first <= latest;
         ++it) {
      const std::vector<int64_t>& retained = retained_of(it->second);
      const int64_t size = at(retained, 0), kept = at(retained, n);
      int64_t kept_later = 0;
      if (auto u = unbounded.find(it->first); u != unbounded.end())
        kept_later = at(retained_of(u->second), n);
      if (it->first == latest) {
        s.retention_cohort_size[i] += size;
        s.retention_retained[i] += kept;
        s.unbounded_retained[i] += kept_later;
      } else {
        s.trailing_cohort_size[i] += size;
        s.trailing_retained[i] += kept;
        s.trailing_unbounded_retained[i] += kept_later;
      }
    }
  }
}

struct SnapshotOptions {
  int64_t support_sla_ms = 3600000;
  int aha_within_days = 7;
};

EngagementSnapshot take_snapshot(std::span<const PartitionAggregates* const> partitions,
                                 const TimeZone& tz, const SnapshotOptions& options);

}  // namespace engaged
