// The subcommands of the `engaged` binary; app/main.cc wires them to the command line.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "app/config.h"
#include "app/population.h"

namespace engaged {

class Store;

// Set by SIGINT/SIGTERM; long-running commands poll it and shut down cleanly.
void install_signal_handlers();
bool stop_requested();
// After a stop is requested the process gets `ms` to finish, then exits with this code.
constexpr int kExitShutdownDeadline = 3;
void arm_shutdown_deadline(int64_t ms);

struct Progress {
  double events_per_second;
  int64_t consumed, lag, users;
  int restoring = 0;             // partitions whose state is being restored from the changelog
  int64_t restored_records = 0;  // changelog records read by restores so far
};

struct RunOptions {
  int64_t idle_exit_ms = 0;  // exit after this long without input (0 = run until signalled)
  std::function<bool()> should_stop;                 // extra stop condition (demo)
  std::function<void(const Progress&)> on_progress;  // about once a second
};

// `engaged run`: consume, process, checkpoint, export metrics until stopped.
int run_pipeline(const Config& config, const RunOptions& options);

struct ReplayOptions {
  std::string input = "-";
  int partitions = 6;            // as the events topic: same partitioner => same state as run
  std::string dead_letter_file;  // NDJSON; empty = discard
  bool keyed = false;            // lines are "key<TAB>json" (kcat -K'\t'): partition by key
  int threads = 2;               // workers, each owning a share of the partitions
  bool quiet = false;
  std::string nudges_file;  // append the decided nudges here (NDJSON); empty = keep in outbox
  // `train`'s observation points: before the first accepted line whose event time is at or
  // after `pause_at_ms`, the state is checkpointed and `on_pause` called with that time; it
  // returns the next pause time (INT64_MAX: none). Setting it replays with one thread.
  std::function<int64_t(Store&, int64_t ts_ms)> on_pause;
  int64_t pause_at_ms = INT64_MAX;
};
// `engaged replay`: the same processors over NDJSON.
int replay(const Config& config, const ReplayOptions& options);

struct ReportOptions {
  std::string table = "daily";  // one of the report tables listed in main.cc
  std::string format = "csv";
  std::string cohorts = "daily";  // retention: daily | weekly | signup
  std::string kind = "on";        // retention: on (period N) | unbounded (period N or later)
  std::optional<int32_t> from, to;
  std::string job = "engaged", instance = "backfill";  // history: the labels of its series
};
// `config`: the settings of the run that wrote the state (time zone, aha candidates, segments).
int report(const std::string& state_dir, const ReportOptions& options, const Config& config);
int dump_state_command(const std::string& state_dir);

// `engaged restore`: every partition and the program stage from their changelogs into a state
// directory (kafka.group.id / state.changelog_topic name the changelogs).
int restore_state(const Config& config, const std::string& state_dir);

struct TrainOptions {
  std::vector<std::string> inputs;  // NDJSON logs to learn from (each replayed on its own)
  int label_after_days = 14;        // churned = no activity in this many days after the observation
  std::string model_out;            // YAML model file to write; empty = print only
  std::string state_dir;            // keep the replayed state in this new directory; empty = temp
  int partitions = 6;
  bool keyed = false;
  std::string labels;        // CSV user_id,label[,as_of]: external labels instead of N days
  std::string examples_out;  // CSV of every observation's split, label and features
  std::string evaluate;      // a model file (or "builtin"): judge it on every observation, no fit
  std::vector<std::string> without;  // features left out of the fit (weight 0)
};
// `engaged train`: fit the churn-risk weights on a log and report how well they predict.
int train(const Config& config, const TrainOptions& options);

struct CheckEventsOptions {
  std::string input = "-";  // NDJSON, or key<TAB>json with keyed; "-" = stdin
  bool keyed = false;
  int64_t max_shown = 100;  // rejected lines printed; the rest are only counted
};
// `engaged check-events`: 0 when every line is an accepted event, 1 otherwise.
int check_events(const CheckEventsOptions& options);

struct LoadgenOptions {
  PopulationOptions population;
  std::string output;     // NDJSON path, "-" = stdout; empty = Kafka
  bool keyed = false;     // NDJSON lines as "key<TAB>json", the format of kcat -K'\t'
  std::string topic;      // empty: the setting input.topic
  KafkaProperties kafka;  // run's kafka.* settings, and input.partitioner as `partitioner`
  double rate = 0;        // messages per second, 0 = as fast as possible
};
int loadgen(const LoadgenOptions& options);

struct KafkaClusterOptions {
  int brokers = 3;
  int partitions = 6;
  std::string topics = "app.events,app.events.dlq";
  std::string program_topic = "engaged.program";
  std::string nudges_topic = "app.nudges";
  std::vector<std::string> groups = {"engaged"};  // consumer groups whose own topics to create
  std::string bootstrap_file;
  bool fault_commands = false;  // read EmbeddedCluster::command lines from stdin (tests)
};
// `engaged kafka`: the embedded cluster, standalone, until stopped.
int kafka_cluster(const KafkaClusterOptions& options);

// `engaged probe`: GET `path` (/readyz, /healthz) of the instance at metrics.listen; 0 on 200.
int probe(const Config& config, const std::string& path);

struct DemoOptions {
  PopulationOptions population;
  std::string state_dir = "./demo-state";
  std::string metrics_listen = "127.0.0.1:9464";
  double rate = 0;
};
// The README's first command: embedded cluster + loadgen + pipeline + report.
int demo(const DemoOptions& options);

}  // namespace engaged
