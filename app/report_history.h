// `engaged report history --format openmetrics`: the day figures of a state as the gauges `run`
// exports for its latest complete day, with timestamps, for `promtool tsdb
// create-blocks-from openmetrics`. A replayed history then shows in Grafana on the same panels as
// a live run (docs/deploy.md, "Backfilling a replayed history").
#pragma once

#include <cstdint>
#include <ostream>
#include <string>

#include "app/table_writer.h"
#include "domain/time_zone.h"
#include "processors/runtime/state_tables.h"

namespace engaged {

struct HistoryLabels {
  std::string job = "engaged";        // the scrape job the dashboards and rules select
  std::string instance = "backfill";  // keeps backfilled series apart from live instances'
};

// The interval between samples: Prometheus looks 5 minutes back for an instant value, so samples
// 5 minutes apart leave no gaps, at 288 samples per series and day.
inline constexpr int64_t kHistoryStepMs = 5 * 60 * 1000;

// For each complete day D with activity (within `range`): the values the gauges held while D was
// the latest complete day, i.e. from the start of D + 1 to the start of D + 2, one sample per
// kHistoryStepMs. Series: engaged_active_users, engaged_lifecycle_users,
// engaged_stickiness_{dau,mau}_users (day="latest_complete") and the engaged_retention_* gauges
// by day_n. Ends with "# EOF".
void write_history_openmetrics(const StateTables& t, const TimeZone& tz, DayRange range,
                               const HistoryLabels& labels, std::ostream& out);

}  // namespace engaged
