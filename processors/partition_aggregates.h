// Everything one input partition accumulates besides its users: the tables every figure
// processor writes into, kept in memory and written by the checkpoint.
#pragma once

#include <array>
#include <cstdint>
#include <limits>
#include <vector>

#include "domain/reject_reason.h"
#include "processors/activity/daily_aggregates.h"
#include "processors/cohort_figures.h"
#include "processors/day_figures.h"
#include "processors/feedback/feedback_processor.h"
#include "processors/legacy_windows.h"
#include "processors/program/risk_tracker.h"
#include "processors/revenue/revenue_processor.h"
#include "processors/sessions/session_processor.h"
#include "processors/user_profile.h"

namespace engaged {

inline constexpr int64_t kNoTime = std::numeric_limits<int64_t>::min();

struct PartitionAggregates {
  int64_t stream_time_ms = kNoTime;  // newest accepted event time in this partition
  DailyAggregates daily;
  DayTable<SessionCounters> sessions;
  DayTable<FeedbackCounters> feedback;
  DayTable<RevenueCounters> revenue;
  DayTable<DayFigures> figures;
  DayTable<CohortFigures> cohort_figures;  // keyed by cohort day
  // Activity counters per segment: [dimension][value] (value 0 = "other", 1.. = allowlist).
  std::array<std::vector<DailyAggregates>, kMaxSegmentDimensions> segments;
  std::array<RetentionTable, kCohortTableCount> cohorts;  // indexed by CohortTable
  RetentionTable& cohort(CohortTable t) { return cohorts[static_cast<size_t>(t)]; }
  const RetentionTable& cohort(CohortTable t) const { return cohorts[static_cast<size_t>(t)]; }
  RejectCounts rejected{};  // every rejection of this partition's messages, by reason
  int64_t duplicates = 0;   // events dropped as re-sent within the dedupe window
  int64_t forgotten = 0;    // entries users' lists dropped early (kMaxUserListEntries)
  LegacyWindows legacy;     // event ids and sessions an older state kept per partition
  RiskCounts risk;          // users by churn-risk decile, and at risk
};

}  // namespace engaged
