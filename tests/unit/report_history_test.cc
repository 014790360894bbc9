// `engaged report history`: exact samples on a known state, and the same series names and label
// sets as the gauges `run` exports (so a backfilled history lands on the dashboards' panels).
#include "app/report_history.h"

#include <gtest/gtest.h>
#include <prometheus/text_serializer.h>

#include <set>
#include <sstream>

#include "app/metrics.h"
#include "domain/timestamp.h"

namespace engaged {
namespace {

// Day 0 (2026-06-01) and 1 are complete; day 2 is the state's current day.
StateTables known_state() {
  StateTables t{};
  const int32_t d0 = *parse_day("2026-06-01");
  t.daily[d0] = DayCounters{10, 10, 10, 10, 0, 0, 0};
  t.daily[d0 + 1] = DayCounters{6, 12, 12, 2, 4, 0, 6};
  t.daily[d0 + 2] = DayCounters{3, 12, 12, 0, 3, 0, 3};
  auto& on = t.cohorts[static_cast<size_t>(CohortTable::kDailyOn)];
  on[d0] = {10, 4};     // cohort of day 0: 10 users, 4 back on day 1
  on[d0 + 1] = {2, 1};  // cohort of day 1
  t.stream_time_ms = (int64_t(d0) + 2) * 86400000 + 3600000;
  return t;
}

// The sample lines of one series (name and labels as written), in order.
std::vector<std::string> samples(const std::string& text, const std::string& series) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);)
    if (line.rfind(series + " ", 0) == 0) out.push_back(line.substr(series.size() + 1));
  return out;
}

TEST(ReportHistory, WritesEachCompleteDayFromTheStartOfTheNextOneEveryFiveMinutes) {
  std::ostringstream out;
  write_history_openmetrics(known_state(), TimeZone{}, {}, {}, out);
  const std::string text = out.str();
  const int64_t day1_start = int64_t(*parse_day("2026-06-02")) * 86400;
  const auto dau = samples(
      text,
      R"(engaged_active_users{day="latest_complete",window="1d",instance="backfill",job="engaged"})");
  ASSERT_EQ(dau.size(), 2u * 288);  // days 0 and 1; the current day 2 is not complete
  EXPECT_EQ(dau.front(), fmt::format("10 {}", day1_start));
  EXPECT_EQ(dau[287], fmt::format("10 {}", day1_start + 86400 - 300));
  EXPECT_EQ(dau[288], fmt::format("6 {}", day1_start + 86400));
  // D1 retention while day 1 was the latest complete day: cohort day 0, 10 users, 4 back.
  const auto cohort = samples(
      text, R"(engaged_retention_cohort_users{day_n="1",instance="backfill",job="engaged"})");
  const auto kept = samples(
      text, R"(engaged_retention_retained_users{day_n="1",instance="backfill",job="engaged"})");
  ASSERT_EQ(cohort.size(), 2u * 288);
  EXPECT_EQ(cohort[288], fmt::format("10 {}", day1_start + 86400));
  EXPECT_EQ(kept[288], fmt::format("4 {}", day1_start + 86400));
  EXPECT_EQ(cohort[0], fmt::format("0 {}", day1_start));  // day 0 had no cohort a day before
  EXPECT_TRUE(text.ends_with("# EOF\n"));
}

TEST(ReportHistory, HonoursTheRangeAndEscapesLabelValues) {
  std::ostringstream out;
  const int32_t d1 = *parse_day("2026-06-02");
  write_history_openmetrics(known_state(), TimeZone{}, {d1, d1}, {"a\"b", "c\\d\ne"}, out);
  const auto dau = samples(
      out.str(),
      R"(engaged_active_users{day="latest_complete",window="1d",instance="c\\d\ne",job="a\"b"})");
  ASSERT_EQ(dau.size(), 288u);
  EXPECT_EQ(dau.front(), fmt::format("6 {}", int64_t(d1 + 1) * 86400));
}

// Every series of the history is one `run` exports, with the same label names and values.
TEST(ReportHistory, NamesTheSeriesTheLiveGaugesHave) {
  Metrics metrics;
  EngagementSnapshot snapshot;
  snapshot.has_data = true;
  snapshot.stream_time_ms = known_state().stream_time_ms;
  snapshot.current_day = *parse_day("2026-06-03");
  metrics.publish_snapshot(snapshot, SegmentConfig{});
  std::set<std::string> live;
  std::istringstream exposition(
      prometheus::TextSerializer().Serialize(metrics.registry()->Collect()));
  for (std::string line; std::getline(exposition, line);)
    if (!line.empty() && line[0] != '#') live.insert(line.substr(0, line.find(' ')));

  std::ostringstream out;
  write_history_openmetrics(known_state(), TimeZone{}, {}, {}, out);
  std::istringstream history(out.str());
  std::set<std::string> written;
  for (std::string line; std::getline(history, line);) {
    if (line.empty() || line[0] == '#') continue;
    std::string series = line.substr(0, line.find(' '));
    // Live series carry no job or instance (Prometheus adds them when it scrapes).
    const std::string suffix = R"(,instance="backfill",job="engaged"})";
    ASSERT_TRUE(series.ends_with(suffix)) << series;
    written.insert(series.substr(0, series.size() - suffix.size()) + "}");
  }
  EXPECT_EQ(written.size(), 3u + 4u + 2u + 6u * 4u);
  for (const auto& s : written) EXPECT_TRUE(live.count(s)) << s << " is not a live series";
}

}  // namespace
}  // namespace engaged
