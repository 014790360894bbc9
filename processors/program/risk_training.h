// Fitting and judging the churn-risk model (`engaged train`): L2-regularised logistic regression
// by Newton's method (a small dense solve per step), AUC, PR-AUC, precision and
// recall at a threshold and of the top decile, and a calibration table. Pure and deterministic.
#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include "processors/program/churn_risk.h"

namespace engaged {

struct LabelledExample {
  RiskFeatures x;
  bool churned = false;  // no active day in the N days after the observation day
  int32_t day = 0;       // observation day
};

// Weights minimising the mean log loss + l2/2 * |w|^2 over the features standardised by the
// examples' mean and standard deviation (the bias is not regularised).
RiskModel fit_risk_model(const std::vector<LabelledExample>& examples, double l2 = 1e-3,
                         int iterations = 30);

struct CalibrationBin {
  int64_t n = 0;
  double mean_score = 0, churn_rate = 0;
};

struct RiskEvaluation {
  int64_t n = 0, churned = 0;
  double auc = 0;  // probability a churner scores above a non-churner (ties count half)
  // Average precision: the mean, over the distinct scores taken as thresholds, of the precision
  // at that threshold weighted by the recall it adds (as scikit-learn's average_precision_score).
  double pr_auc = 0;
  double precision = 0, recall = 0;  // of "score >= threshold"
  // Of the highest-scored tenth (rounded up; ties by input order): who a team with the capacity
  // to contact 10 % of its users would reach.
  double top_decile_precision = 0, top_decile_recall = 0;
  std::array<CalibrationBin, 10> calibration{};  // by score decile [0, 0.1), ..., [0.9, 1]
};

RiskEvaluation evaluate_risk_model(const RiskModel& model,
                                   const std::vector<LabelledExample>& examples, double threshold);
// The same for scores from anywhere: (score in [0, 1], churned).
RiskEvaluation evaluate_scores(const std::vector<std::pair<double, bool>>& scored,
                               double threshold);

}  // namespace engaged
