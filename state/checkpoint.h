// The checkpoint: the one place where exactly-once is decided. See checkpoint.cc.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>

namespace engaged {

class Store;
class PartitionState;

struct CheckpointResult {
  size_t batch_bytes = 0;
  size_t users_written = 0;
  size_t users_evicted = 0;
};

// Flushes the sinks, then commits every partition's changed state together with its input
// position in one atomic RocksDB write, then trims the user cache to `cache_max_users`.
// `flush_sinks` must return only when every dead letter produced so far is acknowledged
// (or throw; then nothing is committed and the input will be re-read after a restart).
CheckpointResult commit_checkpoint(Store& store, std::span<PartitionState* const> partitions,
                                   const std::function<void()>& flush_sinks,
                                   size_t cache_max_users);

}  // namespace engaged
