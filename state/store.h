// The RocksDB database behind one engaged instance: one column family per record type
// (state/families.h). It knows keys and bytes; what the processors' records mean is read in
// processors/runtime/partition_store.h.
// Durability trade-off (docs/architecture.md): the WAL stays on and checkpoints are not fsynced
// by default, so a killed process loses nothing it committed; a power loss may lose the newest
// checkpoints, but offsets and state always roll back together.
#pragma once

#include <rocksdb/cache.h>
#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "state/codec.h"
#include "state/families.h"

namespace engaged {

struct StoreOptions {
  bool read_only = false;
  bool sync = false;  // fsync each checkpoint
  bool wal = true;
  // RocksDB's memory: memtables (a WriteBufferManager, flushing when they pass half of it) and
  // the block cache, charged to one LRU cache of this size.
  size_t memory_bytes = size_t{256} << 20;
  // Without the WAL a crash loses the checkpoints since the last memtable flush, offsets and
  // state together (atomic_flush), so this is only for inputs that can be re-read from any
  // stored offset: `replay` of a file. Call flush() before a clean exit.
};

// Whether RocksDB keeps up with the writes (summed over column families): the signs of a write
// stall before it stalls the checkpoints.
struct StoreHealth {
  uint64_t pending_compaction_bytes = 0;  // estimated bytes compaction must rewrite
  uint64_t running_compactions = 0;
  uint64_t running_flushes = 0;
  bool writes_stopped = false;      // a stall: writes wait for flushes or compactions
  uint64_t delayed_write_rate = 0;  // bytes/s writes are slowed to; 0 when not slowed
};

class Store {
 public:
  static std::unique_ptr<Store> open(const std::string& dir, const StoreOptions& options);
  ~Store();

  std::vector<int32_t> partitions();  // partitions that have any checkpoint
  void write(rocksdb::WriteBatch& batch);
  void flush();                // memtables to SST files (all column families at once)
  uint64_t live_data_bytes();  // live data in SST files + memtables not yet flushed
  StoreHealth health();
  // What RocksDB holds in memory now: its one cache, where the memtables are charged too.
  size_t memory_bytes() const { return cache_ ? cache_->GetUsage() : 0; }

  rocksdb::DB* db() { return db_.get(); }
  rocksdb::ColumnFamilyHandle* cf(Family f) { return handles_[static_cast<size_t>(f)]; }

  // Silence timers of a partition due in [from, until]: (due, user id), in key order.
  std::vector<std::pair<int64_t, std::string>> due_timers(int32_t partition, int64_t from,
                                                          int64_t until);
  // Every outbox entry of a partition (kProgramPartition: the program stage's), in seq order;
  // with `after` (one of its keys), only those after it, found without a pass over the others
  // or the tombstones of those already deleted.
  std::vector<std::pair<std::string, codec::OutboxEntry>> outbox_entries(
      int32_t partition, std::string_view after = {});
  // Reads are safe from any thread (the HTTP endpoint reads while `run` processes).
  std::optional<std::string> get(Family f, std::string_view key);
  // The same into `value`, pinned where RocksDB allows (a block cache hit: no copy); false if
  // absent. For the hot path: a user read from the store at each cache miss.
  bool get(Family f, std::string_view key, rocksdb::PinnableSlice& value);
  // Calls fn(key, value) for every key of `f` starting with `prefix`, in order.
  void scan(Family f, std::string_view prefix,
            const std::function<void(std::string_view, std::string_view)>& fn);
  // Keys of `f` in [from, to), in order (`to` empty: to the family's end).
  std::vector<std::string> keys_in_range(Family f, std::string_view from, std::string_view to);
  // Where this copy of a partition stands on its changelog (nullopt: never changelogged).
  std::optional<codec::ChangelogPosition> changelog_position(int32_t partition);
  // Partitions whose state this copy holds as their owner: every partition with a checkpoint
  // but those released to another instance (kept only as a restore head start).
  std::vector<int32_t> owned_partitions();
  // This state directory's unique id (RocksDB's identity: kept across restarts, new for a new
  // directory).
  std::string identity();
  // Deletes every key of a partition in every family (local only: not a state change).
  void erase_partition(int32_t partition);
  // The state-wide manifest record (state/manifest.h); local, never on a changelog.
  std::optional<std::string> manifest_text();
  void put_manifest_text(const std::string& text);
  // ... together with the writes of `batch`, in one synced write.
  void put_manifest_text(const std::string& text, rocksdb::WriteBatch& batch);
  bool empty();  // no partition, program or changelog record at all
  bool read_only() const { return read_only_; }

 private:
  Store() = default;
  std::shared_ptr<rocksdb::Cache> cache_;
  std::unique_ptr<rocksdb::DB> db_;
  std::vector<rocksdb::ColumnFamilyHandle*> handles_;
  rocksdb::WriteOptions write_options_;
  bool read_only_ = false;
};

}  // namespace engaged
