// The aha moment, kept exact under any arrival order: a user's contribution to their cohort's
// figures is a pure function of their cohort day, active days, earliest key actions and
// first-week candidate counts (contribution()), so whenever one of those changes we subtract the
// old contribution and add the new one. Most events change none of them: the check for that runs
// for every accepted event, so it allocates nothing and compares names of actions only.
//
// Definition choices:
// - Reach uses the earliest `count` key actions overall (duplicate timestamps are separate
//   events). A key action before the cohort day (possible only when the key action does not
//   count as activity) counts as done at the start of the cohort day, so the rule needs no more
//   than `count` timestamps per user. "Within N days" means before the local midnight that
//   starts day C + N, so day offsets 0..N-1 (as for LTV), DST-proof.
// - Discovery per-day counts are capped at kDiscoveryMaxK (enough for "at least k", and no
//   overflow). Entries after day C + 6 are dropped (C only moves earlier), and so are entries
//   128 or more days before the newest active day (lateness is capped at 90 days, so the cohort
//   day can never move back to them; such entries exist only for candidates that are not
//   activity). week2_active and discovery are kept only if candidates are
//   configured.
#include "processors/aha/aha_processor.h"

#include <algorithm>
#include <array>
#include <cmath>

#include "processors/partition_aggregates.h"

