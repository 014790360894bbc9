// The changelog's guarantee, without Kafka: a partition restored from its changelog is the state
// of its last finished checkpoint, whatever the log holds after it (a checkpoint whose writer
// died half-way, records of an owner the group replaced) and whatever compaction removed (older
// versions of every key, deleted redo records); a restore cut short and run again gives the same
// copy.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <map>
#include <optional>

#include "state/byte_io.h"
#include "state/change_batch.h"
#include "state/changelog_record.h"
#include "state/changelog_restore.h"
#include "state/codec.h"
#include "state/store.h"
#include "tests/unit/store_test_support.h"

namespace engaged {
namespace {

namespace fs = std::filesystem;
constexpr int32_t kPartition = 3;

std::string key(std::string_view id) {
  return partition_key(kPartition, id);
}

struct Record {
  std::string key;
  std::optional<std::string> value;  // nullopt: a tombstone
  uint64_t writer = 0;               // its header (0: none)
};

// Writes records the way KafkaChangelog does, into a vector standing for a topic partition.
class Log {
 public:
  // One checkpoint's redo record, split into `chunks` chunks; `finished` false: the writer died
  // before the last one.
  void checkpoint(uint64_t writer, uint64_t number,
                  const std::vector<std::pair<std::string, std::optional<std::string>>>& writes,
                  int chunks = 1, bool finished = true) {
    const size_t per = (writes.size() + chunks - 1) / chunks;
    for (int c = 0; c < chunks; ++c) {
      std::string ops;
      size_t count = 0;
      for (size_t i = c * per; i < std::min(writes.size(), (c + 1) * per); ++i, ++count) {
        if (writes[i].second)
          changelog::append_put(ops, Family::kUsers, key(writes[i].first), *writes[i].second);
        else
          changelog::append_delete(ops, Family::kUsers, key(writes[i].first));
      }
      std::string k, v;
      changelog::redo_key(k, {writer, number, static_cast<uint32_t>(c)});
      changelog::redo_value_header(v, c + 1 == chunks, count);
      v += ops;
      records.push_back({k, v, writer});
      redo_keys.push_back(k);
      if (!finished && c == 0) return;
    }
  }
  // The newest value of each written key as a state record, then tombstones for the redo
  // records written so far.
  void materialize(const std::map<std::string, std::optional<std::string>>& newest,
                   uint64_t writer = 0) {
    std::string k, v;
    for (const auto& [id, value] : newest) {
      changelog::state_key(k, Family::kUsers, key(id));
      if (value) {
        changelog::state_value(v, *value);
        records.push_back({k, v, writer});
      } else {
        records.push_back({k, std::nullopt, writer});
      }
    }
    for (auto& r : redo_keys) records.push_back({r, std::nullopt, writer});
    redo_keys.clear();
  }
  void claim(uint64_t writer, uint64_t epoch) {
    std::string k, v;
    changelog::claim_key(k, writer);
    changelog::claim_value(v, epoch);
    records.push_back({k, v, writer});
  }
  // What a compacted topic keeps: the newest record of each key, in offset order. (Tombstones
  // stay for delete.retention.ms; removing them too must not change a restore from scratch.)
  std::vector<std::pair<int64_t, Record>> compacted(bool drop_tombstones) const {
    std::map<std::string, int64_t> newest;
    for (size_t i = 0; i < records.size(); ++i) newest[records[i].key] = static_cast<int64_t>(i);
    std::vector<std::pair<int64_t, Record>> out;
    for (size_t i = 0; i < records.size(); ++i)
      if (newest[records[i].key] == static_cast<int64_t>(i) &&
          !(drop_tombstones && !records[i].value))
        out.emplace_back(static_cast<int64_t>(i), records[i]);
    return out;
  }
  std::vector<std::pair<int64_t, Record>> all() const {
    std::vector<std::pair<int64_t, Record>> out;
    for (size_t i = 0; i < records.size(); ++i)
      out.emplace_back(static_cast<int64_t>(i), records[i]);
    return out;
  }

