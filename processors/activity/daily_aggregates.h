// Per-partition aggregates the reports are made of: the daily counters and the cohort retention
// rows. Both remember which entries changed since the last checkpoint, so a checkpoint writes
// only those. Instances are per input partition and are summed when read.
#pragma once

#include <absl/container/btree_map.h>

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <string_view>
#include <vector>

#include "processors/user_activity.h"
#include "state/day_table.h"

namespace engaged {

struct DayCounters {
  int64_t dau = 0, wau = 0, mau = 0;
  int64_t new_users = 0, returning = 0, resurrecting = 0, dormant = 0;

  DayCounters& operator+=(const DayCounters& o) {
    dau += o.dau;
    wau += o.wau;
    mau += o.mau;
    new_users += o.new_users;
    returning += o.returning;
    resurrecting += o.resurrecting;
    dormant += o.dormant;
    return *this;
  }
  bool operator==(const DayCounters&) const = default;
};

using DailyAggregates = DayTable<DayCounters>;

// The cohort tables. Daily cohorts are keyed by cohort day, weekly ones by the cohort day's
// week (weeks start on Monday; the key is the Monday). "on" counts users active on period N
// exactly; "unbounded" counts users active on period N or any later one. Signup cohorts are
// keyed by the day of the user's earliest `signup`: retained[0] counts signups, retained[n]
// those of them active on day n (n >= 1).
enum class CohortTable : uint8_t {
  kDailyOn,
  kDailyUnbounded,
  kWeeklyOn,
  kWeeklyUnbounded,
  kSignupOn
};
inline constexpr int kCohortTableCount = 5;
std::string_view cohort_table_name(CohortTable t);  // "daily", "daily_unbounded", ...

// Monday-based week of a day (days since 1970-01-01, a Thursday) and its first day.
inline int32_t week_of(int32_t day) {
  int32_t x = day + 3;
  return (x >= 0 ? x : x - 6) / 7;
}
inline int32_t week_start(int32_t week) {
  return week * 7 - 3;
}

// retained[n] = users of the cohort counted on period n; retained[0] is the cohort size.
struct RetentionRow {
  std::vector<int64_t> retained;
  bool changed = false;
};

class RetentionTable {
 public:
  void add(int32_t cohort_day, int32_t day_n, int64_t delta);
  void add_range(int32_t cohort_day, int32_t first_n, int32_t last_n, int64_t delta);
  void restore(int32_t cohort_day, std::vector<int64_t> retained);
  const absl::btree_map<int32_t, RetentionRow>& rows() const { return rows_; }
  template <typename F>
  void for_each_changed(F&& f) const {
    for (auto& [cohort, row] : rows_)
      if (row.changed) f(cohort, row.retained);
  }
  void clear_changed();

 private:
  // A B-tree: a few cohorts per node, so the lookup of every new active day misses the CPU's cache
  // a few times rather than once per level of a red-black tree.
  absl::btree_map<int32_t, RetentionRow> rows_;
};

}  // namespace engaged
