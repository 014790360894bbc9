// The shell's own decisions around the processors: the wall-clock check (from_future), dead
// letters with their source position, offsets gaps, and re-delivered offsets being skipped.
#include "app/pipeline.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "domain/timestamp.h"
#include "processors/runtime/state_tables.h"
#include "state/changelog_writer.h"
#include "state/codec.h"
#include "state/store.h"

namespace engaged {
namespace {

class RecordingSink : public DeadLetterSink {
 public:
  void send(const DeadLetter& l) override {
    reasons.push_back(std::string(reject_reason_name(l.reason)));
    offsets.push_back(l.source_offset);
    sent_under = marks;
  }
  uint64_t mark() override { return ++marks; }
  bool acknowledged(uint64_t mark, bool) override {
    checked_through = std::max(checked_through, mark);
    return true;
  }
  std::vector<std::string> reasons;
  std::vector<int64_t> offsets;
  uint64_t marks = 0, sent_under = 0, checked_through = 0;
};

std::string event(const char* ts) {
  return std::string(R"({"event_id":"e","user_id":"u1","type":"check_in","ts":")") + ts + "\"}";
}

// A store in a fresh directory, the wall clock frozen at noon of 2026-06-01, a recording sink.
class PipelineTest : public ::testing::Test {
 protected:
  PipelineTest() {
    std::filesystem::remove_all(dir);
    config.metrics_listen.clear();
    config.wall_clock = "2026-06-01T12:00:00Z";
    store = Store::open(dir.string(), {});
  }
  ~PipelineTest() override {
    store.reset();
    std::filesystem::remove_all(dir);
  }
  const std::filesystem::path dir =
      std::filesystem::temp_directory_path() / ("engaged-pipeline-" + std::to_string(getpid()));
  Config config;
  std::unique_ptr<Store> store;
  RecordingSink sink;
};

TEST_F(PipelineTest, WallClockRejectsTheFutureOnlyBeyondTheAllowance) {
  {
    Pipeline p(config, *store, sink, nullptr, make_wall_clock(config));
    p.open_partition(0);
    p.begin_batch();
    p.handle(0, 0, "u1", event("2026-06-01T13:00:00Z"), 0);      // exactly 1 h ahead: fine
    p.handle(0, 1, "u1", event("2026-06-01T13:00:00.001Z"), 0);  // beyond: from_future
    p.handle(0, 2, "u1", "{oops", 0);
    p.handle(0, 2, "u1", event("2026-06-01T10:00:00Z"), 0);  // re-delivered offset: skipped
    p.handle(0, 5, "u1", event("2026-05-20T10:00:00Z"), 0);  // gap 3..4; older than 7 days
    p.end_batch();
    p.checkpoint();
    EXPECT_GT(sink.checked_through, sink.sent_under);  // the letters were acknowledged
    EXPECT_EQ(p.positions(), (std::vector<std::pair<int32_t, int64_t>>{{0, 6}}));
  }
  EXPECT_EQ(sink.reasons, (std::vector<std::string>{"from_future", "malformed_json", "too_late"}));
  EXPECT_EQ(sink.offsets, (std::vector<int64_t>{1, 2, 5}));
  StateTables t = read_tables(*store);
  EXPECT_EQ(t.rejected[static_cast<int>(RejectReason::kFromFuture)], 1);
  EXPECT_EQ(t.rejected[static_cast<int>(RejectReason::kTooLate)], 1);
  EXPECT_EQ(t.daily.at(days_from_civil(2026, 6, 1)).dau, 1);
}

// Finding 7 of the hardening issue: one user keyed two ways counted DAU 2. A message whose key is
// not its user_id is a dead letter (key_mismatch); a keyless one too.
TEST_F(PipelineTest, AKeyThatIsNotTheUserIdIsRejected) {
  {
    Pipeline p(config, *store, sink, nullptr, make_wall_clock(config));
    p.open_partition(0);
    p.open_partition(1);
    p.begin_batch();
    p.handle(0, 0, "u1", event("2026-06-01T10:00:00Z"), 0);
    p.handle(1, 0, "someone-else", event("2026-06-01T10:00:01Z"), 0);  // user u1 in partition 1
    p.handle(1, 1, "", event("2026-06-01T10:00:02Z"), 0);
    p.end_batch();
    p.checkpoint();
  }
  EXPECT_EQ(sink.reasons, (std::vector<std::string>{"key_mismatch", "key_mismatch"}));
  StateTables t = read_tables(*store);
  EXPECT_EQ(t.rejected[static_cast<int>(RejectReason::kKeyMismatch)], 2);
  EXPECT_EQ(t.daily.at(days_from_civil(2026, 6, 1)).dau, 1);
}

// Users touched since the last checkpoint cannot be evicted: with a budget far smaller than a
// checkpoint interval's users, their growth past the cache's share (half the budget) by an
// eighth of the budget makes a checkpoint due, after which they can be trimmed.
TEST_F(PipelineTest, UsersLoadedPastTheCacheShareMakeACheckpointDueByBytes) {
  config.checkpoint_interval_ms = 86400000;  // the wall clock is frozen anyway
  config.checkpoint_max_events = int64_t{1} << 40;
  auto users_until_due = [&](int32_t partition, int64_t budget, int64_t& cached_after_checkpoint) {
    config.memory_budget = budget;
    Pipeline p(config, *store, sink, nullptr, make_wall_clock(config));
    p.open_partition(partition);
    p.begin_batch();
    int n = 0;
    while (!p.checkpoint_due() && n < 100000) {
      const std::string id = "user-" + std::to_string(budget) + "-" + std::to_string(n);
      p.handle(partition, n, id,
               R"({"event_id":"e","user_id":")" + id +
                   R"(","type":"check_in","ts":"2026-06-01T10:00:00Z"})",
               0);
      ++n;
    }
    p.end_batch();
    p.checkpoint();
    cached_after_checkpoint = static_cast<int64_t>(p.cached_users());
    EXPECT_FALSE(p.checkpoint_due());
    return n;
  };
  int64_t cached_small = 0, cached_large = 0;
  const int small = users_until_due(0, 1 << 20, cached_small);
  const int large = users_until_due(1, 4 << 20, cached_large);
  EXPECT_GT(small, 100);
  EXPECT_LT(small, 100000);
  EXPECT_LT(cached_small, small);  // trimmed to below the share once they were written
  EXPECT_GT(large, 3 * small);     // bytes, scaled by the budget
  EXPECT_LT(large, 5 * small);
}

