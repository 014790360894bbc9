// KafkaChangelog against the embedded cluster: what a writer leaves on the changelog when its
// partitions come and go must restore, on any node, to the state the writer committed. The
// stories are the moves the 100-kill soak found wrong: a partition lost (no revoke) and assigned
// back to the same process, whose redo records then shared keys with its earlier ones.
#include "state/changelog_writer.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <map>
#include <set>

#include "ingest/embedded_cluster.h"
#include "state/change_batch.h"
#include "state/changelog_record.h"
#include "state/changelog_tails.h"
#include "state/codec.h"
#include "state/kafka/topic_reader.h"
#include "state/store.h"
#include "tests/unit/store_test_support.h"

namespace engaged {
namespace {

namespace fs = std::filesystem;
constexpr int32_t kPartition = 1;
const std::string kTopic = "writer-test-changelog";

std::string user_key(std::string_view id) {
  return partition_key(kPartition, id);
}

class ChangelogWriterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    cluster_.create_topic(kTopic, 2);
    cluster_.create_topic(kTopic + "-program", 1);
    props_ = {{"bootstrap.servers", cluster_.bootstrap_servers()}};
    dir_ = fs::temp_directory_path() / ("engaged-changelog-writer-" + std::to_string(getpid()));
    fs::remove_all(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  // By default only release() materializes; `interval_ms` 0: every committed() starts it.
  std::unique_ptr<KafkaChangelog> writer(int64_t interval_ms = 1 << 30, int64_t slice_us = 2000) {
    ChangelogOptions options;
    options.topic = kTopic;
    options.program_topic = kTopic + "-program";
    options.materialize_interval_ms = interval_ms;
    options.slice_us = slice_us;
    return std::make_unique<KafkaChangelog>(props_, options);
  }

  // One committed checkpoint of `w` putting users `id` = `value`.
  void checkpoint(KafkaChangelog& w, Store& scratch, std::string_view id, std::string_view value) {
    checkpoint(w, scratch, [&](ChangeBatch& b) { b.put(Family::kUsers, user_key(id), value); });
  }
  // One committed checkpoint of `w` with the writes `write` makes.
  template <typename Write>
  void checkpoint(KafkaChangelog& w, Store& scratch, Write&& write) {
    ChangeBatch batch(scratch, /*record_ops=*/true);
    write(batch);
    for (auto& [partition, ops] : batch.ops()) w.append(partition, ops);
    std::vector<ChangelogSink::Position> positions;
    ASSERT_TRUE(w.flush(/*wait=*/true, positions));
    w.committed();
  }

  // Restores the partition from the whole changelog into a fresh store named `name`; returns
  // what it found uncovered (for KafkaChangelog::adopt) and leaves the store in `store_`.
  RestoreSet::Finished restore(const std::string& name) {
    store_.reset();
    store_ = Store::open((dir_ / name).string(), {});
    TopicReader reader(props_, "writer-test-" + name);
    const auto [lo, hi] = reader.watermarks(kTopic, kPartition);
    RestoreSet restores(*store_, reader);
    restores.begin(kPartition, kTopic, kPartition, lo, hi, 0);
    for (;;)
      for (auto& f : restores.step(100)) return std::move(f);
  }

  std::map<std::string, std::string> users() { return users_in(*store_); }

  // The state records of users on the partition, in offset order: "id=value", or "id" for a
  // tombstone.
  std::vector<std::string> user_records() {
    std::vector<std::string> out;
    each_record([&](const std::string& key, rd_kafka_message_t* m) {
      if (static_cast<uint8_t>(key[0]) != static_cast<uint8_t>(Family::kUsers)) return;
      std::string r = key.substr(5);  // family | partition (4) | id
      if (m->payload) r += "=" + std::string(static_cast<const char*>(m->payload) + 1, m->len - 1);
      out.push_back(r);
    });
    return out;
  }

  // The keys of every redo record (not tombstone) on the partition, in offset order.
  std::vector<std::string> redo_keys() {
    std::vector<std::string> keys;
    each_record([&](const std::string& key, rd_kafka_message_t* m) {
      if (m->payload && static_cast<uint8_t>(key[0]) == changelog::kRedoTag) keys.push_back(key);
    });
    return keys;
  }

  template <typename F>
  void each_record(F&& f) {
    TopicReader reader(props_, "writer-test-keys");
    const auto [lo, hi] = reader.watermarks(kTopic, kPartition);
    reader.start(kTopic, kPartition, lo);
    std::vector<rd_kafka_message_t*> batch;
    for (int64_t next = lo; next < hi;) {
      batch.clear();
      reader.poll(batch, 1000, 100);
      for (rd_kafka_message_t* m : batch) {
        next = m->offset + 1;
        f(std::string(static_cast<const char*>(m->key), m->key_len), m);
        rd_kafka_message_destroy(m);
      }
    }
  }

  EmbeddedCluster cluster_{1};
  KafkaProperties props_;
  fs::path dir_;
  std::unique_ptr<Store> store_;
};

TEST_F(ChangelogWriterTest, APartitionLostAndAssignedBackRestoresToWhatItsWriterCommitted) {
  auto scratch = Store::open((dir_ / "scratch").string(), {});
  {
    auto w = writer();
    checkpoint(*w, *scratch, "a", "a1");
    checkpoint(*w, *scratch, "b", "b1");
    w->discard(kPartition);  // lost: no materialization, the redo records stay uncovered
    // Assigned back to the same process: its restore hands the uncovered records over.
    RestoreSet::Finished back = restore("back");
    ASSERT_EQ(back.uncovered.keys.size(), 2u);
    w->adopt(kPartition, back.uncovered.keys, back.uncovered.ops, back.uncovered.first_offset,
             back.uncovered.claim);
    checkpoint(*w, *scratch, "a", "a2");
    checkpoint(*w, *scratch, "b", "b2");
    w->release(kPartition);  // state records for a and b, tombstones for all four redo records
  }
  const std::vector<std::string> keys = redo_keys();
  EXPECT_EQ(std::set<std::string>(keys.begin(), keys.end()).size(), keys.size())
      << "a writer reused a redo key";
  EXPECT_EQ(keys.size(), 4u);

  // The next owner finds nothing to take over; after its own checkpoint and release, a restore
  // from scratch is the state that was committed last.
  RestoreSet::Finished next = restore("next");
  EXPECT_TRUE(next.uncovered.keys.empty());
  EXPECT_EQ(users(), (std::map<std::string, std::string>{{"a", "a2"}, {"b", "b2"}}));
  {
    auto w = writer();
    w->adopt(kPartition, next.uncovered.keys, next.uncovered.ops, next.uncovered.first_offset,
             next.uncovered.claim);
    checkpoint(*w, *scratch, "c", "c3");
    w->release(kPartition);
  }
  restore("last");
  EXPECT_EQ(users(), (std::map<std::string, std::string>{{"a", "a2"}, {"b", "b2"}, {"c", "c3"}}));
}

// A key inserted (new to the store) and deleted again before the writer materializes never
// reaches the changelog as a record: the mentor program's pending envelopes and timers come and
// go in every window. A key the changelog may still hold keeps its tombstone, even when it is
// deleted, inserted again and deleted again within one window.
TEST_F(ChangelogWriterTest, AKeyInsertedAndDeletedBetweenMaterializationsLeavesNoRecord) {
  auto scratch = Store::open((dir_ / "scratch").string(), {});
  {
    auto w = writer();
    checkpoint(*w, *scratch, [](ChangeBatch& b) {
      b.insert(Family::kUsers, user_key("old"), "o1");
      b.insert(Family::kUsers, user_key("kept"), "k1");
    });
    w->release(kPartition);
  }
  auto w = writer();
  checkpoint(*w, *scratch, [](ChangeBatch& b) {
    b.del(Family::kUsers, user_key("old"));
    b.insert(Family::kUsers, user_key("new"), "n1");
  });
  checkpoint(*w, *scratch, [](ChangeBatch& b) {
    b.insert(Family::kUsers, user_key("old"), "o2");
    b.put(Family::kUsers, user_key("new"), "n2");
  });
  checkpoint(*w, *scratch, [](ChangeBatch& b) {
    b.del(Family::kUsers, user_key("old"));
    b.del(Family::kUsers, user_key("new"));
  });
  w->release(kPartition);
  const std::vector<std::string> records = user_records();  // a window's records in any order
  EXPECT_EQ(std::multiset<std::string>(records.begin(), records.end()),
            (std::multiset<std::string>{"old=o1", "kept=k1", "old"}));
  restore("after");
  EXPECT_EQ(users(), (std::map<std::string, std::string>{{"kept", "k1"}}));
}

TEST_F(ChangelogWriterTest, AnOwnerReplacedWithoutNoticingIsSkipped) {
  auto scratch = Store::open((dir_ / "scratch").string(), {});
  auto a = writer();
  a->claim({{kPartition, 10}});
  checkpoint(*a, *scratch, "a", "a1");
  // The group gives the partition to b while a still runs: b claims, then restores to its claim.
  auto b = writer();
  const int64_t claimed = b->claim({{kPartition, 20}}).at(kPartition);
  RestoreSet::Finished at_claim = restore("b");
  EXPECT_EQ(at_claim.end, claimed + 1);
  EXPECT_EQ(users(), (std::map<std::string, std::string>{{"a", "a1"}}));
  b->adopt(kPartition, at_claim.uncovered.keys, at_claim.uncovered.ops,
           at_claim.uncovered.first_offset, at_claim.uncovered.claim);
  // a writes on (a checkpoint, then its release's state records and tombstones), b too.
  checkpoint(*a, *scratch, "a", "zombie");
  checkpoint(*a, *scratch, "z", "zombie");
  a->release(kPartition);
  checkpoint(*b, *scratch, "b", "b2");
  b->release(kPartition);

  RestoreSet::Finished last = restore("last");
  EXPECT_EQ(users(), (std::map<std::string, std::string>{{"a", "a1"}, {"b", "b2"}}));
  EXPECT_EQ(last.fenced, 7);              // a's 2 redo records, 2 state records, 3 tombstones
  EXPECT_EQ(last.unfinished.size(), 2u);  // its redo records: for the next owner to delete
  EXPECT_TRUE(last.uncovered.keys.empty());
}

// A materialization runs a slice at a time between batches, while the next checkpoints go on: a
// key they write again is left to the newer window, or its older state record would follow the
// redo record with its newer value and a restore would end on the older one.
TEST_F(ChangelogWriterTest, AMaterializationInSlicesNeverWritesAValueOlderThanTheLog) {
  auto scratch = Store::open((dir_ / "scratch").string(), {});
  auto w = writer(/*interval_ms=*/0, /*slice_us=*/0);  // a slice: 63 records
  checkpoint(*w, *scratch, [](ChangeBatch& b) {
    for (int i = 0; i < 200; ++i) b.put(Family::kUsers, user_key("u" + std::to_string(i)), "v1");
  });  // its window starts materializing
  w->step();
  EXPECT_EQ(w->stats().state_records, 63);
  checkpoint(*w, *scratch, [](ChangeBatch& b) {
    for (int i = 0; i < 200; i += 2) b.put(Family::kUsers, user_key("u" + std::to_string(i)), "v2");
  });  // the second window waits for the first
  while (w->stats().tombstones == 0) w->step();
  restore("first");
  std::map<std::string, std::string> expected;
  for (int i = 0; i < 200; ++i) expected["u" + std::to_string(i)] = i % 2 == 0 ? "v2" : "v1";
  EXPECT_EQ(users(), expected);
  // The first window wrote the odd users it had left, and only them.
  const std::vector<std::string> records = user_records();
  size_t late = 0;
  for (size_t i = 63; i < records.size(); ++i) {
    EXPECT_EQ(std::stoi(records[i].substr(1)) % 2, 1) << records[i];
    ++late;
  }
  EXPECT_GT(late, 0u);
  w->release(kPartition);
  restore("released");
  EXPECT_EQ(users(), expected);
}

}  // namespace
}  // namespace engaged
