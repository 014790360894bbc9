// Writes the day figures of a state as timestamped OpenMetrics samples (see the header).
#include "app/report_history.h"

#include <fmt/format.h>

#include <array>
#include <functional>
#include <vector>

#include "processors/engagement_snapshot.h"

namespace engaged {

namespace {

// An OpenMetrics label value: backslash, double quote and line feed escaped.
std::string label_value(std::string_view v) {
  std::string out;
  for (char c : v) {
    if (c == '\\')
      out += "\\\\";
    else if (c == '"')
      out += "\\\"";
    else if (c == '\n')
      out += "\\n";
    else
      out += c;
  }
  return out;
}

struct Series {
  std::string labels;                                    // without job and instance
  std::function<int64_t(const EngagementSnapshot&)> of;  // the value on one day
};

struct HistoryFamily {
  const char* name;
  std::vector<Series> series;
};

std::vector<HistoryFamily> families() {
  const std::string lc = "day=\"latest_complete\"";
  std::vector<HistoryFamily> out = {
      {"engaged_active_users",
       {{lc + ",window=\"1d\"", [](const auto& s) { return s.latest_complete.dau; }},
        {lc + ",window=\"7d\"", [](const auto& s) { return s.latest_complete.wau; }},
        {lc + ",window=\"30d\"", [](const auto& s) { return s.latest_complete.mau; }}}},
      {"engaged_lifecycle_users",
       {{lc + ",state=\"new\"", [](const auto& s) { return s.latest_complete.new_users; }},
        {lc + ",state=\"returning\"", [](const auto& s) { return s.latest_complete.returning; }},
        {lc + ",state=\"resurrecting\"",
         [](const auto& s) { return s.latest_complete.resurrecting; }},
        {lc + ",state=\"dormant\"", [](const auto& s) { return s.latest_complete.dormant; }}}},
      {"engaged_stickiness_dau_users", {{lc, [](const auto& s) { return s.latest_complete.dau; }}}},
      {"engaged_stickiness_mau_users", {{lc, [](const auto& s) { return s.latest_complete.mau; }}}},
  };
  using Gauges = std::array<int64_t, kRetentionGaugeDays.size()> EngagementSnapshot::*;
  for (auto [name, field] : {
           std::pair{"engaged_retention_cohort_users",
                     Gauges{&EngagementSnapshot::retention_cohort_size}},
           std::pair{"engaged_retention_retained_users",
                     Gauges{&EngagementSnapshot::retention_retained}},
           std::pair{"engaged_retention_trailing_cohort_users",
                     Gauges{&EngagementSnapshot::trailing_cohort_size}},
           std::pair{"engaged_retention_trailing_retained_users",
                     Gauges{&EngagementSnapshot::trailing_retained}},
           std::pair{"engaged_retention_unbounded_retained_users",
                     Gauges{&EngagementSnapshot::unbounded_retained}},
           std::pair{"engaged_retention_trailing_unbounded_retained_users",
                     Gauges{&EngagementSnapshot::trailing_unbounded_retained}},
       }) {
    HistoryFamily f{name, {}};
    const Gauges gauges = field;  // a structured binding cannot be captured (clang 14)
    for (size_t i = 0; i < kRetentionGaugeDays.size(); ++i)
      f.series.push_back({fmt::format("day_n=\"{}\"", kRetentionGaugeDays[i]),
                          [gauges, i](const auto& s) { return (s.*gauges)[i]; }});
    out.push_back(std::move(f));
  }
  return out;
}

}  // namespace

void write_history_openmetrics(const StateTables& t, const TimeZone& tz, DayRange range,
                               const HistoryLabels& labels, std::ostream& out) {
  // Complete days: every day before the state's current (newest) day.
  const int32_t current = t.stream_time_ms == kNoTime ? kNoDay : tz.day_of(t.stream_time_ms);
  std::vector<std::pair<int32_t, EngagementSnapshot>> days;
  for (const auto& [day, c] : t.daily) {
    if (day >= current || c.dau == 0 || !in_range(day, range)) continue;
    EngagementSnapshot s;
    s.latest_complete = c;
    add_retention_figures(
        t.cohort(CohortTable::kDailyOn), t.cohort(CohortTable::kDailyUnbounded), day,
        [](const std::vector<int64_t>& row) -> const auto& { return row; }, s);
    days.emplace_back(day, s);
  }
  const std::string common = fmt::format("instance=\"{}\",job=\"{}\"", label_value(labels.instance),
                                         label_value(labels.job));
  std::string line;
  for (const HistoryFamily& f : families()) {
    out << "# TYPE " << f.name << " gauge\n";
    for (const Series& series : f.series)
      for (const auto& [day, s] : days) {
        const int64_t value = series.of(s);
        for (int64_t ms = tz.day_start_ms(day + 1); ms < tz.day_start_ms(day + 2);
             ms += kHistoryStepMs) {
          line.clear();
          fmt::format_to(std::back_inserter(line), "{}{{{},{}}} {} {}\n", f.name, series.labels,
                         common, value, ms / 1000);
          out << line;
        }
      }
  }
  out << "# EOF\n";
}

}  // namespace engaged
