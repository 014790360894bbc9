// Recording costs one append per write, into the partition's buffer.
#include "state/change_batch.h"

#include <stdexcept>

#include "state/changelog_record.h"
#include "state/codec.h"
#include "state/store.h"

namespace engaged {

ChangeBatch::ChangeBatch(Store& store, bool record_ops) : store_(store), record_ops_(record_ops) {}

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

}  // namespace engaged
