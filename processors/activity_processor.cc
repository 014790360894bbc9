// Exactness under out-of-order input comes from one idea: a user's contribution to day D is a
// function of their active-day set and cohort day alone (contribution_at). Adding an active day
// changes that function only on a short range of days, so we subtract the old contribution and
// add the new one there. Late events then give the same counters as in-order ones by construction.
#include "processors/activity_processor.h"

namespace engaged {
namespace {

struct Contribution {
  bool dau, wau, mau, is_new, returning, resurrecting, dormant;
};

Contribution contribution_at(const UserActivity& u, int32_t d) {
  if (!u.known()) return {};
  const bool a = u.active(d);
  const bool prev = u.active(d - 1);
  return {a,
          u.any_active(d - 6, d),
          u.any_active(d - 29, d),
          d == u.cohort_day,
          a && prev,
          a && !prev && u.cohort_day < d,
          prev && !a};
}

void apply_difference(DailyAggregates& daily, const UserActivity& before, const UserActivity& after,
                      int32_t d) {
  Contribution b = contribution_at(before, d), a = contribution_at(after, d);
  int dau = a.dau - b.dau, wau = a.wau - b.wau, mau = a.mau - b.mau;
  int nu = a.is_new - b.is_new, ret = a.returning - b.returning;
  int res = a.resurrecting - b.resurrecting, dor = a.dormant - b.dormant;
  if ((dau | wau | mau | nu | ret | res | dor) == 0) return;
  DayCounters& c = daily.mutable_day(d);
  c.dau += dau;
  c.wau += wau;
  c.mau += mau;
  c.new_users += nu;
  c.returning += ret;
  c.resurrecting += res;
  c.dormant += dor;
}

}  // namespace

bool ActivityDefinition::counts(const Event& ev) const {
  if (!types.test(static_cast<size_t>(ev.type))) return false;
  if (ev.type != EventType::kAction) return true;
  auto listed = [&](const std::vector<std::string>& names) {
    for (const auto& n : names)
      if (n == ev.name) return true;
    return false;
  };
  if (!action_names.empty() && !listed(action_names)) return false;
  return !listed(excluded_action_names);
}

void ActivityProcessor::mark_active(PartitionAggregates& part, UserActivity& user, int32_t day) {
  if (user.active(day)) return;
  const UserActivity before = user;
  user.add_day(day);
  // Day `day` can change dau..dormant on [day, day + 29] (the 30-day window is the widest).
  for (int32_t d = day; d <= day + 29; ++d) apply_difference(part.daily, before, user, d);

  if (before.cohort_day == user.cohort_day) {
    part.retention.add(user.cohort_day, day - user.cohort_day, +1);
    return;
  }
  // The cohort moved earlier (a late first event, or a brand-new user). `new` and
  // `resurrecting` change on the old cohort day; every retention cell moves to the new cohort.
  if (before.known() && before.cohort_day > day + 29)
    apply_difference(part.daily, before, user, before.cohort_day);
  if (before.known()) {
    for (int32_t d = before.cohort_day; d <= before.last_day; ++d) {
      if (!before.active(d)) continue;
      part.retention.add(before.cohort_day, d - before.cohort_day, -1);
      part.retention.add(user.cohort_day, d - user.cohort_day, +1);
    }
  }
  part.retention.add(user.cohort_day, day - user.cohort_day, +1);
}

std::optional<RejectReason> ActivityProcessor::process(PartitionAggregates& part,
                                                       UserActivity& user, const Event& ev) const {
  if (part.stream_time_ms != kNoTime &&
      ev.ts_ms < part.stream_time_ms - config_.allowed_lateness_ms) {
    ++part.rejected[static_cast<int>(RejectReason::kTooLate)];
    return RejectReason::kTooLate;
  }
  if (ev.ts_ms > part.stream_time_ms) part.stream_time_ms = ev.ts_ms;
  if (!config_.activity.counts(ev)) return std::nullopt;
  mark_active(part, user, config_.time_zone.day_of(ev.ts_ms));
  return std::nullopt;
}

}  // namespace engaged
