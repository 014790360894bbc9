// The in-memory working set of one input partition: its aggregates, its position in the input,
// and a cache of its users' state (loaded from RocksDB on first touch, written back at the next
// checkpoint when changed, forgotten when clean and the cache is over budget).
#pragma once

#include <absl/container/node_hash_map.h>

#include <cstdint>
#include <memory>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "domain/id_key.h"
#include "processors/partition_aggregates.h"
#include "processors/program/program_record.h"
#include "processors/user_activity.h"
#include "processors/user_profile.h"
#include "state/checkpoint.h"
#include "state/outbox_buffer.h"
#include "state/state_store.h"

namespace engaged {

class Store;

struct CachedUser {
  UserActivity activity;
  UserProfile profile;
  int64_t stored_timer_ms = INT64_MIN;  // the silence timer as in the store's timer index
  uint32_t touched_epoch = 0;           // checkpoint epoch of the last touch (for eviction)
  uint32_t bytes = 0;                   // cached_user_bytes as of its load or its last checkpoint
  bool changed = false;
};

struct StringHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const noexcept;
};

// Looked up once per event by user id. abseil's node map: one probe of a control-byte group and
// one node per lookup (libstdc++'s walks a bucket, the node before and the node: twice the cache
// misses, 4.5 % of a replay against 2.1 %), and nodes that stay put, which the timers point to.
using UserCache = absl::node_hash_map<std::string, CachedUser, StringHash, std::equal_to<>>;

// How long what may still change is kept (beyond that it is final): the checkpoint drops what is
// older from the users it stores and deletes an older state's segments.
struct PartitionOptions {
  // Sessions whose last event is older than the partition's stream time minus this are final
  // (their daily counters stay): the lateness plus SessionProcessor's kSessionFinalAfterMs.
  int64_t session_horizon_ms = 8LL * 86400000;
  int64_t dedupe_window_ms = 86400000;  // event ids older than stream time - this expire
};

class PartitionState final : public CheckpointedPartition {
 public:
  // Restores the last checkpoint, with an instance of each of `stores`.
  PartitionState(int32_t partition, Store& store, PartitionOptions options = {},
                 std::span<const StoreSpec> stores = {});

  int32_t partition() const override { return partition_; }
  // First input offset not yet applied (Kafka offset, or record index for NDJSON).
  int64_t next_offset() const { return next_offset_; }
  bool has_checkpoint() const { return has_checkpoint_; }
  void advance_to(int64_t next_offset) { next_offset_ = next_offset; }
  bool dirty() const override { return !has_checkpoint_ || next_offset_ != checkpointed_offset_; }
  // processors/runtime/partition_writes.cc
  void write_changes(ChangeBatch& batch, Store& store, CheckpointResult& result) override;
  Watermark watermark() const override {
    return {partition_, next_program_seq_, aggregates_.stream_time_ms};
  }
  // An older state's dedupe and session segments older than these are deleted from the store.
  int64_t dedupe_horizon() const { return dedupe_horizon_; }
  int64_t session_horizon() const { return session_horizon_; }

  PartitionAggregates& aggregates() { return aggregates_; }
  const PartitionAggregates& aggregates() const { return aggregates_; }

  // The user's cached state, loaded from the store on a miss. Marked changed and touched.
  CachedUser& user(std::string_view user_id, uint32_t epoch);
  // The same for a user who must already exist (a timer's): nullptr if unknown.
  CachedUser* existing_user(std::string_view user_id, uint32_t epoch);
  // Forgets the user: dropped from the cache and deleted from the store at the next checkpoint.
  void erase_user(std::string_view user_id);
  bool erased(std::string_view user_id) const;  // deleted, perhaps not yet in the store
  // Users deleted since the last checkpoint took this partition's writes.
  std::vector<std::string> erased_since_checkpoint() const;
  // Timer-index entries to delete at the next checkpoint (erased users' timers).
  std::vector<std::pair<int64_t, std::string>>& erased_timers() { return erased_timers_; }

  // Program records for the mentor program, numbered per partition and stamped with the
  // stream time: the partition's new outbox entries (sent to the program topic ahead of the
  // checkpoint, or with it).
  void emit(ProgramRecord record);
  OutboxBuffer& program_outbox() { return program_outbox_; }
  uint64_t next_program_seq() const { return next_program_seq_; }
  int64_t& clock_hour() { return clock_hour_; }

