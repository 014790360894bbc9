// CSV and JSON writers with a fixed column order (tests compare them byte for byte).
#include "app/report_format.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <iostream>
#include <stdexcept>
#include <vector>

#include "app/table_writer.h"
#include "domain/timestamp.h"
#include "processors/user_profile.h"
#include "state/manifest.h"

namespace engaged {
namespace {

std::pair<int32_t, int32_t> active_span(const StateTables& t) {
  int32_t first = 0, last = -1;
  bool any = false;
  for (const auto& [day, c] : t.daily) {
    if (c.dau == 0) continue;
    if (!any) first = day;
    last = day;
    any = true;
  }
  return {first, last};
}

}  // namespace

void write_daily(const StateTables& t, DayRange range, const std::string& format,
                 std::ostream& out) {
  check_format(format);
  auto [first, last] = active_span(t);
  bool json = format == "json", first_row = true;
  out << (json ? "[" : "day,dau,wau,mau,new,returning,resurrecting,dormant\n");
  for (int32_t day = first; day <= last; ++day) {
    if (!in_range(day, range)) continue;
    auto it = t.daily.find(day);
    DayCounters c = it == t.daily.end() ? DayCounters{} : it->second;
    if (json) {
      out << (first_row ? "\n" : ",\n")
          << fmt::format(
                 "{{\"day\":\"{}\",\"dau\":{},\"wau\":{},\"mau\":{},\"new\":{},"
                 "\"returning\":{},\"resurrecting\":{},\"dormant\":{}}}",
                 format_day(day), c.dau, c.wau, c.mau, c.new_users, c.returning, c.resurrecting,
                 c.dormant);
    } else {
      out << fmt::format("{},{},{},{},{},{},{},{}\n", format_day(day), c.dau, c.wau, c.mau,
                         c.new_users, c.returning, c.resurrecting, c.dormant);
    }
    first_row = false;
  }
  if (json) out << "\n]\n";
}

void write_retention(const StateTables& t, CohortTable table, DayRange range,
                     const std::string& format, std::ostream& out) {
  check_format(format);
  const bool weekly = table == CohortTable::kWeeklyOn || table == CohortTable::kWeeklyUnbounded;
  const char* cohort_col = weekly ? "cohort_week" : "cohort_day";
  const char* n_col = weekly ? "week_n" : "day_n";
  bool json = format == "json", first_row = true;
  out << (json ? "[" : fmt::format("{},cohort_size,{},retained\n", cohort_col, n_col));
  for (const auto& [cohort, row] : t.cohort(table)) {
    if (!in_range(cohort, range) || row.empty() || row[0] == 0) continue;
    for (size_t n = 0; n < row.size(); ++n) {
      if (row[n] == 0) continue;
      if (json) {
        out << (first_row ? "\n" : ",\n")
            << fmt::format("{{\"{}\":\"{}\",\"cohort_size\":{},\"{}\":{},\"retained\":{}}}",
                           cohort_col, format_day(cohort), row[0], n_col, n, row[n]);
      } else {
        out << fmt::format("{},{},{},{}\n", format_day(cohort), row[0], n, row[n]);
      }
      first_row = false;
    }
  }
  if (json) out << "\n]\n";
}

void write_sessions(const StateTables& t, DayRange range, const std::string& format,
                    std::ostream& out) {
  std::vector<std::string> columns = {"day", "sessions", "session_actions", "session_duration_ms"};
  for (int b = 0; b < kSessionLengthBuckets; ++b)
    columns.push_back("len_" + std::string(session_length_bucket_name(b)));
  TableWriter table(std::move(columns), 1, format, out);
  auto [first, last] = span_of(t.sessions, [](const SessionCounters& c) { return c.sessions; });
  for (int32_t day = first; day <= last; ++day) {
    if (!in_range(day, range)) continue;
    auto it = t.sessions.find(day);
    SessionCounters c = it == t.sessions.end() ? SessionCounters{} : it->second;
    std::vector<std::string> values = {format_day(day), std::to_string(c.sessions),
                                       std::to_string(c.actions), std::to_string(c.duration_ms)};
    for (int64_t n : c.length) values.push_back(std::to_string(n));
    table.row(values);
  }
}

void write_nps(const StateTables& t, DayRange range, const std::string& format, std::ostream& out) {
  TableWriter table({"day", "responses", "promoters", "passives", "detractors", "responses_30d",
                     "promoters_30d", "passives_30d", "detractors_30d"},
                    1, format, out);
  auto [first, last] = span_of(t.feedback, [](const FeedbackCounters& c) { return c.responses; });
  for (int32_t day = first; day <= last; ++day) {
    if (!in_range(day, range)) continue;
    FeedbackCounters c, window;
    if (auto it = t.feedback.find(day); it != t.feedback.end()) c = it->second;
    for (auto it = t.feedback.lower_bound(day - 29); it != t.feedback.end() && it->first <= day;
         ++it)
      window += it->second;
    table.row({format_day(day), std::to_string(c.responses), std::to_string(c.promoters),
               std::to_string(c.passives), std::to_string(c.detractors),
               std::to_string(window.responses), std::to_string(window.promoters),
               std::to_string(window.passives), std::to_string(window.detractors)});
  }
}

void write_revenue(const StateTables& t, DayRange range, const std::string& format,
                   std::ostream& out) {
  TableWriter table({"day", "currency", "revenue", "purchases", "paying_users", "dau"}, 2, format,
                    out);
  for (const auto& [day, c] : t.revenue) {
    if (!in_range(day, range)) continue;
    auto d = t.daily.find(day);
    const int64_t dau = d == t.daily.end() ? 0 : d->second.dau;
    auto f = t.figures.find(day);
    const int64_t paying = f == t.figures.end() ? 0 : f->second.paying_users;
    for (const auto& [currency, m] : c.by_currency)
      if (m.purchases > 0)
        table.row({format_day(day), currency, format_micros(m.micros), std::to_string(m.purchases),
                   std::to_string(paying), std::to_string(dau)});
  }
}

void write_rejections(const StateTables& t, const std::string& format, std::ostream& out) {
  check_format(format);
  std::vector<std::pair<int64_t, int>> rows;
  for (int i = 0; i < kRejectReasonCount; ++i)
    if (t.rejected[i] > 0) rows.emplace_back(t.rejected[i], i);
  std::sort(rows.begin(), rows.end(), [](auto a, auto b) {
    return a.first != b.first ? a.first > b.first : a.second < b.second;
  });
  bool json = format == "json";
  out << (json ? "[" : "reason,rejected\n");
  for (size_t i = 0; i < rows.size(); ++i) {
    auto name = reject_reason_name(static_cast<RejectReason>(rows[i].second));
    if (json)
      out << (i ? ",\n" : "\n")
          << fmt::format("{{\"reason\":\"{}\",\"rejected\":{}}}", name, rows[i].first);
    else
      out << fmt::format("{},{}\n", name, rows[i].first);
  }
  if (json) out << "\n]\n";
}

void write_processor_report(Store& store, const Topology& topology, const std::string& name,
                            const ReportQuery& query, const std::string& format,
                            std::ostream& out) {
  for (const ReportSpec& spec : topology.reports()) {
    if (spec.name != name) continue;
    if (const auto m = read_manifest(store)) {
      const auto it = m->stores.find(std::string(spec.store));
      if (it == m->stores.end() || it->second.added_later)
        std::cerr << fmt::format(
            "note: store {} was added to this state after it had data: report {} counts only "
            "the events processed since (replay the input into a new state for all of them)\n",
            spec.store, name);
    }
    const ReportTable t = spec.make(store, query);
    TableWriter table(t.columns, t.string_columns, format, out);
    for (const auto& row : t.rows) table.row(row);
    return;
  }
  throw std::invalid_argument("unknown report " + name);
}

namespace {

// The summary's content, for both of its forms.
struct Summary {
  int32_t last = kNoDay;
  std::vector<std::pair<int32_t, DayCounters>> days;  // the last 14 days
  struct Cohort {
    int32_t day;
    int64_t size;
    std::vector<std::optional<double>> share;  // D1, D7, D14, D30; none before the day comes
  };
  std::vector<Cohort> cohorts;
  std::vector<std::pair<int64_t, int>> rejections;  // count, reason; most first
};
constexpr int kSummaryDays[] = {1, 7, 14, 30};

Summary summarise(const StateTables& t) {
  Summary s;
  auto [first, last] = active_span(t);
  if (last < first) return s;
  s.last = last;
  for (int32_t day = std::max(first, last - 13); day <= last; ++day) {
    auto it = t.daily.find(day);
    s.days.emplace_back(day, it == t.daily.end() ? DayCounters{} : it->second);
  }
  // Weekly samples that already have a D30, then the newest cohorts that have a D7.
  const auto& daily = t.cohort(CohortTable::kDailyOn);
  std::vector<int32_t> shown;
  for (int k = 3; k >= 0; --k)
    if (daily.count(last - 30 - 7 * k)) shown.push_back(last - 30 - 7 * k);
  for (int32_t c = last - 13; c <= last - 7; ++c)
    if (daily.count(c) && (shown.empty() || c > shown.back())) shown.push_back(c);
  for (int32_t c : shown) {
    const auto& row = daily.at(c);
    if (row.empty() || row[0] == 0) continue;
    Summary::Cohort cohort{c, row[0], {}};
    for (int n : kSummaryDays)
      cohort.share.push_back(
          c + n > last ? std::nullopt
                       : std::optional<double>(n < static_cast<int>(row.size())
                                                   ? double(row[static_cast<size_t>(n)]) / row[0]
                                                   : 0.0));
    s.cohorts.push_back(std::move(cohort));
  }
  for (int i = 0; i < kRejectReasonCount; ++i)
    if (t.rejected[i] > 0) s.rejections.emplace_back(t.rejected[i], i);
  std::sort(s.rejections.rbegin(), s.rejections.rend());
  return s;
}

void write_summary_json(const StateTables& t, const Summary& s, std::ostream& out) {
  std::string j = fmt::format("{{\"through\":{},\"days\":[",
                              s.last == kNoDay ? "null" : "\"" + format_day(s.last) + "\"");
  for (size_t i = 0; i < s.days.size(); ++i) {
    const auto& [day, c] = s.days[i];
    j += fmt::format(
        "{}{{\"day\":\"{}\",\"dau\":{},\"wau\":{},\"mau\":{},\"new\":{},\"returning\":{},"
        "\"resurrecting\":{},\"dormant\":{}}}",
        i ? "," : "", format_day(day), c.dau, c.wau, c.mau, c.new_users, c.returning,
        c.resurrecting, c.dormant);
  }
  j += "],\"cohorts\":[";
  for (size_t i = 0; i < s.cohorts.size(); ++i) {
    const auto& c = s.cohorts[i];
    j += fmt::format("{}{{\"cohort\":\"{}\",\"size\":{}", i ? "," : "", format_day(c.day), c.size);
    for (size_t k = 0; k < c.share.size(); ++k)
      j += c.share[k] ? fmt::format(",\"d{}\":{:.6g}", kSummaryDays[k], *c.share[k])
                      : fmt::format(",\"d{}\":null", kSummaryDays[k]);
    j += "}";
  }
  j += fmt::format("],\"duplicates\":{},\"forgotten\":{},\"messages\":{},\"rejections\":{{",
                   t.duplicates, t.forgotten, t.next_offsets_total);
  for (size_t i = 0; i < s.rejections.size(); ++i)
    j += fmt::format("{}\"{}\":{}", i ? "," : "",
                     reject_reason_name(static_cast<RejectReason>(s.rejections[i].second)),
                     s.rejections[i].first);
  out << j << "}}\n";
}

}  // namespace

void write_summary(const StateTables& t, const std::string& format, std::ostream& out) {
  const Summary s = summarise(t);
  if (format == "json") return write_summary_json(t, s, out);
  if (s.last == kNoDay) {
    out << "No activity in this state yet.\n";
    return;
  }
  out << fmt::format("\nEngagement, last 14 days (through {})\n", format_day(s.last));
  out << fmt::format("{:<10} {:>7} {:>7} {:>7} {:>7} {:>6} {:>9} {:>12} {:>8}\n", "day", "DAU",
                     "WAU", "MAU", "DAU/MAU", "new", "returning", "resurrecting", "dormant");
  for (const auto& [day, c] : s.days) {
    double stick = c.mau ? 100.0 * c.dau / c.mau : 0.0;
    out << fmt::format("{:<10} {:>7} {:>7} {:>7} {:>6.1f}% {:>6} {:>9} {:>12} {:>8}\n",
                       format_day(day), c.dau, c.wau, c.mau, stick, c.new_users, c.returning,
                       c.resurrecting, c.dormant);
  }
  out << "\nRetention of recent cohorts (share of the cohort active on day N)\n";
  out << fmt::format("{:<10} {:>7} {:>7} {:>7} {:>7} {:>7}\n", "cohort", "size", "D1", "D7", "D14",
                     "D30");
  for (const auto& c : s.cohorts) {
    std::string line = fmt::format("{:<10} {:>7}", format_day(c.day), c.size);
    for (const auto& share : c.share)
      line += share ? fmt::format(" {:>6.1f}%", 100.0 * *share) : fmt::format(" {:>7}", "-");
    out << line << "\n";
  }
  out << fmt::format("\nDuplicates dropped (same user_id and event_id within the window): {}\n",
                     t.duplicates);
  if (t.forgotten > 0)
    out << fmt::format("Entries of very busy users forgotten early (a list holds at most {}): {}\n",
                       kMaxUserListEntries, t.forgotten);
  out << "\nTop rejection reasons (sent to the dead-letter topic)\n";
  if (s.rejections.empty()) out << "  none\n";
  for (auto [n, i] : s.rejections)
    out << fmt::format("  {:<16} {:>8}  ({:.2f}% of {} messages)\n",
                       reject_reason_name(static_cast<RejectReason>(i)), n,
                       t.next_offsets_total ? 100.0 * n / t.next_offsets_total : 0.0,
                       t.next_offsets_total);
}

}  // namespace engaged
