// `engaged train`: fits the churn-risk model the way it is used. The log is replayed once; at
// the end of every day of it the state is read as `run` would score it then, and users are
// observed at points of their own timeline (7, 14, 21 and 28 days after their first activity,
// then every 7 days of the log while active in the last 30). Each observation is labelled
// churned when the user has no active day in the N days after it; observations whose N days
// the log does not cover are left out. External labels (--labels) replace both. The fit uses
// earlier days and 80 % of the users; the rest judge it: later days, other users and both. The
// fit set's users by age and active days are the model's cohort reference (the percentile
// feature), so the hold-outs are judged against a reference they did not shape.
// Prints AUC, PR-AUC, the top decile's precision and recall, and calibration; writes the model.
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <unordered_map>

#include "app/commands.h"
#include "app/risk_model_file.h"
#include "app/zone_files.h"
#include "domain/timestamp.h"
#include "processors/program/nudge_kind.h"
#include "processors/program/risk_training.h"
#include "processors/runtime/state_tables.h"
#include "state/format_upgrade.h"
#include "state/store.h"

namespace engaged {
namespace {

constexpr int kObservedAges[] = {7, 14, 21, 28};
constexpr double kOtherUsersShare = 0.2;  // users kept out of the fit

struct Observation {
  LabelledExample example;
  bool other_users = false;  // in the user hold-out group
  std::string kind;          // "age 7" .. "age 28", "weekly", "label"
};

// A label from --labels: user_id,label[,as_of]. Without as_of: as of the end of the log.
struct ExternalLabel {
  bool churned = false;
  int32_t as_of = kNoDay;
};

std::unordered_multimap<std::string, ExternalLabel> read_labels(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("train: cannot read labels file " + path);
  std::unordered_multimap<std::string, ExternalLabel> labels;
  std::string line;
  for (int n = 1; std::getline(in, line); ++n) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) continue;
    std::vector<std::string_view> f;
    for (size_t at = 0;;) {
      const size_t comma = line.find(',', at);
      f.emplace_back(std::string_view(line).substr(at, comma - at));
      if (comma == std::string::npos) break;
      at = comma + 1;
    }
    if (n == 1 && f.size() >= 2 && f[1] != "0" && f[1] != "1") continue;  // a header
    if (f.size() < 2 || f.size() > 3 || f[0].empty() || (f[1] != "0" && f[1] != "1"))
      throw std::runtime_error(fmt::format(
          "train: {} line {}: expected user_id,label[,as_of] with label 0 or 1", path, n));
    ExternalLabel l{f[1] == "1", kNoDay};
    if (f.size() == 3) {
      const auto day = parse_day(f[2]);
      if (!day)
        throw std::runtime_error(
            fmt::format("train: {} line {}: as_of must be YYYY-MM-DD, not {}", path, n, f[2]));
      l.as_of = *day;
    }
    labels.emplace(std::string(f[0]), l);
  }
  return labels;
}

// Collects the observations while the log is replayed (see the file comment).
class Observer {
 public:
  Observer(const Config& config, const TrainOptions& o)
      : tz_(load_time_zone(config.timezone)),
        label_days_(o.label_after_days),
        sla_ms_(config.support_sla_ms),
        aha_count_(aha_config(config).count) {
    if (!o.labels.empty()) labels_ = read_labels(o.labels);
  }

  // replay's on_pause: the state is complete up to the event at `ts_ms`.
  int64_t pause(Store& store, int64_t ts_ms) {
    const int32_t day = tz_.day_of(ts_ms);
    if (first_day_ == kNoDay) first_day_ = current_ = day;
    for (; current_ < day; ++current_) observe(store, current_, false);
    current_ = day;
    return tz_.day_start_ms(day + 1);
  }
  // After the replay: the last day of the log.
  void finish(Store& store) {
    if (first_day_ == kNoDay) throw std::runtime_error("train: no events in the input");
    observe(store, current_, true);
    last_day_ = current_;
  }

  std::vector<Observation>& observations() { return done_; }
  int32_t last_day() const { return last_day_; }
  size_t unobserved_future() const {
    size_t n = 0;
    for (const auto& [user, list] : pending_) n += list.size();
    return n;
  }

 private:
  void observe(Store& store, int32_t day, bool last) {
    // activity_percentile_at_age is filled in once the fit set's reference is known.
    const RiskInputs in{day, tz_.day_start_ms(day + 1) - 1, sla_ms_, aha_count_, nullptr};
    for_each_user(store, [&](std::string_view id, const UserActivity& a, const UserProfile& p) {
      const std::string user(id);
      if (!labels_.empty()) {
        auto [from, to] = labels_.equal_range(user);
        for (auto it = from; it != to; ++it)
          if (it->second.as_of == day || (last && it->second.as_of == kNoDay))
            done_.push_back({{risk_features(a, p, in), it->second.churned, day},
                             in_holdout("churn-evaluation", id, kOtherUsersShare),
                             "label"});
        return;
      }
      if (auto it = pending_.find(user); it != pending_.end()) {
        std::erase_if(it->second, [&](Observation& o) {
          if (o.example.day + label_days_ != day) return false;
          o.example.churned = !a.any_active(o.example.day + 1, day);
          done_.push_back(std::move(o));
          return true;
        });
        if (it->second.empty()) pending_.erase(it);
      }
      // Users already gone (no activity in the 30 days before) are not at risk any more.
      if (last || !a.known() || a.cohort_day > day || !a.any_active(day - 29, day)) return;
      const int age = day - a.cohort_day;
      std::string kind;
      if (std::find(std::begin(kObservedAges), std::end(kObservedAges), age) !=
          std::end(kObservedAges))
        kind = fmt::format("age {}", age);
      else if (age > kObservedAges[3] && (day - first_day_) % 7 == 6)
        kind = "weekly";
      else
        return;
      pending_[user].push_back({{risk_features(a, p, in), false, day},
                                in_holdout("churn-evaluation", id, kOtherUsersShare),
                                std::move(kind)});
    });
  }

