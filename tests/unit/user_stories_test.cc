// Scripted users through the whole shell (decode -> processors -> checkpoint -> tables): the
// decisions that span processors: segment membership, signup cohorts versus first activity, and
// what `user_deleted` removes and keeps.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <filesystem>

#include "app/pipeline.h"
#include "domain/timestamp.h"
#include "processors/runtime/partition_store.h"
#include "processors/runtime/state_tables.h"
#include "state/store.h"

namespace engaged {
namespace {

class NullSink : public DeadLetterSink {
 public:
  void send(const DeadLetter&) override { ++sent; }
  uint64_t mark() override { return 0; }
  bool acknowledged(uint64_t, bool) override { return true; }
  int sent = 0;
};

struct Story {
  std::filesystem::path dir =
      std::filesystem::temp_directory_path() / ("engaged-stories-" + std::to_string(getpid()));
  Config config;
  std::unique_ptr<Store> store;
  NullSink sink;
  std::unique_ptr<Pipeline> pipeline;
  int64_t offset = 0;

  Story() {
    std::filesystem::remove_all(dir);
    config.metrics_listen.clear();
    config.wall_clock = "2026-07-01T00:00:00Z";
    config.segment_values[0] = "ios,android";
    store = Store::open(dir.string(), {});
    pipeline = std::make_unique<Pipeline>(config, *store, sink, nullptr, make_wall_clock(config));
    pipeline->open_partition(0);
  }
  ~Story() {
    pipeline.reset();
    store.reset();
    std::filesystem::remove_all(dir);
  }
  // One event: `extra` is appended inside the JSON object (e.g. a props object).
  void send(const char* user, const char* type, const char* ts, const std::string& extra = "") {
    send_as("e" + std::to_string(offset), user, type, ts, extra);
  }
  // The same with the event id `id` (a producer's retry sends an id again).
  void send_as(const std::string& id, const char* user, const char* type, const char* ts,
               const std::string& extra = "") {
    std::string json = fmt::format(R"({{"event_id":"{}","user_id":"{}","type":"{}","ts":"{}"{}}})",
                                   id, user, type, ts, extra);
    pipeline->begin_batch();
    pipeline->handle(0, offset++, user, json, 0);
    pipeline->end_batch();
  }
  StateTables tables() {
    pipeline->checkpoint();
    return read_tables(*store);
  }
};

int32_t day(unsigned d) {
  return days_from_civil(2026, 6, d);
}

std::string platform(const char* p) {
  return fmt::format(R"(,"session_id":"s","props":{{"platform":"{}"}})", p);
}

TEST(UserStories, SegmentIsTheEarliestValueAndSegmentsAddUpToTheTotal) {
  Story s;
  s.send("ana", "session_start", "2026-06-10T10:00:00Z", platform("ios"));
  s.send("ana", "session_start", "2026-06-11T10:00:00Z", platform("android"));  // later: ignored
  s.send("ben", "check_in", "2026-06-10T09:00:00Z");  // no platform yet: "other"
  s.send("ben", "session_start", "2026-06-09T23:00:00Z", platform("android"));  // earliest: moves
  s.send("cy", "session_start", "2026-06-11T08:00:00Z", platform("web"));  // not allowed: "other"
  StateTables t = s.tables();
  auto dau = [&](int value, int32_t d) {
    auto it = t.segments.find({0, value});
    if (it == t.segments.end() || !it->second.count(d)) return int64_t{0};
    return it->second.at(d).dau;
  };
  EXPECT_EQ(dau(1, day(10)), 1);  // ios: ana
  EXPECT_EQ(dau(1, day(11)), 1);
  EXPECT_EQ(dau(2, day(9)), 1);  // android: ben, on both of his days
  EXPECT_EQ(dau(2, day(10)), 1);
  EXPECT_EQ(dau(0, day(10)), 0);  // "other": ben left it
  EXPECT_EQ(dau(0, day(11)), 1);  // cy
  for (int32_t d = day(9); d <= day(11); ++d)
    EXPECT_EQ(dau(0, d) + dau(1, d) + dau(2, d), t.daily.at(d).dau) << d;
  EXPECT_EQ(t.segments.at({0, 2}).at(day(12)).wau, 1);  // ben's WAU moved with him
  EXPECT_EQ(t.segments.at({0, 0}).at(day(12)).wau, 1);  // cy only
}

TEST(UserStories, SignupCohortIsSeparateFromFirstActivity) {
  Story s;
  s.send("dee", "check_in", "2026-06-10T09:00:00Z");
  s.send("dee", "signup", "2026-06-12T09:00:00Z");  // signs up later than she was first active
  s.send("dee", "check_in", "2026-06-13T09:00:00Z");
  s.send("eve", "signup", "2026-06-12T10:00:00Z");  // signs up, never active
  StateTables t = s.tables();
  EXPECT_EQ(t.daily.at(day(10)).new_users, 1);  // first activity decides "new"
  EXPECT_EQ(t.daily.at(day(12)).new_users, 1);  // eve: a signup is an event of activity
  EXPECT_EQ(t.cohort(CohortTable::kSignupOn).at(day(12)), (std::vector<int64_t>{2, 1}));
  EXPECT_EQ(t.cohort(CohortTable::kDailyOn).at(day(10)), (std::vector<int64_t>{1, 0, 1, 1}));
}

TEST(UserStories, ReferralConversionCountsOnTheFirstActiveDay) {
  Story s;
  const std::string referred = R"(,"referrer_user_id":"ana")";
  s.send("gus", "check_in", "2026-06-10T09:00:00Z");
  s.send("gus", "signup", "2026-06-12T09:00:00Z", referred);
  s.send("gus", "signup", "2026-06-12T09:05:00Z", referred);  // a second signup: still one
  s.send("hal", "signup", "2026-06-12T10:00:00Z");            // not referred
  StateTables t = s.tables();
  EXPECT_EQ(t.figures.at(day(10)).referred_activated, 1);
  EXPECT_EQ(t.figures.at(day(12)).referred_activated, 0);
  s.send("gus", "check_in", "2026-06-08T09:00:00Z");  // late: active earlier than we knew
  t = s.tables();
  EXPECT_EQ(t.figures.at(day(8)).referred_activated, 1);
  EXPECT_EQ(t.figures.at(day(10)).referred_activated, 0);
}

TEST(UserStories, DeletedUserStartsAfreshAndPastFiguresStay) {
  Story s;
  s.send("fay", "check_in", "2026-06-10T09:00:00Z");
  s.send("fay", "user_deleted", "2026-06-11T09:00:00Z");
  s.tables();
  UserActivity a;
  UserProfile p;
  EXPECT_FALSE(read_user(*s.store, 0, "fay", a, p));
  s.send("fay", "check_in", "2026-06-14T09:00:00Z");  // the same id comes back: a new user
  StateTables t = s.tables();
  EXPECT_EQ(t.daily.at(day(10)).dau, 1);  // past figures stay
  EXPECT_EQ(t.daily.at(day(10)).new_users, 1);
  EXPECT_EQ(t.daily.at(day(14)).new_users, 1);
  ASSERT_TRUE(read_user(*s.store, 0, "fay", a, p));
  EXPECT_EQ(a.cohort_day, day(14));
}

// A user's event ids of the dedupe window are part of their state and leave with it: a retry of
// an event from before the deletion starts the new user; that user's own retries are dropped.
TEST(UserStories, ADeletedUsersEventIdsLeaveWithThem) {
  Story s;
  s.send_as("first", "gus", "check_in", "2026-06-10T09:00:00Z");
  s.send_as("first", "gus", "check_in", "2026-06-10T09:00:00Z");  // a retry: dropped
  s.send_as("bye", "gus", "user_deleted", "2026-06-10T10:00:00Z");
  s.tables();
  s.send_as("first", "gus", "check_in", "2026-06-10T09:00:00Z");  // after the deletion: applied
  s.send_as("first", "gus", "check_in", "2026-06-10T09:00:00Z");  // the new user's retry
  const StateTables t = s.tables();
  EXPECT_EQ(t.duplicates, 2);
  UserActivity a;
  UserProfile p;
  ASSERT_TRUE(read_user(*s.store, 0, "gus", a, p));
  EXPECT_EQ(a.cohort_day, day(10));
  ASSERT_EQ(p.seen.size(), 1u);  // stored with the user: the one id the new user applied
  EXPECT_EQ(p.seen[0].key, id_key("gus", "first").lo);
}

}  // namespace
}  // namespace engaged
