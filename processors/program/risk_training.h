// Fitting and judging the churn-risk model (`engaged train`): L2-regularised logistic regression
// by Newton's method (7 parameters: a small dense solve per step), AUC, precision and recall at
// a threshold, and a calibration table. Pure and deterministic.
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

// Weights minimising the mean log loss + l2/2 * |w|^2 (the bias is not regularised).
RiskModel fit_risk_model(const std::vector<LabelledExample>& examples, double l2 = 1e-3,
                         int iterations = 30);

struct CalibrationBin {
  int64_t n = 0;
  double mean_score = 0, churn_rate = 0;
};

struct RiskEvaluation {
  int64_t n = 0, churned = 0;
  double auc = 0;  // probability a churner scores above a non-churner (ties count half)
  double precision = 0, recall = 0;              // of "score >= threshold"
  std::array<CalibrationBin, 10> calibration{};  // by score decile [0, 0.1), ..., [0.9, 1]
};

RiskEvaluation evaluate_risk_model(const RiskModel& model,
                                   const std::vector<LabelledExample>& examples, double threshold);

}  // namespace engaged
