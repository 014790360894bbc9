// The program stage's state in the store: it survives a write and a load whole (roster, matches,
// waiting list, timers, policy, merge positions; pending envelopes are read again from their
// input), and a checkpoint writes only the keys that changed, so its cost follows what happened,
// not how many mentors there are.
#include "processors/program/program_store.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "app/config.h"
#include "app/zone_files.h"
#include "processors/program/program_codec.h"
#include "state/byte_io.h"
#include "state/change_batch.h"
#include "state/codec.h"
#include "state/store.h"
#include "tests/unit/store_test_support.h"

namespace engaged {
namespace {

namespace fs = std::filesystem;
constexpr int64_t kHour = 3600000;
constexpr int64_t kT0 = 20600LL * 24 * kHour;

ProgramStage make_stage() {
  return ProgramStage(program_stage_config(Config{}), load_zone_table(), load_time_zone("UTC"), 2);
}

// Each envelope as read from the program topic: source s's seq n at offset 100 * s + n.
ProgramEnvelope record(int32_t source, uint64_t seq, int64_t t, ProgramRecord r) {
  r.ts_ms = t;
  return {source, seq, t, false, std::move(r), 100 * source + static_cast<int64_t>(seq)};
}

ProgramRecord opt_in(const std::string& user) {
  ProgramRecord r;
  r.kind = ProgramInput::kMentorOptIn;
  r.user = user;
  r.languages = {"de"};
  r.topics = {"grammar"};
  r.capacity = 2;
  return r;
}

ProgramRecord at_risk(const std::string& user) {
  ProgramRecord r;
  r.kind = ProgramInput::kAtRisk;
  r.user = user;
  r.language = "de";
  r.topics = {"grammar"};
  r.risk = 0.8;
  r.reasons = {{1, 0.4}};
  return r;
}

class ProgramStoreTest : public StoreTest {
 protected:
  // Writes the stage's changes; returns how many program-family keys were written.
  size_t write(ProgramStage& stage, const program_store::Counters& counters) {
    ChangeBatch batch(*store_, /*record_ops=*/true);
    program_store::write_changes(batch, stage, counters);
    store_->write(batch.write_batch());
    return batch.ops()[codec::kProgramPartition].count;
  }
  void run(ProgramStage& stage) {
    PolicyOutput out;
    ProgramEffects fx;
    stage.run(out, fx);
  }
};

TEST_F(ProgramStoreTest, StateSurvivesWriteAndLoad) {
  ProgramStage stage = make_stage();
  uint64_t seq = 0;
  int64_t t = kT0 + 9 * kHour;
  stage.merge().add(record(0, seq++, t, opt_in("m1")));
  stage.merge().add(record(0, seq++, t + kHour, at_risk("n1")));
  stage.merge().add(record(0, seq++, t + 2 * kHour, at_risk("n2")));
  stage.merge().add(record(0, seq++, t + 3 * kHour, at_risk("n3")));  // m1 is full: n3 waits
  stage.merge().add(record(1, 0, t + 30 * kHour, at_risk("n4")));     // pending: 0 is behind
  stage.merge().advance(0, t + 29 * kHour);
  run(stage);
  ASSERT_EQ(stage.state().matches.size(), 2u);
  ASSERT_EQ(stage.state().waiting.size(), 1u);
  ASSERT_EQ(stage.merge().pending(), 1u);
  ASSERT_FALSE(stage.state().timers.empty());
  write(stage, {7, 101});

  ProgramStage loaded = make_stage();
  const program_store::Counters counters = program_store::load(*store_, loaded);
  EXPECT_EQ(counters.next_nudge_seq, 7u);
  EXPECT_EQ(counters.next_offset, 101);
  EXPECT_EQ(loaded.state(), stage.state());
  EXPECT_TRUE(loaded.state().index.open_by_language.empty());  // m1 is full
  EXPECT_EQ(loaded.state().index.waiting_by_language.at("de").size(), 1u);
  EXPECT_EQ(program_store::match(*store_, "n1")->mentor, "m1");
  EXPECT_EQ(program_store::waiting(*store_, "n3")->mentee.language, "de");
  EXPECT_FALSE(program_store::mentor(*store_, "n1"));

  // The pending envelope is not stored: source 1 resumes at its seq, and the runner reads it
  // again from its offset (the stage's resume offset). A copy of a released one is a duplicate.
  EXPECT_EQ(loaded.merge().pending(), 0u);
  EXPECT_EQ(loaded.merge().state().at(1).next_seq, 0u);
  EXPECT_EQ(stage.merge().resume_offset(), 100);
  EXPECT_FALSE(loaded.merge().add(record(0, 3, t + 3 * kHour, at_risk("n3"))));
  EXPECT_TRUE(loaded.merge().add(record(1, 0, t + 30 * kHour, at_risk("n4"))));
  EXPECT_EQ(loaded.merge().state(), stage.merge().state());

  // The loaded stage goes on exactly like the original.
  for (ProgramStage* s : {&stage, &loaded}) {
    s->merge().advance(0, INT64_MAX);
    s->merge().advance(1, INT64_MAX);
    run(*s);
  }
  EXPECT_EQ(loaded.state(), stage.state());
}

// State written before pending envelopes were re-read holds them as records: they load into the
// merge ahead of what is read again, and their records are deleted as they are released.
TEST_F(ProgramStoreTest, PendingEnvelopesStoredByThePreviousReleaseLoadAndLeave) {
  ProgramStage before = make_stage();
  const int64_t t = kT0 + 9 * kHour;
  rocksdb::WriteBatch legacy;
  auto key = [](char kind, uint32_t source, std::optional<uint64_t> seq) {
    std::string k;
    codec::put_partition(k, codec::kProgramPartition);
    k.push_back(kind);
    codec::put_be32(k, source);
    if (seq) codec::put_be64(k, *seq);
    return k;
  };
  std::string value;
  for (uint64_t seq : {0, 1}) {
    ProgramEnvelope e = record(0, seq, t + static_cast<int64_t>(seq) * kHour, at_risk("n"));
    codec::encode_envelope(value, e);
    legacy.Put(store_->cf(Family::kProgram), key('E', 0, seq), value);
  }
  codec::encode_merge_source(value, MergeSource{2, t + kHour, {}});
  legacy.Put(store_->cf(Family::kProgram), key('S', 0, {}), value);
  store_->write(legacy);

  ProgramStage loaded = make_stage();
  program_store::load(*store_, loaded);
  ASSERT_EQ(loaded.merge().pending(), 2u);
  EXPECT_EQ(loaded.merge().resume_offset(), std::nullopt);  // nothing to read again yet
  EXPECT_EQ(loaded.merge().resume_seq(0), 2u);
  EXPECT_TRUE(loaded.merge().add(record(0, 2, t + 2 * kHour, opt_in("m"))));
  EXPECT_EQ(loaded.merge().resume_offset(), 2);
  EXPECT_EQ(loaded.merge().resume_seq(0), 2u);
  loaded.merge().advance(1, t + kHour);  // releases seqs 0 and 1 only
  run(loaded);
  ASSERT_EQ(loaded.merge().pending(), 1u);
  write(loaded, {});
  auto it = std::unique_ptr<rocksdb::Iterator>(
      store_->db()->NewIterator(rocksdb::ReadOptions(), store_->cf(Family::kProgram)));
  for (it->SeekToFirst(); it->Valid(); it->Next())
    EXPECT_NE(it->key().ToString().substr(4, 1), "E") << "a released envelope is still stored";
}

TEST_F(ProgramStoreTest, ACheckpointWritesOnlyWhatChanged) {
  ProgramStage stage = make_stage();
  uint64_t seq = 0;
  const int64_t t = kT0 + 9 * kHour;
  for (int i = 0; i < 500; ++i)
    stage.merge().add(record(0, seq++, t, opt_in("m" + std::to_string(i))));
  stage.merge().advance(1, INT64_MAX);
  run(stage);
  const size_t first = write(stage, {});
  EXPECT_GE(first, 500u);  // every mentor, once

  stage.merge().add(record(0, seq++, t + kHour, at_risk("n1")));
  run(stage);
  const size_t second = write(stage, {});
  // The match, the mentor it took, two timers, two recipients, the merge source, the clock and
  // two counters: no other mentor is rewritten.
  EXPECT_LE(second, 13u);
  EXPECT_GT(second, 4u);

  // A deleted user's records become deletes.
  ProgramRecord gone;
  gone.kind = ProgramInput::kUserDeleted;
  gone.user = "n1";
  stage.merge().add(record(0, seq++, t + 2 * kHour, gone));
  run(stage);
  write(stage, {});
  EXPECT_FALSE(program_store::match(*store_, "n1"));
  EXPECT_FALSE(program_store::recipient(*store_, "n1"));
}

TEST_F(ProgramStoreTest, TheOldOneRecordLayoutIsRefusedClearly) {
  rocksdb::WriteBatch batch;
  batch.Put(store_->cf(Family::kProgram), "state", "\x01");
  store_->write(batch);
  ProgramStage stage = make_stage();
  try {
    program_store::load(*store_, stage);
    FAIL() << "loaded a state in the old layout";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("engaged replay"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace engaged
