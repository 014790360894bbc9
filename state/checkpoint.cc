// Exactly-once, in three steps (the same order as Kafka Streams and Quix Streams):
//   1. flush sinks:  dead letters produced so far are acknowledged by their destination;
//   2. commit state: changed users, changed day and cohort rows, the new outbox entries (program
//      records, nudges) and the next input offset of every partition go into ONE WriteBatch,
//      so state, position and what it decided can never disagree;
//   3. trim:         clean users beyond the cache budget are forgotten (they are in RocksDB).
// After a crash the consumer resumes at the stored offsets, so every event is applied exactly
// once to the state; a dead letter may be sent twice (at-least-once), never lost. The outbox is
// sent after the commit and an entry is deleted only once its destination acknowledged it, so
// a decided nudge may be sent twice, never lost.
#include "state/checkpoint.h"

#include <rocksdb/write_batch.h>

#include <algorithm>
#include <limits>
#include <string>
#include <vector>

#include "state/codec.h"
#include "state/partition_state.h"
#include "state/program_codec.h"
#include "state/store.h"

namespace engaged {
namespace {

// The changed rows of a day table, one Put each.
template <typename T>
void write_days(rocksdb::WriteBatch& batch, rocksdb::ColumnFamilyHandle* cf, int32_t partition,
                DayTable<T>& days) {
  std::string key, value;
  days.for_each_changed([&](int32_t day, const T& row) {
    codec::day_key(key, partition, day);
    codec::encode_day_row(value, row);
    batch.Put(cf, key, value);
  });
  days.clear_changed();
}

// Segments whose newest time is before `horizon` hold nothing that can still matter.
void delete_segments_before(rocksdb::WriteBatch& batch, rocksdb::ColumnFamilyHandle* cf,
                            int32_t partition, int64_t horizon) {
  if (horizon == kNoTime) return;
  std::string from, to;
  codec::segment_horizon_key(from, partition, std::numeric_limits<int64_t>::min());
  codec::segment_horizon_key(to, partition, horizon);
  batch.DeleteRange(cf, from, to);
}

void add_partition(rocksdb::WriteBatch& batch, Store& store, PartitionState& p,
                   const CheckpointOptions& options, CheckpointResult& result) {
  std::string key, value;
  const int32_t id = p.partition();
  // Deletions first: a user deleted and seen again since is written back below.
  for (const auto& user_id : p.erased_users()) {
    codec::user_key(key, id, user_id);
    batch.Delete(store.users(), key);
  }
  p.erased_users().clear();
  for (const auto& [due, user_id] : p.erased_timers()) {
    codec::timer_key(key, id, due, user_id);
    batch.Delete(store.timers(), key);
  }
  p.erased_timers().clear();
  for (auto& [user_id, cached] : p.users()) {
    if (!cached.changed) continue;
    codec::user_key(key, id, user_id);
    codec::encode_user(value, cached.activity, cached.profile);
    batch.Put(store.users(), key, value);
    cached.changed = false;
    ++result.users_written;
    // The timer index follows the profile's timer.
    const int64_t timer = cached.profile.risk.timer_ms;
    if (timer != cached.stored_timer_ms) {
      if (cached.stored_timer_ms != INT64_MIN) {
        codec::timer_key(key, id, cached.stored_timer_ms, user_id);
        batch.Delete(store.timers(), key);
      }
      if (timer != INT64_MIN) {
        codec::timer_key(key, id, timer, user_id);
        batch.Put(store.timers(), key, {});
      }
      cached.stored_timer_ms = timer;
    }
  }
  p.clear_new_timers();
  for (const ProgramEnvelope& e : p.program_out()) {
    codec::outbox_key(key, id, e.seq);
    codec::OutboxEntry entry{codec::OutboxSink::kProgram, std::to_string(id), {}};
    codec::encode_envelope(entry.payload, e);
    codec::encode_outbox(value, entry);
    batch.Put(store.outbox(), key, value);
    result.outbox.emplace_back(key, std::move(entry));
  }
  p.program_out().clear();
  PartitionAggregates& agg = p.aggregates();
  const int64_t horizon =
      agg.stream_time_ms == kNoTime ? kNoTime : agg.stream_time_ms - options.session_horizon_ms;
  // Changed sessions: one segment. Final sessions leave memory; their segments go by range.
  p.sessions().expire(horizon);
  std::vector<codec::SessionEntry> changed;
  int64_t max_end = kNoTime;
  p.sessions().for_each([&](SessionTable::Slot& s) {
    if (!s.changed) return;
    changed.emplace_back(s.key, s.state);
    max_end = std::max(max_end, s.state.end_ms);
    s.changed = false;
  });
  if (!changed.empty()) {
    codec::segment_key(key, id, max_end, p.next_offset());
    codec::encode_sessions(value, changed);
    batch.Put(store.sessions(), key, value);
  }
  delete_segments_before(batch, store.sessions(), id, horizon);
  write_days(batch, store.session_daily(), id, agg.sessions);
  write_days(batch, store.feedback_daily(), id, agg.feedback);
  write_days(batch, store.revenue_daily(), id, agg.revenue);
  write_days(batch, store.daily(), id, agg.daily);
  write_days(batch, store.figures_daily(), id, agg.figures);
  write_days(batch, store.cohort_figures(), id, agg.cohort_figures);
  for (int d = 0; d < kMaxSegmentDimensions; ++d)
    for (size_t v = 0; v < agg.segments[d].size(); ++v) {
      agg.segments[d][v].for_each_changed([&](int32_t day, const DayCounters& row) {
        codec::segment_day_key(key, id, d, static_cast<int>(v), day);
        codec::encode_day_row(value, row);
        batch.Put(store.segment_daily(), key, value);
      });
      agg.segments[d][v].clear_changed();
    }
  for (int t = 0; t < kCohortTableCount; ++t) {
    agg.cohorts[t].for_each_changed([&](int32_t cohort, const std::vector<int64_t>& retained) {
      codec::cohort_key(key, id, static_cast<CohortTable>(t), cohort);
      codec::encode_retention(value, retained);
      batch.Put(store.retention(), key, value);
    });
    agg.cohorts[t].clear_changed();
  }
  codec::put_partition(key, id);
  // Event ids recorded since the last checkpoint: one segment; expired segments go by range.
  int64_t dedupe_horizon = 0;
  if (agg.stream_time_ms != kNoTime) {
    dedupe_horizon = agg.stream_time_ms - options.dedupe_window_ms;
    std::vector<SeenEvent> recorded = agg.seen.take_recorded();
    if (!recorded.empty()) {
      int64_t max_ts = recorded.front().ts_ms;
      for (const auto& e : recorded) max_ts = std::max(max_ts, e.ts_ms);
      codec::segment_key(key, id, max_ts, p.next_offset());
      codec::encode_seen(value, recorded);
      batch.Put(store.dedupe(), key, value);
    }
    delete_segments_before(batch, store.dedupe(), id, dedupe_horizon);
  }
  codec::put_partition(key, id);
  codec::PartitionMeta meta{agg.stream_time_ms, agg.risk, p.next_program_seq(), p.clock_hour()};
  meta.rejected = agg.rejected;
  meta.duplicates = agg.duplicates;
  meta.dedupe_horizon_ms = dedupe_horizon;
  meta.session_horizon_ms = horizon == kNoTime ? 0 : horizon;
  codec::encode_meta(value, meta);
  batch.Put(store.meta(), key, value);
  codec::encode_i64(value, p.next_offset());
  batch.Put(store.offsets(), key, value);
}

size_t trim_cache(std::span<PartitionState* const> partitions, size_t budget) {
  size_t total = 0;
  for (auto* p : partitions) total += p->users().size();
  if (total <= budget) return 0;
  // Forget the least recently touched users (all clean after the write) down to 90% of budget.
  std::vector<uint32_t> epochs;
  epochs.reserve(total);
  for (auto* p : partitions)
    for (auto& [id, cached] : p->users()) epochs.push_back(cached.touched_epoch);
  size_t excess = total - (budget - budget / 10);
  std::nth_element(epochs.begin(), epochs.begin() + static_cast<ptrdiff_t>(excess - 1),
                   epochs.end());
  const uint32_t cutoff = epochs[excess - 1];
  size_t evicted = 0;
  for (bool ties : {false, true})
    for (auto* p : partitions)
      for (auto it = p->users().begin(); it != p->users().end() && evicted < excess;) {
        uint32_t e = it->second.touched_epoch;
        if (e < cutoff || (ties && e == cutoff)) {
          it = p->users().erase(it);
          ++evicted;
        } else {
          ++it;
        }
      }
  return evicted;
}

}  // namespace

CheckpointResult commit_checkpoint(Store& store, std::span<PartitionState* const> partitions,
                                   const std::function<void()>& flush_sinks,
                                   const CheckpointOptions& options, CheckpointExtras* extras) {
  flush_sinks();
  CheckpointResult result;
  rocksdb::WriteBatch batch;
  for (auto* p : partitions) add_partition(batch, store, *p, options, result);
  if (extras) {
    for (const auto& key : extras->delivered) batch.Delete(store.outbox(), key);
    extras->delivered.clear();
    if (extras->add) extras->add(batch, result);
  }
  result.batch_bytes = batch.GetDataSize();
  store.write(batch);
  result.users_evicted = trim_cache(partitions, options.cache_max_users);
  return result;
}

}  // namespace engaged
