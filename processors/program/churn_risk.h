// Churn risk: a logistic score in [0, 1] from features of the user's state as of a day, with the
// features that pushed it up the most as its reasons. Pure: the same state and day give the same
// score. The weights come from a model file (risk.model, app/risk_model_file.h) or the defaults.
// Feature numbers are stable: model files, program records and nudges name or number them, so a
// feature keeps its number and its definition for good; new ones are appended.
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

inline constexpr int kRiskFeatureCount = 30;
inline constexpr int kFirstActionFeature = 19;  // 19-26: the risk.actions counts
inline constexpr int kEndActionFeature = kFirstActionFeature + 2 * kMaxRiskActions;
// Feature names, as in model files and reasons (definitions in churn_risk.cc and docs/churn.md):
// 0-9 "inactive_vs_typical_gap", "activity_decline_7d", "newcomer", "aha_not_reached",
// "streak_broken", "ticket_over_sla", "few_active_days_30d", "session_length_decline",
// "nps_detractor", "no_mentor"; 10-18 "days_since_active", "tenure_days", "active_days_7",
// "active_days_14", "active_days_30", "active_days_prev_14", "gap_stddev_days", "sessions_7d",
// "sessions_prev_7d"; 19-26 "action_1_4w" .. "action_4_4w", "action_1_trend" .. "action_4_trend"
// (the risk.actions names in order); 27-28 "gap_mean_days", "weekly_active_slope"; 29
// "activity_percentile_at_age".
std::string_view risk_feature_name(int feature);

using RiskFeatures = std::array<double, kRiskFeatureCount>;

// Feature 29's reference: how many users of each age band had each number of active days in
// their last 30 (`engaged train` counts its fit set). A user's feature is their mid-rank in their
// band: 0.5 at the median, and when the band is empty (the built-in model has no reference).
struct CohortReference {
  static constexpr std::array<int, 7> kAgeFrom = {0, 7, 14, 21, 28, 56, 91};  // days since joining
  std::array<std::array<uint32_t, 31>, kAgeFrom.size()> counts{};

  bool empty() const;
  static size_t band_of(int age_days);
  void add(int age_days, int active_days_30);
  // Share of the band below `active_days_30` plus half the share at it.
  double percentile(int age_days, int active_days_30) const;
};

struct RiskInputs {
  int32_t day;     // the day the score is as of (the state's current day)
  int64_t now_ms;  // the state's event time (for the support SLA)
  int64_t support_sla_ms;
  int aha_count;                  // key actions needed for the aha moment
  const CohortReference* cohort;  // the model's, for feature 29
};

RiskFeatures risk_features(const UserActivity& user, const UserProfile& profile,
                           const RiskInputs& in);

// logit = bias + sum of weight_i * (x_i - mean_i) / scale_i: feature i's contribution is its
// distance from the fit set's mean in its standard deviations, times its weight.
struct RiskModel {
  // Defaults: `engaged train --label-after-days 14 -i app.ndjson -i course.ndjson --without
  // aha_not_reached,streak_broken,ticket_over_sla,nps_detractor,no_mentor` on both loadgen
  // flavours (20 000 users each, 60 days, seed 7: bench/churn_eval.sh). The generators do not
  // model how the aha moment, streaks, tickets, NPS or mentoring change churn, so those
  // weights are left at 0 rather than fitted to noise; a model file trained on an app's own log
  // weighs them. Figures: docs/churn.md.
  double bias = -1.863;
  RiskFeatures weights = {
      0.6505, 0.04902,  -0.05778, 0,       0,       0,       0.08982, 0.005413,  0,        0,
      0.6714, -0.02902, -0.162,   -0.4192, -0.4062, 0.08493, -0.1141, -0.03397,  0.02115,  0,
      0,      0,        0,        0,       0,       0,       0,       -0.007697, -0.02479, 0};
  RiskFeatures mean = {0.1394, 0.05868, 0.5953, 0,     0,     0,     0.5508, 0.1229, 0,     0,
                       2.74,   12.15,   2.646,  4.487, 5.663, 1.121, 0.9693, 3.287,  2.266, 0,
                       0,      0,       0,      0,     0,     0,     0,      2.241,  0.8072};
  RiskFeatures scale = {0.152, 0.1235, 0.2101, 1,     1,     1,     0.2041, 0.2137, 1,      1,
                        4.421, 6.337,  1.741,  2.569, 3.641, 1.885, 0.8111, 2.926,  2.399,  1,
                        1,     1,      1,      1,     1,     1,     1,      1.392,  0.6467, 1};
  // The risk.actions the action features were counted for (format 2 files say; empty: none).
  std::vector<std::string> actions;
  CohortReference cohort;  // format 3 files have one

  static RiskFeatures filled(double v) {
    RiskFeatures f;
    f.fill(v);
    return f;
  }
};

// The feature of a name (risk_feature_name), or -1.
int risk_feature_of_name(std::string_view name);

struct RiskScore {
  double score = 0;
  // Up to three features with the largest positive contribution, largest first.
  std::vector<std::pair<int, double>> reasons;
};

RiskScore score_risk(const RiskModel& model, const RiskFeatures& features);
// score_risk's logit and score without the reasons (no allocation): the same values, bit for bit.
double risk_logit(const RiskModel& model, const RiskFeatures& features);
double risk_probability(double logit);
// Every feature's contribution to the logit; they sum to logit - bias.
RiskFeatures risk_contributions(const RiskModel& model, const RiskFeatures& features);

// A reason in words a community manager reads ("active 1 of the last 14 days, down from 9"),
// from the feature, the user's features it was computed with and the risk.actions names.
std::string describe_risk_reason(int feature, const RiskFeatures& features,
                                 const std::vector<std::string>& actions = {});

// Adds a finished session of `seconds` on `day` to the profile's 14-day session-length window.
void record_session_length(UserProfile& profile, int32_t day, int64_t seconds);
// Counts one `action` (its index in risk.actions) done on `day` in the profile's weekly counts.
void record_action(UserProfile& profile, int32_t day, int action);

}  // namespace engaged
