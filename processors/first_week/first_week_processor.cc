#include "processors/first_week/first_week_processor.h"

#include <fmt/format.h>

#include <memory>

#include "domain/timestamp.h"
#include "state/byte_io.h"

namespace engaged {
namespace {

// Days of the first week the user was active on (0: not active yet).
int first_week_days(const UserActivity& a) {
  return a.cohort_day == kNoDay ? 0 : a.count_active(a.cohort_day, a.cohort_day + 6);
}

}  // namespace

FirstWeekRow& FirstWeekRow::operator+=(const FirstWeekRow& o) {
  for (size_t i = 0; i < users.size(); ++i) users[i] += o.users[i];
  return *this;
}

void FirstWeekCodec::encode(std::string& out, const FirstWeekRow& row) {
  for (int64_t n : row.users) codec::put_varint(out, n);
}

bool FirstWeekCodec::decode(std::string_view in, uint8_t /*version 1*/, FirstWeekRow& row) {
  codec::Reader r(in);
  for (int64_t& n : row.users) n = r.varint();
  return r.done();
}

void FirstWeekProcessor::process(ProcessorContext& ctx) {
  // A deleted user's past figures stay; if they come back they start afresh.
  if (ctx.event().type == EventType::kUserDeleted) return;
  const UserActivity& before = ctx.before();
  const UserActivity& after = ctx.activity();
  const int32_t day = ctx.time_zone().day_of(ctx.event().ts_ms);
  const bool new_day_in_first_week =
      !before.active(day) && after.active(day) && day <= after.cohort_day + 6;
  if (before.cohort_day == after.cohort_day && !new_day_in_first_week) return;
  DayTable<FirstWeekRow>& cohorts = ctx.store<FirstWeekStore>(kStoreId).days();
  if (const int n = first_week_days(before); n > 0)
    --cohorts.mutable_day(before.cohort_day).users[n - 1];
  if (const int n = first_week_days(after); n > 0)
    ++cohorts.mutable_day(after.cohort_day).users[n - 1];
}

std::vector<StoreSpec> FirstWeekProcessor::stores() const {
  return {{kStoreId, kStoreName,
           [] { return std::make_unique<FirstWeekStore>(kStoreId, kStoreName); }}};
}

std::vector<ReportSpec> FirstWeekProcessor::reports() const {
  return {{"first-week", kStoreName, [](Store& store, const ReportQuery& query) {
             ReportTable t{
                 {"cohort_day", "users", "active_1d", "active_2d", "active_3d", "active_4d",
                  "active_5d", "active_6d", "active_7d", "mean_active_days", "complete"},
                 1,
                 {}};
             for (const auto& [cohort, row] : FirstWeekStore::sum(store, kStoreId, kStoreName)) {
               if (!query.contains(cohort)) continue;
               int64_t users = 0, days = 0;
               for (size_t k = 0; k < row.users.size(); ++k) {
                 users += row.users[k];
                 days += row.users[k] * static_cast<int64_t>(k + 1);
               }
               if (users == 0) continue;
               std::vector<std::string> line{format_day(cohort), std::to_string(users)};
               for (int64_t n : row.users) line.push_back(std::to_string(n));
               line.push_back(fmt::format("{:.3f}", double(days) / double(users)));
               // Complete once stream time is past the cohort's seventh day.
               const bool complete = query.stream_day != kNoDay && query.stream_day > cohort + 6;
               line.push_back(complete ? "1" : "0");
               t.rows.push_back(std::move(line));
             }
             return t;
           }}};
}

std::vector<GaugeSpec> FirstWeekProcessor::gauges() const {
  return {{"engaged_first_week_active_users",
           "Users of the newest daily cohort whose first week has ended (cohort day = the current "
           "day - 7), by how many of those 7 days they were active on (label days).",
           kStoreId, [](std::span<StateStore* const> stores, int32_t day) {
             FirstWeekRow sum;
             for (StateStore* s : stores)
               if (const FirstWeekRow* row = static_cast<FirstWeekStore*>(s)->days().find(day - 7))
                 sum += *row;
             std::vector<GaugeSample> out;
             for (size_t k = 0; k < sum.users.size(); ++k)
               out.push_back({{{"days", std::to_string(k + 1)}}, double(sum.users[k])});
             return out;
           }}};
}

}  // namespace engaged