  // Silence timers: `user_id`'s timer is now `due_ms`. Timers scheduled since the last
  // checkpoint are kept here until it writes them into the store's timer index.
  void timer_set(std::string_view user_id, int64_t due_ms);
  // Users whose timer may be due at or before `until` (store index and unwritten ones), in
  // (due, user id) order; the caller checks each against the user's profile.
  std::vector<std::pair<int64_t, std::string>> due_timers(int64_t until);
  // The last checkpoint that took this partition's writes is in the store now: what it wrote
  // no longer needs to be remembered here (deleted users, unwritten timers).
  void committed() override;

  // The partition's instance of a declared store (StoreSpec::id); std::logic_error if no
  // processor of the topology declared that id.
  StateStore& state_store(uint8_t id) {
    if (id >= stores_.size() || !stores_[id])
      throw std::logic_error("no store with id " + std::to_string(id) + " was declared");
    return *stores_[id];
  }

  UserCache& users() { return users_; }
  const UserCache& users() const { return users_; }
  // The cached users' bytes (CachedUser::bytes summed): kept up to date without a scan.
  size_t cache_bytes() const { return cache_bytes_; }
  // Forgets a clean user (in the store).
  void evict(UserCache::iterator it) {
    cache_bytes_ -= it->second.bytes;
    users_.erase(it);
  }

 private:
  // The checkpoint wrote this partition, with these segment horizons.
  void checkpointed(int64_t dedupe_horizon_ms, int64_t session_horizon_ms) {
    ++generation_;
    has_checkpoint_ = true;
    checkpointed_offset_ = next_offset_;
    dedupe_horizon_ = dedupe_horizon_ms;
    session_horizon_ = session_horizon_ms;
  }

  int32_t partition_;
  Store& store_;
  PartitionOptions options_;
  int64_t next_offset_ = 0;
  int64_t checkpointed_offset_ = 0;
  bool has_checkpoint_ = false;
  int64_t dedupe_horizon_ = INT64_MIN, session_horizon_ = INT64_MIN;
  PartitionAggregates aggregates_;
  std::vector<std::unique_ptr<StateStore>> stores_;  // by store id (null: none with that id)
  UserCache users_;
  size_t cache_bytes_ = 0;
  void loaded(UserCache::iterator it);  // accounts a user just added to the cache
  void mark_changed(UserCache::value_type& user) {
    if (user.second.changed) return;
    user.second.changed = true;
    changed_users_.push_back(&user);
  }
  // The users marked changed since the last checkpoint took this partition's writes (the map's
  // nodes stay put; a changed user is never evicted, and erase_user drops its entry): the
  // checkpoint writes them without a scan of the whole cache.
  std::vector<UserCache::value_type*> changed_users_;
  // Deleted users, tagged with the generation that deleted them: until the checkpoint that writes
  // the deletion is committed, the store still holds them.
  std::vector<std::pair<std::string, uint64_t>> erased_;
  uint64_t generation_ = 0;  // checkpoints that took this partition's writes
  std::vector<std::pair<int64_t, std::string>> erased_timers_;
  OutboxBuffer program_outbox_;
  std::string program_key_, envelope_;  // the program topic's message key; scratch
  uint64_t next_program_seq_ = 0;
  int64_t clock_hour_ = INT64_MIN;
  // Timers not yet in the store's index (the cache's own key is valid until the user is evicted,
  // which happens only after the checkpoint that writes them is committed); erase_user drops its
  // user's entries first.
  struct NewTimer {
    int64_t due_ms;
    const std::string* user;
    uint64_t generation;
  };
  std::vector<NewTimer> new_timers_;
  // Where the next scan of the store's timer index starts after: the `until` of the last scan,
  // or just before an earlier timer written since (write_changes). What the store holds at or
  // before it fired at a scan, so the next one does not step over the tombstones of every timer
  // fired before. A timer is set for a later day than the one it is scored on: the stream time's
  // day, or its own due day when it fired late.
  int64_t timers_scanned_until_ = INT64_MIN;
};

// After a checkpoint committed: forgets the least recently touched clean users (they are in the
// store) until all `partitions` together hold at most 90 % of `max_users` users and of
// `max_bytes` estimated bytes (when they hold more than either).
struct TrimmedCache {
  size_t evicted = 0;  // users forgotten
  size_t bytes = 0;    // estimated bytes of the users kept
};
TrimmedCache trim_user_cache(std::span<PartitionState* const> partitions, size_t max_users,
                             size_t max_bytes);
// What a cached user holds in memory, estimated: the map node, the id and the profile's lists.
size_t cached_user_bytes(const std::string& user_id, const CachedUser& user);

}  // namespace engaged
