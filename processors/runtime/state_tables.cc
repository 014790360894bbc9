// Sums per-partition rows into instance-wide tables for `engaged report` and `state dump`.
// Reports count only the partitions this copy owns: one released to another instance is kept
// here only as a restore head start, and counting it would count its users twice.
#include "processors/runtime/state_tables.h"

#include <fmt/format.h>
#include <rocksdb/db.h>

#include <limits>
#include <map>
#include <memory>
#include <set>
#include <stdexcept>

#include "processors/partition_aggregates.h"
#include "processors/runtime/day_tables.h"
#include "processors/runtime/partition_store.h"
#include "state/codec.h"
#include "state/store.h"

namespace engaged {
namespace {

// Every key of a family in order; with `skip`, not those of these partitions.
template <typename F>
void scan(Store& store, Family f, F&& fn, const std::set<int32_t>* skip = nullptr) {
  if (!store.cf(f)) return;  // a read-only state written before the family existed
  std::unique_ptr<rocksdb::Iterator> it(
      store.db()->NewIterator(rocksdb::ReadOptions(), store.cf(f)));
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    const std::string_view key = it->key().ToStringView();
    if (skip && !skip->empty() && skip->count(codec::partition_of(key))) continue;
    fn(key, it->value().ToStringView());
  }
  if (!it->status().ok()) throw std::runtime_error("read state: " + it->status().ToString());
}

// Partitions released to another instance.
std::set<int32_t> released_partitions(Store& store) {
  std::set<int32_t> out;
  for (int32_t p : store.partitions())
    if (auto position = store.changelog_position(p); position && position->released) out.insert(p);
  return out;
}

// Sums a day table's rows over the owned partitions.
template <typename T>
void sum_days(Store& store, Family f, std::map<int32_t, T>& out,
              const std::set<int32_t>& released) {
  T row;
  scan(
      store, f,
      [&](std::string_view k, std::string_view v) {
        if (!codec::decode_day_row(v, row)) throw std::runtime_error("corrupt day row");
        out[codec::day_of_key(k)] += row;
      },
      &released);
}

}  // namespace

StateTables read_tables(Store& store) {
  StateTables t;
  t.stream_time_ms = kNoTime;
  const std::set<int32_t> released = released_partitions(store);
  for_each_day_table(
      [&](Family f, auto /*table*/, auto sum) { sum_days(store, f, t.*sum, released); });
  scan(
      store, Family::kRetention,
      [&](std::string_view k, std::string_view v) {
        auto r = codec::decode_retention(v);
        if (!r) throw std::runtime_error("corrupt retention record");
        auto& row =
            t.cohorts[static_cast<size_t>(codec::cohort_table_of_key(k))][codec::cohort_of_key(k)];
        if (row.size() < r->size()) row.resize(r->size(), 0);
        for (size_t i = 0; i < r->size(); ++i) row[i] += (*r)[i];
      },
      &released);
  DayCounters counters;
  scan(
      store, Family::kSegmentDaily,
      [&](std::string_view k, std::string_view v) {
        if (!codec::decode_day_row(v, counters)) throw std::runtime_error("corrupt segment row");
        const codec::SegmentDayKey key = codec::parse_segment_day_key(k);
        t.segments[{key.dimension, key.value}][key.day] += counters;
      },
      &released);
  scan(
      store, Family::kMeta,
      [&](std::string_view, std::string_view v) {
        auto m = codec::decode_meta(v);
        if (!m) throw std::runtime_error("corrupt meta record");
        t.stream_time_ms = std::max(t.stream_time_ms, m->stream_time_ms);
        for (int i = 0; i < kRejectReasonCount; ++i) t.rejected[i] += m->rejected[i];
        t.duplicates += m->duplicates;
        t.forgotten += m->forgotten;
      },
      &released);
  scan(
      store, Family::kOffsets,
      [&](std::string_view, std::string_view v) {
        t.next_offsets_total += codec::decode_offset(v).value_or(0);
      },
      &released);
  return t;
}

void for_each_user(
    Store& store,
    const std::function<void(std::string_view, const UserActivity&, const UserProfile&)>& f) {
  UserActivity activity;
  UserProfile profile;
  const std::set<int32_t> released = released_partitions(store);
  scan(
      store, Family::kUsers,
      [&](std::string_view k, std::string_view v) {
        if (!codec::decode_user(v, activity, profile))
          throw std::runtime_error("corrupt user record");
        f(codec::user_id_of(k), activity, profile);
      },
      &released);
}

