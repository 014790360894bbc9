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
  virtual void append(int32_t partition, const ChangeBatch::PartitionOps& ops) = 0;
  // Returns once everything appended is acknowledged, with each written partition's position
  // (the changelog offset after its last acknowledged record). Throws if a write failed: the
  // checkpoint is then not committed, and the input is read again after a restart.
  virtual std::vector<std::pair<int32_t, int64_t>> flush() = 0;
  // The checkpoint is committed locally: its writes may now be compacted into state records.
  virtual void committed() = 0;
};

struct CheckpointResult {
  size_t batch_bytes = 0;
  size_t users_written = 0;
  size_t users_evicted = 0;
  // Outbox entries this checkpoint committed (store key, entry): the shell sends them now.
  std::vector<std::pair<std::string, codec::OutboxEntry>> outbox;
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
// restart).
CheckpointResult commit_checkpoint(Store& store, std::span<PartitionState* const> partitions,
                                   const std::function<void()>& flush_sinks,
                                   const CheckpointOptions& options,
                                   CheckpointExtras* extras = nullptr);

}  // namespace engaged
