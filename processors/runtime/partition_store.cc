#include "processors/runtime/partition_store.h"

#include <algorithm>
#include <stdexcept>
#include <string>
#include <tuple>
#include <unordered_map>

#include "processors/activity/activity_processor.h"
#include "processors/runtime/day_tables.h"

namespace engaged {
namespace {

std::string prefix_of(int32_t partition) {
  std::string prefix;
  codec::put_partition(prefix, partition);
  return prefix;
}

template <typename T>
void restore_days(Store& store, Family f, int32_t partition, DayTable<T>& days) {
  T row;
  store.scan(f, prefix_of(partition), [&](std::string_view k, std::string_view v) {
    if (!codec::decode_day_row(v, row)) throw std::runtime_error("corrupt day row in state");
    days.restore(codec::day_of_key(k), row);
  });
}

}  // namespace

bool read_user(Store& store, int32_t partition, std::string_view user_id, UserActivity& activity,
               UserProfile& profile) {
  std::string key;
  codec::user_key(key, partition, user_id);
  rocksdb::PinnableSlice value;
  if (!store.get(Family::kUsers, key, value)) return false;
  if (!codec::decode_user(value.ToStringView(), activity, profile))
    throw std::runtime_error("corrupt user record in state");
  return true;
}

StoredPartition load_partition(Store& store, int32_t partition) {
  StoredPartition out;
  const std::string prefix = prefix_of(partition);
  if (auto v = store.get(Family::kOffsets, prefix)) out.next_offset = codec::decode_offset(*v);
  if (auto v = store.get(Family::kMeta, prefix)) {
    if (auto m = codec::decode_meta(*v)) {
      out.meta_found = true;
      out.aggregates.stream_time_ms = m->stream_time_ms;
      out.aggregates.rejected = m->rejected;
      out.aggregates.duplicates = m->duplicates;
      out.aggregates.forgotten = m->forgotten;
      out.dedupe_horizon_ms = m->dedupe_horizon_ms;
      out.session_horizon_ms = m->session_horizon_ms;
      out.aggregates.risk = m->risk;
      out.next_program_seq = m->next_program_seq;
      out.clock_hour = m->clock_hour;
    }
  }
  for_each_day_table([&](Family f, auto table, auto /*sum*/) {
    restore_days(store, f, partition, out.aggregates.*table);
  });
  // An older state's partition-wide windows (segments in the order they were written).
  LegacyWindows& legacy = out.aggregates.legacy;
  store.scan(Family::kDedupe, prefix, [&](std::string_view, std::string_view v) {
    if (!codec::decode_seen(v, legacy.seen))
      throw std::runtime_error("corrupt dedupe record in state");
  });
  std::erase_if(legacy.seen, [&](const LegacySeen& e) { return e.ts_ms < out.dedupe_horizon_ms; });
  legacy.sessions = read_sessions(store, partition, out.session_horizon_ms);
  legacy.restored();
  DayCounters counters;
  store.scan(Family::kSegmentDaily, prefix, [&](std::string_view k, std::string_view v) {
    if (!codec::decode_day_row(v, counters)) throw std::runtime_error("corrupt segment row");
    const codec::SegmentDayKey key = codec::parse_segment_day_key(k);
    if (key.dimension >= kMaxSegmentDimensions) throw std::runtime_error("corrupt segment key");
    ActivityProcessor::segment_table(out.aggregates, key.dimension, key.value)
        .restore(key.day, counters);
  });
  store.scan(Family::kRetention, prefix, [&](std::string_view k, std::string_view v) {
    auto r = codec::decode_retention(v);
    if (!r) throw std::runtime_error("corrupt retention record in state");
    out.aggregates.cohort(codec::cohort_table_of_key(k))
        .restore(codec::cohort_of_key(k), std::move(*r));
  });
  return out;
}

std::vector<LegacySession> read_sessions(Store& store, int32_t partition, int64_t horizon) {
  // Segments in the order they were written; a later version of a session wins.
  std::vector<std::pair<int64_t, std::string>> segments;
  store.scan(Family::kSessions, prefix_of(partition), [&](std::string_view k, std::string_view v) {
    segments.emplace_back(codec::segment_offset_of(k), std::string(v));
  });
  std::sort(segments.begin(), segments.end());
  std::unordered_map<IdKey, SessionState, IdKeyHash> latest;
  std::vector<LegacySession> entries;
  for (const auto& [offset, value] : segments) {
    entries.clear();
    if (!codec::decode_sessions(value, entries))
      throw std::runtime_error("corrupt session segment");
    for (const LegacySession& e : entries) latest[e.key] = e.state;
  }
  std::vector<LegacySession> out;
  for (const auto& [key, state] : latest)
    if (state.end_ms >= horizon) out.push_back({key, state});
  std::sort(out.begin(), out.end(), [](const LegacySession& a, const LegacySession& b) {
    return std::tie(a.key.hi, a.key.lo) < std::tie(b.key.hi, b.key.lo);
  });
  return out;
}

int64_t read_stream_time(Store& store, int32_t partition) {
  const std::optional<std::string> v = store.get(Family::kMeta, prefix_of(partition));
  if (!v) return kNoTime;
  auto m = codec::decode_meta(*v);
  return m ? m->stream_time_ms : kNoTime;
}

}  // namespace engaged
