// A partition's part of the checkpoint (state/checkpoint.cc, step 2): its changed users and
// timers, its program records as outbox entries, its day, segment and retention rows, the
// deletion of an older state's expired session and dedupe segments, meta and next input offset,
// all into the checkpoint's one batch.
#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include "processors/dedupe/dedupe_window.h"
#include "processors/runtime/day_tables.h"
#include "processors/runtime/partition_state.h"
#include "processors/runtime/record_codec.h"
#include "state/store.h"

namespace engaged {
namespace {

// The changed rows of a day table, one put each.
template <typename T>
void write_days(ChangeBatch& batch, Family f, int32_t partition, DayTable<T>& days) {
  std::string key, value;
  days.for_each_changed([&](int32_t day, const T& row) {
    codec::day_key(key, partition, day);
    codec::encode_day_row(value, row);
    batch.put(f, key, value);
  });
  days.clear_changed();
}

// Segments whose newest time is before `horizon` hold nothing that can still matter: deleted
// one by one (the changelog needs a tombstone per key), from where the last checkpoint stopped.
void delete_segments_before(ChangeBatch& batch, Store& store, Family f, int32_t partition,
                            int64_t from_horizon, int64_t horizon) {
  if (horizon == kNoTime || horizon <= from_horizon) return;
  std::string from, to;
  codec::segment_horizon_key(from, partition, from_horizon);
  codec::segment_horizon_key(to, partition, horizon);
  for (const std::string& key : store.keys_in_range(f, from, to)) batch.del(f, key);
}

// What malloc takes for `n` bytes (glibc: 8 bytes of header, 16-byte steps, 32 at least).
size_t chunk(size_t n) {
  return n == 0 ? 0 : std::max<size_t>(32, (n + 8 + 15) & ~size_t{15});
}

}  // namespace

void PartitionState::write_changes(ChangeBatch& batch, Store& store, CheckpointResult& result) {
  std::string key, value;
  const int32_t id = partition_;
  PartitionAggregates& agg = aggregates_;
  const bool timed = agg.stream_time_ms != kNoTime;
  const int64_t horizon = timed ? agg.stream_time_ms - options_.session_horizon_ms : kNoTime;
  const int64_t dedupe_horizon = timed ? agg.stream_time_ms - options_.dedupe_window_ms : 0;
  // Deletions first: a user deleted and seen again since is written back below.
  for (const auto& user_id : erased_since_checkpoint()) {
    codec::user_key(key, id, user_id);
    batch.del(Family::kUsers, key);
  }
  for (const auto& [due, user_id] : erased_timers()) {
    codec::timer_key(key, id, due, user_id);
    batch.del(Family::kTimers, key);
  }
  erased_timers().clear();
  // In key order, users and then their timers: RocksDB's memtable inserts a run of ascending keys
  // from where the previous one went in, instead of searching the skiplist from its head for each.
  std::sort(changed_users_.begin(), changed_users_.end(),
            [](const auto* a, const auto* b) { return a->first < b->first; });
  struct TimerWrite {
    int64_t due_ms;
    const std::string* user_id;
    bool put;  // else a delete
  };
  std::vector<TimerWrite> timer_writes;
  for (UserCache::value_type* changed : changed_users_) {
    const std::string& user_id = changed->first;
    CachedUser& cached = changed->second;
    // What can no longer match leaves the record (it would be dropped at the next touch).
    if (timed) {
      expire_seen(cached.profile.seen, dedupe_horizon);
      SessionProcessor::expire(cached.profile.sessions, horizon);
    }
    codec::user_key(key, id, user_id);
    codec::encode_user(value, cached.activity, cached.profile);
    batch.put(Family::kUsers, key, value);
    cached.changed = false;
    const auto bytes = static_cast<uint32_t>(cached_user_bytes(user_id, cached));
    cache_bytes_ += bytes - size_t{cached.bytes};
    cached.bytes = bytes;
    // The timer index follows the profile's timer.
    const int64_t timer = cached.profile.risk.timer_ms;
    if (timer != cached.stored_timer_ms) {
      if (cached.stored_timer_ms != INT64_MIN)
        timer_writes.push_back({cached.stored_timer_ms, &user_id, false});
      if (timer != INT64_MIN) timer_writes.push_back({timer, &user_id, true});
      cached.stored_timer_ms = timer;
    }
  }
  std::sort(timer_writes.begin(), timer_writes.end(), [](const auto& a, const auto& b) {
    return a.due_ms != b.due_ms ? a.due_ms < b.due_ms : *a.user_id < *b.user_id;
  });
  codec::encode_timer(value);
  for (const TimerWrite& t : timer_writes) {
    codec::timer_key(key, id, t.due_ms, *t.user_id);
    if (!t.put) {
      batch.del(Family::kTimers, key);
      continue;
    }
    batch.put(Family::kTimers, key, value);
    // A timer that fired late (the stream time jumped days ahead) projects its next one from its
    // own day, maybe before the last scan's end: the next scan goes back for it.
    if (t.due_ms <= timers_scanned_until_) timers_scanned_until_ = t.due_ms - 1;
  }
  changed_users_.clear();
  program_outbox_.write(batch, result.outbox);
  // An older state's segments: deleted as they expire.
  if (timed) agg.legacy.expire(dedupe_horizon, horizon);
  delete_segments_before(batch, store, Family::kSessions, id, session_horizon(), horizon);
  for (auto& s : stores_)
    if (s) s->write_changes(batch, id);
  for_each_day_table(
      [&](Family f, auto table, auto /*sum*/) { write_days(batch, f, id, agg.*table); });
  for (int d = 0; d < kMaxSegmentDimensions; ++d)
    for (size_t v = 0; v < agg.segments[d].size(); ++v) {
      agg.segments[d][v].for_each_changed([&](int32_t day, const DayCounters& row) {
        codec::segment_day_key(key, id, d, static_cast<int>(v), day);
        codec::encode_day_row(value, row);
        batch.put(Family::kSegmentDaily, key, value);
      });
      agg.segments[d][v].clear_changed();
    }
  for (int t = 0; t < kCohortTableCount; ++t) {
    agg.cohorts[t].for_each_changed([&](int32_t cohort, const std::vector<int64_t>& retained) {
      codec::cohort_key(key, id, static_cast<CohortTable>(t), cohort);
      codec::encode_retention(value, retained);
      batch.put(Family::kRetention, key, value);
    });
    agg.cohorts[t].clear_changed();
  }
  if (timed)
    delete_segments_before(batch, store, Family::kDedupe, id, dedupe_horizon_, dedupe_horizon);
  codec::put_partition(key, id);
  codec::PartitionMeta meta{agg.stream_time_ms, agg.risk, next_program_seq(), clock_hour()};
  meta.rejected = agg.rejected;
  meta.duplicates = agg.duplicates;
  meta.forgotten = agg.forgotten;
  meta.dedupe_horizon_ms = dedupe_horizon;
  meta.session_horizon_ms = horizon == kNoTime ? 0 : horizon;
  codec::encode_meta(value, meta);
  batch.put(Family::kMeta, key, value);
  codec::encode_offset(value, next_offset());
  batch.put(Family::kOffsets, key, value);
  checkpointed(meta.dedupe_horizon_ms, meta.session_horizon_ms);
}

size_t cached_user_bytes(const std::string& user_id, const CachedUser& user) {
  // A node of the cache's map, and its slot (a pointer and a control byte, 7/8 full at most).
  size_t bytes = chunk(sizeof(std::pair<const std::string, CachedUser>)) + 2 * sizeof(void*);
  if (user_id.capacity() > 15) bytes += chunk(user_id.capacity() + 1);  // beyond the inline buffer
  const UserProfile& p = user.profile;
  auto heap = [](const auto& v) { return chunk(v.capacity() * sizeof(v[0])); };
  bytes += heap(p.purchases) + heap(p.key_action_ms) + heap(p.first_week) + heap(p.tickets) +
           heap(p.gap_sessions) + heap(p.sessions) + heap(p.seen) + heap(p.intent_ms) +
           heap(p.opens) + heap(p.topics);
  for (const std::string* s : {&p.tz, &p.language})
    if (s->capacity() > 15) bytes += chunk(s->capacity() + 1);
  for (const std::string& t : p.topics)
    if (t.capacity() > 15) bytes += chunk(t.capacity() + 1);
  return bytes;
}

TrimmedCache trim_user_cache(std::span<PartitionState* const> partitions, size_t max_users,
                             size_t max_bytes) {
  // The clean users' count and bytes per touch epoch (epochs are checkpoint numbers: few).
  struct Evictable {
    size_t users = 0, bytes = 0;
  };
  size_t users = 0, bytes = 0;
  for (auto* p : partitions) {
    users += p->users().size();
    bytes += p->cache_bytes();
  }
  if (users <= max_users && bytes <= max_bytes) return {0, bytes};  // no scan
  std::map<uint32_t, Evictable> by_epoch;
  for (auto* p : partitions)
    for (const auto& [id, cached] : p->users()) {
      if (cached.changed) continue;  // its writes are not in the store yet
      Evictable& e = by_epoch[cached.touched_epoch];
      ++e.users;
      e.bytes += cached.bytes;
    }
  const size_t user_excess =
      users > max_users - max_users / 10 ? users - (max_users - max_users / 10) : 0;
  const size_t byte_excess =
      bytes > max_bytes - max_bytes / 10 ? bytes - (max_bytes - max_bytes / 10) : 0;
  // Whole epochs from the oldest, then as much of the last one as still needed.
  size_t freed_users = 0, freed_bytes = 0;
  uint32_t cutoff = 0;
  bool found = false;
  for (const auto& [epoch, e] : by_epoch) {
    cutoff = epoch;
    found = true;
    if (freed_users + e.users >= user_excess && freed_bytes + e.bytes >= byte_excess) break;
    freed_users += e.users;
    freed_bytes += e.bytes;
  }
  if (!found) return {0, bytes};
  TrimmedCache trimmed{0, bytes};
  for (auto* p : partitions)
    for (auto it = p->users().begin(); it != p->users().end();) {
      const CachedUser& u = it->second;
      const bool older = u.touched_epoch < cutoff;
      const bool tie =
          u.touched_epoch == cutoff && (freed_users < user_excess || freed_bytes < byte_excess);
      if (!u.changed && (older || tie)) {
        if (tie) {
          ++freed_users;
          freed_bytes += u.bytes;
        }
        trimmed.bytes -= u.bytes;
        p->evict(it++);
        ++trimmed.evicted;
      } else {
        ++it;
      }
    }
  return trimmed;
}

}  // namespace engaged
