// Storage-agnostic containers for the per-day and per-cohort counters.
#include "processors/activity/daily_aggregates.h"

#include <algorithm>

namespace engaged {

std::string_view cohort_table_name(CohortTable t) {
  static constexpr std::string_view kNames[] = {"daily", "daily_unbounded", "weekly",
                                                "weekly_unbounded", "signup"};
  return kNames[static_cast<int>(t)];
}

void RetentionTable::add(int32_t cohort_day, int32_t day_n, int64_t delta) {
  RetentionRow& row = rows_[cohort_day];
  if (static_cast<size_t>(day_n) >= row.retained.size()) row.retained.resize(day_n + 1, 0);
  row.retained[day_n] += delta;
  row.changed = true;
}

void RetentionTable::add_range(int32_t cohort_day, int32_t first_n, int32_t last_n, int64_t delta) {
  if (last_n < first_n) return;
  RetentionRow& row = rows_[cohort_day];
  if (static_cast<size_t>(last_n) >= row.retained.size()) row.retained.resize(last_n + 1, 0);
  for (int32_t n = first_n; n <= last_n; ++n) row.retained[n] += delta;
  row.changed = true;
}

void RetentionTable::restore(int32_t cohort_day, std::vector<int64_t> retained) {
  rows_[cohort_day].retained = std::move(retained);
}

void RetentionTable::clear_changed() {
  for (auto& [cohort, row] : rows_) row.changed = false;
}

}  // namespace engaged