  TimeZone tz_;
  int label_days_;
  int64_t sla_ms_;
  int aha_count_;
  std::unordered_multimap<std::string, ExternalLabel> labels_;
  int32_t first_day_ = kNoDay, current_ = kNoDay, last_day_ = kNoDay;
  std::unordered_map<std::string, std::vector<Observation>> pending_;
  std::vector<Observation> done_;
};

void print_evaluation(std::string_view name, const RiskEvaluation& ev) {
  fmt::print("  {:<24} {:>8} {:>8} {:>7.3f} {:>7.3f} {:>10.3f} {:>10.3f} {:>9.3f} {:>9.3f}\n", name,
             ev.n, ev.churned, ev.auc, ev.pr_auc, ev.top_decile_precision, ev.top_decile_recall,
             ev.precision, ev.recall);
}

void print_calibration(const RiskEvaluation& ev) {
  fmt::print("calibration: score bin, examples, mean score, churn rate\n");
  for (size_t b = 0; b < ev.calibration.size(); ++b)
    if (ev.calibration[b].n)
      fmt::print("  [{:.1f}, {:.1f}) {:>8} {:>8.3f} {:>8.3f}\n", b / 10.0, (b + 1) / 10.0,
                 ev.calibration[b].n, ev.calibration[b].mean_score, ev.calibration[b].churn_rate);
}

void write_examples(const std::string& path, const std::vector<Observation>& all,
                    const std::vector<std::string_view>& split) {
  std::ofstream out(path);
  if (!out) throw std::runtime_error("train: cannot write " + path);
  out << "split,kind,day,churned";
  for (int i = 0; i < kRiskFeatureCount; ++i) out << ',' << risk_feature_name(i);
  out << '\n';
  for (size_t k = 0; k < all.size(); ++k) {
    const auto& o = all[k];
    out << split[k] << ',' << o.kind << ',' << format_day(o.example.day) << ','
        << (o.example.churned ? 1 : 0);
    for (double x : o.example.x) out << ',' << fmt::format("{:.6g}", x);
    out << '\n';
  }
}

// Replays one log into a fresh state (a new o.state_dir, or a temporary one) and returns its
// observations.
std::vector<Observation> observe_log(const Config& config, const TrainOptions& o,
                                     const std::string& input, size_t& unobserved) {
  const bool own_state = o.state_dir.empty();
  const std::string state =
      own_state
          ? (std::filesystem::temp_directory_path() / fmt::format("engaged-train-{}", ::getpid()))
                .string()
          : o.state_dir;
  Config c = config;
  c.state_dir = state;
  c.metrics_listen.clear();
  // The observations need the log from its first line: a state that already holds some of it
  // would skip them. Never clear a directory the user named.
  if (own_state)
    std::filesystem::remove_all(state);
  else if (std::filesystem::exists(state) && !std::filesystem::is_empty(state))
    throw std::invalid_argument("train: --state " + state +
                                " is not empty; train replays the log from its start into a new "
                                "state: name a new directory");
  Observer observer(config, o);
  ReplayOptions replay_options;
  replay_options.input = input;
  replay_options.partitions = o.partitions;
  replay_options.keyed = o.keyed;
  replay_options.quiet = true;
  replay_options.on_pause = [&](Store& s, int64_t ts) { return observer.pause(s, ts); };
  replay_options.pause_at_ms = INT64_MIN;
  replay(c, replay_options);
  {
    auto store = open_state_for_reading(state);
    observer.finish(*store);
  }
  if (own_state) std::filesystem::remove_all(state);
  unobserved += observer.unobserved_future();
  return std::move(observer.observations());
}

}  // namespace

