// Opening the database and reading a partition back. Writes arrive whole, as WriteBatches (the
// checkpoint, a restore, the changelog bookkeeping); the only writes made here are local ones
// (the manifest, deleting a released partition).
#include "state/store.h"

#include <rocksdb/cache.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/slice_transform.h>
#include <rocksdb/table.h>
#include <rocksdb/write_buffer_manager.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstdarg>
#include <cstdio>
#include <filesystem>
#include <stdexcept>

#include "state/codec.h"

namespace engaged {
namespace {

void check(const rocksdb::Status& s, const std::string& what) {
  if (s.ok()) return;
  if (s.IsCorruption())
    throw std::runtime_error(
        what + ": " + s.ToString() +
        ". The state directory is damaged: move it away and rebuild it (`engaged run` restores it "
        "from the changelog, `engaged restore` too; or `engaged replay` the input)");
  throw std::runtime_error(what + ": " + s.ToString());
}

// Reads of the keys starting with `prefix` stop at this bound (the first key after them) instead
// of at the first key without it: a scan whose own keys are all read does not step through the
// tombstones that start the next prefix (a partition's deleted outbox entries, say) to find it.
// Empty for a prefix of 0xff bytes only: no bound.
std::string prefix_end(std::string_view prefix) {
  std::string end(prefix);
  while (!end.empty() && static_cast<unsigned char>(end.back()) == 0xff) end.pop_back();
  if (!end.empty()) end.back() = static_cast<char>(static_cast<unsigned char>(end.back()) + 1);
  return end;
}

// An iterator over a family that stops before `upper` (empty: at the family's end). It owns the
// bound, which RocksDB reads for as long as the iterator lives.
class BoundedIterator {
 public:
  BoundedIterator(rocksdb::DB& db, rocksdb::ColumnFamilyHandle* cf, std::string upper)
      : upper_(std::move(upper)), slice_(upper_) {
    rocksdb::ReadOptions ro;
    if (!upper_.empty()) ro.iterate_upper_bound = &slice_;
    it_.reset(db.NewIterator(ro, cf));
  }
  BoundedIterator(const BoundedIterator&) = delete;
  BoundedIterator& operator=(const BoundedIterator&) = delete;
  rocksdb::Iterator* operator->() const { return it_.get(); }

