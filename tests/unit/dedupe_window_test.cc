// The event-id window on its own: what it takes for a duplicate, at the window's edge, across
// its growth and in-place purges, and with the keys and times its packed entries must not
// confuse (a zero low word, times far from the epoch, ids equal in one word).
#include "processors/dedupe/dedupe_window.h"

#include <gtest/gtest.h>

#include <cstdint>

#include "domain/timestamp.h"

namespace engaged {
namespace {

constexpr int64_t kHour = 3600000;

TEST(DedupeWindow, ADuplicateIsAnIdSeenWithinTheWindowOfStreamTime) {
  DedupeWindow w;
  const IdKey a{1, 2};
  EXPECT_FALSE(w.seen_or_record(a, 10 * kHour, 24 * kHour));
  EXPECT_TRUE(w.seen_or_record(a, 34 * kHour, 24 * kHour));       // exactly the window later
  EXPECT_FALSE(w.seen_or_record(a, 34 * kHour + 1, 24 * kHour));  // 1 ms past it: new again
  EXPECT_TRUE(w.seen_or_record(a, 40 * kHour, 24 * kHour));       // renewed at 34 h + 1 ms
  EXPECT_EQ(w.size(), 1u);
  EXPECT_EQ(w.take_recorded().size(), 2u);
}

TEST(DedupeWindow, ComparesEightyBitsOfTheKey) {
  DedupeWindow w;
  const int64_t t = 1'780'000'000'000;
  // IdKey is {hi, lo}: the whole low word and the low 16 bits of the high one count.
  EXPECT_FALSE(w.seen_or_record({7, 5}, t, kHour));
  EXPECT_FALSE(w.seen_or_record({7, 6}, t, kHour));
  EXPECT_FALSE(w.seen_or_record({8, 5}, t, kHour));
  EXPECT_FALSE(w.seen_or_record({0xffff, 5}, t, kHour));
  EXPECT_TRUE(w.seen_or_record({0x10007, 5}, t, kHour));  // equal in those 80 bits
  EXPECT_FALSE(w.seen_or_record({7, 0}, t, kHour));       // a zero low word is kept as 1
  EXPECT_TRUE(w.seen_or_record({7, 1}, t, kHour));
  EXPECT_EQ(w.size(), 5u);
}

TEST(DedupeWindow, KeepsTimesToTheMillisecondOverEveryAcceptedEventTime) {
  for (const int64_t t : {int64_t{-62'135'596'800'000}, int64_t{0}, kMinEventMs, kMaxEventMs,
                          int64_t{140'000'000'000'000}}) {
    DedupeWindow w;
    EXPECT_FALSE(w.seen_or_record({3, 4}, t, 1000));
    EXPECT_TRUE(w.seen_or_record({3, 4}, t + 1000, 1000)) << t;
    EXPECT_FALSE(w.seen_or_record({3, 4}, t + 2001, 1000)) << t;
  }
}

TEST(DedupeWindow, FindsEveryLiveIdAcrossGrowthAndPurges) {
  DedupeWindow w;
  // 100 000 ids, one a second, a window of 20 000 s: the table purges and grows on the way.
  const int64_t window = 20'000'000;
  for (uint64_t i = 1; i <= 100'000; ++i)
    ASSERT_FALSE(w.seen_or_record({i, i * 0x9E3779B97F4A7C15ull}, int64_t(i) * 1000, window));
  EXPECT_EQ(w.take_recorded().size(), 100'000u);
  // At most 20 001 ids are live: the table never needed more than 65 536 slots of 16 bytes.
  EXPECT_LE(w.memory_bytes(), 65'536u * 16);
  const int64_t now = 100'000'000;
  for (uint64_t i = 1; i <= 100'000; ++i) {
    const bool live = int64_t(i) * 1000 >= now - window;
    ASSERT_EQ(w.seen_or_record({i, i * 0x9E3779B97F4A7C15ull}, now, window), live) << i;
  }
}

TEST(DedupeWindow, RestoredEntriesAreDuplicates) {
  DedupeWindow w;
  w.restore({{5, 6}, 1000});
  EXPECT_TRUE(w.seen_or_record({5, 6}, 2000, 1000));
  EXPECT_FALSE(w.seen_or_record({5, 7}, 2000, 1000));
  EXPECT_TRUE(w.take_recorded().size() == 1);  // restored entries are not recorded again
}

}  // namespace
}  // namespace engaged
