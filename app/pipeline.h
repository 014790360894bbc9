// The shell around the processors, shared by `run` (Kafka) and `replay` (NDJSON): decode, check
// the wall clock, route to the partition's state, apply, dead-letter rejections, checkpoint.
// Counters are kept locally and published to Prometheus once per batch.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "app/batch_counter.h"
#include "app/config.h"
#include "app/stream_task.h"
#include "ingest/event_decoder.h"
#include "processors/activity/activity_processor.h"
#include "processors/engagement_snapshot.h"
#include "processors/runtime/partition_state.h"
#include "processors/runtime/topology.h"
#include "sinks/dead_letter.h"
#include "state/checkpoint.h"

namespace engaged {

class Metrics;
class Store;

// Milliseconds since the epoch; the only wall clock the pipeline sees.
using WallClock = std::function<int64_t()>;
WallClock make_wall_clock(const Config& config);

class Pipeline {
 public:
  Pipeline(const Config& config, Store& store, DeadLetterSink& dead_letters, Metrics* metrics,
           WallClock wall_clock);
  ~Pipeline();

  // Loads a partition's state from the store (PartitionState::next_offset: where to resume).
  PartitionState& open_partition(int32_t partition);
  // Forgets a partition taken away (checkpoint first: its state is then all in the store).
  void drop(int32_t partition);
  // Where checkpoints mirror their writes before committing them (nullptr: nowhere).
  void set_changelog(ChangelogSink* changelog) { changelog_ = changelog; }
  bool owns(int32_t partition) const { return partitions_.count(partition) > 0; }

  void begin_batch();
  // Decodes `value` into the pipeline's current event. `padded`: readable padding follows.
  std::optional<Rejection> decode(std::string_view value, bool padded);
  const Event& event() const { return event_; }
  // Applies one input message whose decoding gave `rejection` (nullopt = accepted).
  // Messages below the partition's next offset were applied before a restart: skipped.
  void apply(int32_t partition, int64_t offset, std::string_view key, std::string_view value,
             std::optional<Rejection> rejection, int64_t source_ts_ms);
  void handle(int32_t partition, int64_t offset, std::string_view key, std::string_view value,
              int64_t source_ts_ms) {
    apply(partition, offset, key, value, decode(value, false), source_ts_ms);
  }
  void end_batch();

  bool checkpoint_due() const;
  // A checkpoint committed before this returns (none may be in flight). `extras`: the
  // program stage's part of the write and acknowledged outbox entries (run). Returns what it
  // committed (outbox entries to send, the partitions' watermarks).
  CheckpointResult checkpoint(CheckpointExtras* extras = nullptr);
  // The same in two steps, processing in between: begin (the writes are taken and sent to the
  // changelog), then complete once the changelog acknowledged them: nullopt while it has not
  // (unless `wait`), or when none is in flight. Partitions must not be dropped in between.
  void begin_checkpoint(CheckpointExtras* extras = nullptr);
  std::optional<CheckpointResult> complete_checkpoint(bool wait);

  std::vector<std::pair<int32_t, int64_t>> positions() const;
  EngagementSnapshot snapshot() const;
  int64_t total_users() const;  // distinct users ever active, over owned partitions
  int64_t consumed_total() const { return consumed_.total; }
  int64_t processed_total() const { return processed_.total; }
  size_t cached_users() const;
  std::vector<PartitionState*> partitions();

 private:
  // The gauges processors declare, from the owned partitions' stores as of `day`.
  void publish_gauges(int32_t day);
  void dead_letter(PartitionState& part, int64_t offset, std::string_view key,
                   std::string_view value, const Rejection& r);

  const Config& config_;
  Store& store_;
  DeadLetterSink& dead_letters_;
  Metrics* metrics_;
  WallClock wall_clock_;
  ChangelogSink* changelog_ = nullptr;
  ActivityProcessor processor_;
  Topology topology_;
  NudgeEffects nudge_effects_, nudge_effects_published_;
  StreamTask task_;
  EventDecoder decoder_;
  Event event_;
  std::map<int32_t, std::unique_ptr<PartitionState>> partitions_;

  uint32_t epoch_ = 1;
  int64_t now_ms_ = 0;
  int64_t last_checkpoint_ms_ = 0;
  int64_t since_checkpoint_ = 0;
  BatchCounter consumed_, processed_, offset_gaps_, skipped_, duplicates_;
  std::array<BatchCounter, kRejectReasonCount> rejected_{};
  std::vector<double> latency_buckets_;
  double latency_sum_ = 0;
  int64_t batch_start_ns_ = 0;
  std::optional<Checkpoint> pending_;  // begun, not yet committed
  int64_t checkpoint_start_ns_ = 0;
};

}  // namespace engaged
