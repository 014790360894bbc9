// The writes of one checkpoint. They go into one RocksDB WriteBatch (the local commit) and, when
// the state has a changelog, are also recorded per partition (the key's 4-byte prefix) as the
// ops of that partition's redo record (state/changelog_record.h). Local families are written
// but never recorded.
#pragma once

#include <rocksdb/write_batch.h>

#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <string_view>

#include "state/families.h"

namespace engaged {

class Store;

class ChangeBatch {
 public:
  struct PartitionOps {
    std::string ops;
    size_t count = 0;
  };

  // `reuse`: a write batch whose memory the writes go into (cleared first), so that a batch the
  // size of the previous checkpoint's does not grow again by copies and fresh pages.
  ChangeBatch(Store& store, bool record_ops, rocksdb::WriteBatch reuse = rocksdb::WriteBatch());

  // A put of a write-once family's key is recorded as an insert.
  void put(Family f, std::string_view key, std::string_view value);
  // The caller knows the store does not hold `key`: recorded as an insert, which a delete before
  // the changelog's next materialization cancels (neither reaches the changelog as a record).
  void insert(Family f, std::string_view key, std::string_view value);
  void del(Family f, std::string_view key);

  // Appends the writes of `parts`, in their order, after this batch's; each part holds other
  // partitions' writes than this batch and the other parts. The parts are left empty.
  void append(std::span<ChangeBatch> parts);

  rocksdb::WriteBatch& write_batch() { return batch_; }
  // The recorded ops by partition (empty unless recording).
  std::map<int32_t, PartitionOps>& ops() { return ops_; }
  // Forgets the recorded ops (after the changelog took them); the writes stay.
  void clear_ops();
  size_t data_size() const { return batch_.GetDataSize(); }

 private:
  PartitionOps* record(Family f, std::string_view key);

  Store& store_;
  bool record_ops_;
  rocksdb::WriteBatch batch_;
  std::map<int32_t, PartitionOps> ops_;
  int32_t last_partition_ = -1;
  PartitionOps* last_ = nullptr;  // the ops of last_partition_ (keys come grouped by partition)
};

}  // namespace engaged