 private:
  const std::string upper_;
  const rocksdb::Slice slice_;
  std::unique_ptr<rocksdb::Iterator> it_;
};

// RocksDB's own log goes to ours, not to LOG files in the state directory: on a full disk
// RocksDB's file logger trips an assertion of Debian's build (abort) after its first failed
// write, where the error itself should reach the caller.
class SpdlogLogger : public rocksdb::Logger {
 public:
  SpdlogLogger() : rocksdb::Logger(rocksdb::InfoLogLevel::WARN_LEVEL) {}
  using rocksdb::Logger::Logv;
  void Logv(const char* format, va_list ap) override {
    Logv(rocksdb::InfoLogLevel::INFO_LEVEL, format, ap);
  }
  void Logv(const rocksdb::InfoLogLevel level, const char* format, va_list ap) override {
    if (level < GetInfoLogLevel()) return;
    char line[1024];
    std::vsnprintf(line, sizeof line, format, ap);
    if (level >= rocksdb::InfoLogLevel::ERROR_LEVEL)
      spdlog::error("rocksdb: {}", line);
    else
      spdlog::warn("rocksdb: {}", line);
  }
};

}  // namespace

std::unique_ptr<Store> Store::open(const std::string& dir, const StoreOptions& options) {
  rocksdb::Options db_options;
  db_options.create_if_missing = true;
  db_options.atomic_flush = true;  // column families never diverge on disk
  // A record torn by a crash at the WAL's end is dropped (its checkpoint never completed); any
  // other damage refuses to open: never a silent roll back to an older or empty state.
  db_options.wal_recovery_mode = rocksdb::WALRecoveryMode::kTolerateCorruptedTailRecords;
  db_options.paranoid_checks = true;
  db_options.info_log = std::make_shared<SpdlogLogger>();
  db_options.IncreaseParallelism(2);
  db_options.max_background_jobs = 2;

  // One cache for everything RocksDB holds in memory (as Kafka Streams' bounded-memory setup):
  // memtables (charged by the write buffer manager), data blocks, and the index and filter
  // blocks, which would otherwise grow outside it with the number of files; a tenth of it is
  // kept for those at high priority, and level 0's are pinned.
  const std::shared_ptr<rocksdb::Cache> cache =
      rocksdb::NewLRUCache(options.memory_bytes, -1, false, /*high_pri_pool_ratio=*/0.1);
  db_options.write_buffer_manager =
      std::make_shared<rocksdb::WriteBufferManager>(options.memory_bytes / 2, cache);
  rocksdb::BlockBasedTableOptions table;
  table.block_cache = cache;
  table.cache_index_and_filter_blocks = true;
  table.cache_index_and_filter_blocks_with_high_priority = true;
  table.pin_l0_filter_and_index_blocks_in_cache = true;
  table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));  // most user lookups miss
  // Index and filter in 4 KiB partitions under a pinned top level: a lookup reads the partitions
  // that cover its key, where a whole-file index or filter block evicted from a cache smaller
  // than the state was read back, checksummed and decompressed in full by every lookup (half
  // the CPU of a replay of 1 M users in a 128 MiB budget; docs/performance.md, 2026-12-06).
  table.index_type = rocksdb::BlockBasedTableOptions::kTwoLevelIndexSearch;
  table.partition_filters = true;
  table.metadata_block_size = 4096;
  table.pin_top_level_index_and_filter = true;
  rocksdb::ColumnFamilyOptions cf_options;
  cf_options.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  cf_options.write_buffer_size = 64 << 20;
  // A flush writes level 0 uncompressed: its files live until the next compaction into level 1,
  // which compresses them (LZ4 from level 1 on; the last entry applies to the deeper levels).
  // Compressing every flushed block as well cost about a third of the flushes' CPU.
  cf_options.compression_per_level = {rocksdb::kNoCompression, rocksdb::kLZ4Compression};
  // A memtable insert starts from where the last one of its key's prefix went in (a splice kept
  // per prefix) instead of from the skiplist's head: a checkpoint writes each partition's keys in
  // ascending runs. On the instructions bench's write batches that is 38 key comparisons per
  // insert against 65 without hints; a key whose older version is in the memtable still walks
  // from a level the run's first insert left behind (docs/performance.md, 2026-12-06).
  // Five bytes, not the four of the partition: Debian's RocksDB 7.8 keeps one set of hints for a
  // memtable's point keys and its range deletions (facebook/rocksdb#5118, fixed in 2024 by
  // #12558), and a range deletion inserted with a point key's hint corrupts the memtable. The
  // only range deletion here, erase_partition's, starts at a bare 4-byte partition key: outside.
  cf_options.memtable_insert_with_hint_prefix_extractor.reset(rocksdb::NewFixedPrefixTransform(5));

  // Handles in id order: handles_[id] is the family with that id.
  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
  descriptors.emplace_back(rocksdb::kDefaultColumnFamilyName, cf_options);
  // The users' memtables have a bloom filter as well: a user read from the store is either new
  // (in no memtable) or evicted and older than the last flush (mostly in none), and without it
  // each memtable's skiplist is searched from its head to say so. The other families are read
  // by scans, or rarely: a filter (1.3 MiB per memtable) would be memory for nothing there.
  rocksdb::ColumnFamilyOptions users_options = cf_options;
  users_options.memtable_whole_key_filtering = true;
  users_options.memtable_prefix_bloom_size_ratio = 0.02;
  for (const FamilyInfo& f : kFamilies)
    descriptors.emplace_back(std::string(f.name),
                             f.id == Family::kUsers ? users_options : cf_options);

  std::unique_ptr<Store> store(new Store());
  rocksdb::DB* raw = nullptr;
  if (!options.read_only) std::filesystem::create_directories(dir);
  // The families the state has are opened (read-only, a state written before a family existed
  // lacks it: read as empty, a null handle); a writable store creates the missing ones in one
  // step, which writes and verifies RocksDB's options file once. Created at open, each family
  // rewrote and re-parsed the whole file: 19 times for a new state, 40-50 ms of every fresh
  // replay and test.
  std::vector<std::string> existing;
  if (!options.read_only && !std::filesystem::exists(std::filesystem::path(dir) / "CURRENT"))
    existing.push_back(rocksdb::kDefaultColumnFamilyName);  // a new state
  else
    check(rocksdb::DB::ListColumnFamilies(db_options, dir, &existing), "open state " + dir);
  std::vector<size_t> present_ids, missing_ids;
  std::vector<rocksdb::ColumnFamilyDescriptor> present, missing;
  for (size_t id = 0; id < descriptors.size(); ++id) {
    const bool has =
        std::find(existing.begin(), existing.end(), descriptors[id].name) != existing.end();
    (has ? present_ids : missing_ids).push_back(id);
    (has ? present : missing).push_back(descriptors[id]);
  }
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  if (options.read_only)
    check(rocksdb::DB::OpenForReadOnly(db_options, dir, present, &handles, &raw),
          "open state (read-only) " + dir);
  else
    check(rocksdb::DB::Open(db_options, dir, present, &handles, &raw), "open state " + dir);
  store->db_.reset(raw);
  store->handles_.assign(descriptors.size(), nullptr);
  for (size_t i = 0; i < present_ids.size(); ++i) store->handles_[present_ids[i]] = handles[i];
  if (!options.read_only && !missing.empty()) {
    std::vector<rocksdb::ColumnFamilyHandle*> created;
    check(raw->CreateColumnFamilies(missing, &created), "create the families of state " + dir);
    for (size_t i = 0; i < missing_ids.size(); ++i) store->handles_[missing_ids[i]] = created[i];
  }
  store->cache_ = cache;
  store->write_options_.sync = options.sync;
  store->write_options_.disableWAL = !options.wal;
  store->read_only_ = options.read_only;
  return store;
}

