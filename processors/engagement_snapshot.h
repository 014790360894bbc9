// The product figures exported as gauges: the current day (of the newest event time) and the
// latest complete day (the one before), summed over a set of partitions. Pure; the shell calls
// it after each checkpoint. All figures are counts, so sums across instances stay exact.
#pragma once

#include <array>
#include <cstdint>
#include <span>

#include "processors/activity_processor.h"

namespace engaged {

inline constexpr std::array<int, 3> kRetentionGaugeDays = {1, 7, 30};

struct EngagementSnapshot {
  bool has_data = false;
  int64_t stream_time_ms = kNoTime;
  int32_t current_day = kNoDay;
  DayCounters current, latest_complete;
  // For N in kRetentionGaugeDays: cohort (latest_complete - N), its size and users retained on N.
  std::array<int64_t, 3> retention_cohort_size{}, retention_retained{};
};

EngagementSnapshot take_snapshot(std::span<const PartitionAggregates* const> partitions,
                                 const TimeZone& tz);

}  // namespace engaged
