// The shell around the processors, shared by `run` (Kafka) and `replay` (NDJSON): decode, check
// the wall clock, route to the partition's state, apply, dead-letter rejections, checkpoint.
// Counters are kept locally and published to Prometheus once per batch.
// Its lanes are the stream threads (processing.threads): each owns a share of the partitions with
// its own decoder, processors and counters, and applies its partitions' messages of a batch in
// order, beside the others. A partition's state depends on its own messages only, so every lane
// count gives the same bytes. Everything else (checkpoints, gauges, partitions coming and going)
// happens between batches, on the caller's thread.
#pragma once

#include <cstdint>
#include <functional>
#include <future>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "app/config.h"
#include "app/fork_join.h"
#include "ingest/event_decoder.h"
#include "processors/engagement_snapshot.h"
#include "processors/runtime/partition_state.h"
#include "sinks/dead_letter.h"
#include "state/checkpoint.h"

namespace engaged {

class Metrics;
class Store;

// One consumed message of the input topic.
struct InputMessage {
  int32_t partition;
  int64_t offset;
  std::string_view key, value;
  int64_t source_ts_ms;  // the producer's timestamp (0: none)
};

// Milliseconds since the epoch; the only wall clock the pipeline sees.
using WallClock = std::function<int64_t()>;
WallClock make_wall_clock(const Config& config);

class Pipeline {
 public:
  // `lanes`: stream threads (the caller's and lanes - 1 more).
  Pipeline(const Config& config, Store& store, DeadLetterSink& dead_letters, Metrics* metrics,
           WallClock wall_clock, int lanes = 1);
  ~Pipeline();

  // Loads a partition's state from the store (PartitionState::next_offset: where to resume), and
  // gives it to the lane owning the fewest partitions.
  PartitionState& open_partition(int32_t partition);
  // Forgets a partition taken away (checkpoint first: its state is then all in the store).
  void drop(int32_t partition);
  // Where checkpoints mirror their writes before committing them (nullptr: nowhere).
  void set_changelog(ChangelogSink* changelog) { changelog_ = changelog; }
  bool owns(int32_t partition) const { return partitions_.count(partition) > 0; }

  void begin_batch();
  // Decodes and applies every message, each lane its own partitions' in order, lanes side by
  // side.
  void apply_batch(std::span<const InputMessage> messages);
  // One message at a time, on a pipeline of one lane (replay's workers, tests):
  // Decodes `value` into the pipeline's current event. `padded`: readable padding follows.
  std::optional<Rejection> decode(std::string_view value, bool padded);
  const Event& event() const;
  // Starts fetching `user_id`'s cache entry in `partition` (if open) into the CPU's cache, so
  // that decoding the message overlaps the misses of its lookup.
  void prefetch_user(int32_t partition, std::string_view user_id) const {
    if (auto it = partitions_.find(partition); it != partitions_.end())
      it->second.state->users().prefetch(user_id);
  }
  // Applies one input message whose decoding gave `rejection` (nullopt = accepted).
  // Messages below the partition's next offset were applied before a restart: skipped.
  void apply(int32_t partition, int64_t offset, std::string_view key, std::string_view value,
             std::optional<Rejection> rejection, int64_t source_ts_ms);
  void handle(int32_t partition, int64_t offset, std::string_view key, std::string_view value,
              int64_t source_ts_ms) {
    apply(partition, offset, key, value, decode(value, false), source_ts_ms);
  }
  void end_batch();

  // A checkpoint is due after state.checkpoint_interval_ms, state.checkpoint_max_events, or
  // once the users loaded since the last one grew the user cache by an eighth of the budget
  // past its share: only a checkpoint makes the changed users evictable again.
  bool checkpoint_due() const;
  // A checkpoint committed before this returns (none may be in flight). `extras`: the
  // program stage's part of the write and acknowledged outbox entries (run). Returns what it
  // committed (outbox entries to send, the partitions' watermarks).
  CheckpointResult checkpoint(CheckpointExtras* extras = nullptr);
  // The same in two steps, processing in between: begin (the first partitions' writes are
  // taken and sent to the changelog), then complete: without `wait`, each call collects a few
  // more partitions' writes, and once all are collected and the changelog acknowledged them,
  // the RocksDB write runs on a thread of its own, which a later call completes once done;
  // nullopt until then, or when none is in flight. Partitions must not be dropped in between.
  void begin_checkpoint(CheckpointExtras* extras = nullptr);
  std::optional<CheckpointResult> complete_checkpoint(bool wait);

  std::vector<std::pair<int32_t, int64_t>> positions() const;
  EngagementSnapshot snapshot() const;
  int64_t total_users() const;  // distinct users ever active, over owned partitions
  int64_t consumed_total() const;
  int64_t processed_total() const;
  size_t cached_users() const;
  std::vector<PartitionState*> partitions();

 private:
  struct Lane;
  Lane& only_lane();
  // Applies one message in `lane`, whose event holds its decoding when accepted.
  void apply(Lane& lane, PartitionState& part, const InputMessage& m,
             std::optional<Rejection> rejection);
  // The gauges processors declare, from the owned partitions' stores as of `day`.
  void publish_gauges(int32_t day);
  // Collects a slice of the checkpoint in flight's writes.
  void collect_checkpoint();
  void dead_letter(Lane& lane, PartitionState& part, int64_t offset, std::string_view key,
                   std::string_view value, const Rejection& r);

  const Config& config_;
  Store& store_;
  DeadLetterSink& dead_letters_;
  Metrics* metrics_;
  WallClock wall_clock_;
  ChangelogSink* changelog_ = nullptr;
  std::vector<std::unique_ptr<Lane>> lanes_;
  ForkJoin threads_;  // runs the lanes
  struct Owned {
    std::unique_ptr<PartitionState> state;
    size_t lane;
  };
  std::map<int32_t, Owned> partitions_;

  uint32_t epoch_ = 1;
  int64_t now_ms_ = 0;
  int64_t last_checkpoint_ms_ = 0;
  int64_t consumed_at_checkpoint_ = 0;
  size_t cache_bytes_after_trim_ = 0;  // the user cache's estimated bytes after the last trim
  rocksdb::WriteBatch spare_batch_;    // the last checkpoint's, its memory reused by the next
  int64_t batch_start_ns_ = 0;
  std::optional<Checkpoint> pending_;  // begun, not yet committed
  std::future<void> writing_;          // pending_'s RocksDB write, when it runs beside processing
  int64_t checkpoint_start_ns_ = 0;
};

}  // namespace engaged