void dump_state(Store& store, std::ostream& out) {
  static const char* kHex = "0123456789abcdef";
  auto hex = [&](std::string_view s) {
    for (unsigned char c : s) out << kHex[c >> 4] << kHex[c & 15];
  };
  // Each partition's horizons: what is older can no longer match, wherever it still is.
  std::map<int32_t, int64_t> horizon;
  std::map<int32_t, int64_t> session_horizon;
  scan(store, Family::kMeta, [&](std::string_view k, std::string_view v) {
    auto m = codec::decode_meta(v).value();
    horizon[codec::partition_of(k)] = m.dedupe_horizon_ms;
    session_horizon[codec::partition_of(k)] = m.session_horizon_ms;
  });
  // The event ids and sessions inside them, by (partition, the key's 64 bits that users keep): an
  // older state's segments first, the users' records (newer) over them.
  using Key = std::pair<int32_t, uint64_t>;
  std::map<Key, int64_t> seen;
  std::map<Key, SessionState> sessions;
  for (const auto& [p, h] : session_horizon)
    for (const LegacySession& s : read_sessions(store, p, h)) sessions[{p, s.key.lo}] = s.state;
  scan(store, Family::kDedupe, [&](std::string_view k, std::string_view v) {
    std::vector<LegacySeen> entries;
    codec::decode_seen(v, entries);
    const int32_t p = codec::partition_of(k);
    for (const auto& e : entries)
      if (e.ts_ms >= horizon[p]) seen[{p, e.key.lo}] = e.ts_ms;
  });
  UserActivity activity;
  UserProfile profile;
  std::string value;
  for (const FamilyInfo& f : kFamilies) {
    if (f.id == Family::kDedupe || f.id == Family::kSessions)
      continue;  // segments: below, as their logical content
    scan(store, f.id, [&](std::string_view k, std::string_view v) {
      if (f.id == Family::kUsers) {
        // The record without its windows (below): where an id or a session is kept, and when
        // what expired left it, depends on when users were touched and checkpointed.
        if (!codec::decode_user(v, activity, profile))
          throw std::runtime_error("corrupt user record");
        const int32_t p = codec::partition_of(k);
        for (const SeenEvent& e : profile.seen)
          if (e.ts_ms >= horizon[p]) seen[{p, e.key}] = e.ts_ms;
        for (const IdSession& s : profile.sessions)
          if (s.state.end_ms >= session_horizon[p]) sessions[{p, s.key}] = s.state;
        profile.seen.clear();
        profile.sessions.clear();
        codec::encode_user(value, activity, profile);
        v = value;
      }
      if (f.id == Family::kOutbox) {
        // One line per message, as a one-message entry under that message's own number: which
        // messages share an entry depends on when they were sent or checkpointed.
        const auto entry = codec::OutboxEntry::decode(v);
        if (!entry) throw std::runtime_error("corrupt outbox entry");
        uint64_t seq = codec::outbox_seq_of(k);
        std::string key;
        for (const codec::OutboxMessage& m : entry->messages()) {
          codec::outbox_key(key, codec::partition_of(k), seq++);
          codec::OutboxEntry one(entry->sink());
          one.add(m.key, m.payload);
          out << f.name << ' ';
          hex(key);
          out << ' ';
          hex(one.value());
          out << '\n';
        }
        return;
      }
      out << f.name << ' ';
      hex(k);
      out << ' ';
      hex(v);
      out << '\n';
    });
  }
  for (const auto& [k, s] : sessions)
    out << fmt::format("sessions {:08x}{:016x} {:016x}{:016x}{:08x}\n",
                       static_cast<uint32_t>(k.first), k.second, static_cast<uint64_t>(s.start_ms),
                       static_cast<uint64_t>(s.end_ms), static_cast<uint32_t>(s.actions));
  for (const auto& [k, ts] : seen)
    out << fmt::format("dedupe {:08x}{:016x} {:016x}\n", static_cast<uint32_t>(k.first), k.second,
                       static_cast<uint64_t>(ts));
}

}  // namespace engaged
