// Newton's method on the regularised log loss; the Hessian is kParams x kParams (the features and
// the bias), solved by Gaussian elimination with partial pivoting.
#include "processors/program/risk_training.h"

#include <algorithm>
#include <cmath>
#include <utility>

namespace engaged {
namespace {

constexpr int kParams = kRiskFeatureCount + 1;  // bias first
using Vec = std::array<double, kParams>;
using Mat = std::array<Vec, kParams>;

Vec solve(Mat a, Vec b) {
  for (int c = 0; c < kParams; ++c) {
    int pivot = c;
    for (int r = c + 1; r < kParams; ++r)
      if (std::abs(a[r][c]) > std::abs(a[pivot][c])) pivot = r;
    std::swap(a[c], a[pivot]);
    std::swap(b[c], b[pivot]);
    if (std::abs(a[c][c]) < 1e-12) continue;
    for (int r = 0; r < kParams; ++r) {
      if (r == c) continue;
      const double k = a[r][c] / a[c][c];
      for (int j = c; j < kParams; ++j) a[r][j] -= k * a[c][j];
      b[r] -= k * b[c];
    }
  }
  Vec x{};
  for (int c = 0; c < kParams; ++c) x[c] = std::abs(a[c][c]) < 1e-12 ? 0 : b[c] / a[c][c];
  return x;
}

double predict(const Vec& w, const RiskFeatures& x) {
  double z = w[0];
  for (int i = 0; i < kRiskFeatureCount; ++i) z += w[i + 1] * x[i];
  return 1.0 / (1.0 + std::exp(-z));
}

}  // namespace

RiskModel fit_risk_model(const std::vector<LabelledExample>& input, double l2, int iterations) {
  // Standardised features: each weight is per standard deviation, so l2 treats them alike. A
  // feature that never varies keeps weight 0.
  RiskModel m;
  m.mean = {};
  const double n = std::max<double>(1, static_cast<double>(input.size()));
  for (const auto& e : input)
    for (int i = 0; i < kRiskFeatureCount; ++i) m.mean[i] += e.x[i] / n;
  RiskFeatures var{};
  for (const auto& e : input)
    for (int i = 0; i < kRiskFeatureCount; ++i)
      var[i] += (e.x[i] - m.mean[i]) * (e.x[i] - m.mean[i]) / n;
  for (int i = 0; i < kRiskFeatureCount; ++i) m.scale[i] = var[i] > 1e-12 ? std::sqrt(var[i]) : 1.0;
  std::vector<LabelledExample> examples = input;
  for (auto& e : examples)
    for (int i = 0; i < kRiskFeatureCount; ++i) e.x[i] = (e.x[i] - m.mean[i]) / m.scale[i];

  Vec w{};
  for (int it = 0; it < iterations; ++it) {
    Vec g{};
    Mat h{};
    for (const auto& e : examples) {
      const double p = predict(w, e.x);
      const double r = p - (e.churned ? 1.0 : 0.0), s = p * (1 - p);
      std::array<double, kParams> v{1.0};
      for (int i = 0; i < kRiskFeatureCount; ++i) v[i + 1] = e.x[i];
      for (int a = 0; a < kParams; ++a) {
        g[a] += r * v[a] / n;
        for (int b = 0; b < kParams; ++b) h[a][b] += s * v[a] * v[b] / n;
      }
    }
    for (int a = 1; a < kParams; ++a) {
      g[a] += l2 * w[a];
      h[a][a] += l2;
    }
    const Vec step = solve(h, g);
    double size = 0;
    for (int a = 0; a < kParams; ++a) {
      w[a] -= step[a];
      size = std::max(size, std::abs(step[a]));
    }
    if (size < 1e-9) break;
  }
  m.bias = w[0];
  for (int i = 0; i < kRiskFeatureCount; ++i) m.weights[i] = var[i] > 1e-12 ? w[i + 1] : 0.0;
  return m;
}

RiskEvaluation evaluate_risk_model(const RiskModel& model,
                                   const std::vector<LabelledExample>& examples, double threshold) {
  std::vector<std::pair<double, bool>> scored;
  scored.reserve(examples.size());
  for (const auto& e : examples) scored.emplace_back(score_risk(model, e.x).score, e.churned);
  return evaluate_scores(scored, threshold);
}

RiskEvaluation evaluate_scores(const std::vector<std::pair<double, bool>>& input,
                               double threshold) {
  RiskEvaluation ev;
  ev.n = static_cast<int64_t>(input.size());
  int64_t flagged = 0, flagged_churned = 0;
  for (const auto& [s, churned] : input) {
    ev.churned += churned;
    if (s >= threshold) {
      ++flagged;
      flagged_churned += churned;
    }
    auto& bin = ev.calibration[static_cast<size_t>(std::clamp(static_cast<int>(s * 10), 0, 9))];
    ++bin.n;
    bin.mean_score += s;
    bin.churn_rate += churned;
  }
  for (auto& bin : ev.calibration)
    if (bin.n) {
      bin.mean_score /= static_cast<double>(bin.n);
      bin.churn_rate /= static_cast<double>(bin.n);
    }
  ev.precision = flagged ? static_cast<double>(flagged_churned) / flagged : 0;
  ev.recall = ev.churned ? static_cast<double>(flagged_churned) / ev.churned : 0;
  const double pos = static_cast<double>(ev.churned), neg = static_cast<double>(ev.n - ev.churned);
  if (pos == 0) return ev;

  // Highest score first; among equal scores, input order (stable).
  std::vector<size_t> order(input.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return input[a].first > input[b].first; });
  const size_t top = (order.size() + 9) / 10;
  int64_t top_churned = 0;
  for (size_t i = 0; i < top; ++i) top_churned += input[order[i]].second;
  ev.top_decile_precision = static_cast<double>(top_churned) / static_cast<double>(top);
  ev.top_decile_recall = static_cast<double>(top_churned) / pos;

  // AUC by ranks (Mann-Whitney) and average precision, one pass over groups of equal scores
  // from the highest down: a group of k examples ranks n - i - k + 1 .. n - i.
  double rank_sum = 0, seen = 0, seen_churned = 0;
  for (size_t i = 0; i < order.size();) {
    size_t j = i;
    double group_churned = 0;
    while (j < order.size() && input[order[j]].first == input[order[i]].first)
      group_churned += input[order[j++]].second;
    const double n = static_cast<double>(order.size());
    const double mean_rank = n - (static_cast<double>(i) + static_cast<double>(j) - 1) / 2;
    rank_sum += mean_rank * group_churned;
    seen += static_cast<double>(j - i);
    seen_churned += group_churned;
    ev.pr_auc += (group_churned / pos) * (seen_churned / seen);
    i = j;
  }
  ev.auc = neg > 0 ? (rank_sum - pos * (pos + 1) / 2) / (pos * neg) : 0;
  return ev;
}

}  // namespace engaged
