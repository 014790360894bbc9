// Sums per-partition rows into instance-wide tables for `engaged report` and `state dump`.
#include "state/tables.h"

#include <fmt/format.h>
#include <rocksdb/db.h>

#include <limits>
#include <memory>
#include <stdexcept>

#include "processors/activity_processor.h"
#include "state/codec.h"
#include "state/store.h"

namespace engaged {
namespace {

template <typename F>
void scan(Store& store, rocksdb::ColumnFamilyHandle* cf, F&& fn) {
  std::unique_ptr<rocksdb::Iterator> it(store.db()->NewIterator(rocksdb::ReadOptions(), cf));
  for (it->SeekToFirst(); it->Valid(); it->Next())
    fn(it->key().ToStringView(), it->value().ToStringView());
  if (!it->status().ok()) throw std::runtime_error("read state: " + it->status().ToString());
}

// Sums a day table's rows over all partitions.
template <typename T>
void sum_days(Store& store, rocksdb::ColumnFamilyHandle* cf, std::map<int32_t, T>& out) {
  T row;
  scan(store, cf, [&](std::string_view k, std::string_view v) {
    if (!codec::decode_day_row(v, row)) throw std::runtime_error("corrupt day row");
    out[codec::day_of_key(k)] += row;
  });
}

}  // namespace

StateTables read_tables(Store& store) {
  StateTables t;
  t.stream_time_ms = kNoTime;
  sum_days(store, store.daily(), t.daily);
  scan(store, store.retention(), [&](std::string_view k, std::string_view v) {
    auto r = codec::decode_retention(v);
    if (!r) throw std::runtime_error("corrupt retention record");
    auto& row =
        t.cohorts[static_cast<size_t>(codec::cohort_table_of_key(k))][codec::cohort_of_key(k)];
    if (row.size() < r->size()) row.resize(r->size(), 0);
    for (size_t i = 0; i < r->size(); ++i) row[i] += (*r)[i];
  });
  sum_days(store, store.revenue_daily(), t.revenue);
  sum_days(store, store.feedback_daily(), t.feedback);
  sum_days(store, store.session_daily(), t.sessions);
  sum_days(store, store.figures_daily(), t.figures);
  sum_days(store, store.cohort_figures(), t.cohort_figures);
  DayCounters counters;
  scan(store, store.segment_daily(), [&](std::string_view k, std::string_view v) {
    if (!codec::decode_day_row(v, counters)) throw std::runtime_error("corrupt segment row");
    const codec::SegmentDayKey key = codec::parse_segment_day_key(k);
    t.segments[{key.dimension, key.value}][key.day] += counters;
  });
  scan(store, store.meta(), [&](std::string_view, std::string_view v) {
    auto m = codec::decode_meta(v);
    if (!m) throw std::runtime_error("corrupt meta record");
    t.stream_time_ms = std::max(t.stream_time_ms, m->stream_time_ms);
    for (int i = 0; i < kRejectReasonCount; ++i) t.rejected[i] += m->rejected[i];
    t.duplicates += m->duplicates;
  });
  scan(store, store.offsets(), [&](std::string_view, std::string_view v) {
    t.next_offsets_total += codec::decode_i64(v).value_or(0);
  });
  return t;
}

void for_each_user(
    Store& store,
    const std::function<void(std::string_view, const UserActivity&, const UserProfile&)>& f) {
  UserActivity activity;
  UserProfile profile;
  scan(store, store.users(), [&](std::string_view k, std::string_view v) {
    if (!codec::decode_user(v, activity, profile)) throw std::runtime_error("corrupt user record");
    f(codec::user_id_of(k), activity, profile);
  });
}

void dump_state(Store& store, std::ostream& out) {
  static const char* kHex = "0123456789abcdef";
  auto hex = [&](std::string_view s) {
    for (unsigned char c : s) out << kHex[c >> 4] << kHex[c & 15];
  };
  const auto& names = Store::family_names();
  for (size_t i = 0; i < store.handles().size(); ++i) {
    if (store.handles()[i] == store.dedupe() || store.handles()[i] == store.sessions())
      continue;  // segments: below, as their logical content
    scan(store, store.handles()[i], [&](std::string_view k, std::string_view v) {
      out << names[i] << ' ';
      hex(k);
      out << ' ';
      hex(v);
      out << '\n';
    });
  }
  // Segments depend on when checkpoints happened; their content does not. Print the entries
  // still inside each partition's horizons, sorted.
  std::map<int32_t, int64_t> horizon;
  std::map<int32_t, int64_t> session_horizon;
  scan(store, store.meta(), [&](std::string_view k, std::string_view v) {
    auto m = codec::decode_meta(v).value();
    horizon[codec::partition_of(k)] = m.dedupe_horizon_ms;
    session_horizon[codec::partition_of(k)] = m.session_horizon_ms;
  });
  for (const auto& [p, h] : session_horizon)
    for (const auto& [key, s] : store.read_sessions(p, h))
      out << fmt::format("sessions {:08x}{:016x}{:016x} {:016x}{:016x}{:08x}\n",
                         static_cast<uint32_t>(p), key.hi, key.lo,
                         static_cast<uint64_t>(s.start_ms), static_cast<uint64_t>(s.end_ms),
                         static_cast<uint32_t>(s.actions));
  std::map<std::pair<int32_t, std::pair<uint64_t, uint64_t>>, int64_t> entries;
  scan(store, store.dedupe(), [&](std::string_view k, std::string_view v) {
    std::vector<SeenEvent> seen;
    codec::decode_seen(v, seen);
    const int32_t p = codec::partition_of(k);
    for (const auto& e : seen)
      if (e.ts_ms >= horizon[p]) entries[{p, {e.key.hi, e.key.lo}}] = e.ts_ms;
  });
  for (const auto& [k, ts] : entries)
    out << fmt::format("dedupe {:08x}{:016x}{:016x} {:016x}\n", static_cast<uint32_t>(k.first),
                       k.second.first, k.second.second, static_cast<uint64_t>(ts));
}

}  // namespace engaged
