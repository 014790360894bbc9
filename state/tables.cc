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

}  // namespace

StateTables read_tables(Store& store) {
  StateTables t;
  t.stream_time_ms = kNoTime;
  scan(store, store.daily(), [&](std::string_view k, std::string_view v) {
    auto c = codec::decode_day(v);
    if (!c) throw std::runtime_error("corrupt daily record");
    t.daily[codec::day_of_key(k)] += *c;
  });
  scan(store, store.retention(), [&](std::string_view k, std::string_view v) {
    auto r = codec::decode_retention(v);
    if (!r) throw std::runtime_error("corrupt retention record");
    auto& row =
        t.cohorts[static_cast<size_t>(codec::cohort_table_of_key(k))][codec::cohort_of_key(k)];
    if (row.size() < r->size()) row.resize(r->size(), 0);
    for (size_t i = 0; i < r->size(); ++i) row[i] += (*r)[i];
  });
  scan(store, store.revenue_daily(), [&](std::string_view k, std::string_view v) {
    auto c = codec::decode_revenue_day(v);
    if (!c) throw std::runtime_error("corrupt revenue day record");
    t.revenue[codec::day_of_key(k)] += *c;
  });
  scan(store, store.feedback_daily(), [&](std::string_view k, std::string_view v) {
    auto c = codec::decode_feedback_day(v);
    if (!c) throw std::runtime_error("corrupt feedback day record");
    t.feedback[codec::day_of_key(k)] += *c;
  });
  scan(store, store.session_daily(), [&](std::string_view k, std::string_view v) {
    auto c = codec::decode_session_day(v);
    if (!c) throw std::runtime_error("corrupt session day record");
    t.sessions[codec::day_of_key(k)] += *c;
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

void dump_state(Store& store, std::ostream& out) {
  static const char* kHex = "0123456789abcdef";
  auto hex = [&](std::string_view s) {
    for (unsigned char c : s) out << kHex[c >> 4] << kHex[c & 15];
  };
  const char* names[] = {"default", "users",          "daily",        "retention",
                         "offsets", "meta",           "sessions",     "session_daily",
                         "dedupe",  "feedback_daily", "revenue_daily"};
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
