// The event-id window of a user: what it takes for a duplicate, at the window's edge, with the
// whole 128-bit key, and with the partition-wide ids an older state restored; and the sessions
// an older state kept per partition, found when the user's own list does not have them; and the
// id keys' hash, which is stored.
#include "processors/dedupe/dedupe_window.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "domain/id_key.h"
#include "processors/legacy_windows.h"
#include "processors/sessions/session_processor.h"

namespace engaged {
namespace {

constexpr int64_t kHour = 3600000;

// The keys are stored (in users' records and an older state's windows): their hash must never
// change, for ids short enough for one call and longer ones alike. The values are XXH3-128 of
// user id, a zero byte and the id, from xxhash's streaming API.
TEST(IdKey, IsTheStoredHashOfUserIdZeroByteAndId) {
  EXPECT_EQ(id_key("gus", "first"), (IdKey{0x6e6616b9e4d12a55, 0x61b4bf6b3a07435a}));
  EXPECT_EQ(id_key("u-7", std::string(300, 'e')), (IdKey{0x556b815c6c247757, 0xa0f9f3bd3f060880}));
  EXPECT_EQ(id_key(std::string(255, 'u'), ""), (IdKey{0x579f19ae2db7abe2, 0x6fd09c2267c2a28d}));
  // An event without an id, as the decoder leaves it: an empty view whose data is null.
  EXPECT_EQ(id_key("gus", std::string_view()), id_key("gus", ""));
}

TEST(DedupeWindow, ADuplicateIsAnIdSeenWithinTheWindowOfStreamTime) {
  std::vector<SeenEvent> seen;
  const LegacyWindows none;
  const IdKey a{1, 2};
  EXPECT_FALSE(seen_or_record(seen, a, 10 * kHour, 24 * kHour, none));
  EXPECT_TRUE(seen_or_record(seen, a, 34 * kHour, 24 * kHour, none));  // exactly the window later
  EXPECT_FALSE(seen_or_record(seen, a, 34 * kHour + 1, 24 * kHour, none));  // 1 ms past: new
  EXPECT_TRUE(seen_or_record(seen, a, 40 * kHour, 24 * kHour, none));  // renewed at 34 h + 1 ms
  EXPECT_EQ(seen, (std::vector<SeenEvent>{{a.lo, 34 * kHour + 1}}));
}

// A user's list keeps the keys' low 64 bits: enough for one user's ids, 16 bytes an entry.
TEST(DedupeWindow, ComparesTheKeysLow64BitsAndDropsWhatExpired) {
  std::vector<SeenEvent> seen;
  const LegacyWindows none;
  const int64_t t = 1'780'000'000'000;
  EXPECT_FALSE(seen_or_record(seen, {7, 5}, t, kHour, none));
  EXPECT_FALSE(seen_or_record(seen, {7, 6}, t, kHour, none));
  EXPECT_TRUE(seen_or_record(seen, {8, 5}, t + 1, kHour, none));  // the same low bits
  EXPECT_FALSE(seen_or_record(seen, {7, 0x10005}, t + 1, kHour, none));
  EXPECT_TRUE(seen_or_record(seen, {7, 6}, t + kHour, kHour, none));
  EXPECT_EQ(seen.size(), 3u);
  // An hour and 1 ms on, the first two have left the list; the third is still in the window.
  EXPECT_FALSE(seen_or_record(seen, {1, 1}, t + kHour + 1, kHour, none));
  EXPECT_EQ(seen, (std::vector<SeenEvent>{{0x10005, t + 1}, {1, t + kHour + 1}}));
  expire_seen(seen, t + 2);
  EXPECT_EQ(seen, (std::vector<SeenEvent>{{1, t + kHour + 1}}));
}

TEST(DedupeWindow, AnOlderStatesIdsAreDuplicatesUntilTheyExpire) {
  LegacyWindows legacy;
  legacy.seen = {{{5, 6}, 1000}, {{1, 9}, 500}, {{5, 6}, 1500}};  // as the segments gave them
  legacy.restored();
  EXPECT_EQ(legacy.seen, (std::vector<LegacySeen>{{{1, 9}, 500}, {{5, 6}, 1500}}));
  std::vector<SeenEvent> seen;
  EXPECT_TRUE(seen_or_record(seen, {5, 6}, 2000, 1000, legacy));
  EXPECT_TRUE(seen.empty());  // a duplicate is not recorded again
  EXPECT_FALSE(seen_or_record(seen, {1, 9}, 2000, 1000, legacy));  // applied at 500: expired
  EXPECT_FALSE(seen_or_record(seen, {5, 7}, 2000, 1000, legacy));
  EXPECT_EQ(seen.size(), 2u);
  legacy.expire(1600, 0);
  EXPECT_TRUE(legacy.seen.empty());
  EXPECT_EQ(legacy.memory_bytes(), 0u);
}

TEST(LegacyWindows, ASessionAnOlderStateKeptContinuesInTheUsersList) {
  LegacyWindows legacy;
  legacy.sessions = {{{2, 2}, {100, 200, 1}}, {{1, 1}, {100, 900, 4}}, {{2, 2}, {100, 300, 2}}};
  legacy.restored();
  ASSERT_EQ(legacy.sessions.size(), 2u);
  EXPECT_EQ(legacy.sessions[1], (LegacySession{{2, 2}, {100, 300, 2}}));  // the later version
  std::vector<IdSession> mine = {{3, {50, 60, 1}}};
  // Horizon 250: the user's session {3,3} is final and leaves; {2,2} continues from the legacy.
  SessionState& s = SessionProcessor::session(mine, {2, 2}, 250, legacy);
  EXPECT_EQ(s, (SessionState{100, 300, 2}));
  ASSERT_EQ(mine.size(), 1u);
  EXPECT_EQ(mine[0].key, 2u);
  // Past the legacy session's end, an event with its id opens a new session.
  SessionState& fresh = SessionProcessor::session(mine, {1, 1}, 1000, legacy);
  EXPECT_FALSE(fresh.known());
  EXPECT_EQ(mine.size(), 1u);  // {2,2} ended before 1000 too
}

}  // namespace
}  // namespace engaged
