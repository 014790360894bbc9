// The checkpoint: the one place where exactly-once is decided. See checkpoint.cc.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "state/codec.h"

namespace rocksdb {
class WriteBatch;
}

namespace engaged {

class Store;
class PartitionState;

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
  std::function<void(rocksdb::WriteBatch&, CheckpointResult&)> add;
};

struct CheckpointOptions {
  size_t cache_max_users = 2000000;
  // Sessions whose last event is older than the partition's stream time minus this are final:
  // they leave memory and the store (their daily counters stay).
  int64_t session_horizon_ms = 8LL * 86400000;
  int64_t dedupe_window_ms = 86400000;  // event ids older than stream time - this expire
};

// Flushes the sinks, then commits every partition's changed state together with its input
// position in one atomic RocksDB write, then trims the user cache to `cache_max_users`.
// `flush_sinks` must return only when every dead letter produced so far is acknowledged
// (or throw; then nothing is committed and the input will be re-read after a restart).
CheckpointResult commit_checkpoint(Store& store, std::span<PartitionState* const> partitions,
                                   const std::function<void()>& flush_sinks,
                                   const CheckpointOptions& options,
                                   CheckpointExtras* extras = nullptr);

}  // namespace engaged