int train(const Config& config, const TrainOptions& o) {
  if (!o.state_dir.empty() && o.inputs.size() > 1)
    throw std::invalid_argument("train: --state keeps the state of one --input, not several");
  std::vector<Observation> all;
  size_t unobserved = 0;
  for (const auto& input : o.inputs) {
    auto observations = observe_log(config, o, input, unobserved);
    all.insert(all.end(), std::make_move_iterator(observations.begin()),
               std::make_move_iterator(observations.end()));
  }
  std::stable_sort(all.begin(), all.end(), [](const Observation& a, const Observation& b) {
    return a.example.day < b.example.day;
  });
  std::set<int32_t> days;
  for (const auto& ob : all) days.insert(ob.example.day);
  if (o.labels.empty())
    fmt::print(
        "{} observations (ages 7/14/21/28 and weekly), label: no activity in the next {} days; "
        "{} left out whose next {} days the log does not cover\n",
        all.size(), o.label_after_days, unobserved, o.label_after_days);
  else
    fmt::print("{} observations with labels from {}\n", all.size(), o.labels);
  if (all.empty()) throw std::runtime_error("train: no observations: is the log long enough?");

  // The latest quarter of observation days is the time hold-out (none with a single day).
  const int32_t first_later =
      days.size() < 2
          ? INT32_MAX
          : *std::next(days.begin(),
                       static_cast<long>(days.size() - std::max<size_t>(1, days.size() / 4)));
  auto in_fit = [&](const Observation& ob) {
    return ob.example.day < first_later && !ob.other_users;
  };
  // A model to judge (--evaluate) brings its own cohort reference; a fit counts its fit set's.
  const RiskModel judged =
      o.evaluate.empty() || o.evaluate == "builtin" ? RiskModel{} : load_risk_model(o.evaluate);
  CohortReference cohort = judged.cohort;
  if (o.evaluate.empty())
    for (const auto& ob : all)
      if (in_fit(ob))
        cohort.add(static_cast<int>(ob.example.x[11]), static_cast<int>(ob.example.x[14]));
  for (auto& ob : all)
    ob.example.x[29] =
        cohort.percentile(static_cast<int>(ob.example.x[11]), static_cast<int>(ob.example.x[14]));

  std::vector<std::string_view> split(all.size());
  std::vector<LabelledExample> fit_set, later, other, both;
  for (size_t k = 0; k < all.size(); ++k) {
    const auto& ob = all[k];
    const bool is_later = ob.example.day >= first_later;
    auto& to = is_later ? (ob.other_users ? both : later) : (ob.other_users ? other : fit_set);
    split[k] = is_later ? (ob.other_users ? "later_days_other_users" : "later_days")
                        : (ob.other_users ? "other_users" : "fit");
    to.push_back(ob.example);
  }
  if (!o.examples_out.empty()) write_examples(o.examples_out, all, split);

  const double threshold = config.risk_threshold;
  fmt::print("  {:<24} {:>8} {:>8} {:>7} {:>7} {:>10} {:>10} {:>9} {:>9}\n", "examples", "n",
             "churned", "AUC", "PR-AUC", "top10%prec", "top10%rec", "prec@thr", "rec@thr");
  if (!o.evaluate.empty()) {
    // Judge a given model (or the built-in weights) on every observation: nothing is fitted.
    const RiskModel& model = judged;
    std::vector<LabelledExample> every;
    for (const auto& ob : all) every.push_back(ob.example);
    const RiskEvaluation ev = evaluate_risk_model(model, every, threshold);
    print_evaluation("all", ev);
    print_calibration(ev);
    return 0;
  }
  const int64_t fit_churned =
      std::count_if(fit_set.begin(), fit_set.end(), [](const auto& e) { return e.churned; });
  if (fit_set.empty() || fit_churned == 0 || fit_churned == std::ssize(fit_set))
    throw std::runtime_error(fmt::format(
        "train: cannot fit on {} examples of which {} churned: both outcomes are needed (a "
        "longer log, a shorter --label-after-days, or other labels)",
        fit_set.size(), fit_churned));
  for (const auto& name : o.without) {
    const int i = risk_feature_of_name(name);
    if (i < 0) throw std::invalid_argument("train: --without: unknown feature " + name);
    for (auto& e : fit_set) e.x[i] = 0;  // constant: weight 0
  }
  RiskModel model = fit_risk_model(fit_set);
  model.actions = risk_config(config).actions;
  model.cohort = cohort;
  print_evaluation("fit", evaluate_risk_model(model, fit_set, threshold));
  if (!later.empty()) print_evaluation("later days", evaluate_risk_model(model, later, threshold));
  if (!other.empty()) print_evaluation("other users", evaluate_risk_model(model, other, threshold));
  const std::vector<LabelledExample>& holdout = both.empty() ? other : both;
  const RiskEvaluation ev = evaluate_risk_model(model, holdout, threshold);
  if (!both.empty()) print_evaluation("later days, other users", ev);
  fmt::print("(prec@thr and rec@thr: score >= risk.threshold {:.2f})\n", threshold);
  print_calibration(ev);

  const std::string yaml = format_risk_model(
      model,
      fmt::format("engaged train --label-after-days {}: hold-out ({}) AUC {:.3f}, PR-AUC {:.3f}",
                  o.label_after_days, both.empty() ? "other users" : "later days, other users",
                  ev.auc, ev.pr_auc));
  fmt::print("{}", yaml);
  if (!o.model_out.empty()) {
    std::ofstream(o.model_out) << yaml;
    fmt::print("model written to {} (use it with --set risk.model={})\n", o.model_out, o.model_out);
  }
  return 0;
}

}  // namespace engaged
