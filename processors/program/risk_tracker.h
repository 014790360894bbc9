// Keeps each user's churn-risk state current: rescored on their events and, while they are
// silent, when their score would cross the threshold (a timer at the start of that day). Pure:
// the same state and day give the same score, the same crossing and the same timer.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "domain/time_zone.h"
#include "processors/program/churn_risk.h"

namespace engaged {

struct RiskConfig {
  RiskModel model;
  double threshold = 0.5;
  int64_t support_sla_ms = 3600000;
  int aha_count = 3;
  int horizon_days = 30;             // how far ahead a silent user's crossing is looked for
  std::vector<std::string> actions;  // risk.actions: the counted action names, in order
};

// Users by score decile at their last rescoring, and those at or above the threshold: partial
// per partition, exact when summed.
struct RiskCounts {
  std::array<int64_t, 10> by_bucket{};  // index b: score in (b/10, (b+1)/10] (0 includes 0)
  int64_t at_risk = 0;
  bool operator==(const RiskCounts&) const = default;
};

enum class RiskCrossing : uint8_t { kNone, kUp, kDown };

struct Rescored {
  RiskScore score;  // its reasons only with a crossing up (the only use they have)
  RiskCrossing crossing = RiskCrossing::kNone;
};

class RiskTracker {
 public:
  explicit RiskTracker(RiskConfig config);

  // The features of `user` as of `day` (now_ms: the state's event time within that day), with
  // this tracker's settings: what rescoring and the look ahead both score.
  RiskFeatures features(const UserActivity& user, const UserProfile& profile, int32_t day,
                        int64_t now_ms) const;
  // Rescores as of `day`, updates profile.risk (bucket, flag, day, next timer) and `counts`, and
  // says whether the score crossed the threshold. The timer is the start of the first later day
  // on which the score, without further events, would be on the other side of the threshold.
  // `project` = false keeps the current timer (the event changed nothing the days ahead see,
  // e.g. another action on a day already active); a crossing always recomputes it.
  Rescored rescore(const UserActivity& user, UserProfile& profile, int32_t day, int64_t now_ms,
                   const TimeZone& tz, RiskCounts& counts, bool project = true) const;
  // Takes a user's contribution out of `counts` (the user is deleted).
  static void forget(const UserProfile& profile, RiskCounts& counts);

  const RiskConfig& config() const { return config_; }
  // Whether a logit means a score at or above the threshold: risk_probability(logit) >= threshold,
  // without the exp unless the logit is near the threshold's.
  bool at_or_above_threshold(double logit) const;

 private:
  // The logit alone, for the silence timer's look ahead: no reasons, no allocation, no exp.
  double logit_only(const UserActivity& user, const UserProfile& profile, int32_t day,
                    int64_t now_ms) const;

  RiskConfig config_;
  // The model folded into one coefficient per feature: logit = constant_ + sum coef_[i] * x[i].
  RiskFeatures coef_{};
  double constant_ = 0;
  // Without a cohort reference, feature 29 is 0.5 at no cost.
  bool has_cohort_ = false;
  double logit_threshold_ = 0;  // log(t / (1 - t)), for a threshold t not within 1e-6 of 0 or 1
  bool has_logit_threshold_ = false;
  const CohortReference* cohort() const { return has_cohort_ ? &config_.model.cohort : nullptr; }
};

}  // namespace engaged
