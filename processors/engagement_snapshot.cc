// Selects and sums the rows behind the product gauges.
#include "processors/engagement_snapshot.h"

#include <algorithm>

namespace engaged {

EngagementSnapshot take_snapshot(std::span<const PartitionAggregates* const> partitions,
                                 const TimeZone& tz) {
  EngagementSnapshot s;
  for (const auto* p : partitions) s.stream_time_ms = std::max(s.stream_time_ms, p->stream_time_ms);
  if (s.stream_time_ms == kNoTime) return s;
  s.has_data = true;
  s.current_day = tz.day_of(s.stream_time_ms);
  const int32_t complete = s.current_day - 1;
  for (const auto* p : partitions) {
    if (const auto* c = p->daily.find(s.current_day)) s.current += *c;
    if (const auto* c = p->daily.find(complete)) s.latest_complete += *c;
    for (size_t i = 0; i < kRetentionGaugeDays.size(); ++i) {
      const int n = kRetentionGaugeDays[i];
      const auto& rows = p->cohort(CohortTable::kDailyOn).rows();
      auto it = rows.find(complete - n);
      if (it == rows.end()) continue;
      const auto& retained = it->second.retained;
      if (!retained.empty()) s.retention_cohort_size[i] += retained[0];
      if (retained.size() > static_cast<size_t>(n)) s.retention_retained[i] += retained[n];
    }
  }
  return s;
}

}  // namespace engaged
