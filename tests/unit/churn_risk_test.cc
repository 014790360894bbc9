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
const RiskInputs kInputs{kDay, int64_t{kDay} * 86400000 + 43200000, 3600000, 3, nullptr};

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
  EXPECT_EQ(f[10], 8.0);                   // last active on d-8
  EXPECT_EQ(f[11], 12.0);                  // first active on d-12
  EXPECT_EQ(f[12], 0.0);                   // none in [d-6, d]
  EXPECT_EQ(f[13], 5.0);                   // all five in [d-13, d]
  EXPECT_EQ(f[14], 5.0);
  EXPECT_EQ(f[15], 0.0);  // none in [d-27, d-14]
  EXPECT_EQ(f[16], 0.0);  // every gap is 1 day
  EXPECT_EQ(f[17], 0.0);  // no sessions
  EXPECT_EQ(f[18], 0.0);
  EXPECT_EQ(f[27], 1.0);  // mean gap
  EXPECT_EQ(f[28], 0.5);  // weeks oldest to newest 0, 0, 5, 0: (0.5 * 5) / 5
  EXPECT_EQ(f[29], 0.5);  // no cohort reference
}

TEST(ChurnRisk, ActivityPercentileAtAge) {
  // Age 12 is in the band [7, 14): there 2 users had 1 active day, 3 had 5 and 5 had 9.
  CohortReference ref;
  ref.counts[1][1] = 2;
  ref.counts[1][5] = 3;
  ref.counts[1][9] = 5;
  ref.add(40, 20);  // band [28, 56): another age, another band
  EXPECT_EQ(CohortReference::band_of(0), 0u);
  EXPECT_EQ(CohortReference::band_of(6), 0u);
  EXPECT_EQ(CohortReference::band_of(7), 1u);
  EXPECT_EQ(CohortReference::band_of(90), 5u);
  EXPECT_EQ(CohortReference::band_of(180), 6u);
  UserActivity u;
  for (int32_t d : {kDay - 12, kDay - 11, kDay - 10, kDay - 9, kDay - 8}) u.add_day(d);
  RiskInputs in = kInputs;
  in.cohort = &ref;
  // 5 active days at age 12: 2 users below, 3 level with them: (2 + 3 / 2) / 10.
  EXPECT_DOUBLE_EQ(risk_features(u, UserProfile{}, in)[29], 0.35);
  EXPECT_DOUBLE_EQ(ref.percentile(12, 0), 0.0);
  EXPECT_DOUBLE_EQ(ref.percentile(12, 30), 1.0);
  EXPECT_DOUBLE_EQ(ref.percentile(40, 20), 0.5);  // the only one in its band
  EXPECT_DOUBLE_EQ(ref.percentile(3, 2), 0.5);    // an empty band
  RiskFeatures f{};
  f[11] = 12;
  f[29] = 0.35;
  EXPECT_EQ(describe_risk_reason(29, f), "more active than 35 % of users 12 days after joining");
}

