// Each feature is scaled to about [0, 1] so weights compare; see docs/metrics.md for definitions.
#include "processors/program/churn_risk.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace engaged {

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
                                                                 "no_mentor"};
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
  const int active_56 = user.count_active(d - 55, d);
  const double typical_gap = active_56 >= 2 ? std::min(56, tenure) / double(active_56) : 7.0;
  const int32_t last = user.latest_at_or_before(d);
  const double silent = last == kNoDay ? kActivityWindowDays : d - last;
  f[0] = std::min(silent / typical_gap, 5.0) / 5.0;
  // Active days in the 7 days before the last 7, minus those in the last 7.
  f[1] = std::max(0, user.count_active(d - 13, d - 7) - user.count_active(d - 6, d)) / 7.0;
  // Newer users leave more often: 1 on the cohort day, 0 from day 30 on.
  f[2] = std::clamp(1.0 - (d - user.cohort_day) / 30.0, 0.0, 1.0);
  const auto key_actions = std::count_if(profile.key_action_ms.begin(), profile.key_action_ms.end(),
                                         [&](int64_t t) { return t <= in.now_ms; });
  f[3] = key_actions < in.aha_count ? 1.0 : 0.0;
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
  f[6] = 1.0 - user.count_active(d - 29, d) / double(std::min(30, tenure));
  // Sessions got shorter: 1 - mean length of the last 7 days / mean length of the 7 before.
  if (profile.session_day != INT32_MIN && profile.session_day <= d) {
    double sum[2] = {0, 0}, n[2] = {0, 0};
    for (int i = 0; i < 14; ++i) {
      const int32_t day = profile.session_day - i;
      if (day > d || day < d - 13) continue;
      const int w = day > d - 7 ? 0 : 1;
      sum[w] += profile.session_seconds[static_cast<size_t>(i)];
      n[w] += profile.session_count[static_cast<size_t>(i)];
    }
    if (n[0] > 0 && n[1] > 0 && sum[1] > 0)
      f[7] = std::clamp(1.0 - (sum[0] / n[0]) / (sum[1] / n[1]), 0.0, 1.0);
  }
  // The newest NPS answer: detractors (0-6) 1, passives (7-8) 0.5.
  if (profile.nps >= 0 && profile.nps_ms <= in.now_ms)
    f[8] = profile.nps <= 6 ? 1.0 : profile.nps <= 8 ? 0.5 : 0.0;
  // No mentor contact (an opened match, a message to a mentor) in the last 30 days.
  f[9] = profile.mentor_contact_day >= d - 29 && profile.mentor_contact_day <= d ? 0.0 : 1.0;
  return f;
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

RiskScore score_risk(const RiskModel& model, const RiskFeatures& features) {
  RiskScore s;
  double z = model.bias;
  std::vector<std::pair<int, double>> parts;
  for (int i = 0; i < kRiskFeatureCount; ++i) {
    const double part = model.weights[static_cast<size_t>(i)] * features[static_cast<size_t>(i)];
    z += part;
    if (part > 0) parts.emplace_back(i, part);
  }
  s.score = 1.0 / (1.0 + std::exp(-z));
  std::sort(parts.begin(), parts.end(), [](const auto& a, const auto& b) {
    return a.second != b.second ? a.second > b.second : a.first < b.first;
  });
  if (parts.size() > 3) parts.resize(3);
  s.reasons = std::move(parts);
  return s;
}

}  // namespace engaged
