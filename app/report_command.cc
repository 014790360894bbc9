// `engaged report` and `engaged state dump`: read-only views of a state directory (safe while
// `run` is writing to it: RocksDB read-only instances see the last committed checkpoint). A
// state of an older format is upgraded first (state/format_upgrade.h).
#include <fmt/format.h>

#include <iostream>
#include <map>
#include <optional>
#include <set>
#include <stdexcept>

#include "app/commands.h"
#include "app/report_format.h"
#include "app/report_history.h"
#include "app/risk_model_file.h"
#include "app/zone_files.h"
#include "domain/timestamp.h"
#include "processors/runtime/state_tables.h"
#include "state/format_upgrade.h"
#include "state/manifest.h"
#include "state/store.h"

namespace engaged {

namespace {
CohortTable cohort_table(const std::string& cohorts, const std::string& kind) {
  if (cohorts == "signup") return CohortTable::kSignupOn;
  const bool weekly = cohorts == "weekly", unbounded = kind == "unbounded";
  if (weekly) return unbounded ? CohortTable::kWeeklyUnbounded : CohortTable::kWeeklyOn;
  return unbounded ? CohortTable::kDailyUnbounded : CohortTable::kDailyOn;
}
}  // namespace

int report(const std::string& state_dir, const ReportOptions& o, const Config& given) {
  if (o.from && o.to && *o.from > *o.to)
    throw std::invalid_argument(
        fmt::format("report: --from {} is after --to {}", format_day(*o.from), format_day(*o.to)));
  // These tables are as of the state's last day: a range would be ignored without a word.
  static const std::set<std::string_view> kAsOfEnd = {"summary", "risk", "uplift", "aha",
                                                      "rejections"};
  if ((o.from || o.to) && kAsOfEnd.count(o.table))
    throw std::invalid_argument(fmt::format(
        "report {}: --from/--to do not apply: its rows are as of the state's last day", o.table));
  if ((o.table == "history") != (o.format == "openmetrics"))
    throw std::invalid_argument(
        o.table == "history"
            ? fmt::format("report history: --format {} is not available; it writes openmetrics",
                          o.format)
            : fmt::format("report {}: --format openmetrics is only for `report history`", o.table));
  auto store = open_state_for_reading(state_dir);
  // Rows are labelled with the settings the state was built with, never the report's own.
  const std::optional<Manifest> manifest = read_manifest(*store);
  const Config config = manifest ? with_state_labels(given, *manifest, state_dir) : given;
  StateTables tables = read_tables(*store);
  DayRange range{o.from, o.to};
  const TimeZone tz = load_time_zone(config.timezone);
  // The day tables: a range of days in, their rows out.
  using DayTableWriter = void (*)(const StateTables&, DayRange, const std::string&, std::ostream&);
  static const std::map<std::string_view, DayTableWriter> kDayTables = {
      {"daily", write_daily},
      {"sessions", write_sessions},
      {"revenue", write_revenue},
      {"nps", write_nps},
      {"stickiness", write_stickiness},
      {"streaks", write_streaks},
      {"support", write_support},
      {"referrals", write_referrals},
      {"ltv", write_ltv},
      {"aha-reach", write_aha_reach},
      {"nudge-opens", write_nudge_opens}};
  if (o.table == "history")
    write_history_openmetrics(tables, tz, range, {o.job, o.instance}, std::cout);
  else if (const auto day_table = kDayTables.find(o.table); day_table != kDayTables.end())
    day_table->second(tables, range, o.format, std::cout);
  else if (o.table == "retention")
    write_retention(tables, cohort_table(o.cohorts, o.kind), range, o.format, std::cout);
  else if (o.table == "aha")
    write_aha(tables, aha_config(config).candidates,
              tables.stream_time_ms == kNoTime ? kNoDay : tz.day_of(tables.stream_time_ms) - 1,
              o.format, std::cout);
  else if (o.table == "segments")
    write_segments(tables, segment_config(config), range, o.format, std::cout);
  else if (o.table == "risk") {
    const RiskConfig rc = risk_config(config);
    write_risk(
        *store, rc.model, rc.actions,
        {tables.stream_time_ms == kNoTime ? kNoDay : tz.day_of(tables.stream_time_ms),
         tables.stream_time_ms, config.support_sla_ms, aha_config(config).count, &rc.model.cohort},
        o.format, std::cout);
  } else if (o.table == "uplift")
    write_uplift(tables,
                 tables.stream_time_ms == kNoTime ? kNoDay : tz.day_of(tables.stream_time_ms),
                 o.format, std::cout);
  else if (o.table == "rejections")
    write_rejections(tables, o.format, std::cout);
  else if (o.table == "summary")
    write_summary(tables, o.format, std::cout);
  else
    write_processor_report(
        *store, Topology(topology_config(config)), o.table,
        ReportQuery{o.from, o.to,
                    tables.stream_time_ms == kNoTime ? kNoDay : tz.day_of(tables.stream_time_ms)},
        o.format, std::cout);
  return 0;
}

int dump_state_command(const std::string& state_dir) {
  auto store = open_state_for_reading(state_dir);
  dump_state(*store, std::cout);
  return 0;
}

}  // namespace engaged
