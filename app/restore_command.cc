// `engaged restore`: every partition's state and the program stage's, materialized from their
// changelogs into a state directory: a backup, a copy to debug with, and the way to the tables
// of the whole cluster (`engaged report TABLE --state DIR` on it). An existing directory is
// brought up to date from where each copy stands. Reads only: the cluster is not touched.
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <chrono>

#include "app/commands.h"
#include "ingest/topic_admin.h"
#include "state/changelog_tails.h"
#include "state/codec.h"
#include "state/kafka/topic_reader.h"
#include "state/store.h"

namespace engaged {

int restore_state(const Config& config, const std::string& state_dir) {
  const std::string topic = changelog_topic(config), program = program_changelog_topic(config);
  const std::vector<int> counts = topic_partitions(config.kafka, {topic, program});
  if (counts[0] == 0)
    throw std::runtime_error("changelog topic " + topic +
                             " does not exist: check kafka.group.id or state.changelog_topic");
  auto store = Store::open(state_dir, {.memory_bytes = rocksdb_memory_bytes(config)});
  const Manifest manifest = manifest_for(config, counts[0]);
  check_manifest(*store, state_dir, &manifest);
  TopicReader reader(config.kafka, "restore");
  RestoreSet restores(*store, reader);
  const auto now = std::chrono::system_clock::now().time_since_epoch();
  const int64_t wall_ms = std::chrono::duration_cast<std::chrono::milliseconds>(now).count();
  const auto start = std::chrono::steady_clock::now();
  std::vector<std::tuple<int32_t, std::string, int32_t>> sources;
  for (int32_t p = 0; p < counts[0]; ++p) sources.emplace_back(p, topic, p);
  if (counts[1] > 0) sources.emplace_back(codec::kProgramPartition, program, 0);
  for (const auto& [logical, t, p] : sources) {
    const auto [lo, hi] = reader.watermarks(t, p);
    const auto position = store->changelog_position(logical);
    int64_t from = 0;
    if (position)
      from = position->restoring_from >= 0 ? position->restoring_from : position->next_offset;
    if (from > hi) {  // the topic was recreated: this copy is of another history
      store->erase_partition(logical);
      from = 0;
    }
    if (from < lo)
      throw std::runtime_error(fmt::format(
          "changelog {}[{}] starts at offset {} but the restore needs offset {}: its head was "
          "dropped (retention, or the embedded cluster's per-partition limit), so the state "
          "cannot be rebuilt exactly",
          t, p, lo, from));
    restores.begin(logical, t, p, from, hi, wall_ms);
  }
  int64_t records = 0, bytes = 0, unfinished = 0, fenced = 0;
  while (restores.active() > 0) {
    if (stop_requested()) throw std::runtime_error("interrupted: the copy stays incomplete");
    for (const auto& f : restores.step(100)) {
      records += f.records;
      bytes += f.bytes;
      unfinished += static_cast<int64_t>(f.unfinished.size());
      fenced += f.fenced;
    }
  }
  store->flush();
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  fmt::print(
      stderr,
      "restored {} partitions of {} and the program stage into {}: {} records ({:.1f} "
      "MiB) in {:.2f} s, {:.0f} records/s, {:.1f} MiB/s{}{}\n",
      counts[0], topic, state_dir, records, bytes / 1048576.0, seconds,
      records / std::max(seconds, 1e-9), bytes / 1048576.0 / std::max(seconds, 1e-9),
      unfinished ? fmt::format(" ({} chunks of unfinished checkpoints ignored)", unfinished) : "",
      fenced ? fmt::format(" ({} records of replaced owners skipped)", fenced) : "");
  return 0;
}

}  // namespace engaged