TEST(ChurnRisk, ActivityCountsGapsAndSessionsOfARegularUser) {
  // Active every third day from d-45 to d-3 (15 days), then on d-1: gaps 3 (x14) and 2.
  UserActivity u;
  for (int32_t d = kDay - 45; d <= kDay - 3; d += 3) u.add_day(d);
  u.add_day(kDay - 1);
  UserProfile p;
  for (int32_t d : {kDay - 12, kDay - 9}) record_session_length(p, d, 300);
  for (int32_t d : {kDay - 6, kDay - 3, kDay - 1}) {
    record_session_length(p, d, 100);
    record_session_length(p, d, 100);
  }
  const RiskFeatures f = risk_features(u, p, kInputs);
  EXPECT_EQ(f[10], 1.0);
  EXPECT_EQ(f[11], 45.0);
  EXPECT_EQ(f[12], 3.0);   // d-6, d-3, d-1
  EXPECT_EQ(f[13], 5.0);   // and d-12, d-9
  EXPECT_EQ(f[14], 10.0);  // d-27 .. d-3 every third day (9), and d-1
  EXPECT_EQ(f[15], 5.0);   // d-27, d-24, d-21, d-18, d-15
  // 15 gaps: fourteen of 3 days and one of 2: mean 44/15, variance 14/225.
  EXPECT_NEAR(f[16], std::sqrt(14.0 / 225), 1e-12);
  EXPECT_DOUBLE_EQ(f[27], 44.0 / 15);
  EXPECT_EQ(f[28], 0.0);  // weeks oldest to newest 3, 2, 2, 3: no trend
  EXPECT_EQ(f[17], 6.0);  // two sessions on each of d-6, d-3, d-1
  EXPECT_EQ(f[18], 2.0);  // d-12, d-9
  // As of a later day the same state is 4 silent days older: counts move, nothing else does.
  RiskInputs later = kInputs;
  later.day = kDay + 3;
  const RiskFeatures g = risk_features(u, p, later);
  EXPECT_EQ(g[10], 4.0);
  EXPECT_EQ(g[12], 2.0);  // d-3 and d-1 are in [d-3, d+3]
  EXPECT_EQ(g[17], 4.0);
  EXPECT_DOUBLE_EQ(g[16], f[16]);  // [d-52, d+3] holds the same active days
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

TEST(ChurnRisk, WeeklyActionCounts) {
  // kDay = 20600 is a Wednesday: its Monday-based week holds kDay - 2 .. kDay + 4.
  UserActivity u;
  u.add_day(kDay - 30);
  UserProfile p;
  for (int32_t d : {kDay - 16, kDay - 16})  // 2 weeks back: the older half of the 4 weeks
    record_action(p, d, 0);
  record_action(p, kDay - 30, 0);                             // 4 weeks back: outside the 4 weeks
  for (int i = 0; i < 5; ++i) record_action(p, kDay - 2, 0);  // this week
  record_action(p, kDay - 3, 3);                              // last week
  record_action(p, kDay + 10, 1);  // later than the day scored: not counted
  const RiskFeatures f = risk_features(u, p, kInputs);
  EXPECT_EQ(f[19], 7.0);  // action 1: 2 + 5
  EXPECT_EQ(f[23], 3.0);  // newer two weeks 5, older two 2
  EXPECT_EQ(f[20], 0.0);
  EXPECT_EQ(f[22], 1.0);  // action 4
  EXPECT_EQ(f[26], 1.0);
  EXPECT_EQ(describe_risk_reason(19, f, {"take_quiz"}), "take_quiz 7 times in the last 4 weeks");
  EXPECT_EQ(describe_risk_reason(23, f, {"take_quiz"}),
            "take_quiz 5 times in the last 2 weeks, 2 in the 2 before");
  // Counts saturate instead of wrapping; a week older than the window is dropped.
  UserProfile q;
  for (int i = 0; i < 70000; ++i) record_action(q, kDay, 2);
  EXPECT_EQ(q.action_counts[0][2], UINT16_MAX);
  record_action(q, kDay - 7 * kActionWeeks, 2);
  EXPECT_EQ(q.action_counts[kActionWeeks - 1][2], 0);
}

TEST(ChurnRisk, ScoreIsLogisticAndReasonsAreTheLargestContributions) {
  RiskModel m;
  m.mean = {};
  m.scale = RiskModel::filled(1);
  m.bias = -1;
  m.weights = {2, 0, 1, -1, 0.5, 0};
  const RiskScore s = score_risk(m, {0.5, 1, 1, 1, 1, 1});
  EXPECT_DOUBLE_EQ(s.score, 1 / (1 + std::exp(-(-1 + 1 + 0 + 1 - 1 + 0.5))));
  ASSERT_EQ(s.reasons.size(), 3u);  // 0 and 2 tie at 1.0 (lower index first), then 4
  EXPECT_EQ(s.reasons[0].first, 0);
  EXPECT_EQ(s.reasons[1].first, 2);
  EXPECT_EQ(s.reasons[2].first, 4);
}

TEST(ChurnRisk, ContributionsAreStandardisedAndSumToTheLogit) {
  RiskModel m;
  m.bias = 0.5;
  m.weights.fill(0);
  m.mean = {};
  m.scale = RiskModel::filled(1);
  m.weights[10] = 0.8;  // per standard deviation of days since active
  m.mean[10] = 3;
  m.scale[10] = 2;
  m.weights[14] = -1.2;
  m.mean[14] = 10;
  m.scale[14] = 4;
  m.weights[2] = 1;  // mean 0, scale 1: weight * value, as model format 1
  RiskFeatures x{};
  x[10] = 9;  // 3 standard deviations above the mean: +2.4
  x[14] = 4;  // 1.5 below: +1.8
  x[2] = 0.5;
  const RiskFeatures c = risk_contributions(m, x);
  EXPECT_DOUBLE_EQ(c[10], 2.4);
  EXPECT_DOUBLE_EQ(c[14], 1.8);
  EXPECT_DOUBLE_EQ(c[2], 0.5);
  double sum = 0;
  for (double v : c) sum += v;
  const RiskScore s = score_risk(m, x);
  EXPECT_NEAR(std::log(s.score / (1 - s.score)) - m.bias, sum, 1e-12);
  ASSERT_EQ(s.reasons.size(), 3u);
  EXPECT_EQ(s.reasons[0].first, 10);
  EXPECT_EQ(s.reasons[1].first, 14);
  EXPECT_EQ(s.reasons[2].first, 2);
}

TEST(ChurnRisk, ReasonsInWords) {
  RiskFeatures f{};
  f[10] = 6;
  f[11] = 9;
  f[13] = 1;
  f[15] = 9;
  f[17] = 2;
  f[18] = 7;
  EXPECT_EQ(describe_risk_reason(13, f), "active 1 of the last 14 days, down from 9");
  EXPECT_EQ(describe_risk_reason(10, f), "last active 6 days ago");
  EXPECT_EQ(describe_risk_reason(0, f), "silent for 6 days");
  f[27] = 2.5;
  EXPECT_EQ(describe_risk_reason(0, f), "silent for 6 days, usually back every 2.5 days");
  EXPECT_EQ(describe_risk_reason(2, f), "joined 9 days ago");
  EXPECT_EQ(describe_risk_reason(17, f), "2 sessions in the last 7 days, down from 7");
  f[15] = 0;
  EXPECT_EQ(describe_risk_reason(15, f), "active 1 of the last 14 days");
  for (int i = 0; i < kRiskFeatureCount; ++i) EXPECT_FALSE(describe_risk_reason(i, f).empty());
}

TEST(ChurnRisk, ModelFileSetsNamedWeights) {
  auto path = std::filesystem::temp_directory_path() / "engaged-risk-model.yaml";
  // Format 1 (the previous release's): weights only.
  std::ofstream(path) << "bias: -2\nweights:\n  newcomer: 0.25\n  ticket_over_sla: 4\n";
  const RiskModel m = load_risk_model(path.string());
  EXPECT_EQ(m.bias, -2);
  EXPECT_EQ(m.weights[2], 0.25);
  EXPECT_EQ(m.weights[5], 4);
  EXPECT_EQ(m.weights[0], 0);  // unnamed
  EXPECT_EQ(m.mean[2], 0);
  EXPECT_EQ(m.scale[2], 1);
  std::ofstream(path) << "weights: {no_such_feature: 1}\n";
  EXPECT_THROW(load_risk_model(path.string()), std::invalid_argument);
  std::ofstream(path) << "format: 4\nbias: 1\n";
  EXPECT_THROW(load_risk_model(path.string()), std::invalid_argument);
  std::ofstream(path) << "format: 3\nbias: 1\n";  // without its cohort reference
  EXPECT_THROW(load_risk_model(path.string()), std::invalid_argument);
  std::ofstream(path) << "format: 2\nfeatures: {tenure_days: {weight: 1, median: 2}}\n";
  EXPECT_THROW(load_risk_model(path.string()), std::invalid_argument);
  std::filesystem::remove(path);
}

TEST(ChurnRisk, BuiltInModelCoversEveryFeature) {
  // A default array shorter than the feature list would leave scale 0: a division by zero.
  const RiskModel m;
  for (int i = 0; i < kRiskFeatureCount; ++i) EXPECT_GT(m.scale[i], 0) << risk_feature_name(i);
  EXPECT_TRUE(std::isfinite(score_risk(m, RiskFeatures{}).score));
}

TEST(ChurnRisk, ModelFileRoundTrip) {
  RiskModel m;
  m.bias = -1.25;
  for (int i = 0; i < kRiskFeatureCount; ++i) {
    m.weights[i] = 0.5 * i - 3;
    m.mean[i] = i * 1.5;
    m.scale[i] = 0.25 + i;
  }
  auto path = std::filesystem::temp_directory_path() / "engaged-risk-model-v2.yaml";
  m.actions = {"take_quiz", "odd, \"name\""};
  std::ofstream(path) << format_risk_model(m, "fitted by a test\nsecond line");
  const RiskModel r = load_risk_model(path.string());
  EXPECT_EQ(r.actions, m.actions);
  EXPECT_EQ(r.bias, m.bias);
  EXPECT_EQ(r.weights, m.weights);
  EXPECT_EQ(r.mean, m.mean);
  EXPECT_EQ(r.scale, m.scale);
  EXPECT_TRUE(r.cohort.empty());
  // With a cohort reference: format 3, and the counts come back.
  m.cohort.add(3, 2);
  m.cohort.add(200, 30);
  m.cohort.counts[2][7] = 4000000000u;
  std::ofstream(path) << format_risk_model(m, "");
  const RiskModel c = load_risk_model(path.string());
  EXPECT_EQ(c.cohort.counts, m.cohort.counts);
  EXPECT_EQ(c.weights, m.weights);
  // A reference with other age bands is refused, not misread.
  std::ofstream(path) << "format: 3\ncohort: {ages_from: [0, 7], active_days_30: [[1]]}\n";
  EXPECT_THROW(load_risk_model(path.string()), std::invalid_argument);
  std::filesystem::remove(path);
}

}  // namespace
}  // namespace engaged