std::optional<std::string> Store::manifest_text() {
  std::string value;
  auto s = db_->Get(rocksdb::ReadOptions(), handles_[0], "manifest", &value);
  if (s.IsNotFound()) return std::nullopt;
  check(s, "read the state's manifest");
  return value;
}

void Store::put_manifest_text(const std::string& text) {
  rocksdb::WriteBatch batch;
  put_manifest_text(text, batch);
}

void Store::put_manifest_text(const std::string& text, rocksdb::WriteBatch& batch) {
  rocksdb::WriteOptions sync;
  sync.sync = true;
  check(batch.Put(handles_[0], "manifest", text), "write the state's manifest");
  check(db_->Write(sync, &batch), "write the state's manifest");
}

bool Store::empty() {
  for (Family f : {Family::kOffsets, Family::kProgram, Family::kChangelog, Family::kUsers}) {
    if (!cf(f)) continue;
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), cf(f)));
    it->SeekToFirst();
    check(it->status(), "scan state");
    if (it->Valid()) return false;
  }
  return true;
}

Store::~Store() {
  for (auto* h : handles_)
    if (h) db_->DestroyColumnFamilyHandle(h);
}

std::vector<int32_t> Store::partitions() {
  std::vector<int32_t> out;
  std::unique_ptr<rocksdb::Iterator> it(
      db_->NewIterator(rocksdb::ReadOptions(), cf(Family::kOffsets)));
  for (it->SeekToFirst(); it->Valid(); it->Next())
    out.push_back(codec::partition_of(it->key().ToStringView()));
  return out;
}

std::vector<std::pair<int64_t, std::string>> Store::due_timers(int32_t partition, int64_t from,
                                                               int64_t until) {
  std::vector<std::pair<int64_t, std::string>> out;
  if (from > until) return out;
  std::string lower, upper;
  codec::timer_key(lower, partition, from, "");
  codec::timer_key(upper, partition, until == INT64_MAX ? until : until + 1, "");
  BoundedIterator it(*db_, cf(Family::kTimers), std::move(upper));
  for (it->Seek(lower); it->Valid(); it->Next()) {
    auto [due, user] = codec::parse_timer_key(it->key().ToStringView());
    out.emplace_back(due, std::string(user));
  }
  check(it->status(), "scan timers");
  return out;
}

std::vector<std::pair<std::string, codec::OutboxEntry>> Store::outbox_entries(
    int32_t partition, std::string_view after) {
  std::vector<std::pair<std::string, codec::OutboxEntry>> out;
  std::string prefix;
  codec::put_partition(prefix, partition);
  BoundedIterator it(*db_, cf(Family::kOutbox), prefix_end(prefix));
  it->Seek(after.empty() ? rocksdb::Slice(prefix) : rocksdb::Slice(after.data(), after.size()));
  if (!after.empty() && it->Valid() && it->key() == rocksdb::Slice(after.data(), after.size()))
    it->Next();
  for (; it->Valid() && it->key().starts_with(prefix); it->Next()) {
    auto e = codec::OutboxEntry::decode(it->value().ToStringView());
    if (!e) throw std::runtime_error("corrupt outbox entry in state");
    out.emplace_back(it->key().ToString(), std::move(*e));
  }
  check(it->status(), "scan outbox");
  return out;
}

