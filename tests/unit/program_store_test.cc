// The program stage's state in the store: it survives a write and a load whole (roster, matches,
// waiting list, timers, policy, merge buffer), and a checkpoint writes only the keys that
// changed, so its cost follows what happened, not how many mentors there are.
#include "state/program_store.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "app/config.h"
#include "state/change_batch.h"
#include "state/codec.h"
#include "state/store.h"

namespace engaged {
namespace {

namespace fs = std::filesystem;
constexpr int64_t kHour = 3600000;
constexpr int64_t kT0 = 20600LL * 24 * kHour;

ProgramStage make_stage() {
  return ProgramStage(program_stage_config(Config{}), ZoneTable::load_all(), TimeZone::load("UTC"),
                      2);
}

ProgramEnvelope record(int32_t source, uint64_t seq, int64_t t, ProgramRecord r) {
  r.ts_ms = t;
  return {source, seq, t, false, std::move(r)};
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

class ProgramStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("engaged-program-" + std::to_string(getpid()));
    fs::remove_all(dir_);
    store_ = Store::open(dir_, {});
  }
  void TearDown() override {
    store_.reset();
    fs::remove_all(dir_);
  }
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

  fs::path dir_;
  std::unique_ptr<Store> store_;
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
  write(stage, {7, 42});

  ProgramStage loaded = make_stage();
  const program_store::Counters counters = program_store::load(*store_, loaded);
  EXPECT_EQ(counters.next_nudge_seq, 7u);
  EXPECT_EQ(counters.next_offset, 42);
  EXPECT_EQ(loaded.state(), stage.state());
  EXPECT_EQ(loaded.merge().state(), stage.merge().state());
  EXPECT_EQ(loaded.state().index.mentors_by_language.at("de").size(), 1u);
  EXPECT_EQ(program_store::match(*store_, "n1")->mentor, "m1");
  EXPECT_EQ(program_store::waiting(*store_, "n3")->mentee.language, "de");
  EXPECT_FALSE(program_store::mentor(*store_, "n1"));

  // The loaded stage goes on exactly like the original.
  for (ProgramStage* s : {&stage, &loaded}) {
    s->merge().advance(0, INT64_MAX);
    s->merge().advance(1, INT64_MAX);
    run(*s);
  }
  EXPECT_EQ(loaded.state(), stage.state());
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
  // The match, the mentor it took, two timers, two recipients, the merge source and the
  // released envelope, the clock and two counters: no other mentor is rewritten.
  EXPECT_LE(second, 14u);
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
