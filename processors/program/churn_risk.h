// Churn risk: a logistic score in [0, 1] from a handful of features of the user's state as of a
// day, with the features that pushed it up the most as its reasons. Pure: the same state and
// day give the same score. The weights come from a model file (risk.model) or the defaults.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "processors/aha/aha_processor.h"
#include "processors/user_activity.h"
#include "processors/user_profile.h"

namespace engaged {

inline constexpr int kRiskFeatureCount = 10;
// Feature names, as in model files and reasons: "inactive_vs_typical_gap", "activity_decline_7d",
// "newcomer", "aha_not_reached", "streak_broken", "ticket_over_sla", "few_active_days_30d",
// "session_length_decline", "nps_detractor", "no_mentor".
std::string_view risk_feature_name(int feature);

using RiskFeatures = std::array<double, kRiskFeatureCount>;

struct RiskInputs {
  int32_t day;     // the day the score is as of (the state's current day)
  int64_t now_ms;  // the state's event time (for the support SLA)
  int64_t support_sla_ms;
  int aha_count;  // key actions needed for the aha moment
};

RiskFeatures risk_features(const UserActivity& user, const UserProfile& profile,
                           const RiskInputs& in);

struct RiskModel {
  // Defaults: `engaged train --label-after-days 14` on 20 000 loadgen users over 60 days
  // (hold-out AUC 0.907); a model file replaces them.
  double bias = -4.58;
  RiskFeatures weights = {4.92, 0.53, 1.11, 0.11, 0.06, -0.18, 3.03, 2.80, -0.20, 0.0};
};

// The feature of a name (risk_feature_name), or -1.
int risk_feature_of_name(std::string_view name);

struct RiskScore {
  double score = 0;
  // Up to three features with the largest positive contribution (weight * value), largest first.
  std::vector<std::pair<int, double>> reasons;
};

RiskScore score_risk(const RiskModel& model, const RiskFeatures& features);

// Adds a finished session of `seconds` on `day` to the profile's 14-day session-length window.
void record_session_length(UserProfile& profile, int32_t day, int64_t seconds);

}  // namespace engaged