  std::vector<Record> records;
  std::vector<std::string> redo_keys;
};

class ChangelogTest : public StoreTest {
 protected:
  // Restores from `from` and returns the users family as id -> value.
  std::map<std::string, std::string> restore(const std::vector<std::pair<int64_t, Record>>& log,
                                             int64_t from,
                                             std::vector<std::string>* unfinished = nullptr) {
    ChangelogRestore r(*store_, kPartition, from, 0);
    for (const auto& [offset, rec] : log) {
      if (offset < from) continue;
      const std::string_view value = rec.value ? std::string_view(*rec.value) : "";
      r.apply(offset, rec.key, rec.value ? &value : nullptr, rec.writer);
    }
    auto left = r.finish(log.empty() ? from : log.back().first + 1);
    if (unfinished) *unfinished = left;
    return users();
  }
  std::map<std::string, std::string> users() { return users_in(*store_); }
};

// The story: two finished checkpoints and a materialization, then a checkpoint whose writer died
// after its first chunk, overwriting a key of a finished one (`a`) and adding another (`d`).
Log story() {
  Log log;
  log.checkpoint(1, 0, {{"a", "a1"}, {"b", "b1"}, {"c", "c1"}});
  log.checkpoint(1, 1, {{"a", "a2"}, {"b", std::nullopt}}, 2);
  log.materialize({{"a", "a2"}, {"b", std::nullopt}, {"c", "c1"}});
  log.checkpoint(1, 2, {{"c", "c3"}});
  log.checkpoint(1, 3, {{"a", "a4"}, {"d", "d4"}, {"c", "c4"}, {"e", "e4"}}, 2, /*finished=*/false);
  return log;
}

const std::map<std::string, std::string> kLastFinished = {{"a", "a2"}, {"c", "c3"}};

TEST_F(ChangelogTest, AnUnfinishedCheckpointIsNeverRestored) {
  std::vector<std::string> unfinished;
  EXPECT_EQ(restore(story().all(), 0, &unfinished), kLastFinished);
  ASSERT_EQ(unfinished.size(), 1u);  // its first chunk: the new owner deletes it
  EXPECT_EQ(codec::get_be32(unfinished[0].data() + 17), 0u);
}

TEST_F(ChangelogTest, FinishedRedoRecordsNobodyCoveredAreHandedOver) {
  // Checkpoints 0 and 1 are covered by the materialization; 2 is not: its writer stopped before
  // materializing it. The next writer must take it over, or compaction would keep it forever
  // (and, once a later tombstone of its key is gone, resurrect its value).
  ChangelogRestore r(*store_, kPartition, 0, 0);
  const auto log = story().all();
  for (const auto& [offset, rec] : log) {
    const std::string_view value = rec.value ? std::string_view(*rec.value) : "";
    r.apply(offset, rec.key, rec.value ? &value : nullptr, rec.writer);
  }
  const ChangelogRestore::Uncovered u = r.uncovered();
  ASSERT_EQ(u.keys.size(), 1u);
  EXPECT_EQ(u.first_offset, static_cast<int64_t>(log.size()) - 2);  // before the unfinished one
  changelog::OpReader reader(u.ops);
  changelog::Op op;
  ASSERT_TRUE(reader.next(op));
  EXPECT_EQ(op.key, key("c"));
  EXPECT_EQ(op.value, "c3");
  EXPECT_FALSE(reader.next(op));
  r.finish(static_cast<int64_t>(log.size()));
  EXPECT_EQ(store_->changelog_position(kPartition)->uncovered_from, u.first_offset);
}

TEST_F(ChangelogTest, CompactionCannotResurrectAnUnfinishedWrite) {
  // Compaction keeps one record per key; the unfinished checkpoint's writes live only in its
  // redo record, under a key no finished checkpoint uses, so nothing of it survives as a value
  // of `a` or `d`, and the finished values are never replaced.
  for (bool drop_tombstones : {false, true}) {
    store_.reset();
    fs::remove_all(dir_);
    store_ = Store::open(dir_, {});
    EXPECT_EQ(restore(story().compacted(drop_tombstones), 0), kLastFinished) << drop_tombstones;
  }
}

TEST_F(ChangelogTest, AHeadStartCatchesUpToTheSameState) {
  const auto log = story().all();
  // The local copy stands after the first checkpoint (offset 1): it holds a1, b1, c1.
  restore({log.begin(), log.begin() + 1}, 0);
  EXPECT_EQ(users(), (std::map<std::string, std::string>{{"a", "a1"}, {"b", "b1"}, {"c", "c1"}}));
  EXPECT_EQ(restore(log, 1), kLastFinished);
  EXPECT_EQ(store_->changelog_position(kPartition)->next_offset, log.back().first + 1);
}

TEST_F(ChangelogTest, ARestoreCutShortAndRunAgainGivesTheSameCopy) {
  // The copy holds some of the records (written part-way), and still says it was restoring
  // from 0, as after a crash in the middle of a restore.
  const auto log = story().all();
  restore({log.begin(), log.begin() + 5}, 0);
  std::string k, v;
  codec::put_partition(k, kPartition);
  codec::encode_changelog_position(v, {.next_offset = 0, .restoring_from = 0});
  rocksdb::WriteBatch marker;
  marker.Put(store_->cf(Family::kChangelog), k, v);
  store_->write(marker);
  const auto position = store_->changelog_position(kPartition);
  ASSERT_EQ(position->restoring_from, 0);
  EXPECT_EQ(restore(log, position->restoring_from), kLastFinished);
  EXPECT_EQ(store_->changelog_position(kPartition)->restoring_from, -1);
}

// Owner 1 claims and writes; owner 2 claims (epoch 20) and restores up to its claim; owner 1,
// replaced without noticing yet, writes on: a checkpoint, a materialization, and a claim of its
// own with an older epoch. Owner 2's records are the history; owner 1's after the claim are not.
Log replaced_owner() {
  Log log;
  log.claim(1, 10);
  log.checkpoint(1, 0, {{"a", "a1"}, {"b", "b1"}});
  log.checkpoint(1, 1, {{"c", "c1"}, {"d", "d1"}}, 2, /*finished=*/false);  // chunk 0 only
  log.claim(2, 20);
  log.checkpoint(1, 2, {{"a", "zombie"}, {"z", "zombie"}});
  log.materialize({{"a", "zombie"}, {"z", "zombie"}}, 1);
  log.claim(1, 15);
  log.checkpoint(2, 0, {{"b", "b2"}});
  return log;
}

TEST_F(ChangelogTest, ARecordOfAReplacedOwnerNeverCounts) {
  std::vector<std::string> to_delete;
  EXPECT_EQ(restore(replaced_owner().all(), 0, &to_delete),
            (std::map<std::string, std::string>{{"a", "a1"}, {"b", "b2"}}));
  // Owner 1's chunk cut off by the claim, and its redo record after it: the new owner deletes
  // them, so compaction does not keep them forever.
  ASSERT_EQ(to_delete.size(), 2u);
  EXPECT_EQ(changelog::parse(to_delete[1], nullptr)->redo.checkpoint, 2u);
  EXPECT_EQ(store_->changelog_position(kPartition)->claim, (codec::Claim{2, 20}));
}

TEST_F(ChangelogTest, AHeadStartKeepsTheClaimItStoodUnder) {
  // The copy was restored up to owner 2's claim (as owner 2 does on assignment); catching up
  // from there still skips owner 1's later records.
  const auto log = replaced_owner().all();
  restore({log.begin(), log.begin() + 5}, 0);
  ASSERT_EQ(store_->changelog_position(kPartition)->claim, (codec::Claim{2, 20}));
  EXPECT_EQ(restore(log, 5), (std::map<std::string, std::string>{{"a", "a1"}, {"b", "b2"}}));
}

TEST_F(ChangelogTest, ForeignAndNewerRecordsAreRefusedByName) {
  ChangelogRestore r(*store_, kPartition, 0, 0);
  std::string k, v;
  std::string other;
  codec::put_partition(other, kPartition + 1);
  changelog::state_key(k, Family::kUsers, other + "x");
  changelog::state_value(v, "1");
  std::string_view value = v;
  try {
    r.apply(7, k, &value, 0);
    FAIL();
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("belongs to partition 4"), std::string::npos) << e.what();
  }
  changelog::state_key(k, Family::kUsers, key("x"));
  v[0] = 9;  // a format this build does not know
  value = v;
  try {
    r.apply(8, k, &value, 0);
    FAIL();
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("offset 8"), std::string::npos) << e.what();
  }
}

