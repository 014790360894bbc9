// The in-memory working set of one input partition: its aggregates, its position in the input,
// and a cache of its users' state (loaded from RocksDB on first touch, written back at the next
// checkpoint when changed, forgotten when clean and the cache is over budget).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "processors/activity_processor.h"
#include "processors/id_key.h"
#include "processors/user_activity.h"
#include "processors/user_profile.h"
#include "state/session_table.h"

namespace engaged {

class Store;

struct CachedUser {
  UserActivity activity;
  UserProfile profile;
  uint32_t touched_epoch = 0;  // checkpoint epoch of the last touch (for eviction)
  bool changed = false;
};

struct StringHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const noexcept;
};

using UserCache = std::unordered_map<std::string, CachedUser, StringHash, std::equal_to<>>;

class PartitionState {
 public:
  PartitionState(int32_t partition, Store& store);  // restores the last checkpoint

  int32_t partition() const { return partition_; }
  // First input offset not yet applied (Kafka offset, or record index for NDJSON).
  int64_t next_offset() const { return next_offset_; }
  bool has_checkpoint() const { return has_checkpoint_; }
  void advance_to(int64_t next_offset) { next_offset_ = next_offset; }

  PartitionAggregates& aggregates() { return aggregates_; }
  const PartitionAggregates& aggregates() const { return aggregates_; }

  // The user's cached state, loaded from the store on a miss. Marked changed and touched.
  CachedUser& user(std::string_view user_id, uint32_t epoch);
  // Forgets the user: dropped from the cache and deleted from the store at the next checkpoint.
  void erase_user(std::string_view user_id);
  std::vector<std::string>& erased_users() { return erased_; }

  // Sessions that may still change, all in memory: the checkpoint expires those older than the
  // lateness horizon.
  SessionTable& sessions() { return sessions_; }

  UserCache& users() { return users_; }
  const UserCache& users() const { return users_; }

 private:
  int32_t partition_;
  Store& store_;
  int64_t next_offset_ = 0;
  bool has_checkpoint_ = false;
  PartitionAggregates aggregates_;
  UserCache users_;
  SessionTable sessions_;
  std::vector<std::string> erased_;  // users to delete at the next checkpoint
};

}  // namespace engaged
