// Cache lookups use heterogeneous string_view keys: a hit costs one hash and no allocation.
#include "state/partition_state.h"

#include <xxhash.h>

#include <algorithm>

#include "state/store.h"

namespace engaged {

size_t StringHash::operator()(std::string_view s) const noexcept {
  return XXH3_64bits(s.data(), s.size());
}

PartitionState::PartitionState(int32_t partition, Store& store)
    : partition_(partition), store_(store) {
  StoredPartition stored = store.load_partition(partition);
  has_checkpoint_ = stored.next_offset.has_value();
  next_offset_ = stored.next_offset.value_or(0);
  aggregates_ = std::move(stored.aggregates);
  for (auto& [key, s] : stored.sessions) sessions_.restore(key, s);
}

CachedUser& PartitionState::user(std::string_view user_id, uint32_t epoch) {
  auto it = users_.find(user_id);
  if (it == users_.end()) {
    CachedUser fresh;
    // A user deleted since the last checkpoint starts afresh, not from their stored record.
    if (std::find(erased_.begin(), erased_.end(), user_id) == erased_.end())
      store_.get_user(partition_, user_id, fresh.activity, fresh.profile);
    it = users_.emplace(std::string(user_id), std::move(fresh)).first;
  }
  it->second.touched_epoch = epoch;
  it->second.changed = true;
  return it->second;
}

void PartitionState::erase_user(std::string_view user_id) {
  if (auto it = users_.find(user_id); it != users_.end()) users_.erase(it);
  erased_.emplace_back(user_id);
}

}  // namespace engaged
