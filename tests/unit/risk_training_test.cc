// The churn-risk fit recovers known weights, and AUC / precision / recall / calibration are exact
// on hand-made examples.
#include "processors/program/risk_training.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

namespace engaged {
namespace {

TEST(RiskTraining, FitRecoversTheWeightsThatGeneratedTheLabels) {
  std::mt19937_64 rng(5);
  std::uniform_real_distribution<double> u(0, 1);
  const RiskFeatures truth = {3, -2, 0, 1, 0, 0};
  std::vector<LabelledExample> examples;
  for (int i = 0; i < 20000; ++i) {
    LabelledExample e;
    for (double& x : e.x) x = u(rng);
    double z = -1;
    for (int f = 0; f < kRiskFeatureCount; ++f) z += truth[f] * e.x[f];
    e.churned = u(rng) < 1 / (1 + std::exp(-z));
    examples.push_back(e);
  }
  const RiskModel m = fit_risk_model(examples, 0);
  // Weights are per standard deviation (1/sqrt(12) for uniform features), around their mean.
  double bias = m.bias;
  for (int f = 0; f < kRiskFeatureCount; ++f) {
    EXPECT_NEAR(m.mean[f], 0.5, 0.01) << f;
    EXPECT_NEAR(m.scale[f], 1 / std::sqrt(12.0), 0.01) << f;
    EXPECT_NEAR(m.weights[f] / m.scale[f], truth[f], 0.2) << f;
    bias -= m.weights[f] * m.mean[f] / m.scale[f];
  }
  EXPECT_NEAR(bias, -1, 0.3);  // the sum of every weight error times its mean
}

TEST(RiskTraining, EvaluationOnHandMadeScores) {
  // Feature 0 carries the score through a model with weight 1 and bias 0: score = sigmoid(x0).
  RiskModel m;
  m.mean = {};
  m.scale = RiskModel::filled(1);
  m.bias = 0;
  m.weights = {1, 0, 0, 0, 0, 0};
  auto ex = [](double x0, bool churned) {
    LabelledExample e;
    e.x = {x0, 0, 0, 0, 0, 0};
    e.churned = churned;
    return e;
  };
  // Scores rank: -2 (no), -1 (yes), 0.5 (no), 2 (yes): 3 of 4 churner/non-churner pairs ordered.
  const RiskEvaluation ev =
      evaluate_risk_model(m, {ex(-2, false), ex(-1, true), ex(0.5, false), ex(2, true)}, 0.6);
  EXPECT_EQ(ev.n, 4);
  EXPECT_EQ(ev.churned, 2);
  EXPECT_DOUBLE_EQ(ev.auc, 0.75);
  EXPECT_DOUBLE_EQ(ev.precision, 0.5);  // 0.5 -> 0.62 and 2 -> 0.88 are flagged; one churned
  EXPECT_DOUBLE_EQ(ev.recall, 0.5);
  EXPECT_EQ(ev.calibration[8].n, 1);  // sigmoid(2) = 0.88
  EXPECT_DOUBLE_EQ(ev.calibration[8].churn_rate, 1.0);
  // Highest first: 2 (yes), 0.5 (no), -1 (yes), -2 (no): precision 1 at the first churner,
  // 2/3 at the second.
  EXPECT_DOUBLE_EQ(ev.pr_auc, 0.5 * 1 + 0.5 * 2.0 / 3);
  EXPECT_DOUBLE_EQ(ev.top_decile_precision, 1.0);  // the top tenth of 4 is 1 example
  EXPECT_DOUBLE_EQ(ev.top_decile_recall, 0.5);
  // Ties share ranks: all scores equal gives 0.5.
  EXPECT_DOUBLE_EQ(evaluate_risk_model(m, {ex(0, true), ex(0, false)}, 0.5).auc, 0.5);
  EXPECT_DOUBLE_EQ(evaluate_risk_model(m, {ex(0, true), ex(0, false)}, 0.5).pr_auc, 0.5);
}

}  // namespace
}  // namespace engaged
