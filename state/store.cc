// Opening the database and reading a partition back; writing happens only in checkpoint.cc.
#include "state/store.h"

#include <rocksdb/filter_policy.h>
#include <rocksdb/table.h>

#include <algorithm>
#include <filesystem>
#include <stdexcept>
#include <tuple>
#include <unordered_map>

#include "state/codec.h"

namespace engaged {
namespace {

void check(const rocksdb::Status& s, const std::string& what) {
  if (!s.ok()) throw std::runtime_error(what + ": " + s.ToString());
}

}  // namespace

const std::vector<std::string>& Store::family_names() {
  static const std::vector<std::string> kFamilies = {
      "default",       "users",         "daily",          "retention",     "offsets",
      "meta",          "sessions",      "session_daily",  "dedupe",        "feedback_daily",
      "revenue_daily", "figures_daily", "cohort_figures", "segment_daily", "timers",
      "outbox",        "program"};
  return kFamilies;
}

std::unique_ptr<Store> Store::open(const std::string& dir, const StoreOptions& options) {
  rocksdb::Options db_options;
  db_options.create_if_missing = true;
  db_options.create_missing_column_families = true;
  db_options.atomic_flush = true;  // column families never diverge on disk
  db_options.IncreaseParallelism(2);
  db_options.max_background_jobs = 2;

  rocksdb::BlockBasedTableOptions table;
  table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));  // most user lookups miss
  rocksdb::ColumnFamilyOptions cf_options;
  cf_options.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  cf_options.write_buffer_size = 64 << 20;
  cf_options.compression = rocksdb::kLZ4Compression;

  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
  for (const auto& name : family_names()) descriptors.emplace_back(name, cf_options);

  std::unique_ptr<Store> store(new Store());
  rocksdb::DB* raw = nullptr;
  if (!options.read_only) std::filesystem::create_directories(dir);
  if (options.read_only) {
    check(rocksdb::DB::OpenForReadOnly(db_options, dir, descriptors, &store->handles_, &raw),
          "open state (read-only) " + dir);
  } else {
    check(rocksdb::DB::Open(db_options, dir, descriptors, &store->handles_, &raw),
          "open state " + dir);
  }
  store->db_.reset(raw);
  store->write_options_.sync = options.sync;
  store->write_options_.disableWAL = !options.wal;
  return store;
}

Store::~Store() {
  for (auto* h : handles_) db_->DestroyColumnFamilyHandle(h);
}

bool Store::get_user(int32_t partition, std::string_view user_id, UserActivity& activity,
                     UserProfile& profile) {
  // A local key (not a member): readers on other threads (the HTTP endpoint) share the store.
  std::string key;
  codec::user_key(key, partition, user_id);
  rocksdb::PinnableSlice value;
  auto s = db_->Get(rocksdb::ReadOptions(), users(), key, &value);
  if (s.IsNotFound()) return false;
  check(s, "read user");
  if (!codec::decode_user(value.ToStringView(), activity, profile))
    throw std::runtime_error("corrupt user record in state");
  return true;
}

template <typename T>
void Store::restore_days(rocksdb::ColumnFamilyHandle* cf, int32_t partition, DayTable<T>& days) {
  std::string prefix;
  codec::put_partition(prefix, partition);
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), cf));
  T row;
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
    if (!codec::decode_day_row(it->value().ToStringView(), row))
      throw std::runtime_error("corrupt day row in state");
    days.restore(codec::day_of_key(it->key().ToStringView()), row);
  }
  check(it->status(), "scan state");
}

StoredPartition Store::load_partition(int32_t partition) {
  StoredPartition out;
  std::string prefix;
  codec::put_partition(prefix, partition);
  std::string value;
  int64_t dedupe_horizon = 0, session_horizon = 0;
  auto s = db_->Get(rocksdb::ReadOptions(), offsets(), prefix, &value);
  if (s.ok()) out.next_offset = codec::decode_i64(value);
  s = db_->Get(rocksdb::ReadOptions(), meta(), prefix, &value);
  if (s.ok()) {
    if (auto m = codec::decode_meta(value)) {
      out.aggregates.stream_time_ms = m->stream_time_ms;
      out.aggregates.rejected = m->rejected;
      out.aggregates.duplicates = m->duplicates;
      dedupe_horizon = m->dedupe_horizon_ms;
      session_horizon = m->session_horizon_ms;
      out.aggregates.risk = m->risk;
      out.next_program_seq = m->next_program_seq;
      out.clock_hour = m->clock_hour;
    }
  }
  auto scan = [&](rocksdb::ColumnFamilyHandle* cf, auto&& fn) {
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), cf));
    for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next())
      fn(it->key().ToStringView(), it->value().ToStringView());
    check(it->status(), "scan state");
  };
  restore_days(daily(), partition, out.aggregates.daily);
  std::vector<SeenEvent> seen;
  scan(dedupe(), [&](std::string_view, std::string_view v) {
    if (!codec::decode_seen(v, seen)) throw std::runtime_error("corrupt dedupe record in state");
  });
  for (const auto& e : seen)
    if (e.ts_ms >= dedupe_horizon) out.aggregates.seen.restore(e);
  out.sessions = read_sessions(partition, session_horizon);
  restore_days(revenue_daily(), partition, out.aggregates.revenue);
  restore_days(feedback_daily(), partition, out.aggregates.feedback);
  restore_days(session_daily(), partition, out.aggregates.sessions);
  restore_days(figures_daily(), partition, out.aggregates.figures);
  restore_days(cohort_figures(), partition, out.aggregates.cohort_figures);
  DayCounters counters;
  scan(segment_daily(), [&](std::string_view k, std::string_view v) {
    if (!codec::decode_day_row(v, counters)) throw std::runtime_error("corrupt segment row");
    const codec::SegmentDayKey key = codec::parse_segment_day_key(k);
    if (key.dimension >= kMaxSegmentDimensions) throw std::runtime_error("corrupt segment key");
    ActivityProcessor::segment_table(out.aggregates, key.dimension, key.value)
        .restore(key.day, counters);
  });
  scan(retention(), [&](std::string_view k, std::string_view v) {
    auto r = codec::decode_retention(v);
    if (!r) throw std::runtime_error("corrupt retention record in state");
    out.aggregates.cohort(codec::cohort_table_of_key(k))
        .restore(codec::cohort_of_key(k), std::move(*r));
  });
  return out;
}