// Redo records of the first format (puts and deletes) restore as before; the second adds
// inserts, which restore as puts; a later format is refused.
TEST_F(ChangelogTest, RedoRecordsOfEveryKnownFormatRestore) {
  auto redo = [](uint64_t number, int version, const std::string& ops) {
    Record r;
    changelog::redo_key(r.key, {1, number, 0});
    std::string v;
    changelog::redo_value_header(v, /*last=*/true, 1);
    v[0] = static_cast<char>(version);
    r.value = v + ops;
    r.writer = 1;
    return r;
  };
  std::string put, insert;
  changelog::append_put(put, Family::kUsers, key("old"), "1");
  changelog::append_insert(insert, Family::kUsers, key("new"), "2");
  EXPECT_EQ(restore({{0, redo(0, 1, put)}, {1, redo(1, changelog::kRedoVersion, insert)}}, 0),
            (std::map<std::string, std::string>{{"new", "2"}, {"old", "1"}}));
  const Record newer = redo(2, changelog::kRedoVersion + 1, put);
  const std::string_view newer_value = *newer.value;
  EXPECT_FALSE(changelog::parse(newer.key, &newer_value));
}

TEST_F(ChangelogTest, ABatchRecordsItsOpsPerPartition) {
  ChangeBatch batch(*store_, /*record_ops=*/true);
  std::string k3 = key("u"), k5;
  codec::put_partition(k5, 5);
  k5 += "u";
  batch.put(Family::kUsers, k3, "v");
  batch.del(Family::kTimers, k3);
  batch.put(Family::kUsers, k5, "w");
  batch.put(Family::kChangelog, k3, "local");  // local family: written, never recorded
  batch.insert(Family::kUsers, k3 + "new", "n");
  ASSERT_EQ(batch.ops().size(), 2u);
  EXPECT_EQ(batch.ops()[kPartition].count, 3u);
  changelog::OpReader reader(batch.ops()[kPartition].ops);
  changelog::Op op;
  ASSERT_TRUE(reader.next(op));
  EXPECT_EQ(op.family, Family::kUsers);
  EXPECT_EQ(op.key, k3);
  EXPECT_EQ(op.value, "v");
  EXPECT_FALSE(op.created);
  ASSERT_TRUE(reader.next(op));
  EXPECT_EQ(op.family, Family::kTimers);
  EXPECT_FALSE(op.value);
  ASSERT_TRUE(reader.next(op));
  EXPECT_EQ(op.key, k3 + "new");
  EXPECT_EQ(op.value, "n");
  EXPECT_TRUE(op.created);
  EXPECT_FALSE(reader.next(op));
  EXPECT_TRUE(reader.ok());
}

}  // namespace
}  // namespace engaged
