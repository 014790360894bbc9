// Rescoring and the silence timer. A silent user's features change only with the day, so the
// next crossing is found by scoring the following days with the same state.
#include "processors/program/risk_tracker.h"

#include <algorithm>
#include <cmath>

namespace engaged {
namespace {

uint8_t bucket_of(double score) {
  // Deciles (b-1)/10 < score <= b/10, b = 1..10; a score of exactly 0 is in the first.
  return static_cast<uint8_t>(std::clamp(static_cast<int>(std::ceil(score * 10.0)), 1, 10));
}

}  // namespace

RiskTracker::RiskTracker(RiskConfig config) : config_(std::move(config)) {
  const RiskModel& m = config_.model;
  constant_ = m.bias;
  for (size_t i = 0; i < coef_.size(); ++i) {
    coef_[i] = m.weights[i] / m.scale[i];
    constant_ -= coef_[i] * m.mean[i];
  }
  has_cohort_ = !m.cohort.empty();
  // Within 1e-9 of the threshold's logit the score moves by t (1 - t) 1e-9, which must stay above
  // the few 1e-16 that rounding the score and the logarithm can cost: so t (1 - t) >= 1e-6.
  const double t = config_.threshold;
  has_logit_threshold_ = t * (1 - t) >= 1e-6;
  if (has_logit_threshold_) logit_threshold_ = std::log(t / (1 - t));
}

double RiskTracker::logit_only(const UserActivity& user, const UserProfile& profile, int32_t day,
                               int64_t now_ms) const {
  const RiskFeatures f = features(user, profile, day, now_ms);
  double z = constant_;
  for (size_t i = 0; i < f.size(); ++i) z += coef_[i] * f[i];
  return z;
}

bool RiskTracker::at_or_above_threshold(double logit) const {
  // The score is monotone in the logit: only a logit near the threshold's needs the score itself.
  if (has_logit_threshold_ && logit > logit_threshold_ + 1e-9) return true;
  if (has_logit_threshold_ && logit < logit_threshold_ - 1e-9) return false;
  return risk_probability(logit) >= config_.threshold;
}

RiskFeatures RiskTracker::features(const UserActivity& user, const UserProfile& profile,
                                   int32_t day, int64_t now_ms) const {
  return risk_features(user, profile,
                       {day, now_ms, config_.support_sla_ms, config_.aha_count, cohort()});
}

Rescored RiskTracker::rescore(const UserActivity& user, UserProfile& profile, int32_t day,
                              int64_t now_ms, const TimeZone& tz, RiskCounts& counts,
                              bool project) const {
  Rescored out;
  const RiskFeatures f = features(user, profile, day, now_ms);
  out.score.score = risk_probability(risk_logit(config_.model, f));
  RiskState& r = profile.risk;
  const bool at_risk = out.score.score >= config_.threshold;
  if (r.bucket) {
    --counts.by_bucket[r.bucket - 1u];
    if (r.at_risk) --counts.at_risk;
  }
  if (at_risk != r.at_risk) out.crossing = at_risk ? RiskCrossing::kUp : RiskCrossing::kDown;
  if (out.crossing == RiskCrossing::kUp) out.score = score_risk(config_.model, f);
  r.bucket = bucket_of(out.score.score);
  r.at_risk = at_risk;
  r.day = day;
  ++counts.by_bucket[r.bucket - 1u];
  if (at_risk) ++counts.at_risk;
  if (!project && out.crossing == RiskCrossing::kNone) return out;
  // The silence timer: the first later day whose score is on the other side.
  r.timer_ms = INT64_MIN;
  for (int k = 1; k <= config_.horizon_days; ++k) {
    const int64_t start = tz.day_start_ms(day + k);
    if (at_or_above_threshold(logit_only(user, profile, day + k, start)) != at_risk) {
      r.timer_ms = start;
      break;
    }
  }
  return out;
}

void RiskTracker::forget(const UserProfile& profile, RiskCounts& counts) {
  if (!profile.risk.bucket) return;
  --counts.by_bucket[profile.risk.bucket - 1u];
  if (profile.risk.at_risk) --counts.at_risk;
}

}  // namespace engaged
