// The `engaged` command line: one binary, one subcommand per job (run, replay, train, report,
// restore, loadgen, kafka, demo, state, check-events, probe, config). Parsing only; the work is in
// app/*_command.cc.
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <malloc.h>
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <iostream>
#include <map>

#include "app/build_info.h"
#include "app/commands.h"
#include "app/config.h"
#include "app/log_format.h"
#include "domain/timestamp.h"

using namespace engaged;

namespace {

int32_t yesterday_utc() {
  auto now = std::chrono::system_clock::now().time_since_epoch();
  return utc_day_of(std::chrono::duration_cast<std::chrono::milliseconds>(now).count()) - 1;
}

int32_t day_arg(const std::string& s) {
  auto d = parse_day(s);
  if (!d) throw CLI::ValidationError("expected a date like 2026-06-30: " + s);
  return *d;
}

void add_population_options(CLI::App* cmd, PopulationOptions& p, std::string& end) {
  cmd->add_option("--seed", p.seed, "PRNG seed (same seed, same output)")->capture_default_str();
  cmd->add_option("--flavour", p.flavour,
                  "app: users at their own pace, churners fade out; course: weekly deadlines, "
                  "bursts, dropouts after missed deadlines")
      ->transform(CLI::CheckedTransformer(
          std::map<std::string, Flavour>{{"app", Flavour::kApp}, {"course", Flavour::kCourse}},
          CLI::ignore_case))
      ->default_str("app");
  cmd->add_option("--users", p.users, "users who sign up over the period")->capture_default_str();
  cmd->add_option("--days", p.days, "length of the period in days")->capture_default_str();
  cmd->add_option("--end", end, "last day of the period, YYYY-MM-DD (default: yesterday, UTC)");
  cmd->add_option("--invalid-rate", p.invalid_rate, "share of deliberately invalid messages")
      ->capture_default_str();
  cmd->add_option("--late-fraction", p.late_fraction, "share of events emitted out of order")
      ->capture_default_str();
  cmd->add_option("--epoch-ms-share", p.epoch_ms_share, "share of epoch-millisecond timestamps")
      ->capture_default_str();
}

}  // namespace

