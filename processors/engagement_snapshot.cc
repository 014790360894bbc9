// Selects and sums the rows behind the product gauges.
#include "processors/engagement_snapshot.h"

#include <algorithm>

#include "processors/support/support_processor.h"

namespace engaged {

EngagementSnapshot take_snapshot(std::span<const PartitionAggregates* const> partitions,
                                 const TimeZone& tz, const SnapshotOptions& options) {
  EngagementSnapshot s;
  for (const auto* p : partitions) s.stream_time_ms = std::max(s.stream_time_ms, p->stream_time_ms);
  if (s.stream_time_ms == kNoTime) return s;
  s.has_data = true;
  s.current_day = tz.day_of(s.stream_time_ms);
  const int32_t complete = s.current_day - 1;
  for (const auto* p : partitions) {
    if (const auto* c = p->daily.find(s.current_day)) s.current += *c;
    if (const auto* c = p->daily.find(complete)) s.latest_complete += *c;
    if (const auto* c = p->sessions.find(s.current_day)) s.current_sessions += *c;
    if (const auto* c = p->sessions.find(complete)) s.latest_complete_sessions += *c;
    for (int32_t d = complete - 29; d <= s.current_day; ++d) {
      const FeedbackCounters* c = p->feedback.find(d);
      if (!c) continue;
      if (d == s.current_day) s.current_feedback += *c;
      if (d == complete) s.latest_complete_feedback += *c;
      if (d >= s.current_day - 29) s.current_feedback_30d += *c;
      if (d <= complete) s.latest_complete_feedback_30d += *c;
    }
    if (const auto* f = p->figures.find(s.current_day)) s.current_figures += *f;
    if (const auto* f = p->figures.find(complete)) s.latest_complete_figures += *f;
    if (const auto* r = p->revenue.find(s.current_day)) s.current_revenue += *r;
    if (const auto* r = p->revenue.find(complete)) s.latest_complete_revenue += *r;
    // Unanswered tickets live at most as long as their day rows: scan the last 90 days.
    s.tickets_over_sla +=
        unanswered_before(p->figures, s.current_day - kMaxLatenessDays, s.current_day,
                          s.stream_time_ms - options.support_sla_ms, tz);
    const int32_t aha_cohort = complete - options.aha_within_days + 1;
    if (const auto* c = p->cohort_figures.find(aha_cohort)) s.aha_reached += c->aha_reached;
    for (int d = 0; d < kMaxSegmentDimensions; ++d)
      for (size_t v = 0; v < p->segments[d].size(); ++v) {
        auto& slot = s.segments[{d, static_cast<int>(v)}];
        if (const auto* c = p->segments[d][v].find(s.current_day)) slot.first += *c;
        if (const auto* c = p->segments[d][v].find(complete)) slot.second += *c;
      }
    for (size_t b = 0; b < s.risk.by_bucket.size(); ++b)
      s.risk.by_bucket[b] += p->risk.by_bucket[b];
    s.risk.at_risk += p->risk.at_risk;
    // Program entries old enough for each figure: entered by day D, its day D + N has passed.
    for (int32_t d = s.current_day - 90; d <= s.current_day - 8; ++d) {
      const DayFigures* f = p->figures.find(d);
      if (!f) continue;
      for (size_t arm = 0; arm < 2; ++arm) {
        auto& u = s.uplift[arm];
        u.entered_7d += f->program_entered[arm];
        u.returned_7d += f->program_returned_7d[arm];
        u.active_d7 += f->program_active_d7[arm];
        if (d <= s.current_day - 31) {
          u.entered_30d += f->program_entered[arm];
          u.active_d30 += f->program_active_d30[arm];
        }
      }
    }
    const auto& rows = p->cohort(CohortTable::kDailyOn).rows();
    const auto& unbounded = p->cohort(CohortTable::kDailyUnbounded).rows();
    if (auto it = rows.find(aha_cohort); it != rows.end() && !it->second.retained.empty())
      s.aha_cohort_size += it->second.retained[0];
    add_retention_figures(
        rows, unbounded, complete, [](const auto& row) -> const auto& { return row.retained; }, s);
  }
  return s;
}

}  // namespace engaged
