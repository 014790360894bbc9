// Registered stores: a DayStore's rows survive a checkpoint and a load, each record carries its
// store's format version (a newer one is refused by name), and the manifest records which stores
// a state holds and whether they came after its first data. Also the partition state's reads and
// writes of the store: the user cache's trim, the changed users' writes, a partition's erasure,
// timer and outbox scans.
#include <gtest/gtest.h>
#include <rocksdb/table_properties.h>
#include <unistd.h>

#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "processors/first_week/first_week_processor.h"
#include "processors/runtime/partition_state.h"
#include "state/codec.h"
#include "state/day_store.h"
#include "state/manifest.h"
#include "state/outbox_buffer.h"
#include "state/store.h"
#include "tests/unit/store_test_support.h"

namespace engaged {
namespace {

namespace fs = std::filesystem;

class StateStoreTest : public StoreTest {
 protected:
  // As a checkpoint does: the store's changes with the partition's next offset (reports sum the
  // partitions this copy holds a checkpoint of).
  void write(StateStore& s, int32_t partition) {
    ChangeBatch batch(*store_, false);
    s.write_changes(batch, partition);
    std::string key, offset;
    codec::put_partition(key, partition);
    codec::encode_offset(offset, 1);
    batch.put(Family::kOffsets, key, offset);
    store_->write(batch.write_batch());
  }
};

constexpr uint8_t kId = FirstWeekProcessor::kStoreId;

TEST_F(StateStoreTest, DayStoreRowsSurviveWriteAndLoadAndSumOverPartitions) {
  FirstWeekStore p0(kId, "first_week"), p1(kId, "first_week");
  p0.days().mutable_day(20500).users[2] = 4;
  p0.days().mutable_day(20501).users[6] = 1;
  p1.days().mutable_day(20500).users[2] = 3;
  p1.days().mutable_day(20500).users[0] = -2;  // a user who moved away: negative deltas sum too
  write(p0, 0);
  write(p1, 1);
  FirstWeekStore loaded(kId, "first_week");
  loaded.restore(*store_, 0);
  ASSERT_NE(loaded.days().find(20500), nullptr);
  EXPECT_EQ(loaded.days().find(20500)->users, (std::array<int64_t, 7>{0, 0, 4, 0, 0, 0, 0}));
  EXPECT_EQ(loaded.days().find(20501)->users, (std::array<int64_t, 7>{0, 0, 0, 0, 0, 0, 1}));
  EXPECT_EQ(loaded.days().find(20499), nullptr);
  // Only changed rows are written: nothing changed since, nothing written.
  ChangeBatch again(*store_, false);
  p0.write_changes(again, 0);  // (the store's own writes only)
  EXPECT_EQ(again.write_batch().Count(), 0u);
  const auto sum = FirstWeekStore::sum(*store_, kId, "first_week");
  ASSERT_EQ(sum.size(), 2u);
  EXPECT_EQ(sum.at(20500).users, (std::array<int64_t, 7>{-2, 0, 7, 0, 0, 0, 0}));
}

TEST_F(StateStoreTest, EveryRecordStartsWithItsVersionAndANewerOneIsRefusedByName) {
  FirstWeekStore s(kId, "first_week");
  s.days().mutable_day(20500).users[0] = 1;
  write(s, 3);
  std::string key = store_prefix(3, kId);
  codec::put_be32(key, codec::biased(20500));
  const auto value = store_->get(Family::kStores, key);
  ASSERT_TRUE(value);
  EXPECT_EQ(static_cast<uint8_t>((*value)[0]), FirstWeekCodec::kVersion);
  // The same row as a release with format version 2 would write it.
  ChangeBatch batch(*store_, false);
  std::string newer = *value;
  newer[0] = 2;
  batch.put(Family::kStores, key, newer);
  store_->write(batch.write_batch());
  FirstWeekStore loaded(kId, "first_week");
  try {
    loaded.restore(*store_, 3);
    FAIL() << "a newer format was read";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("first_week: record format version 2"), std::string::npos)
        << e.what();
  }
}

TEST_F(StateStoreTest, TheManifestRecordsStoresAndThoseAddedToAStateWithData) {
  Manifest expected;
  expected.built_from["input.topic"] = "app.events";
  expected.stores["first_week"] = {1, false};
  check_manifest(*store_, dir_.string(), &expected);  // new state: there from the start
  EXPECT_EQ(read_manifest(*store_)->stores.at("first_week"), (Manifest::StoreEntry{1, false}));

  expected.stores["later"] = {2, false};
  check_manifest(*store_, dir_.string(), &expected);  // the state has a manifest: added later
  const Manifest m = *read_manifest(*store_);
  EXPECT_EQ(m.stores.at("first_week"), (Manifest::StoreEntry{1, false}));
  EXPECT_EQ(m.stores.at("later"), (Manifest::StoreEntry{2, true}));
  EXPECT_EQ(decode_manifest(encode_manifest(m))->stores, m.stores);

  Manifest clash = expected;
  clash.stores.erase("later");
  clash.stores["other"] = {2, false};  // id 2 belongs to `later` in this state
  EXPECT_THROW(check_manifest(*store_, dir_.string(), &clash), std::runtime_error);
}

TEST_F(StateStoreTest, APartitionHasAnInstanceOfEveryDeclaredStoreAndNoOther) {
  const StoreSpec spec{kId, "first_week",
                       [] { return std::make_unique<FirstWeekStore>(kId, "first_week"); }};
  PartitionState p(0, *store_, {}, std::span<const StoreSpec>(&spec, 1));
  EXPECT_NE(dynamic_cast<FirstWeekStore*>(&p.state_store(kId)), nullptr);
  EXPECT_THROW(p.state_store(kId + 1), std::logic_error);
  EXPECT_THROW(p.state_store(0), std::logic_error);
}

// The user cache is bounded by estimated bytes as well as by count: the least recently touched
// clean users go first, whole epochs then part of the next; users with unwritten changes stay.
TEST_F(StateStoreTest, TheUserCacheIsTrimmedByBytesOldestCleanUsersFirst) {
  PartitionState p0(0, *store_), p1(1, *store_);
  for (uint32_t epoch = 1; epoch <= 4; ++epoch)
    for (int i = 0; i < 10; ++i) {
      PartitionState& p = i % 2 ? p1 : p0;
      CachedUser& u = p.user("u" + std::to_string(epoch) + "-" + std::to_string(i), epoch);
      u.changed = epoch == 1 && i == 0;  // one old user with writes not in the store yet
    }
  for (auto* p : {&p0, &p1})
    for (auto& [id, u] : p->users())
      if (id != "u1-0") u.changed = false;
  const size_t each = cached_user_bytes("u1-1", p0.users().begin()->second);
  std::vector<PartitionState*> parts{&p0, &p1};
  EXPECT_EQ(trim_user_cache(parts, 1000, 40 * each).evicted, 0u);  // within both bounds
  // 40 users; at most 20 users' bytes: down to 90 % of that (18), so 22 go, the changed one stays.
  const TrimmedCache trimmed = trim_user_cache(parts, 1000, 20 * each);
  EXPECT_EQ(trimmed.evicted, 22u);
  EXPECT_EQ(trimmed.bytes, 18 * each);
  EXPECT_EQ(p0.users().size() + p1.users().size(), 18u);
  EXPECT_TRUE(p0.users().count("u1-0"));  // changed: kept though oldest
  for (int i = 0; i < 10; ++i) {
    EXPECT_FALSE((i % 2 ? p1 : p0).users().count("u2-" + std::to_string(i)));  // epoch 2: gone
    EXPECT_TRUE((i % 2 ? p1 : p0).users().count("u4-" + std::to_string(i)));   // newest: kept
  }
  // The count bound alone evicts too.
  EXPECT_EQ(trim_user_cache(parts, 10, size_t{1} << 40).evicted, 9u);
}

// A checkpoint writes the users changed since the last one and no other, in key order (RocksDB's
// memtable takes an ascending run cheaply), and none deleted since; the next writes none again.
TEST_F(StateStoreTest, ACheckpointWritesTheChangedUsersInKeyOrderAndNoOther) {
  struct UserKeys : rocksdb::WriteBatch::Handler {
    uint32_t users_cf = 0;
    std::vector<std::string> puts, deletes;
    rocksdb::Status PutCF(uint32_t cf, const rocksdb::Slice& key, const rocksdb::Slice&) override {
      if (cf == users_cf) puts.emplace_back(codec::user_id_of(key.ToStringView()));
      return rocksdb::Status::OK();
    }
    rocksdb::Status DeleteCF(uint32_t cf, const rocksdb::Slice& key) override {
      if (cf == users_cf) deletes.emplace_back(codec::user_id_of(key.ToStringView()));
      return rocksdb::Status::OK();
    }
  };
  auto checkpoint = [&](PartitionState& p) {
    ChangeBatch batch(*store_, false);
    CheckpointResult result;
    p.write_changes(batch, *store_, result);
    UserKeys keys;
    keys.users_cf = store_->cf(Family::kUsers)->GetID();
    EXPECT_TRUE(batch.write_batch().Iterate(&keys).ok());
    store_->write(batch.write_batch());
    p.committed();
    return keys;
  };
  PartitionState p(0, *store_);
  for (const char* id : {"m", "b", "x", "a", "q"}) p.user(id, 1);
  UserKeys first = checkpoint(p);
  EXPECT_EQ(first.puts, (std::vector<std::string>{"a", "b", "m", "q", "x"}));
  EXPECT_TRUE(checkpoint(p).puts.empty());  // nothing touched since

  p.user("q", 2);
  p.user("c", 2);
  p.user("b", 2);
  p.erase_user("c");  // changed, then deleted before the checkpoint
  p.user("a", 2);
  UserKeys second = checkpoint(p);
  EXPECT_EQ(second.puts, (std::vector<std::string>{"a", "b", "q"}));
  EXPECT_EQ(second.deletes, (std::vector<std::string>{"c"}));
  EXPECT_TRUE(store_->get(Family::kUsers, partition_key(0, "m")).has_value());
  EXPECT_FALSE(store_->get(Family::kUsers, partition_key(0, "c")).has_value());
}

// Erasing a partition (a moved-away partition's state: one range deletion per family) removes
// its keys and no other, and what is written after it is all there. RocksDB 7.8 inserts a range
// deletion with the memtable insert hint of its start key's prefix, taken from the point keys'
// table: if that prefix were a bare partition key, the memtable would break (Store::open).
TEST_F(StateStoreTest, ErasingAPartitionRemovesItsKeysAndNoOther) {
  auto put = [&](int32_t partition, std::initializer_list<const char*> ids) {
    ChangeBatch batch(*store_, false);
    for (const char* id : ids) batch.put(Family::kUsers, partition_key(partition, id), id);
    store_->write(batch.write_batch());
  };
  auto ids = [&](int32_t partition) {
    std::string prefix;
    codec::put_partition(prefix, partition);
    std::vector<std::string> out;
    store_->scan(Family::kUsers, prefix,
                 [&](std::string_view, std::string_view value) { out.emplace_back(value); });
    return out;
  };
  put(3, {"a", "c", "e"});
  put(4, {"a", "b"});
  put(3, {"d"});
  store_->erase_partition(3);
  EXPECT_EQ(ids(3), std::vector<std::string>{});
  EXPECT_EQ(ids(4), (std::vector<std::string>{"a", "b"}));
  put(3, {"b", "d"});
  put(4, {"c"});
  put(3, {"a", "f"});
  EXPECT_EQ(ids(3), (std::vector<std::string>{"a", "b", "d", "f"}));
  EXPECT_EQ(ids(4), (std::vector<std::string>{"a", "b", "c"}));
}

// A state larger than RocksDB's cache: a lookup reads the 4 KiB index and filter partitions
// that cover its key, under a top level that stays in the cache. One index block per file, once
// evicted, was read back whole by every lookup (docs/performance.md, 2026-12-06).
TEST_F(StateStoreTest, TheIndexAndFilterOfAFileAreReadInPartitions) {
  ChangeBatch batch(*store_, false);
  const std::string value(200, 'v');
  for (int i = 0; i < 20000; ++i)
    batch.put(Family::kUsers, partition_key(i % 4, "user-" + std::to_string(i)), value);
  store_->write(batch.write_batch());
  store_->flush();
  rocksdb::TablePropertiesCollection tables;
  ASSERT_TRUE(store_->db()->GetPropertiesOfAllTables(store_->cf(Family::kUsers), &tables).ok());
  ASSERT_EQ(tables.size(), 1u);
  const rocksdb::TableProperties& t = *tables.begin()->second;
  EXPECT_GE(t.index_partitions, 4u);  // 4.6 MB of data in 4 KiB blocks: ~40 KB of index
  EXPECT_LT(t.top_level_index_size, t.index_size / 4);
  EXPECT_GT(t.filter_size, 0u);
}

// Each scan of a partition's timer index starts after the last one's end: what was due by then
// fired at that scan, and the tombstones of its fired entries are not stepped over again, unless
// a checkpoint wrote an earlier timer since. A new partition (after a restart or a move) scans
// from the start.
TEST_F(StateStoreTest, ATimerScanStartsAfterThePreviousOne) {
  auto put_timer = [&](int64_t due, std::string_view user) {
    ChangeBatch batch(*store_, false);
    std::string key, value;
    codec::timer_key(key, 0, due, user);
    codec::encode_timer(value);
    batch.put(Family::kTimers, key, value);
    store_->write(batch.write_batch());
  };
  using Due = std::vector<std::pair<int64_t, std::string>>;
  put_timer(10, "a");
  put_timer(20, "b");
  put_timer(30, "c");
  PartitionState p(0, *store_);
  EXPECT_EQ(p.due_timers(20), (Due{{10, "a"}, {20, "b"}}));
  put_timer(15, "d");  // before the last scan's end: fired then, not returned by the next
  EXPECT_EQ(p.due_timers(20), Due{});
  // A timer a checkpoint writes before the last scan's end (one that fired late projects the next
  // from its own day) is returned by the next scan, with what follows it again (a timer its user
  // no longer has is ignored when it fires).
  p.user("e", 1).profile.risk.timer_ms = 16;
  ChangeBatch batch(*store_, false);
  CheckpointResult result;
  p.write_changes(batch, *store_, result);
  store_->write(batch.write_batch());
  p.committed();
  EXPECT_EQ(p.due_timers(30), (Due{{16, "e"}, {20, "b"}, {30, "c"}}));
  PartitionState restarted(0, *store_);
  EXPECT_EQ(restarted.due_timers(30), (Due{{10, "a"}, {15, "d"}, {16, "e"}, {20, "b"}, {30, "c"}}));
}

// The outbox is read from after a given key (the replay's program stage reads only what is new
// since its last pass), also when that key itself has left the outbox since.
TEST_F(StateStoreTest, OutboxEntriesAfterAKeyAreTheLaterOnesOfItsPartitionOnly) {
  ChangeBatch batch(*store_, false);
  std::vector<std::string> keys;
  std::string key;
  for (int32_t partition : {3, 4})
    for (uint64_t seq = 1; seq <= 4; ++seq) {
      codec::outbox_key(key, partition, seq);
      codec::OutboxEntry entry(codec::OutboxSink::kProgram);
      entry.add("", std::to_string(seq));
      batch.put(Family::kOutbox, key, entry.value());
      if (partition == 3) keys.push_back(key);
    }
  batch.del(Family::kOutbox, keys[1]);
  store_->write(batch.write_batch());
  auto payloads = [&](std::string_view after) {
    std::vector<std::string> out;
    for (const auto& [k, e] : store_->outbox_entries(3, after))
      out.emplace_back(e.messages().at(0).payload);
    return out;
  };
  EXPECT_EQ(payloads(""), (std::vector<std::string>{"1", "3", "4"}));
  EXPECT_EQ(payloads(keys[0]), (std::vector<std::string>{"3", "4"}));
  EXPECT_EQ(payloads(keys[1]), (std::vector<std::string>{"3", "4"}));  // deleted since
  EXPECT_TRUE(payloads(keys[3]).empty());                              // not partition 4's
}

// Messages share an entry until a send (processing.send_outputs=on_decision) or the size bound
// closes it; each entry is keyed by its first message's number; a write stores them all and hands
// back the unsent only.
TEST_F(StateStoreTest, AnOutboxEntryHoldsTheMessagesOfOneSendBelowTheSizeBound) {
  OutboxBuffer buffer(7, codec::OutboxSink::kNudges);
  auto key_of = [](uint64_t seq) {
    std::string key;
    codec::outbox_key(key, 7, seq);
    return key;
  };
  const std::string big(OutboxBuffer::kEntryBytes / 3, 'x');
  for (uint64_t seq = 10; seq < 13; ++seq) buffer.add(seq, "u", std::to_string(seq));
  ASSERT_EQ(buffer.unsent().size(), 1u);
  EXPECT_EQ(buffer.unsent()[0].first, key_of(10));
  EXPECT_EQ(buffer.unsent()[0].second.messages().size(), 3u);
  buffer.mark_sent();
  EXPECT_TRUE(buffer.unsent().empty());
  for (uint64_t seq = 13; seq < 18; ++seq) buffer.add(seq, "u", big);  // 3 fit in no entry
  ASSERT_EQ(buffer.unsent().size(), 3u);
  std::vector<size_t> sizes;
  for (const auto& [key, entry] : buffer.unsent()) {
    sizes.push_back(entry.messages().size());
    EXPECT_LE(entry.value().size(), OutboxBuffer::kEntryBytes);
  }
  EXPECT_EQ(sizes, (std::vector<size_t>{2, 2, 1}));
  EXPECT_EQ(buffer.unsent()[1].first, key_of(15));
  EXPECT_EQ(buffer.unsent()[2].first, key_of(17));

  ChangeBatch batch(*store_, false);
  std::vector<OutboxBuffer::Entry> unsent;
  buffer.write(batch, unsent);
  store_->write(batch.write_batch());
  EXPECT_EQ(unsent.size(), 3u);
  EXPECT_TRUE(buffer.unsent().empty());
  std::vector<std::string> stored;
  for (const auto& [key, entry] : store_->outbox_entries(7)) stored.push_back(key);
  EXPECT_EQ(stored, (std::vector<std::string>{key_of(10), key_of(13), key_of(15), key_of(17)}));
  buffer.add(18, "u", "after the write");
  ASSERT_EQ(buffer.unsent().size(), 1u);
  EXPECT_EQ(buffer.unsent()[0].first, key_of(18));
}

TEST(FirstWeekGauge, SumsTheNewestCompleteCohortOverPartitions) {
  FirstWeekStore p0(kId, "first_week"), p1(kId, "first_week");
  p0.days().mutable_day(20500).users = {1, 0, 2, 0, 0, 0, 3};
  p1.days().mutable_day(20500).users = {0, 4, 0, 0, 0, 0, 1};
  p1.days().mutable_day(20501).users = {9, 9, 9, 9, 9, 9, 9};  // not complete on day 20507
  const auto gauges = FirstWeekProcessor().gauges();
  ASSERT_EQ(gauges.size(), 1u);
  std::vector<StateStore*> stores{&p0, &p1};
  const auto samples = gauges[0].sample(stores, 20507);
  ASSERT_EQ(samples.size(), 7u);
  const std::vector<double> want{1, 4, 2, 0, 0, 0, 4};
  for (size_t k = 0; k < 7; ++k) {
    EXPECT_EQ(samples[k].labels.at("days"), std::to_string(k + 1));
    EXPECT_EQ(samples[k].value, want[k]) << "days=" << k + 1;
  }
}

}  // namespace
}  // namespace engaged
