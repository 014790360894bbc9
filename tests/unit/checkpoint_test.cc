// Exactly-once at the pipeline level: a run that dies between checkpoints (no final checkpoint,
// as after kill -9) and then re-reads its input from the start ends with exactly the state of an
// uninterrupted run. The process-level version is tests/integration/crash_test.py.
#include "state/checkpoint.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <set>
#include <sstream>

#include "app/pipeline.h"
#include "app/population.h"
#include "processors/program/program_codec.h"
#include "processors/runtime/state_tables.h"
#include "state/change_batch.h"
#include "state/codec.h"
#include "state/store.h"

namespace engaged {
namespace {

namespace fs = std::filesystem;

struct Message {
  std::string key, value;
};

std::vector<Message> population() {
  PopulationOptions o;
  o.users = 300;
  o.days = 20;
  o.end_day = 20600;
  o.late_fraction = 0.05;
  std::vector<Message> out;
  generate_population(o, [&](std::string_view k, std::string_view v) {
    out.push_back({std::string(k), std::string(v)});
  });
  return out;
}

// Feeds messages [from, to) round-robin over 3 partitions, as Kafka offsets.
void feed(Pipeline& p, const std::vector<Message>& msgs, size_t from, size_t to, bool checkpoints) {
  p.begin_batch();
  for (size_t i = from; i < to; ++i) {
    const int32_t partition = static_cast<int32_t>(i % 3);
    p.handle(partition, static_cast<int64_t>(i / 3), msgs[i].key, msgs[i].value, 0);
    if (checkpoints && i % 997 == 0) p.checkpoint();
  }
  p.end_batch();
}

std::string dump(const fs::path& dir) {
  auto store = Store::open(dir, {.read_only = true});
  std::stringstream ss;
  dump_state(*store, ss);
  return ss.str();
}

// A pipeline's settings for these tests: no HTTP listener, the wall clock frozen.
Config test_config() {
  Config config;
  config.metrics_listen.clear();
  config.wall_clock = "2030-01-01T00:00:00Z";
  return config;
}

// An empty directory under the temporary one, named for the test and this process.
fs::path fresh_dir(const std::string& name) {
  const fs::path dir = fs::temp_directory_path() / (name + "-" + std::to_string(getpid()));
  fs::remove_all(dir);
  return dir;
}

TEST(Checkpoint, CrashBetweenCheckpointsLosesNothingAndCountsNothingTwice) {
  const auto msgs = population();
  ASSERT_GT(msgs.size(), 5000u);
  const fs::path base = fresh_dir("engaged-ckpt");
  Config config = test_config();
  config.cache_max_users = 50;  // force evictions and reloads too

  {
    config.state_dir = (base / "straight").string();
    auto store = Store::open(config.state_dir, {});
    FileDeadLetterSink dlq("");
    Pipeline p(config, *store, dlq, nullptr, make_wall_clock(config));
    for (int32_t i = 0; i < 3; ++i) p.open_partition(i);
    feed(p, msgs, 0, msgs.size(), false);
    p.checkpoint();
  }
  for (size_t crash_at : {msgs.size() / 3, msgs.size() / 2 + 17}) {
    config.state_dir = (base / ("crashed" + std::to_string(crash_at))).string();
    {
      auto store = Store::open(config.state_dir, {});
      FileDeadLetterSink dlq("");
      Pipeline p(config, *store, dlq, nullptr, make_wall_clock(config));
      for (int32_t i = 0; i < 3; ++i) p.open_partition(i);
      feed(p, msgs, 0, crash_at, true);  // dies here: everything since the last checkpoint is lost
    }
    {
      auto store = Store::open(config.state_dir, {});
      FileDeadLetterSink dlq("");
      Pipeline p(config, *store, dlq, nullptr, make_wall_clock(config));
      for (int32_t i = 0; i < 3; ++i) EXPECT_GT(p.open_partition(i).next_offset(), 0);
      feed(p, msgs, 0, msgs.size(), true);  // the source re-delivers from the start
      p.checkpoint();
    }
    EXPECT_EQ(dump(base / "straight"), dump(config.state_dir)) << "crash at " << crash_at;
  }
  fs::remove_all(base);
}

// Stream threads: 3 lanes applying batches side by side, with checkpoints collected by the
// lanes too, end with exactly the state of one lane fed one message at a time.
TEST(Checkpoint, LanesGiveTheStateOfOneLane) {
  const auto msgs = population();
  const fs::path base = fresh_dir("engaged-lanes");
  Config config = test_config();
  config.cache_max_users = 50;
  config.state_dir = (base / "one").string();
  {
    auto store = Store::open(config.state_dir, {});
    FileDeadLetterSink dlq("");
    Pipeline p(config, *store, dlq, nullptr, make_wall_clock(config));
    for (int32_t i = 0; i < 5; ++i) p.open_partition(i);
    p.begin_batch();
    for (size_t i = 0; i < msgs.size(); ++i)
      p.handle(static_cast<int32_t>(i % 5), static_cast<int64_t>(i / 5), msgs[i].key, msgs[i].value,
               0);
    p.end_batch();
    p.checkpoint();
  }
  config.state_dir = (base / "three").string();
  {
    auto store = Store::open(config.state_dir, {});
    FileDeadLetterSink dlq("");
    Pipeline p(config, *store, dlq, nullptr, make_wall_clock(config), 3);
    for (int32_t i = 0; i < 5; ++i) p.open_partition(i);
    std::vector<InputMessage> batch;
    for (size_t i = 0; i < msgs.size(); ++i) {
      batch.push_back({static_cast<int32_t>(i % 5), static_cast<int64_t>(i / 5), msgs[i].key,
                       msgs[i].value, 0});
      if (batch.size() == 1000 || i + 1 == msgs.size()) {
        p.begin_batch();
        p.apply_batch(batch);
        p.end_batch();
        batch.clear();
        if (i % 3000 < 1000) p.checkpoint();
      }
    }
    p.checkpoint();
    EXPECT_EQ(p.consumed_total(), static_cast<int64_t>(msgs.size()));
  }
  EXPECT_EQ(dump(base / "one"), dump(config.state_dir));
  fs::remove_all(base);
}

// Batches collected apart and appended hold the bytes one batch would have.
TEST(Checkpoint, AppendedChangeBatchesEqualOneBatch) {
  const fs::path dir = fs::temp_directory_path() / ("engaged-append-" + std::to_string(getpid()));
  fs::remove_all(dir);
  {
    auto store = Store::open(dir, {});
    auto key = [](int32_t partition, std::string_view id) {
      std::string k;
      codec::put_partition(k, partition);
      return k + std::string(id);
    };
    ChangeBatch one(*store, true), head(*store, true);
    std::vector<ChangeBatch> parts;
    parts.emplace_back(*store, true);
    parts.emplace_back(*store, true);
    for (ChangeBatch* b : {&one, &head}) b->put(Family::kUsers, key(0, "a"), "1");
    for (ChangeBatch* b : {&one, &parts[0]}) {
      b->put(Family::kUsers, key(1, "b"), "2");
      b->del(Family::kUsers, key(1, "c"));
    }
    for (ChangeBatch* b : {&one, &parts[1]}) b->put(Family::kDaily, key(2, "d"), "3");
    head.append(parts);
    EXPECT_EQ(head.write_batch().Data(), one.write_batch().Data());
    EXPECT_EQ(head.write_batch().Count(), 4u);
    ASSERT_EQ(head.ops().size(), 3u);
    for (auto& [partition, ops] : one.ops()) {
      EXPECT_EQ(head.ops()[partition].ops, ops.ops);
      EXPECT_EQ(head.ops()[partition].count, ops.count);
    }
    EXPECT_EQ(parts[0].write_batch().Count(), 0u);
  }
  fs::remove_all(dir);
}

// processing.send_outputs=on_decision: program records the shell sent before the checkpoint are
// stored in the outbox all the same (a crash before their acknowledgement re-sends them), but not
// handed back to be sent again; one acknowledged before the checkpoint that stores it is deleted
// by that same checkpoint, after its put. Each send is one entry holding the records decided
// since the one before, in order.
TEST(Checkpoint, OutputsSentAtDecisionStayInTheOutboxUntilAcknowledged) {
  const auto msgs = population();
  const fs::path dir = fresh_dir("engaged-sent");
  Config config = test_config();
  config.state_dir = dir.string();
  auto store = Store::open(config.state_dir, {});
  FileDeadLetterSink dlq("");
  Pipeline p(config, *store, dlq, nullptr, make_wall_clock(config));
  PartitionState& part = p.open_partition(0);
  auto feed_one_partition = [&](size_t from, size_t to) {
    p.begin_batch();
    for (size_t i = from; i < to; ++i)
      p.handle(0, static_cast<int64_t>(i), msgs[i].key, msgs[i].value, 0);
    p.end_batch();
  };
  // The records' seq numbers, by entry.
  auto seqs = [](const codec::OutboxEntry& entry) {
    std::vector<uint64_t> out;
    for (const codec::OutboxMessage& m : entry.messages()) {
      const auto e = codec::decode_envelope(m.payload);
      EXPECT_TRUE(e && !e->watermark && e->source == 0);
      out.push_back(e ? e->seq : UINT64_MAX);
    }
    return out;
  };
  // Two sends, then records left unsent.
  std::vector<std::string> sent;
  std::vector<uint64_t> all;
  const size_t third = msgs.size() / 3;
  for (size_t send = 0; send < 2; ++send) {
    feed_one_partition(send * third, (send + 1) * third);
    ASSERT_EQ(part.program_outbox().unsent().size(), 1u) << "no program records in send " << send;
    const auto& [key, entry] = part.program_outbox().unsent()[0];
    sent.push_back(key);
    for (uint64_t seq : seqs(entry)) all.push_back(seq);
    part.program_outbox().mark_sent();
    EXPECT_TRUE(part.program_outbox().unsent().empty());
  }
  feed_one_partition(2 * third, msgs.size());
  ASSERT_EQ(part.program_outbox().unsent().size(), 1u);
  const std::string unsent = part.program_outbox().unsent()[0].first;
  for (uint64_t seq : seqs(part.program_outbox().unsent()[0].second)) all.push_back(seq);

  CheckpointExtras extras;
  extras.delivered = {sent[0]};
  const CheckpointResult r = p.checkpoint(&extras);

  ASSERT_EQ(r.outbox.size(), 1u);
  EXPECT_EQ(r.outbox[0].first, unsent);
  std::vector<std::string> stored;
  for (const auto& [k, entry] : store->outbox_entries(0)) stored.push_back(k);
  EXPECT_EQ(stored, (std::vector<std::string>{sent[1], unsent}));
  // Every record once, numbered from 0 on, in order; each entry keyed by its first.
  for (size_t i = 0; i < all.size(); ++i) ASSERT_EQ(all[i], i);
  std::string key;
  const auto first_of = store->outbox_entries(0);
  ASSERT_EQ(first_of.size(), 2u);
  codec::outbox_key(key, 0, seqs(first_of[1].second).at(0));
  EXPECT_EQ(first_of[1].first, key);
  codec::outbox_key(key, 0, seqs(first_of[0].second).at(0));
  EXPECT_EQ(first_of[0].first, key);
  fs::remove_all(dir);
}

// A partition whose one write is its current offset, under its user key "u".
class OffsetPartition : public CheckpointedPartition {
 public:
  explicit OffsetPartition(int32_t id) : id_(id) {}
  int32_t partition() const override { return id_; }
  bool dirty() const override { return true; }
  void write_changes(ChangeBatch& batch, Store&, CheckpointResult&) override {
    std::string key;
    codec::user_key(key, id_, "u");
    batch.put(Family::kUsers, key, std::to_string(offset));
  }
  Watermark watermark() const override { return {id_, 0, offset}; }
  void committed() override {}
  int64_t offset = 0;

