// Turns state tables into the outputs of `engaged report`: exact CSV / JSON tables for machines
// and the readable summary the demo ends with.
#pragma once

#include <cstdint>
#include <optional>
#include <ostream>
#include <string>

#include "state/tables.h"

namespace engaged {

struct DayRange {
  std::optional<int32_t> from, to;  // inclusive
};

// day,dau,wau,mau,new,returning,resurrecting,dormant — first to last active day.
void write_daily(const StateTables& t, DayRange range, const std::string& format,
                 std::ostream& out);
// cohort_day,cohort_size,day_n,retained (weekly: cohort_week,cohort_size,week_n,retained) —
// every non-zero cell of one cohort table.
void write_retention(const StateTables& t, CohortTable table, DayRange range,
                     const std::string& format, std::ostream& out);
// day,sessions,session_actions,session_duration_ms,len_lt_1m,...,len_ge_60m — every day from
// the first to the last with a session.
void write_sessions(const StateTables& t, DayRange range, const std::string& format,
                    std::ostream& out);
// day,responses,promoters,passives,detractors and the same over the 30 days ending on the day
// (suffix _30d) — every day from the first to the last with a response.
void write_nps(const StateTables& t, DayRange range, const std::string& format, std::ostream& out);
// day,currency,revenue,purchases,dau — one row per day and currency with a purchase (revenue in
// the currency's units; ARPU = revenue / dau).
void write_revenue(const StateTables& t, DayRange range, const std::string& format,
                   std::ostream& out);
// rejection reason counts, non-zero only, largest first.
void write_rejections(const StateTables& t, const std::string& format, std::ostream& out);
// Last 14 days, recent cohorts' retention, top rejection reasons: for people.
void write_summary(const StateTables& t, std::ostream& out);

}  // namespace engaged
