// Features 0-9 and 29 are scaled to about [0, 1]; 10-28 are raw counts of days, sessions and
// actions (a model file's mean and scale put them on one footing). Definitions: docs/churn.md.
#include "processors/program/churn_risk.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "processors/activity/daily_aggregates.h"  // week_of: Monday-based weeks

namespace engaged {
namespace {

struct Gaps {
  double mean = 0, stddev = 0;
};

// Mean and standard deviation of the gaps between consecutive active days (bit i: day d - i, up
// to 64 days);
// the mean is 0 with fewer than two active days, the deviation with fewer than three.
Gaps gaps_of(uint64_t bits) {
  // Integer sums: the same values the sums of gaps as doubles would hold (exact below 2^53).
  int64_t n = 0, sum = 0, sum_sq = 0;
  int prev = -1;
  for (uint64_t w = bits; w; w &= w - 1) {
    const int at = __builtin_ctzll(w);
    if (prev >= 0) {
      const int64_t gap = at - prev;
      ++n;
      sum += gap;
      sum_sq += gap * gap;
    }
    prev = at;
  }
  Gaps g;
  if (n < 1) return g;
  g.mean = static_cast<double>(sum) / static_cast<double>(n);
  if (n >= 2)
    g.stddev = std::sqrt(
        std::max(0.0, static_cast<double>(sum_sq) / static_cast<double>(n) - g.mean * g.mean));
  return g;
}

}  // namespace

std::string_view risk_feature_name(int feature) {
  static constexpr std::string_view kNames[kRiskFeatureCount] = {"inactive_vs_typical_gap",
                                                                 "activity_decline_7d",
                                                                 "newcomer",
                                                                 "aha_not_reached",
                                                                 "streak_broken",
                                                                 "ticket_over_sla",
                                                                 "few_active_days_30d",
                                                                 "session_length_decline",
                                                                 "nps_detractor",
                                                                 "no_mentor",
                                                                 "days_since_active",
                                                                 "tenure_days",
                                                                 "active_days_7",
                                                                 "active_days_14",
                                                                 "active_days_30",
                                                                 "active_days_prev_14",
                                                                 "gap_stddev_days",
                                                                 "sessions_7d",
                                                                 "sessions_prev_7d",
                                                                 "action_1_4w",
                                                                 "action_2_4w",
                                                                 "action_3_4w",
                                                                 "action_4_4w",
                                                                 "action_1_trend",
                                                                 "action_2_trend",
                                                                 "action_3_trend",
                                                                 "action_4_trend",
                                                                 "gap_mean_days",
                                                                 "weekly_active_slope",
                                                                 "activity_percentile_at_age"};
  return kNames[feature];
}

RiskFeatures risk_features(const UserActivity& user, const UserProfile& profile,
                           const RiskInputs& in) {
  // Everything is as of day `d` / instant `now_ms`: later state is ignored, so the same
  // function gives the features of past observation days for training.
  RiskFeatures f{};
  const int32_t d = in.day;
  if (!user.known() || user.cohort_day > d) return f;
  // Days since last active, against the user's own mean gap between active days (over their
  // tenure, at most the last 8 weeks).
  const int tenure = d - user.cohort_day + 1;
  // The last 56 days as bits (bit i: day d - i): every window below is a masked popcount of it.
  const uint64_t days56 = static_cast<uint64_t>(user.bits(d - 55, d));
  auto active = [days56](int oldest, int newest) {  // active days in [d - oldest, d - newest]
    const int n = oldest - newest + 1;
    return __builtin_popcountll((days56 >> newest) & ((uint64_t{1} << n) - 1));
  };
  const int active_56 = __builtin_popcountll(days56);
  const double typical_gap = active_56 >= 2 ? std::min(56, tenure) / double(active_56) : 7.0;
  const int32_t last = user.latest_at_or_before(d);
  const double silent = last == kNoDay ? kActivityWindowDays : d - last;
  f[0] = std::min(silent / typical_gap, 5.0) / 5.0;
  // Active days in the 7 days before the last 7, minus those in the last 7.
  f[1] = std::max(0, active(13, 7) - active(6, 0)) / 7.0;
  // Newer users leave more often: 1 on the cohort day, 0 from day 30 on.
  f[2] = std::clamp(1.0 - (d - user.cohort_day) / 30.0, 0.0, 1.0);
  // Fewer than aha_count key actions at or before now_ms (they are kept sorted).
  const auto& keys = profile.key_action_ms;
  const size_t need = static_cast<size_t>(std::max(in.aha_count, 0));
  f[3] = need > 0 && (keys.size() < need || keys[need - 1] > in.now_ms) ? 1.0 : 0.0;
  // A check-in streak of at least 2 days that ended before yesterday.
  const auto& c = profile.check_ins;
  const int32_t last_check = c.latest_at_or_before(d);
  f[4] = last_check != kNoDay && last_check < d - 1 && c.has(last_check - 1) ? 1.0 : 0.0;
  f[5] = std::any_of(profile.tickets.begin(), profile.tickets.end(),
                     [&](const Ticket& t) {
                       return t.opened_ms != INT64_MIN &&
                              t.opened_ms < in.now_ms - in.support_sla_ms &&
                              (t.replied_ms == INT64_MIN || t.replied_ms > in.now_ms);
                     })
             ? 1.0
             : 0.0;
  // Light users leave more often than heavy ones: 1 - share of the last 30 days (or of their
  // tenure, if shorter) they were active on.
  f[6] = 1.0 - active(29, 0) / double(std::min(30, tenure));
  // Session seconds and counts of the last 7 days ([0]) and the 7 before ([1]). Slot i of the
  // profile's arrays is day session_day - i: days d - 13 .. d are the slots up to `oldest`.
  double seconds[2] = {0, 0};
  int64_t sessions[2] = {0, 0};
  const bool has_sessions = profile.session_day != INT32_MIN && profile.session_day <= d;
  if (has_sessions) {
    const int64_t oldest = std::min<int64_t>(13, int64_t{profile.session_day} - d + 13);
    const int64_t recent_below = int64_t{profile.session_day} - d + 7;  // slots of the last 7
    for (int64_t i = 0; i <= oldest; ++i) {
      const int w = i < recent_below ? 0 : 1;
      seconds[w] += profile.session_seconds[static_cast<size_t>(i)];
      sessions[w] += profile.session_count[static_cast<size_t>(i)];
    }
  }
  // Sessions got shorter: 1 - mean length of the last 7 days / mean length of the 7 before.
  if (sessions[0] > 0 && sessions[1] > 0 && seconds[1] > 0)
    f[7] = std::clamp(1.0 - (seconds[0] / double(sessions[0])) / (seconds[1] / double(sessions[1])),
                      0.0, 1.0);
  // The newest NPS answer: detractors (0-6) 1, passives (7-8) 0.5.
  if (profile.nps >= 0 && profile.nps_ms <= in.now_ms)
    f[8] = profile.nps <= 6 ? 1.0 : profile.nps <= 8 ? 0.5 : 0.0;
  // No mentor contact (an opened match, a message to a mentor) in the last 30 days.
  f[9] = profile.mentor_contact_day >= d - 29 && profile.mentor_contact_day <= d ? 0.0 : 1.0;
  f[10] = std::min<double>(silent, 60);
  f[11] = std::min(d - user.cohort_day, 180);
  f[12] = active(6, 0);
  f[13] = active(13, 0);
  f[14] = active(29, 0);
  f[15] = active(27, 14);
  const Gaps gaps = gaps_of(days56);
  f[16] = gaps.stddev;
  f[27] = gaps.mean;
  // Least-squares slope of active days per week over the last 4 weeks, oldest to newest:
  // positive when the user comes more often.
  const int w0 = active(6, 0), w1 = active(13, 7);
  const int w2 = active(20, 14), w3 = active(27, 21);
  f[28] = (1.5 * w0 + 0.5 * w1 - 0.5 * w2 - 1.5 * w3) / 5.0;
  f[17] = static_cast<double>(sessions[0]);
  f[18] = static_cast<double>(sessions[1]);
  // Action counts in this calendar week and the 3 before; trend: the newer two weeks minus the
  // older two.
  if (profile.action_week != INT32_MIN) {
    const int32_t week = week_of(d);
    for (int i = 0; i < kActionWeeks; ++i) {
      const int64_t back = int64_t{week} - (profile.action_week - i);  // weeks before d's
      if (back < 0 || back > 3) continue;
      for (int a = 0; a < kMaxRiskActions; ++a) {
        const double n = profile.action_counts[static_cast<size_t>(i)][static_cast<size_t>(a)];
        f[static_cast<size_t>(kFirstActionFeature + a)] += n;
        f[static_cast<size_t>(kFirstActionFeature + kMaxRiskActions + a)] += back <= 1 ? n : -n;
      }
    }
  }
  f[29] = in.cohort ? in.cohort->percentile(d - user.cohort_day, static_cast<int>(f[14])) : 0.5;
  return f;
}

bool CohortReference::empty() const {
  for (const auto& band : counts)
    for (uint32_t n : band)
      if (n) return false;
  return true;
}

size_t CohortReference::band_of(int age_days) {
  size_t b = 0;
  while (b + 1 < kAgeFrom.size() && age_days >= kAgeFrom[b + 1]) ++b;
  return b;
}

void CohortReference::add(int age_days, int active_days_30) {
  auto& n = counts[band_of(age_days)][static_cast<size_t>(std::clamp(active_days_30, 0, 30))];
  if (n < UINT32_MAX) ++n;
}

double CohortReference::percentile(int age_days, int active_days_30) const {
  const auto& band = counts[band_of(age_days)];
  const size_t at = static_cast<size_t>(std::clamp(active_days_30, 0, 30));
  // Integer sums: the values double sums of these counts would hold (exact below 2^53).
  uint64_t below = 0, total = 0;
  for (size_t v = 0; v < band.size(); ++v) {
    total += band[v];
    if (v < at) below += band[v];
  }
  return total > 0 ? (static_cast<double>(below) + 0.5 * band[at]) / static_cast<double>(total)
                   : 0.5;
}

void record_action(UserProfile& p, int32_t day, int action) {
  const int32_t week = week_of(day);
  if (p.action_week == INT32_MIN || week > p.action_week) {
    const int64_t shift = p.action_week == INT32_MIN ? kActionWeeks : int64_t{week} - p.action_week;
    for (int i = kActionWeeks - 1; i >= 0; --i)
      p.action_counts[static_cast<size_t>(i)] =
          i - shift >= 0 ? p.action_counts[static_cast<size_t>(i - shift)]
                         : std::array<uint16_t, kMaxRiskActions>{};
    p.action_week = week;
  }
  const int64_t i = int64_t{p.action_week} - week;
  if (i >= kActionWeeks) return;  // older than the window
  auto& n = p.action_counts[static_cast<size_t>(i)][static_cast<size_t>(action)];
  if (n < UINT16_MAX) ++n;
}

void record_session_length(UserProfile& p, int32_t day, int64_t seconds) {
  if (p.session_day == INT32_MIN || day > p.session_day) {
    const int64_t shift = p.session_day == INT32_MIN ? 14 : int64_t{day} - p.session_day;
    for (int i = 13; i >= 0; --i) {
      const int64_t from = i - shift;
      p.session_seconds[static_cast<size_t>(i)] =
          from >= 0 ? p.session_seconds[static_cast<size_t>(from)] : 0;
      p.session_count[static_cast<size_t>(i)] =
          from >= 0 ? p.session_count[static_cast<size_t>(from)] : 0;
    }
    p.session_day = day;
  }
  const int64_t i = int64_t{p.session_day} - day;
  if (i >= 14) return;  // older than the window
  auto& s = p.session_seconds[static_cast<size_t>(i)];
  s = static_cast<uint32_t>(std::min<int64_t>(UINT32_MAX, s + std::max<int64_t>(0, seconds)));
  auto& c = p.session_count[static_cast<size_t>(i)];
  if (c < UINT16_MAX) ++c;
}

int risk_feature_of_name(std::string_view name) {
  for (int i = 0; i < kRiskFeatureCount; ++i)
    if (risk_feature_name(i) == name) return i;
  return -1;
}

RiskFeatures risk_contributions(const RiskModel& model, const RiskFeatures& features) {
  RiskFeatures c;
  for (size_t i = 0; i < c.size(); ++i)
    c[i] = model.weights[i] * (features[i] - model.mean[i]) / model.scale[i];
  return c;
}

double risk_logit(const RiskModel& model, const RiskFeatures& features) {
  double z = model.bias;
  for (double part : risk_contributions(model, features)) z += part;
  return z;
}

double risk_probability(double logit) {
  return 1.0 / (1.0 + std::exp(-logit));
}

RiskScore score_risk(const RiskModel& model, const RiskFeatures& features) {
  RiskScore s;
  s.score = risk_probability(risk_logit(model, features));
  std::vector<std::pair<int, double>> parts;
  const RiskFeatures c = risk_contributions(model, features);
  for (int i = 0; i < kRiskFeatureCount; ++i)
    if (c[static_cast<size_t>(i)] > 0) parts.emplace_back(i, c[static_cast<size_t>(i)]);
  std::sort(parts.begin(), parts.end(), [](const auto& a, const auto& b) {
    return a.second != b.second ? a.second > b.second : a.first < b.first;
  });
  if (parts.size() > 3) parts.resize(3);
  s.reasons = std::move(parts);
  return s;
}

std::string describe_risk_reason(int feature, const RiskFeatures& f,
                                 const std::vector<std::string>& actions) {
  auto n = [&](int i) { return static_cast<int>(std::lround(f[static_cast<size_t>(i)])); };
  auto down_from = [](int now, int before) {
    return before > now ? fmt::format(", down from {}", before) : std::string();
  };
  switch (feature) {
    case 0:  // neutral wording: a positive contribution may come from a weight below 0
      return f[27] > 0
                 ? fmt::format("silent for {} days, usually back every {:.1f} days", n(10), f[27])
                 : fmt::format("silent for {} days", n(10));
    case 1:
      return fmt::format("active {} of the last 7 days, fewer than the week before", n(12));
    case 2:
    case 11:
      return fmt::format("joined {} days ago", n(11));
    case 3:
      return "has not reached the aha moment yet";
    case 4:
      return "their check-in streak broke";
    case 5:
      return "a support ticket waits past the SLA";
    case 6:
    case 14:
      return fmt::format("active {} of the last 30 days", n(14));
    case 7:
      return fmt::format("sessions {:.0f} % shorter than the week before", f[7] * 100);
    case 8:
      return "their last NPS answer was low";
    case 9:
      return "no mentor contact in the last 30 days";
    case 10:
      return fmt::format("last active {} days ago", n(10));
    case 12:
      return fmt::format("active {} of the last 7 days", n(12));
    case 13:
    case 15:
      return fmt::format("active {} of the last 14 days{}", n(13), down_from(n(13), n(15)));
    case 16:
      return fmt::format("days between visits vary by {:.1f}", f[16]);
    case 27:
      return fmt::format("comes back every {:.1f} days on average", f[27]);
    case 28:
      return f[28] < 0 ? fmt::format("active on {:.1f} fewer days each week", -f[28])
                       : fmt::format("active days per week rising by {:.1f}", f[28]);
    case 29:
      return fmt::format("more active than {:.0f} % of users {} days after joining", f[29] * 100,
                         n(11));
    case 17:
    case 18:
      return fmt::format("{} sessions in the last 7 days{}", n(17), down_from(n(17), n(18)));
    default:
      break;
  }
  if (feature >= kFirstActionFeature && feature < kEndActionFeature) {
    const int a = (feature - kFirstActionFeature) % kMaxRiskActions;
    const std::string name = static_cast<size_t>(a) < actions.size()
                                 ? actions[static_cast<size_t>(a)]
                                 : fmt::format("risk.actions #{}", a + 1);
    const int total = n(kFirstActionFeature + a);
    const int trend = n(kFirstActionFeature + kMaxRiskActions + a);
    if (feature < kFirstActionFeature + kMaxRiskActions)
      return fmt::format("{} {} times in the last 4 weeks", name, total);
    return fmt::format("{} {} times in the last 2 weeks, {} in the 2 before", name,
                       (total + trend) / 2, (total - trend) / 2);
  }
  return std::string(risk_feature_name(feature));
}

}  // namespace engaged