int main(int argc, char** argv) {
  // Checkpoints build and free large buffers (write batches, segments) every second; by default
  // glibc hands those back to the kernel and faults in fresh zeroed pages next time, which cost
  // 3-4 % of replay's CPU. Keep up to 512 MiB of freed memory for reuse instead.
  mallopt(M_MMAP_THRESHOLD, 64 << 20);
  mallopt(M_TRIM_THRESHOLD, 512 << 20);
  CLI::App app{"engaged: event-sourced engagement pipeline (Kafka -> RocksDB -> Prometheus)"};
  app.require_subcommand(1);
  app.set_version_flag("--version", version_line(), "print the version, commit and libraries");
  std::string log_level = "info";
  // An unknown level is refused (spdlog would take it for "off" and hide the errors too).
  app.add_option("--log-level", log_level, "trace|debug|info|warn|error|critical|off")
      ->capture_default_str()
      ->envname("ENGAGED_LOG_LEVEL")
      ->transform(CLI::IsMember({"trace", "debug", "info", "warn", "error", "critical", "off"},
                                CLI::ignore_case));
  std::string log_format = "text";
  app.add_option("--log-format", log_format, "text, or json: one JSON object per line")
      ->capture_default_str()
      ->envname("ENGAGED_LOG_FORMAT")
      ->check(CLI::IsMember({"text", "json"}));

  // Shared by every command that reads settings: config file + --set overrides (environment in
  // between).
  std::string config_file;
  std::vector<std::string> overrides;
  auto add_config_options = [&](CLI::App* cmd) {
    cmd->add_option("--config,-c", config_file, "YAML config file (see config/engaged.yaml)");
    cmd->add_option("--set", overrides, "override a setting: key=value (repeatable)");
  };

  auto* run =
      app.add_subcommand("run", "consume the events topic, process, checkpoint, export metrics");
  add_config_options(run);
  RunOptions run_options;
  std::string brokers;
  run->add_option("--brokers", brokers, "shortcut for --set kafka.bootstrap.servers=...");
  run->add_option("--idle-exit-ms", run_options.idle_exit_ms,
                  "exit after this long without input (0 = until SIGTERM)");

  auto* replay_cmd =
      app.add_subcommand("replay", "run the processors over NDJSON (backfill, tests, benchmarks)");
  add_config_options(replay_cmd);
  ReplayOptions replay_options;
  std::string replay_state;
  replay_cmd->add_option("--input,-i", replay_options.input, "NDJSON file, - for stdin")
      ->required();
  replay_cmd->add_option("--state", replay_state, "state directory (overrides state.dir)");
  replay_cmd
      ->add_option("--partitions", replay_options.partitions,
                   "partitions to spread users over (as the events topic)")
      ->capture_default_str();
  replay_cmd->add_option("--dead-letters", replay_options.dead_letter_file,
                         "append rejected lines to this NDJSON file");
  replay_cmd
      ->add_option("--threads", replay_options.threads,
                   "workers, each owning a share of the partitions (1 with metrics)")
      ->capture_default_str();
  replay_cmd->add_option("--nudges", replay_options.nudges_file,
                         "append the decided nudges (nudge.v1 JSON lines) to this file");
  replay_cmd->add_flag("--keyed", replay_options.keyed,
                       "lines are key<TAB>json (kcat -K'\\t'); partition by that key");

  auto* train_cmd = app.add_subcommand(
      "train", "fit the churn-risk model on a log; print AUC, PR-AUC and calibration");
  add_config_options(train_cmd);
  TrainOptions train_options;
  train_cmd
      ->add_option("--input,-i", train_options.inputs,
                   "NDJSON log; repeat to pool the observations of several apps' logs")
      ->required();
  train_cmd
      ->add_option("--label-after-days", train_options.label_after_days,
                   "churned = no activity in this many days after the observation day")
      ->capture_default_str();
  train_cmd->add_option("--model-out,-o", train_options.model_out, "write the model file here");
  train_cmd->add_option("--labels", train_options.labels,
                        "CSV user_id,label[,as_of]: churn labels from elsewhere (as_of "
                        "YYYY-MM-DD; without it, as of the end of the log)");
  train_cmd->add_option("--examples-out", train_options.examples_out,
                        "write every observation (split, label, features) to this CSV");
  train_cmd
      ->add_option("--without", train_options.without,
                   "features to leave out of the fit (weight 0), e.g. ones the log cannot "
                   "say anything about")
      ->delimiter(',');
  train_cmd->add_option("--evaluate", train_options.evaluate,
                        "judge this model file (or 'builtin') on the log instead of fitting");
  train_cmd->add_option("--state", train_options.state_dir,
                        "keep the replayed state in this new directory (default: a temporary one)");
  train_cmd->add_flag("--keyed", train_options.keyed, "lines are key<TAB>json");

  auto* report_cmd = app.add_subcommand("report", "print a table from a state directory");
  ReportOptions report_options;
  std::string report_state, from, to;
  std::vector<std::string> report_tables = {
      "daily",   "retention",   "sessions",   "nps",     "revenue",   "stickiness", "streaks",
      "support", "referrals",   "ltv",        "aha",     "aha-reach", "segments",   "risk",
      "uplift",  "nudge-opens", "rejections", "summary", "history"};
  const Topology topology{TopologyConfig{}};  // the reports processors declare
  for (const ReportSpec& r : topology.reports()) report_tables.emplace_back(r.name);
  report_cmd
      ->add_option("table", report_options.table,
                   fmt::format("{}", fmt::join(report_tables, " | ")))
      ->required()
      ->check(CLI::IsMember(report_tables));
  add_config_options(report_cmd);
  report_cmd->add_option("--state", report_state, "state directory")->required();
  report_cmd
      ->add_option("--format", report_options.format,
                   "csv | json; openmetrics for history (its only format and its default)")
      ->capture_default_str()
      ->check(CLI::IsMember({"csv", "json", "openmetrics"}));
  report_cmd
      ->add_option("--cohorts", report_options.cohorts,
                   "retention: daily | weekly (Monday) | signup (day of signup) cohorts")
      ->capture_default_str()
      ->check(CLI::IsMember({"daily", "weekly", "signup"}));
  report_cmd
      ->add_option("--kind", report_options.kind,
                   "retention: on (active on period N) | unbounded (on N or later)")
      ->capture_default_str()
      ->check(CLI::IsMember({"on", "unbounded"}));
  report_cmd->add_option("--from", from, "first day (YYYY-MM-DD), inclusive");
  report_cmd->add_option("--to", to, "last day (YYYY-MM-DD), inclusive");
  report_cmd
      ->add_option("--job", report_options.job,
                   "history: the job label of its series (the scrape job of your dashboards)")
      ->capture_default_str();
  report_cmd
      ->add_option("--instance", report_options.instance,
                   "history: the instance label of its series")
      ->capture_default_str();

  auto* state_cmd = app.add_subcommand("state", "inspect a state directory");
  auto* dump_cmd = state_cmd->add_subcommand("dump", "every key and value, hex, in order");
  std::string dump_state_dir;
  dump_cmd->add_option("--state", dump_state_dir, "state directory")->required();
  state_cmd->require_subcommand(1);

  auto* restore_cmd = app.add_subcommand(
      "restore", "materialize every partition's state from the changelogs into a directory");
  add_config_options(restore_cmd);
  std::string restore_brokers, restore_group, restore_dir;
  restore_cmd->add_option("--brokers", restore_brokers,
                          "shortcut for --set kafka.bootstrap.servers=...");
  restore_cmd->add_option("--group", restore_group,
                          "the instances' kafka.group.id (names the changelog topics)");
  restore_cmd->add_option("--state", restore_dir, "state directory to write")->required();

  auto* loadgen_cmd =
      app.add_subcommand("loadgen", "generate a realistic population to NDJSON or Kafka");
  LoadgenOptions loadgen_options;
  std::string loadgen_end;
  add_population_options(loadgen_cmd, loadgen_options.population, loadgen_end);
  std::string loadgen_brokers;
  loadgen_cmd->add_option("--output,-o", loadgen_options.output, "NDJSON file, - for stdout");
  loadgen_cmd->add_option("--brokers", loadgen_brokers,
                          "produce to this Kafka instead (shortcut for --set "
                          "kafka.bootstrap.servers=...)");
  // The producer takes run's settings: kafka.* (security, linger), input.topic, input.partitioner.
  add_config_options(loadgen_cmd);
  loadgen_cmd->add_flag("--keyed", loadgen_options.keyed,
                        "NDJSON lines as key<TAB>json (kcat -K'\\t')");
  loadgen_cmd->add_option("--topic", loadgen_options.topic,
                          "topic to produce to (default: the setting input.topic)");
  loadgen_cmd->add_option("--rate", loadgen_options.rate, "messages/s (0 = as fast as possible)");

  auto* kafka_cmd = app.add_subcommand(
      "kafka", "start the embedded Kafka cluster and print its bootstrap address");
  KafkaClusterOptions kafka_options;
  kafka_cmd->add_option("--brokers", kafka_options.brokers, "broker count")->capture_default_str();
  kafka_cmd->add_option("--partitions", kafka_options.partitions, "partitions per topic")
      ->capture_default_str();
  kafka_cmd->add_option("--topics", kafka_options.topics, "comma-separated topics to create")
      ->capture_default_str();
  kafka_cmd->add_flag("--fault-commands", kafka_options.fault_commands,
                      "read fault-injection commands from stdin (tests): errors <api> <n> <code>, "
                      "down|up <broker>, coordinator group <g> <broker>, clear <api>");
  kafka_cmd->add_option("--bootstrap-file", kafka_options.bootstrap_file,
                        "also write the address here");
  kafka_cmd
      ->add_option("--group", kafka_options.groups,
                   "consumer group (kafka.group.id) of the engaged instances: creates its "
                   "changelog, program changelog and members topics (repeatable)")
      ->capture_default_str();

  auto* demo_cmd =
      app.add_subcommand("demo", "embedded Kafka + loadgen + pipeline, then the engagement report");
  DemoOptions demo_options;
  std::string demo_end;
  add_population_options(demo_cmd, demo_options.population, demo_end);
  demo_cmd
      ->add_option("--state", demo_options.state_dir,
                   "state directory (an earlier demo's is wiped first; anything else is refused)")
      ->capture_default_str();
  demo_cmd->add_option("--metrics-listen", demo_options.metrics_listen, "host:port for /metrics")
      ->capture_default_str();
  demo_cmd->add_option("--rate", demo_options.rate,
                       "messages/s produced (0 = as fast as possible)");

  auto* check_cmd = app.add_subcommand(
      "check-events", "check a sample of events against the event contract, line by line");
  CheckEventsOptions check_options;
  check_cmd->add_option("input", check_options.input, "NDJSON file, or - for stdin")
      ->capture_default_str();
  check_cmd->add_flag("--keyed", check_options.keyed,
                      "lines are key<TAB>json (kcat -K'\\t'): the key must be the user_id");
  check_cmd->add_option("--max-shown", check_options.max_shown, "rejected lines printed at most")
      ->capture_default_str();

  auto* probe_cmd = app.add_subcommand(
      "probe", "ask a running instance (at metrics.listen) whether it is ready: exit 0 if so");
  add_config_options(probe_cmd);
  std::string probe_path = "/readyz";
  probe_cmd->add_option("--path", probe_path, "/readyz or /healthz")
      ->capture_default_str()
      ->check(CLI::IsMember({"/readyz", "/healthz"}));

  auto* config_cmd =
      app.add_subcommand("config", "print the effective configuration or the settings table");
  add_config_options(config_cmd);
  bool markdown = false;
  config_cmd->add_flag("--markdown", markdown, "print docs/configuration.md");

  CLI11_PARSE(app, argc, argv);
  setup_logging(log_level, log_format);
  install_signal_handlers();

  try {
    if (*run) {
      if (!brokers.empty()) overrides.push_back("kafka.bootstrap.servers=" + brokers);
      return run_pipeline(load_config(config_file, overrides), run_options);
    }
    if (*replay_cmd) {
      if (!replay_state.empty()) overrides.push_back("state.dir=" + replay_state);
      Config c = load_config(config_file, overrides);
      if (std::find_if(overrides.begin(), overrides.end(),
                       [](auto& o) { return o.rfind("metrics.listen=", 0) == 0; }) ==
              overrides.end() &&
          config_file.empty())
        c.metrics_listen.clear();  // a batch job serves no metrics unless asked to
      return replay(c, replay_options);
    }
    if (*train_cmd) return train(load_config(config_file, overrides), train_options);
    if (*report_cmd) {
      if (!from.empty()) report_options.from = day_arg(from);
      if (!to.empty()) report_options.to = day_arg(to);
      if (report_options.table == "history" && report_cmd->get_option("--format")->count() == 0)
        report_options.format = "openmetrics";
      return report(report_state, report_options, load_config(config_file, overrides));
    }
    if (*state_cmd) return dump_state_command(dump_state_dir);
    if (*restore_cmd) {
      if (!restore_brokers.empty())
        overrides.push_back("kafka.bootstrap.servers=" + restore_brokers);
      if (!restore_group.empty()) overrides.push_back("kafka.group.id=" + restore_group);
      return restore_state(load_config(config_file, overrides), restore_dir);
    }
    if (*loadgen_cmd) {
      loadgen_options.population.end_day =
          loadgen_end.empty() ? yesterday_utc() : day_arg(loadgen_end);
      // Kafka with --brokers, or with settings and no -o; else NDJSON on stdout.
      const bool settings = !config_file.empty() || !overrides.empty();
      if (loadgen_options.output.empty() && loadgen_brokers.empty() && !settings)
        loadgen_options.output = "-";
      if (!loadgen_brokers.empty())
        overrides.push_back("kafka.bootstrap.servers=" + loadgen_brokers);
      const Config c = load_config(config_file, overrides);  // checked even when unused (-o)
      if (loadgen_options.output.empty()) {
        loadgen_options.kafka = c.kafka;
        loadgen_options.kafka.try_emplace("partitioner", c.partitioner);
        if (loadgen_options.topic.empty()) loadgen_options.topic = c.topic;
      }
      return loadgen(loadgen_options);
    }
    if (*kafka_cmd) return kafka_cluster(kafka_options);
    if (*demo_cmd) {
      demo_options.population.end_day = demo_end.empty() ? yesterday_utc() : day_arg(demo_end);
      return demo(demo_options);
    }
    if (*check_cmd) return check_events(check_options);
    if (*probe_cmd) return probe(load_config(config_file, overrides), probe_path);
    if (*config_cmd) {
      if (markdown) {
        std::cout << settings_markdown();
        return 0;
      }
      Config c = load_config(config_file, overrides);
      for (const auto& [key, value] : effective_settings(c))
        std::cout << key << "=" << value << "\n";
      return 0;
    }
  } catch (const std::exception& e) {
    spdlog::error("{}", e.what());
    return 1;
  }
  return 0;
}
