// State encodings round-trip, and keys sort by partition then day.
#include "state/codec.h"

#include <gtest/gtest.h>

namespace engaged {
namespace {

TEST(Codec, UserRoundTrip) {
  UserActivity u;
  u.add_day(20000);
  u.add_day(20100);
  u.add_day(20099);
  std::string v;
  codec::encode_user(v, u);
  auto back = codec::decode_user(v);
  ASSERT_TRUE(back);
  EXPECT_EQ(back->cohort_day, 20000);
  EXPECT_EQ(back->last_day, 20100);
  EXPECT_TRUE(back->days == u.days);
  EXPECT_FALSE(codec::decode_user(v.substr(1)));
}

TEST(Codec, KeysOrderByPartitionThenDay) {
  std::string a, b, c;
  codec::day_key(a, 1, -5);
  codec::day_key(b, 1, 3);
  codec::day_key(c, 2, -100);
  EXPECT_LT(a, b);
  EXPECT_LT(b, c);
  EXPECT_EQ(codec::day_of_key(a), -5);
  EXPECT_EQ(codec::partition_of(c), 2);
}

TEST(Codec, RetentionAndMetaRoundTrip) {
  std::vector<int64_t> row = {500, 0, -3, 1LL << 40};
  std::string v;
  codec::encode_retention(v, row);
  EXPECT_EQ(codec::decode_retention(v), row);
  codec::PartitionMeta m{123456789};
  m.rejected[3] = 7;
  codec::encode_meta(v, m);
  auto back = codec::decode_meta(v);
  ASSERT_TRUE(back);
  EXPECT_EQ(back->stream_time_ms, 123456789);
  EXPECT_EQ(back->rejected, m.rejected);
}

}  // namespace
}  // namespace engaged

namespace engaged {
namespace {

TEST(Codec, RevenueRoundTripAndMoneyFormat) {
  RevenueCounters c;
  c.by_currency["EUR"] = {12990000, 1};
  c.by_currency["USD"] = {-5, 2};
  std::string v;
  codec::encode_day_row(v, c);
  RevenueCounters back;
  ASSERT_TRUE(codec::decode_day_row(v, back));
  EXPECT_EQ(back, c);
  EXPECT_EQ(format_micros(12990000), "12.99");
  EXPECT_EQ(format_micros(12000000), "12.00");
  EXPECT_EQ(format_micros(1234567), "1.234567");
  EXPECT_EQ(format_micros(-5), "-0.000005");
}

}  // namespace
}  // namespace engaged
