// The report tables, read back from a state directory and summed over its partitions.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <map>
#include <ostream>
#include <string_view>
#include <vector>

#include "domain/reject_reason.h"
#include "processors/activity/daily_aggregates.h"
#include "processors/cohort_figures.h"
#include "processors/day_figures.h"
#include "processors/feedback/feedback_processor.h"
#include "processors/revenue/revenue_processor.h"
#include "processors/sessions/session_processor.h"
#include "processors/user_activity.h"
#include "processors/user_profile.h"

namespace engaged {

class Store;

struct StateTables {
  std::map<int32_t, DayCounters> daily;  // day -> counters (all partitions)
  // Per CohortTable: cohort key (day, or the week's Monday) -> retained by period n.
  std::array<std::map<int32_t, std::vector<int64_t>>, kCohortTableCount> cohorts;
  const std::map<int32_t, std::vector<int64_t>>& cohort(CohortTable t) const {
    return cohorts[static_cast<size_t>(t)];
  }
  std::map<int32_t, SessionCounters> sessions;      // day -> session counters
  std::map<int32_t, FeedbackCounters> feedback;     // day -> NPS responses
  std::map<int32_t, RevenueCounters> revenue;       // day -> money by currency
  std::map<int32_t, DayFigures> figures;            // day -> stickiness, streaks, support, ...
  std::map<int32_t, CohortFigures> cohort_figures;  // cohort day -> aha, LTV, discovery
  // (dimension, value index) -> day -> activity counters of the segment
  std::map<std::pair<int, int>, std::map<int32_t, DayCounters>> segments;
  RejectCounts rejected{};
  int64_t duplicates = 0;          // events dropped as re-sent
  int64_t forgotten = 0;           // entries users' lists dropped early (kMaxUserListEntries)
  int64_t stream_time_ms;          // newest event time over partitions
  int64_t next_offsets_total = 0;  // input records applied or rejected
};

StateTables read_tables(Store& store);

// Calls f(user_id, activity, profile) for every stored user, in key order.
void for_each_user(
    Store& store,
    const std::function<void(std::string_view, const UserActivity&, const UserProfile&)>& f);

// Every key and value of every column family, hex-encoded, in key order, except that the event
// ids of the dedupe window and the sessions that may still change (in users' records, or an
// older state's segments) are printed apart, sorted, those inside the horizons only, and the
// outbox is printed by message: two states are identical exactly when their dumps are.
void dump_state(Store& store, std::ostream& out);

}  // namespace engaged