namespace engaged {
namespace {

constexpr int kMaxCandidates = 32;
constexpr int64_t kHourMs = 3600000;

struct Contribution {
  bool reached = false;
  int32_t hour = 0;  // hour since the cohort day began in which the aha moment was reached
  bool week2 = false;
  std::array<uint8_t, kMaxCandidates> did{};  // per candidate: times done in days 0..6, capped
  bool operator==(const Contribution&) const = default;
};

// Adds (sign +1) or removes (-1) a contribution.
void apply(CohortFigures& f, const Contribution& c, int64_t sign, size_t candidates) {
  if (c.reached) {
    f.aha_reached += sign;
    const auto h = static_cast<size_t>(c.hour);
    if (f.hours_to_aha.size() <= h) f.hours_to_aha.resize(h + 1);
    f.hours_to_aha[h] += sign;
  }
  if (candidates == 0) return;
  f.week2_active += c.week2 ? sign : 0;
  const size_t cells = candidates * kDiscoveryMaxK;
  if (f.did.size() < cells) f.did.resize(cells);
  if (f.did_and_week2.size() < cells) f.did_and_week2.resize(cells);
  for (size_t i = 0; i < candidates; ++i) {
    for (size_t k = 0; k < c.did[i]; ++k) {
      f.did[i * kDiscoveryMaxK + k] += sign;
      if (c.week2) f.did_and_week2[i * kDiscoveryMaxK + k] += sign;
    }
  }
}

Contribution contribution(const AhaConfig& config, const UserActivity& u, const UserProfile& p,
                          const TimeZone& tz) {
  Contribution c;
  const int32_t cohort = u.cohort_day;
  if (cohort == kNoDay) return c;
  const auto count = static_cast<size_t>(config.count);
  if (!config.key_action.empty() && p.key_action_ms.size() >= count) {
    const int64_t t = p.key_action_ms[count - 1];
    if (t < tz.day_start_ms(cohort + config.within_days)) {
      c.reached = true;
      c.hour = static_cast<int32_t>(std::max<int64_t>(0, t - tz.day_start_ms(cohort)) / kHourMs);
    }
  }
  if (config.candidates.empty()) return c;
  c.week2 = u.any_active(cohort + 7, cohort + 13);
  const size_t n = std::min<size_t>(config.candidates.size(), kMaxCandidates);
  for (const CandidateDay& e : p.first_week) {
    if (e.day < cohort || e.day > cohort + 6 || e.candidate >= n) continue;  // stale index
    uint8_t& did = c.did[e.candidate];
    did = static_cast<uint8_t>(std::min<int>(kDiscoveryMaxK, did + e.count));
  }
  return c;
}

// Whether a first-week entry for `day` can still count, given the user's activity.
bool may_count(const UserActivity& u, int32_t day) {
  if (u.cohort_day != kNoDay && day > u.cohort_day + 6) return false;
  return !u.known() || int64_t{day} > int64_t{u.last_day} - kActivityWindowDays;
}

}  // namespace

void AhaProcessor::process(DayTable<CohortFigures>& cohorts, UserProfile& user,
                           const UserActivity& before, const UserActivity& after, const Event& ev,
                           const TimeZone& tz) const {
  const size_t n_candidates = std::min<size_t>(config_.candidates.size(), kMaxCandidates);
  // What this event changes among the inputs of the contribution.
  bool key = false;
  uint32_t candidates = 0;  // bit c: the event is candidate c
  int32_t event_day = 0;
  if (ev.type == EventType::kAction) {
    const auto count = static_cast<size_t>(config_.count);
    // A key action after the reach window can never make the user reach it (the cohort day
    // only moves earlier), so it need not be kept.
    key = !config_.key_action.empty() &&
          (user.key_action_ms.size() < count || ev.ts_ms < user.key_action_ms.back()) &&
          ev.name == config_.key_action &&
          (after.cohort_day == kNoDay ||
           ev.ts_ms < tz.day_start_ms(after.cohort_day + config_.within_days));
    // A candidate action after day 6 of the cohort (most of them) changes nothing.
    if (n_candidates > 0 && may_count(after, event_day = tz.day_of(ev.ts_ms)))
      for (size_t c = 0; c < n_candidates; ++c)
        if (ev.name == config_.candidates[c]) candidates |= uint32_t{1} << c;
  }
  const int32_t cohort = after.cohort_day;
  const bool cohort_moved = before.cohort_day != cohort;
  const bool week2_changed =
      n_candidates > 0 && cohort != kNoDay &&
      before.any_active(cohort + 7, cohort + 13) != after.any_active(cohort + 7, cohort + 13);
  if (!key && !candidates && !cohort_moved && !week2_changed) return;

  const Contribution old_c = contribution(config_, before, user, tz);
  if (key) {
    auto& times = user.key_action_ms;
    times.insert(std::upper_bound(times.begin(), times.end(), ev.ts_ms), ev.ts_ms);
    if (times.size() > static_cast<size_t>(config_.count)) times.resize(config_.count);
  }
  for (size_t c = 0; c < n_candidates; ++c) {
    if (!(candidates >> c & 1)) continue;
    auto it =
        std::find_if(user.first_week.begin(), user.first_week.end(),
                     [&](const CandidateDay& e) { return e.candidate == c && e.day == event_day; });
    if (it == user.first_week.end())
      user.first_week.push_back({static_cast<uint8_t>(c), event_day, 1});
    else if (it->count < kDiscoveryMaxK)
      ++it->count;
  }
  if (candidates || cohort_moved)
    std::erase_if(user.first_week, [&](const CandidateDay& e) { return !may_count(after, e.day); });
  const Contribution new_c = contribution(config_, after, user, tz);

  if (!cohort_moved && old_c == new_c) return;
  if (old_c != Contribution{})
    apply(cohorts.mutable_day(before.cohort_day), old_c, -1, n_candidates);
  if (new_c != Contribution{}) apply(cohorts.mutable_day(cohort), new_c, +1, n_candidates);
}

std::vector<DiscoveryRow> rank_discovery(const CohortFigures& summed, int64_t cohort_users,
                                         const std::vector<std::string>& candidates) {
  std::vector<DiscoveryRow> rows;
  rows.reserve(candidates.size() * kDiscoveryMaxK);
  auto at = [](const std::vector<int64_t>& v, size_t i) { return i < v.size() ? v[i] : 0; };
  for (size_t c = 0; c < candidates.size(); ++c) {
    for (int k = 1; k <= kDiscoveryMaxK; ++k) {
      const size_t i = c * kDiscoveryMaxK + static_cast<size_t>(k - 1);
      DiscoveryRow r{candidates[c], k, at(summed.did, i), at(summed.did_and_week2, i)};
      if (cohort_users > 0) r.share = double(r.users) / double(cohort_users);
      if (r.users > 0) r.ppv = double(r.retained) / double(r.users);
      // 2x2 table: a = did and week 2, b = did only, c = week 2 only, d = neither.
      const double a = double(r.retained), b = double(r.users - r.retained);
      const double c2 = double(summed.week2_active - r.retained);
      const double d = double(cohort_users - r.users) - c2;
      const double denominator = (a + b) * (c2 + d) * (a + c2) * (b + d);
      if (denominator > 0) r.phi = (a * d - b * c2) / std::sqrt(denominator);
      rows.push_back(std::move(r));
    }
  }
  std::sort(rows.begin(), rows.end(), [](const DiscoveryRow& x, const DiscoveryRow& y) {
    if (x.phi != y.phi) return x.phi > y.phi;
    if (x.name != y.name) return x.name < y.name;
    return x.k < y.k;
  });
  return rows;
}

int64_t median_hours_to_aha(const std::vector<int64_t>& hours_to_aha) {
  int64_t n = 0;
  for (int64_t x : hours_to_aha) n += x;
  if (n <= 0) return -1;
  const int64_t target = (n + 1) / 2;
  int64_t seen = 0;
  for (size_t h = 0; h < hours_to_aha.size(); ++h) {
    seen += hours_to_aha[h];
    if (seen >= target) return static_cast<int64_t>(h);
  }
  return -1;
}

void AhaProcessor::process(ProcessorContext& ctx) {
  const size_t key_actions = ctx.profile().key_action_ms.size();
  process(ctx.tables().cohort_figures, ctx.profile(), ctx.before(), ctx.activity(), ctx.event(),
          ctx.time_zone());
  ctx.facts().key_actions_changed = ctx.profile().key_action_ms.size() != key_actions;
}

}  // namespace engaged
