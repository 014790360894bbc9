// The report tables of the figures beyond activity: stickiness distribution, streaks, support,
// referrals, LTV, the aha moment and segments. Counts are printed as stored; ratios with six
// decimals, computed here from summed numerators and denominators.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "app/report_format.h"
#include "domain/timestamp.h"
#include "processors/segments/segment_processor.h"
#include "processors/support/support_processor.h"

namespace engaged {
namespace {

std::string ratio(int64_t num, int64_t den) {
  return den ? fmt::format("{:.6f}", static_cast<double>(num) / static_cast<double>(den)) : "0";
}

// Calls fill(day, row) on every day in `range` from the first to the last with a `nonzero` row,
// up to the last day anyone was active: the rolling windows (30-day stickiness, referrers in 30
// days) are kept for days ahead of the data, which are not days the report has seen.
template <typename Fill>
void figure_days(const StateTables& t, DayRange range, Fill&& fill,
                 bool (*nonzero)(const DayFigures&)) {
  auto [first, last] = span_of(t.figures, nonzero);
  last = std::min(last, span_of(t.daily, [](const DayCounters& c) { return c.dau != 0; }).second);
  for (int32_t day = first; day <= last; ++day) {
    if (!in_range(day, range)) continue;
    auto it = t.figures.find(day);
    fill(day, it == t.figures.end() ? DayFigures{} : it->second);
  }
}

DayCounters counters_of(const std::map<int32_t, DayCounters>& days, int32_t day) {
  auto it = days.find(day);
  return it == days.end() ? DayCounters{} : it->second;
}

std::string str(int64_t x) {
  return std::to_string(x);
}

}  // namespace

void write_stickiness(const StateTables& t, DayRange range, const std::string& format,
                      std::ostream& out) {
  std::vector<std::string> columns = {"day", "dau", "wau", "mau", "stickiness"};
  for (int k = 1; k <= 7; ++k) columns.push_back(fmt::format("active_days_7_{}", k));
  for (int k = 1; k <= 30; ++k) columns.push_back(fmt::format("active_days_30_{}", k));
  TableWriter table(columns, 1, format, out);
  figure_days(
      t, range,
      [&](int32_t day, const DayFigures& f) {
        const DayCounters c = counters_of(t.daily, day);
        std::vector<std::string> row = {format_day(day), str(c.dau), str(c.wau), str(c.mau),
                                        ratio(c.dau, c.mau)};
        for (int k = 1; k <= 7; ++k) row.push_back(str(f.active_days_7[k]));
        for (int k = 1; k <= 30; ++k) row.push_back(str(f.active_days_30[k]));
        table.row(row);
      },
      [](const DayFigures& f) {
        return std::any_of(f.active_days_30.begin(), f.active_days_30.end(),
                           [](int64_t x) { return x != 0; });
      });
}

void write_streaks(const StateTables& t, DayRange range, const std::string& format,
                   std::ostream& out) {
  TableWriter table({"day", "check_ins", "on_streak_7", "streak_breaks"}, 1, format, out);
  figure_days(
      t, range,
      [&](int32_t day, const DayFigures& f) {
        table.row({format_day(day), str(f.check_ins), str(f.on_streak_7), str(f.streak_breaks)});
      },
      [](const DayFigures& f) { return f.check_ins != 0 || f.streak_breaks != 0; });
}

void write_support(const StateTables& t, DayRange range, const std::string& format,
                   std::ostream& out) {
  std::vector<std::string> columns = {"day",       "tickets",         "answered",
                                      "within_1h", "share_within_1h", "mean_response_s",
                                      "unanswered"};
  static constexpr const char* kBuckets[] = {"lt_5m", "5m_15m", "15m_1h",
                                             "1h_4h", "4h_24h", "ge_24h"};
  for (const char* b : kBuckets) columns.push_back(fmt::format("response_{}", b));
  TableWriter table(columns, 1, format, out);
  figure_days(
      t, range,
      [&](int32_t day, const DayFigures& f) {
        int64_t unanswered = 0;
        for (int64_t n : f.unanswered_by_hour) unanswered += n;
        std::vector<std::string> row = {
            format_day(day),
            str(f.tickets_opened),
            str(f.tickets_answered),
            str(f.answered_within_1h),
            ratio(f.answered_within_1h, f.tickets_answered),
            f.tickets_answered ? fmt::format("{:.3f}", f.response_ms / 1000.0 / f.tickets_answered)
                               : "0",
            str(unanswered)};
        for (int64_t n : f.response_time) row.push_back(str(n));
        table.row(row);
      },
      [](const DayFigures& f) { return f.tickets_opened != 0; });
}

void write_referrals(const StateTables& t, DayRange range, const std::string& format,
                     std::ostream& out) {
  TableWriter table({"day", "referrals_sent", "referrers_30d", "mau", "recommendation_rate",
                     "referred_activated"},
                    1, format, out);
  figure_days(
      t, range,
      [&](int32_t day, const DayFigures& f) {
        const int64_t mau = counters_of(t.daily, day).mau;
        table.row({format_day(day), str(f.referrals_sent), str(f.referrers_30d), str(mau),
                   ratio(f.referrers_30d, mau), str(f.referred_activated)});
      },
      [](const DayFigures& f) {
        return f.referrals_sent != 0 || f.referrers_30d != 0 || f.referred_activated != 0;
      });
}

void write_ltv(const StateTables& t, DayRange range, const std::string& format, std::ostream& out) {
  TableWriter table(
      {"cohort_day", "currency", "cohort_size", "payers_7d", "payers_30d", "payers_90d",
       "revenue_7d", "revenue_30d", "revenue_90d", "ltv_7d", "ltv_30d", "ltv_90d"},
      2, format, out);
  const auto& sizes = t.cohort(CohortTable::kDailyOn);
  for (const auto& [cohort, c] : t.cohort_figures) {
    if (!in_range(cohort, range)) continue;
    auto it = sizes.find(cohort);
    const int64_t size = it == sizes.end() || it->second.empty() ? 0 : it->second[0];
    for (const auto& [currency, l] : c.ltv) {
      if (l == LtvCounters{}) continue;  // left behind by a cohort that moved
      std::vector<std::string> row = {format_day(cohort), currency, str(size)};
      for (int64_t p : c.payers) row.push_back(str(p));
      for (int64_t m : l.micros) row.push_back(format_micros(m));
      for (int64_t m : l.micros) row.push_back(size ? fmt::format("{:.6f}", m / 1e6 / size) : "0");
      table.row(row);
    }
  }
}

void write_aha_reach(const StateTables& t, DayRange range, const std::string& format,
                     std::ostream& out) {
  TableWriter table({"cohort_day", "cohort_size", "reached", "reach_rate", "median_hours"}, 1,
                    format, out);
  for (const auto& [cohort, row] : t.cohort(CohortTable::kDailyOn)) {
    if (!in_range(cohort, range) || row.empty() || row[0] == 0) continue;
    auto it = t.cohort_figures.find(cohort);
    const CohortFigures c = it == t.cohort_figures.end() ? CohortFigures{} : it->second;
    table.row({format_day(cohort), str(row[0]), str(c.aha_reached), ratio(c.aha_reached, row[0]),
               str(median_hours_to_aha(c.hours_to_aha))});
  }
}

void write_aha(const StateTables& t, const std::vector<std::string>& candidates,
               int32_t latest_complete_day, const std::string& format, std::ostream& out) {
  // Cohorts whose week 2 (days 7..13) is complete.
  CohortFigures summed;
  int64_t users = 0;
  for (const auto& [cohort, row] : t.cohort(CohortTable::kDailyOn)) {
    if (cohort + 13 > latest_complete_day || row.empty()) continue;
    users += row[0];
    if (auto it = t.cohort_figures.find(cohort); it != t.cohort_figures.end()) summed += it->second;
  }
  TableWriter table({"action", "k", "users", "retained", "share", "ppv", "phi"}, 1, format, out);
  for (const auto& r : rank_discovery(summed, users, candidates))
    table.row({r.name, str(r.k), str(r.users), str(r.retained), fmt::format("{:.6f}", r.share),
               fmt::format("{:.6f}", r.ppv), fmt::format("{:.6f}", r.phi)});
}

void write_segments(const StateTables& t, const SegmentConfig& config, DayRange range,
                    const std::string& format, std::ostream& out) {
  TableWriter table({"dimension", "value", "day", "dau", "wau", "mau", "new", "returning",
                     "resurrecting", "dormant"},
                    3, format, out);
  for (const auto& [slot, days] : t.segments) {
    const auto [dimension, value] = slot;
    const auto& allowed = config.allowlists[static_cast<size_t>(dimension)];
    const std::string name = value == 0 || static_cast<size_t>(value) > allowed.size()
                                 ? (value == 0 ? "other" : fmt::format("#{}", value))
                                 : std::string(config.value_name(dimension, value));
    for (const auto& [day, c] : days) {
      if (!in_range(day, range) || (c.mau == 0 && c.dormant == 0)) continue;
      table.row({std::string(segment_dimension_name(dimension)), name, format_day(day), str(c.dau),
                 str(c.wau), str(c.mau), str(c.new_users), str(c.returning), str(c.resurrecting),
                 str(c.dormant)});
    }
  }
}

void write_risk(Store& store, const RiskModel& model, const std::vector<std::string>& actions,
                const RiskInputs& inputs, const std::string& format, std::ostream& out) {
  struct Row {
    std::string user;
    RiskScore score;
    std::string why;
  };
  std::vector<Row> rows;
  for_each_user(store, [&](std::string_view id, const UserActivity& a, const UserProfile& p) {
    if (!a.known()) return;
    const RiskFeatures f = risk_features(a, p, inputs);
    Row row{std::string(id), score_risk(model, f), {}};
    for (const auto& [feature, contribution] : row.score.reasons) {
      if (!row.why.empty()) row.why += "; ";
      row.why += describe_risk_reason(feature, f, actions);
    }
    rows.push_back(std::move(row));
  });
  std::sort(rows.begin(), rows.end(), [](const Row& a, const Row& b) {
    return a.score.score != b.score.score ? a.score.score > b.score.score : a.user < b.user;
  });
  TableWriter table({"user_id", "score", "reason1", "reason2", "reason3", "why"},
                    {true, false, true, true, true, true}, format, out);
  for (const auto& r : rows) {
    std::vector<std::string> row = {r.user, fmt::format("{:.6f}", r.score.score)};
    for (size_t i = 0; i < 3; ++i)
      row.emplace_back(i < r.score.reasons.size() ? risk_feature_name(r.score.reasons[i].first)
                                                  : std::string_view());
    row.push_back(r.why);
    table.row(row);
  }
}

void write_uplift(const StateTables& t, int32_t day, const std::string& format, std::ostream& out) {
  // Entries by entry day d count for an outcome N days on once day d + N has passed.
  std::array<int64_t, 2> n7{}, returned{}, d7{}, n30{}, d30{};
  for (const auto& [d, f] : t.figures)
    for (size_t arm = 0; arm < 2; ++arm) {
      if (d + 7 < day) {
        n7[arm] += f.program_entered[arm];
        returned[arm] += f.program_returned_7d[arm];
        d7[arm] += f.program_active_d7[arm];
      }
      if (d + 30 < day) {
        n30[arm] += f.program_entered[arm];
        d30[arm] += f.program_active_d30[arm];
      }
    }
  TableWriter table({"outcome", "treated_users", "treated_rate", "holdout_users", "holdout_rate",
                     "uplift", "ci95_low", "ci95_high"},
                    {true, false, false, false, false, false, false, false}, format, out);
  auto row = [&](std::string_view name, const std::array<int64_t, 2>& n,
                 const std::array<int64_t, 2>& k) {
    const double p1 = n[0] ? double(k[0]) / double(n[0]) : 0,
                 p2 = n[1] ? double(k[1]) / double(n[1]) : 0;
    const double se =
        n[0] && n[1] ? std::sqrt(p1 * (1 - p1) / double(n[0]) + p2 * (1 - p2) / double(n[1])) : 0;
    const bool both = n[0] && n[1];
    table.row({std::string(name), str(n[0]), ratio(k[0], n[0]), str(n[1]), ratio(k[1], n[1]),
               both ? fmt::format("{:.6f}", p1 - p2) : "",
               both ? fmt::format("{:.6f}", p1 - p2 - 1.96 * se) : "",
               both ? fmt::format("{:.6f}", p1 - p2 + 1.96 * se) : ""});
  };
  row("returned_7d", n7, returned);
  row("retained_d7", n7, d7);
  row("retained_d30", n30, d30);
}

void write_nudge_opens(const StateTables& t, DayRange range, const std::string& format,
                       std::ostream& out) {
  std::vector<std::string> header = {"day"};
  for (int k = 0; k < kNudgeKindCount; ++k) {
    const std::string kind(nudge_kind_name(static_cast<NudgeKind>(k)));
    header.push_back(kind + "_opened");
    header.push_back(kind + "_returned_7d");
  }
  TableWriter table(header, std::vector<bool>(header.size(), false), format, out);
  figure_days(
      t, range,
      [&](int32_t day, const DayFigures& f) {
        std::vector<std::string> row = {format_day(day)};
        for (int k = 0; k < kNudgeKindCount; ++k) {
          row.push_back(str(f.nudges_opened[static_cast<size_t>(k)]));
          row.push_back(str(f.nudge_returns[static_cast<size_t>(k)]));
        }
        table.row(row);
      },
      [](const DayFigures& f) {
        for (int k = 0; k < kNudgeKindCount; ++k)
          if (f.nudges_opened[static_cast<size_t>(k)]) return true;
        return false;
      });
}

}  // namespace engaged