 private:
  int32_t id_;
};

class RecordingChangelog : public ChangelogSink {
 public:
  void append(int32_t partition, ChangeBatch::PartitionOps&) override {
    appended.push_back(partition);
  }
  bool flush(bool, std::vector<Position>&) override { return true; }
  void committed() override {}
  std::vector<int32_t> appended;
};

// Dead letters in flight until open.
class GatedDeadLetters : public SideOutput {
 public:
  uint64_t mark() override { return ++marks; }
  bool acknowledged(uint64_t mark, bool wait) override {
    if (wait) open = true;
    return open || mark == 0;
  }
  uint64_t marks = 0;
  bool open = false;
};

// The checkpoint collects a slice of partitions at a time while the caller goes on processing:
// each partition's writes are what it held when collected, and none reaches the changelog before
// the dead letters of its input are acknowledged (a restore from the changelog must never resume
// past a letter that could still be lost), nor is the checkpoint committed before.
TEST(Checkpoint, SlicesKeepEachPartitionsOwnCutAndWaitForTheirDeadLetters) {
  const fs::path dir = fresh_dir("engaged-slices");
  auto store = Store::open(dir, {});
  OffsetPartition p0(0), p1(1);
  std::vector<CheckpointedPartition*> parts{&p0, &p1};
  RecordingChangelog changelog;
  GatedDeadLetters letters;
  Checkpoint ck(*store, parts, letters, {.changelog = &changelog});
  EXPECT_FALSE(ck.collect(1));
  EXPECT_TRUE(changelog.appended.empty()) << "sent before its dead letters were acknowledged";
  p0.offset = 5;  // processed after its slice: the next checkpoint's
  p1.offset = 7;  // processed before its slice: this one's
  EXPECT_TRUE(ck.collect(1));
  EXPECT_TRUE(changelog.appended.empty());
  EXPECT_FALSE(ck.commit(false));
  letters.open = true;
  EXPECT_TRUE(ck.commit(false));
  EXPECT_EQ(changelog.appended, (std::vector<int32_t>{0, 1}));
  std::string key;
  codec::user_key(key, 0, "u");
  EXPECT_EQ(store->get(Family::kUsers, key), "0");
  codec::user_key(key, 1, "u");
  EXPECT_EQ(store->get(Family::kUsers, key), "7");
  ASSERT_EQ(ck.result().watermarks.size(), 2u);
  EXPECT_EQ(ck.result().watermarks[0].stream_time_ms, 0);
  EXPECT_EQ(ck.result().watermarks[1].stream_time_ms, 7);
  store.reset();
  fs::remove_all(dir);
}

}  // namespace
}  // namespace engaged
