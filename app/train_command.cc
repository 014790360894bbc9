// `engaged train`: replays a log into a state, turns every engaged user on a series of past
// observation days into a labelled example (churned = no activity in the N days after), fits the
// churn-risk weights on the earlier days and judges them on the later ones (a time-based
// hold-out): AUC, precision and recall at risk.threshold, calibration. Writes the model file.
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <filesystem>
#include <fstream>
#include <set>

#include "app/commands.h"
#include "app/zone_files.h"
#include "domain/timestamp.h"
#include "processors/program/risk_training.h"
#include "processors/runtime/state_tables.h"
#include "state/format_upgrade.h"
#include "state/store.h"

namespace engaged {

int train(const Config& config, const TrainOptions& o) {
  const bool own_state = o.state_dir.empty();
  const std::string state =
      own_state
          ? (std::filesystem::temp_directory_path() / fmt::format("engaged-train-{}", ::getpid()))
                .string()
          : o.state_dir;
  Config c = config;
  c.state_dir = state;
  c.metrics_listen.clear();
  if (own_state) std::filesystem::remove_all(state);
  replay(c, {.input = o.input, .partitions = o.partitions, .keyed = o.keyed, .quiet = true});

  const TimeZone tz = load_time_zone(config.timezone);
  const int n = o.label_after_days;
  std::vector<LabelledExample> examples;
  std::set<int32_t> days;
  {
    auto store = open_state_for_reading(state);
    const StateTables t = read_tables(*store);
    if (t.stream_time_ms == kNoTime) throw std::runtime_error("train: no events in the input");
    const int32_t last_complete = tz.day_of(t.stream_time_ms) - 1;
    // Weekly observation days whose label window has ended and whose feature window is still
    // inside every user's 128-day state (T - 55 >= last day - 127).
    for (int32_t day = last_complete - n; day >= last_complete - 72; day -= 7) days.insert(day);
    const int aha_count = aha_config(config).count;
    for_each_user(*store, [&](std::string_view, const UserActivity& a, const UserProfile& p) {
      for (int32_t day : days) {
        // Users already gone (no activity in the 30 days before) are not at risk any more.
        if (!a.known() || a.cohort_day > day || !a.any_active(day - 29, day)) continue;
        const RiskInputs in{day, tz.day_start_ms(day + 1) - 1, config.support_sla_ms, aha_count};
        examples.push_back({risk_features(a, p, in), !a.any_active(day + 1, day + n), day});
      }
    });
  }
  if (own_state) std::filesystem::remove_all(state);
  if (days.size() < 2) throw std::runtime_error("train: the log is too short for a hold-out");
  // The latest quarter of observation days (at least one) is the hold-out.
  const size_t holdout_days = std::max<size_t>(1, days.size() / 4);
  const int32_t first_holdout = *std::next(days.begin(), days.size() - holdout_days);
  std::vector<LabelledExample> fit_set, holdout;
  for (auto& e : examples) (e.day < first_holdout ? fit_set : holdout).push_back(e);

  const RiskModel model = fit_risk_model(fit_set);
  const RiskEvaluation ev = evaluate_risk_model(model, holdout, config.risk_threshold);
  fmt::print("observation days {}..{} (every 7), label: no activity in the next {} days\n",
             format_day(*days.begin()), format_day(*days.rbegin()), n);
  fmt::print("fit on {} examples before {}; hold-out {} examples, {} churned\n", fit_set.size(),
             format_day(first_holdout), ev.n, ev.churned);
  fmt::print("AUC {:.3f}; at threshold {:.2f}: precision {:.3f}, recall {:.3f}\n", ev.auc,
             config.risk_threshold, ev.precision, ev.recall);
  fmt::print("calibration (hold-out): score bin, examples, mean score, churn rate\n");
  for (size_t b = 0; b < ev.calibration.size(); ++b)
    if (ev.calibration[b].n)
      fmt::print("  [{:.1f}, {:.1f}) {:>8} {:>8.3f} {:>8.3f}\n", b / 10.0, (b + 1) / 10.0,
                 ev.calibration[b].n, ev.calibration[b].mean_score, ev.calibration[b].churn_rate);
  std::string yaml =
      fmt::format("# engaged train --label-after-days {} (hold-out AUC {:.3f})\n", n, ev.auc);
  yaml += fmt::format("bias: {:.6f}\nweights:\n", model.bias);
  for (int i = 0; i < kRiskFeatureCount; ++i)
    yaml += fmt::format("  {}: {:.6f}\n", risk_feature_name(i), model.weights[i]);
  fmt::print("{}", yaml);
  if (!o.model_out.empty()) {
    std::ofstream(o.model_out) << yaml;
    fmt::print("model written to {} (use it with --set risk.model={})\n", o.model_out, o.model_out);
  }
  return 0;
}

}  // namespace engaged
