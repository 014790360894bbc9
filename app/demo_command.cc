// `engaged demo`: everything on one machine with nothing installed but engaged. Starts the
// embedded cluster, streams a synthetic population into it (never more than kMaxAhead messages
// ahead of the pipeline, because the embedded cluster forgets old data), runs the pipeline with a
// live progress line and /metrics, while simulated users answer the nudges (app/demo_reactor.h),
// and ends with the engagement summary and the mentor program's story (app/demo_story.h).
#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <thread>

#include "app/commands.h"
#include "app/demo_reactor.h"
#include "app/demo_story.h"
#include "ingest/embedded_cluster.h"
#include "state/kafka/kafka_conf.h"

namespace engaged {
namespace {
constexpr int64_t kMaxAhead = 200000;
constexpr int kPartitions = 6;

// A demo state is marked, so that a second demo may wipe it and nothing else.
constexpr const char* kDemoMarker = ".engaged-demo";

// A new cluster starts at offset 0 again: the state of an earlier demo is wiped first, but a
// directory that holds anything else is refused, never deleted.
void prepare_demo_state(const std::string& dir) {
  namespace fs = std::filesystem;
  if (fs::exists(dir) && !fs::is_empty(dir)) {
    if (!fs::exists(fs::path(dir) / kDemoMarker))
      throw std::invalid_argument(
          "demo: --state " + dir +
          " holds something that is not an earlier demo's state; name a new directory (the demo "
          "wipes its own state on every start)");
    fs::remove_all(dir);
  }
  fs::create_directories(dir);
  std::ofstream(fs::path(dir) / kDemoMarker) << "engaged demo state: the next demo wipes it\n";
}

}  // namespace

int demo(const DemoOptions& o) {
  prepare_demo_state(o.state_dir);
  EmbeddedCluster cluster(3);
  Config config;
  cluster.create_topic(config.topic, kPartitions);
  cluster.create_topic(config.dead_letter_topic, kPartitions);
  cluster.create_topic(config.nudges_topic, kPartitions);
  cluster.create_topic(config.program_topic, 1);
  config.state_dir = o.state_dir;
  config.metrics_listen = o.metrics_listen;
  config.kafka["bootstrap.servers"] = cluster.bootstrap_servers();
  config.kafka["group.id"] = "engaged-demo";
  cluster.create_topic(changelog_topic(config), kPartitions);
  cluster.create_topic(program_changelog_topic(config), 1);
  cluster.create_topic(members_topic(config), 1);
  fmt::print(stderr, "embedded Kafka at {}; metrics at http://{}/metrics\n",
             cluster.bootstrap_servers(), o.metrics_listen);

  std::atomic<int64_t> produced{0}, consumed{0};
  std::atomic<bool> producer_done{false};
  std::thread producer([&] {
    KafkaHandle handle = make_producer({{"bootstrap.servers", cluster.bootstrap_servers()}});
    rd_kafka_t* rk = handle.get();
    const auto start = std::chrono::steady_clock::now();
    generate_population(o.population, [&](std::string_view key, std::string_view value) {
      while (produced - consumed > kMaxAhead && !stop_requested())
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
      produce_copy(rk, config.topic, key, value);
      int64_t n = ++produced;
      if (n % 10000 == 0) rd_kafka_poll(rk, 0);
      if (o.rate > 0 && n % 1000 == 0)
        std::this_thread::sleep_until(start + std::chrono::duration<double>(n / o.rate));
    });
    rd_kafka_flush(rk, 60000);
    producer_done = true;
  });

  const bool tty = isatty(STDERR_FILENO);
  RunOptions run;
  run.on_progress = [&](const Progress& p) {
    consumed = p.consumed;
    std::string line =
        fmt::format("{:>10.0f} events/s  consumed {:>9}  produced {:>9}  lag {:>7}  users {:>7}",
                    p.events_per_second, p.consumed, produced.load(), p.lag, p.users);
    if (p.restoring > 0)
      line += fmt::format("  restoring {} partition(s), {} records read", p.restoring,
                          p.restored_records);
    if (tty)
      fmt::print(stderr, "\r{}", line);
    else
      fmt::print(stderr, "{}\n", line);
  };
  // Stop once the input is consumed, the mentor program has caught up with it (its records pass
  // through the program topic after the partitions' checkpoints, about 3 s) and the simulated
  // users' answers to its nudges are in: idle for 6 s.
  run.idle_exit_ms = 6000;
  ReactorCounts reactions;
  {
    DemoReactor reactor(config, kPartitions, o.population.seed);
    run_pipeline(config, run);
    reactions = reactor.counts();
  }
  if (tty) fmt::print(stderr, "\n");
  producer.join();
  ReportOptions summary;
  summary.table = "summary";
  report(o.state_dir, summary, config);
  print_program_story(config, kPartitions, reactions);
  fmt::print("\nState in {}; try: {} report daily --state {} --format csv\n", o.state_dir,
             std::filesystem::read_symlink("/proc/self/exe").string(), o.state_dir);
  return 0;
}

}  // namespace engaged