// A bot under one user_id stopped `run`: its record (a day of event ids, a session per event)
// outgrew the changelog's 1 MB message. Each list now keeps its newest kMaxUserListEntries and
// counts what it forgot; duplicates of the ids it kept are still dropped.
TEST_F(PipelineTest, AVeryBusyUserForgetsTheOldestEntriesOfItsListsAndFitsOneChangelogRecord) {
  auto line = [](const std::string& id, const std::string& extra, int64_t second) {
    return R"({"event_id":")" + id + R"(","user_id":"bot","ts":")" +
           format_rfc3339_ms(1780272000000 + second * 1000) + "\"," + extra + "}";
  };
  int64_t offset = 0;
  {
    Pipeline p(config, *store, sink, nullptr, make_wall_clock(config));
    p.open_partition(0);
    p.begin_batch();
    for (int i = 0; i < 6000; ++i)  // a session per event: 1,000 ids and sessions too many
      p.handle(
          0, offset++, "bot",
          line("a" + std::to_string(i),
               R"("type":"action","name":"tap","session_id":"s)" + std::to_string(i) + "\"", i),
          0);
    for (int i = 0; i < 5001; ++i)  // one ticket too many
      p.handle(
          0, offset++, "bot",
          line("k" + std::to_string(i),
               R"("type":"support_ticket","ticket_id":"t)" + std::to_string(i) + "\"", 6000 + i),
          0);
    for (int i = 0; i < 3; ++i)  // one entry: the day's sum in USD
      p.handle(0, offset++, "bot",
               line("p" + std::to_string(i), R"("type":"purchase","amount":1.5,"currency":"USD")",
                    11001 + i),
               0);
    // Kept: still a duplicate. Forgotten: applied again, its session opened again.
    p.handle(0, offset++, "bot",
             line("k5000", R"("type":"support_ticket","ticket_id":"t5000")", 12000), 0);
    p.handle(0, offset++, "bot",
             line("a0", R"("type":"action","name":"tap","session_id":"s0")", 12001), 0);
    p.end_batch();
    p.checkpoint();
  }
  EXPECT_TRUE(sink.reasons.empty());
  const StateTables t = read_tables(*store);
  EXPECT_EQ(t.duplicates, 1);
  // ids: 11,005 applied, 5,000 kept; sessions: 6,001 opened, 5,000 kept; tickets: 5,001, 5,000.
  EXPECT_EQ(t.forgotten, 6005 + 1001 + 1);
  int users = 0;
  for_each_user(*store, [&](std::string_view id, const UserActivity&, const UserProfile& u) {
    ++users;
    EXPECT_EQ(id, "bot");
    EXPECT_EQ(u.seen.size(), kMaxUserListEntries);
    EXPECT_EQ(u.sessions.size(), kMaxUserListEntries);
    EXPECT_EQ(u.tickets.size(), kMaxUserListEntries);
    ASSERT_EQ(u.purchases.size(), 1u);
    EXPECT_EQ(u.purchases[0].micros, 4500000);
  });
  EXPECT_EQ(users, 1);
  std::string key;
  codec::user_key(key, 0, "bot");
  const auto record = store->get(Family::kUsers, key);
  ASSERT_TRUE(record);
  EXPECT_LT(record->size(), ChangelogOptions{}.chunk_bytes);
}

}  // namespace
}  // namespace engaged
