// Recording costs one append per write, into the partition's buffer.
#include "state/change_batch.h"

#include <stdexcept>
#include <utility>

#include "state/changelog_record.h"
#include "state/codec.h"
#include "state/store.h"

namespace engaged {

ChangeBatch::ChangeBatch(Store& store, bool record_ops, rocksdb::WriteBatch reuse)
    : store_(store), record_ops_(record_ops), batch_(std::move(reuse)) {
  batch_.Clear();
}

ChangeBatch::PartitionOps* ChangeBatch::record(Family f, std::string_view key) {
  if (!record_ops_ || !family_info(f).mirrored) return nullptr;
  if (key.size() < 4) throw std::logic_error("state key without a partition prefix");
  const int32_t partition = codec::partition_of(key);
  if (!last_ || partition != last_partition_) {
    last_ = &ops_[partition];
    last_partition_ = partition;
  }
  ++last_->count;
  return last_;
}

void ChangeBatch::put(Family f, std::string_view key, std::string_view value) {
  if (family_info(f).write_once) return insert(f, key, value);
  batch_.Put(store_.cf(f), key, value);
  if (PartitionOps* p = record(f, key)) changelog::append_put(p->ops, f, key, value);
}

void ChangeBatch::insert(Family f, std::string_view key, std::string_view value) {
  batch_.Put(store_.cf(f), key, value);
  if (PartitionOps* p = record(f, key)) changelog::append_insert(p->ops, f, key, value);
}

void ChangeBatch::del(Family f, std::string_view key) {
  batch_.Delete(store_.cf(f), key);
  if (PartitionOps* p = record(f, key)) changelog::append_delete(p->ops, f, key);
}

void ChangeBatch::clear_ops() {
  ops_.clear();
  last_ = nullptr;
  last_partition_ = -1;
}

void ChangeBatch::append(std::span<ChangeBatch> parts) {
  // A WriteBatch is a 12-byte header (fixed64 sequence, fixed32 count: rocksdb's
  // db/write_batch.cc) and its records; the records of several batches concatenate.
  constexpr size_t kHeader = 12;
  size_t bytes = batch_.Data().size();
  uint32_t count = batch_.Count();
  for (ChangeBatch& part : parts) {
    bytes += part.batch_.Data().size() - kHeader;
    count += part.batch_.Count();
  }
  std::string rep;
  rep.reserve(bytes);
  rep.append(batch_.Data());
  for (ChangeBatch& part : parts) {
    rep.append(part.batch_.Data(), kHeader);
    part.batch_.Clear();
    for (auto& [partition, ops] : part.ops_)
      if (!ops_.emplace(partition, std::move(ops)).second)
        throw std::logic_error("change batches appended hold the same partition");
    part.ops_.clear();
    part.last_ = nullptr;
  }
  for (int i = 0; i < 4; ++i) rep[8 + i] = static_cast<char>((count >> (8 * i)) & 0xff);
  batch_ = rocksdb::WriteBatch(std::move(rep));
  last_ = nullptr;
  last_partition_ = -1;
}

}  // namespace engaged