void Store::scan(Family f, std::string_view prefix,
                 const std::function<void(std::string_view, std::string_view)>& fn) {
  if (!cf(f)) return;  // a read-only state written before the family existed
  BoundedIterator it(*db_, cf(f), prefix_end(prefix));
  for (it->Seek(rocksdb::Slice(prefix.data(), prefix.size()));
       it->Valid() && it->key().starts_with(rocksdb::Slice(prefix.data(), prefix.size()));
       it->Next())
    fn(it->key().ToStringView(), it->value().ToStringView());
  check(it->status(), "scan state");
}

std::optional<std::string> Store::get(Family f, std::string_view key) {
  rocksdb::PinnableSlice value;
  if (!get(f, key, value)) return std::nullopt;
  return value.ToString();
}

bool Store::get(Family f, std::string_view key, rocksdb::PinnableSlice& value) {
  value.Reset();
  if (!cf(f)) return false;  // a read-only state written before the family existed
  auto s = db_->Get(rocksdb::ReadOptions(), cf(f), key, &value);
  if (s.IsNotFound()) return false;
  check(s, "read state");
  return true;
}

std::vector<std::string> Store::keys_in_range(Family f, std::string_view from,
                                              std::string_view to) {
  std::vector<std::string> out;
  BoundedIterator it(*db_, cf(f), std::string(to));
  for (it->Seek(rocksdb::Slice(from.data(), from.size())); it->Valid(); it->Next())
    out.push_back(it->key().ToString());
  check(it->status(), "scan state");
  return out;
}

std::optional<codec::ChangelogPosition> Store::changelog_position(int32_t partition) {
  std::string key;
  codec::put_partition(key, partition);
  auto v = get(Family::kChangelog, key);
  if (!v) return std::nullopt;
  auto p = codec::decode_changelog_position(*v);
  if (!p) throw std::runtime_error("corrupt changelog position in state");
  return p;
}

std::vector<int32_t> Store::owned_partitions() {
  std::vector<int32_t> out;
  for (int32_t p : partitions()) {
    auto position = changelog_position(p);
    if (!position || !position->released) out.push_back(p);
  }
  return out;
}

std::string Store::identity() {
  std::string id;
  check(db_->GetDbIdentity(id), "read the state's identity");
  while (!id.empty() && (id.back() == '\n' || id.back() == ' ')) id.pop_back();
  return id;
}

void Store::erase_partition(int32_t partition) {
  // `from` must stay a bare partition key, shorter than the memtable insert hints' prefix (see
  // open): a range deletion that took a hint would corrupt the memtable.
  std::string from, to;
  codec::put_partition(from, partition);
  codec::put_partition(to, partition + 1);
  rocksdb::WriteBatch batch;
  for (const FamilyInfo& f : kFamilies) batch.DeleteRange(cf(f.id), from, to);
  write(batch);
  for (const FamilyInfo& f : kFamilies) {
    rocksdb::Slice begin(from), end(to);
    check(db_->CompactRange(rocksdb::CompactRangeOptions(), cf(f.id), &begin, &end),
          "reclaim partition state");
  }
}

void Store::write(rocksdb::WriteBatch& batch) {
  check(db_->Write(write_options_, &batch), "checkpoint");
}

void Store::flush() {
  rocksdb::FlushOptions options;
  options.wait = true;
  check(db_->Flush(options, handles_), "flush state");
}

StoreHealth Store::health() {
  StoreHealth h;
  using P = rocksdb::DB::Properties;
  uint64_t v = 0;
  if (db_->GetAggregatedIntProperty(P::kEstimatePendingCompactionBytes, &v))
    h.pending_compaction_bytes = v;  // per column family, summed
  // The rest are the database's, whichever column family asks.
  auto db_wide = [&](const std::string& property) {
    uint64_t n = 0;
    return db_->GetIntProperty(property, &n) ? n : 0;
  };
  h.running_compactions = db_wide(P::kNumRunningCompactions);
  h.running_flushes = db_wide(P::kNumRunningFlushes);
  h.writes_stopped = db_wide(P::kIsWriteStopped) > 0;
  h.delayed_write_rate = db_wide(P::kActualDelayedWriteRate);
  return h;
}

uint64_t Store::live_data_bytes() {
  uint64_t total = 0, v = 0;
  for (auto* h : handles_) {
    if (!h) continue;
    if (db_->GetIntProperty(h, rocksdb::DB::Properties::kEstimateLiveDataSize, &v)) total += v;
    if (db_->GetIntProperty(h, rocksdb::DB::Properties::kCurSizeAllMemTables, &v)) total += v;
  }
  return total;
}

}  // namespace engaged
