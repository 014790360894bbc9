// The day-keyed tables of a partition (partition | day -> row), each with the column family that
// stores it and its instance-wide sum in the reports: the one list the checkpoint writes, a load
// restores and `engaged report` sums. A new day table is one line here (and its row codec in
// state/codec.h).
#pragma once

#include "processors/partition_aggregates.h"
#include "processors/runtime/state_tables.h"
#include "state/families.h"

namespace engaged {

// Calls f(family, table member of PartitionAggregates, sum member of StateTables) per table,
// in the order the checkpoint writes them.
template <typename F>
void for_each_day_table(F&& f) {
  f(Family::kSessionDaily, &PartitionAggregates::sessions, &StateTables::sessions);
  f(Family::kFeedbackDaily, &PartitionAggregates::feedback, &StateTables::feedback);
  f(Family::kRevenueDaily, &PartitionAggregates::revenue, &StateTables::revenue);
  f(Family::kDaily, &PartitionAggregates::daily, &StateTables::daily);
  f(Family::kFiguresDaily, &PartitionAggregates::figures, &StateTables::figures);
  f(Family::kCohortFigures, &PartitionAggregates::cohort_figures, &StateTables::cohort_figures);
}

}  // namespace engaged
