// Churn-risk features of scripted users, the logistic score with its reasons, and model files.
#include "processors/program/churn_risk.h"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>

#include "app/risk_model_file.h"

namespace engaged {
namespace {

constexpr int32_t kDay = 20600;
const RiskInputs kInputs{kDay, int64_t{kDay} * 86400000 + 43200000, 3600000, 3};

TEST(ChurnRisk, FeaturesOfAFadingNewcomer) {
  UserActivity u;
  for (int32_t d : {kDay - 12, kDay - 11, kDay - 10, kDay - 9, kDay - 8})
    u.add_day(d);  // active 5 days in a row, silent for the last 8
  UserProfile p;
  p.key_action_ms = {1};  // one key action of the three needed
  p.check_ins.add(kDay - 10);
  p.check_ins.add(kDay - 9);
  p.tickets.push_back({7, kInputs.now_ms - 2 * 3600000, INT64_MIN});  // open for 2 h
  const RiskFeatures f = risk_features(u, p, kInputs);
  // 8 silent days; 5 active days over a tenure of 13: a typical gap of 2.6 days.
  EXPECT_DOUBLE_EQ(f[0], std::min(8.0 / (13.0 / 5), 5.0) / 5.0);
  EXPECT_DOUBLE_EQ(f[1], 5.0 / 7);  // 5 active days in [d-13, d-7], none in the last 7
  EXPECT_DOUBLE_EQ(f[2], 1.0 - 12.0 / 30);
  EXPECT_EQ(f[3], 1.0);
  EXPECT_EQ(f[4], 1.0);
  EXPECT_EQ(f[5], 1.0);
  EXPECT_DOUBLE_EQ(f[6], 1.0 - 5.0 / 13);  // 5 of the 13 days since the cohort day
  EXPECT_EQ(f[7], 0.0);                    // no sessions recorded
  EXPECT_EQ(f[8], 0.0);                    // no NPS answer
  EXPECT_EQ(f[9], 1.0);                    // no mentor contact
}

TEST(ChurnRisk, SessionLengthNpsAndMentorFeatures) {
  UserActivity u;
  for (int32_t d = kDay - 20; d <= kDay; ++d) u.add_day(d);
  UserProfile p;
  // Sessions of 600 s a day in the week before, 150 s in the last week: 75 % shorter.
  for (int32_t d = kDay - 13; d <= kDay - 7; ++d) record_session_length(p, d, 600);
  for (int32_t d = kDay - 6; d <= kDay; ++d) record_session_length(p, d, 150);
  p.nps = 5;
  p.nps_ms = kInputs.now_ms - 1000;
  p.mentor_contact_day = kDay - 3;
  const RiskFeatures f = risk_features(u, p, kInputs);
  EXPECT_DOUBLE_EQ(f[7], 0.75);
  EXPECT_EQ(f[8], 1.0);  // a detractor
  EXPECT_EQ(f[9], 0.0);  // wrote to a mentor 3 days ago
  p.nps = 8;
  p.mentor_contact_day = kDay - 30;  // 31 days ago: too long
  const RiskFeatures g = risk_features(u, p, kInputs);
  EXPECT_EQ(g[8], 0.5);
  EXPECT_EQ(g[9], 1.0);
  // A session older than the 14-day window is not kept; a later day shifts the window.
  record_session_length(p, kDay - 20, 9999);
  EXPECT_EQ(p.session_seconds[13], 600u);
  record_session_length(p, kDay + 1, 60);
  EXPECT_EQ(p.session_day, kDay + 1);
  EXPECT_EQ(p.session_seconds[0], 60u);
  EXPECT_EQ(p.session_seconds[1], 150u);
}

TEST(ChurnRisk, ScoreIsLogisticAndReasonsAreTheLargestContributions) {
  RiskModel m;
  m.bias = -1;
  m.weights = {2, 0, 1, -1, 0.5, 0};
  const RiskScore s = score_risk(m, {0.5, 1, 1, 1, 1, 1});
  EXPECT_DOUBLE_EQ(s.score, 1 / (1 + std::exp(-(-1 + 1 + 0 + 1 - 1 + 0.5))));
  ASSERT_EQ(s.reasons.size(), 3u);  // 0 and 2 tie at 1.0 (lower index first), then 4
  EXPECT_EQ(s.reasons[0].first, 0);
  EXPECT_EQ(s.reasons[1].first, 2);
  EXPECT_EQ(s.reasons[2].first, 4);
}

TEST(ChurnRisk, ModelFileSetsNamedWeights) {
  auto path = std::filesystem::temp_directory_path() / "engaged-risk-model.yaml";
  std::ofstream(path) << "bias: -2\nweights:\n  newcomer: 0.25\n  ticket_over_sla: 4\n";
  const RiskModel m = load_risk_model(path.string());
  EXPECT_EQ(m.bias, -2);
  EXPECT_EQ(m.weights[2], 0.25);
  EXPECT_EQ(m.weights[5], 4);
  EXPECT_EQ(m.weights[0], RiskModel{}.weights[0]);  // unnamed: default
  std::ofstream(path) << "weights: {no_such_feature: 1}\n";
  EXPECT_THROW(load_risk_model(path.string()), std::invalid_argument);
  std::filesystem::remove(path);
}

}  // namespace
}  // namespace engaged
