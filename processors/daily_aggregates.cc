// Storage-agnostic containers for the per-day and per-cohort counters.
#include "processors/daily_aggregates.h"

#include <algorithm>

namespace engaged {

DayCounters& DayCounters::operator+=(const DayCounters& o) {
  dau += o.dau;
  wau += o.wau;
  mau += o.mau;
  new_users += o.new_users;
  returning += o.returning;
  resurrecting += o.resurrecting;
  dormant += o.dormant;
  return *this;
}

DayCounters& DailyAggregates::slot(int32_t day) {
  if (base_ == kNoDay) {
    base_ = day;
  } else if (day < base_) {
    days_.insert(days_.begin(), static_cast<size_t>(base_ - day), DayCounters{});
    base_ = day;
  }
  size_t i = static_cast<size_t>(day - base_);
  if (i >= days_.size()) days_.resize(i + 1);
  return days_[i];
}

DayCounters& DailyAggregates::mutable_day(int32_t day) {
  dirty_lo_ = std::min(dirty_lo_, day);
  dirty_hi_ = std::max(dirty_hi_, day);
  return slot(day);
}

void DailyAggregates::restore(int32_t day, const DayCounters& c) {
  slot(day) = c;
}

const DayCounters* DailyAggregates::find(int32_t day) const {
  if (base_ == kNoDay || day < base_ || day - base_ >= static_cast<int64_t>(days_.size()))
    return nullptr;
  return &days_[static_cast<size_t>(day - base_)];
}

std::string_view cohort_table_name(CohortTable t) {
  static constexpr std::string_view kNames[] = {"daily", "daily_unbounded", "weekly",
                                                "weekly_unbounded"};
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