std::vector<codec::SessionEntry> Store::read_sessions(int32_t partition, int64_t horizon) {
  std::string prefix;
  codec::put_partition(prefix, partition);
  // Segments in the order they were written; a later version of a session wins.
  std::vector<std::pair<int64_t, std::string>> segments;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), sessions()));
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next())
    segments.emplace_back(codec::segment_offset_of(it->key().ToStringView()),
                          it->value().ToString());
  check(it->status(), "scan sessions");
  std::sort(segments.begin(), segments.end());
  std::unordered_map<IdKey, SessionState, IdKeyHash> latest;
  std::vector<codec::SessionEntry> entries;
  for (const auto& [offset, value] : segments) {
    entries.clear();
    if (!codec::decode_sessions(value, entries))
      throw std::runtime_error("corrupt session segment");
    for (const auto& [key, state] : entries) latest[key] = state;
  }
  std::vector<codec::SessionEntry> out;
  for (const auto& [key, state] : latest)
    if (state.end_ms >= horizon) out.emplace_back(key, state);
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) {
    return std::tie(a.first.hi, a.first.lo) < std::tie(b.first.hi, b.first.lo);
  });
  return out;
}

std::vector<int32_t> Store::partitions() {
  std::vector<int32_t> out;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), offsets()));
  for (it->SeekToFirst(); it->Valid(); it->Next())
    out.push_back(codec::partition_of(it->key().ToStringView()));
  return out;
}

std::vector<std::pair<int64_t, std::string>> Store::due_timers(int32_t partition, int64_t until) {
  std::vector<std::pair<int64_t, std::string>> out;
  std::string from, to;
  codec::timer_key(from, partition, INT64_MIN, "");
  codec::timer_key(to, partition, until == INT64_MAX ? until : until + 1, "");
  rocksdb::ReadOptions ro;
  rocksdb::Slice upper(to);
  ro.iterate_upper_bound = &upper;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro, timers()));
  for (it->Seek(from); it->Valid(); it->Next()) {
    auto [due, user] = codec::parse_timer_key(it->key().ToStringView());
    out.emplace_back(due, std::string(user));
  }
  check(it->status(), "scan timers");
  return out;
}

std::vector<std::pair<std::string, codec::OutboxEntry>> Store::outbox_entries(int32_t partition) {
  std::vector<std::pair<std::string, codec::OutboxEntry>> out;
  std::string prefix;
  codec::put_partition(prefix, partition);
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), outbox()));
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
    auto e = codec::decode_outbox(it->value().ToStringView());
    if (!e) throw std::runtime_error("corrupt outbox entry in state");
    out.emplace_back(it->key().ToString(), std::move(*e));
  }
  check(it->status(), "scan outbox");
  return out;
}

std::vector<std::pair<std::string, codec::OutboxEntry>> Store::all_outbox_entries() {
  std::vector<std::pair<std::string, codec::OutboxEntry>> out;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), outbox()));
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    auto e = codec::decode_outbox(it->value().ToStringView());
    if (!e) throw std::runtime_error("corrupt outbox entry in state");
    out.emplace_back(it->key().ToString(), std::move(*e));
  }
  check(it->status(), "scan outbox");
  return out;
}

int64_t Store::stream_time(int32_t partition) {
  std::string key, value;
  codec::put_partition(key, partition);
  auto s = db_->Get(rocksdb::ReadOptions(), meta(), key, &value);
  if (s.IsNotFound()) return kNoTime;
  check(s, "read partition meta");
  auto m = codec::decode_meta(value);
  return m ? m->stream_time_ms : kNoTime;
}

std::optional<std::string> Store::get_program(std::string_view key) {
  std::string value;
  auto s = db_->Get(rocksdb::ReadOptions(), program(), key, &value);
  if (s.IsNotFound()) return std::nullopt;
  check(s, "read program state");
  return value;
}

void Store::write(rocksdb::WriteBatch& batch) {
  check(db_->Write(write_options_, &batch), "checkpoint");
}

void Store::flush() {
  rocksdb::FlushOptions options;
  options.wait = true;
  check(db_->Flush(options, handles_), "flush state");
}

uint64_t Store::live_data_bytes() {
  uint64_t total = 0, v = 0;
  for (auto* h : handles_) {
    if (db_->GetIntProperty(h, rocksdb::DB::Properties::kEstimateLiveDataSize, &v)) total += v;
    if (db_->GetIntProperty(h, rocksdb::DB::Properties::kCurSizeAllMemTables, &v)) total += v;
  }
  return total;
}

}  // namespace engaged
