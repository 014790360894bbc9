// Newton's method on the regularised log loss; the Hessian is kParams x kParams (the features and
// the bias: 11x11), solved by Gaussian elimination with partial pivoting.
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

RiskModel fit_risk_model(const std::vector<LabelledExample>& examples, double l2, int iterations) {
  Vec w{};
  const double n = std::max<double>(1, static_cast<double>(examples.size()));
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
  RiskModel m;
  m.bias = w[0];
  for (int i = 0; i < kRiskFeatureCount; ++i) m.weights[i] = w[i + 1];
  return m;
}

RiskEvaluation evaluate_risk_model(const RiskModel& model,
                                   const std::vector<LabelledExample>& examples, double threshold) {
  RiskEvaluation ev;
  std::vector<std::pair<double, bool>> scored;
  scored.reserve(examples.size());
  int64_t flagged = 0, flagged_churned = 0;
  for (const auto& e : examples) {
    const double s = score_risk(model, e.x).score;
    scored.emplace_back(s, e.churned);
    ev.churned += e.churned;
    if (s >= threshold) {
      ++flagged;
      flagged_churned += e.churned;
    }
    auto& bin = ev.calibration[static_cast<size_t>(std::min(9, static_cast<int>(s * 10)))];
    ++bin.n;
    bin.mean_score += s;
    bin.churn_rate += e.churned;
  }
  ev.n = static_cast<int64_t>(examples.size());
  for (auto& bin : ev.calibration)
    if (bin.n) {
      bin.mean_score /= static_cast<double>(bin.n);
      bin.churn_rate /= static_cast<double>(bin.n);
    }
  ev.precision = flagged ? static_cast<double>(flagged_churned) / flagged : 0;
  ev.recall = ev.churned ? static_cast<double>(flagged_churned) / ev.churned : 0;
  // AUC by ranks (Mann-Whitney), ties sharing their mean rank.
  std::sort(scored.begin(), scored.end());
  double rank_sum = 0;
  for (size_t i = 0; i < scored.size();) {
    size_t j = i;
    while (j < scored.size() && scored[j].first == scored[i].first) ++j;
    const double mean_rank = (static_cast<double>(i + 1) + static_cast<double>(j)) / 2;
    for (size_t k = i; k < j; ++k)
      if (scored[k].second) rank_sum += mean_rank;
    i = j;
  }
  const double pos = static_cast<double>(ev.churned), neg = static_cast<double>(ev.n - ev.churned);
  ev.auc = pos > 0 && neg > 0 ? (rank_sum - pos * (pos + 1) / 2) / (pos * neg) : 0;
  return ev;
}

}  // namespace engaged
