// The checkpoint: the one place where exactly-once is decided. See checkpoint.cc.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "state/change_batch.h"
#include "state/codec.h"

namespace engaged {

class Store;
class PartitionState;

// Where a checkpoint mirrors its writes before it commits them locally: the changelog.
class ChangelogSink {
 public:
  virtual ~ChangelogSink() = default;
  // One checkpoint's writes of one partition (kProgramPartition: the program stage's).
  // The sink may take the ops (they are not used after).
  virtual void append(int32_t partition, ChangeBatch::PartitionOps& ops) = 0;
  struct Position {
    int32_t partition;
    int64_t next_offset;     // after the partition's last acknowledged record
    int64_t uncovered_from;  // its first redo record no state record covers yet (-1: none)
  };
  // Returns once everything appended is acknowledged, with each written partition's position.
  // Throws if a write failed: the checkpoint is then not committed, and the input is read again
  // after a restart.
  virtual std::vector<Position> flush() = 0;
  // The checkpoint is committed locally: its writes may now be compacted into state records.
  virtual void committed() = 0;
};

// Where a partition stood when its checkpoint was taken: its program records up to `next_seq`
// (exclusive) are committed, and none that follows has an order time below `stream_time_ms`.
struct Watermark {
  int32_t partition;
  uint64_t next_seq;
  int64_t stream_time_ms;
};

struct CheckpointResult {
  size_t batch_bytes = 0;
  size_t users_written = 0;
  size_t users_evicted = 0;
  // Outbox entries this checkpoint committed (store key, entry): the shell sends them now.
  std::vector<std::pair<std::string, codec::OutboxEntry>> outbox;
  std::vector<Watermark> watermarks;  // of every partition, as committed
};

// What else goes into the same write: the program stage's state and nudges, and the outbox
// entries whose destination acknowledged them (deleted).
struct CheckpointExtras {
  std::vector<std::string> delivered;
  std::function<void(ChangeBatch&, CheckpointResult&)> add;
};

struct CheckpointOptions {
  size_t cache_max_users = 2000000;
  // Sessions whose last event is older than the partition's stream time minus this are final:
  // they leave memory and the store (their daily counters stay).
  int64_t session_horizon_ms = 8LL * 86400000;
  int64_t dedupe_window_ms = 86400000;  // event ids older than stream time - this expire
  ChangelogSink* changelog = nullptr;   // none: the state lives on this disk only (replay)
  int64_t wall_clock_ms = 0;            // stamped on the changelog positions
};

// Flushes the sinks, mirrors every partition's changed state to the changelog, then commits it
// with its input and changelog positions in one atomic RocksDB write, then trims the user cache
// to `cache_max_users`. `flush_sinks` must return only when every dead letter produced so far is
// acknowledged (or throw; then nothing is committed and the input will be re-read after a
// restart). The commit waits for the changelog's acknowledgement rather than running behind the
// processing: until it is written, the store would not hold what the partitions no longer keep
// in memory (their timer index, deleted users).
CheckpointResult commit_checkpoint(Store& store, std::span<PartitionState* const> partitions,
                                   const std::function<void()>& flush_sinks,
                                   const CheckpointOptions& options,
                                   CheckpointExtras* extras = nullptr);

}  // namespace engaged
