// A user's partition is where the app's producers put their key: librdkafka's partitioners by
// name, and the murmur2 ones agree with the Java client (the partitions it gives these keys over
// 1000 partitions, as kafka-python's compatibility tests record them).
#include "state/kafka/partitioner.h"

#include <gtest/gtest.h>

#include <string>

namespace engaged {
namespace {

TEST(Partitioner, Murmur2IsTheJavaClients) {
  const auto murmur2 = Partitioner::parse("murmur2_random");
  ASSERT_TRUE(murmur2);
  const std::pair<std::string, int32_t> java[] = {{"", 681},          {"a", 524},
                                                  {"ab", 434},        {"abc", 107},
                                                  {"123456789", 566}, {std::string("\0 ", 2), 742}};
  for (const auto& [key, partition] : java) {
    if (!key.empty()) {
      EXPECT_EQ(murmur2->partition(key, 1000), partition) << key;
    }
  }
  // The plain (non-random) variant hashes the empty key too.
  EXPECT_EQ(Partitioner::parse("murmur2")->partition("", 1000), 681);
  EXPECT_EQ(murmur2->partition("", 1000), 0);  // *_random: replays route empty keys to 0
}

TEST(Partitioner, ConsistentIsCrc32) {
  const auto consistent = Partitioner::parse("consistent_random");
  ASSERT_TRUE(consistent);
  // zlib.crc32(key) % 6
  EXPECT_EQ(consistent->partition("u1", 6), 2);
  EXPECT_EQ(consistent->partition("u42", 6), 4);
  EXPECT_EQ(consistent->partition("hello", 6), 4);
}

TEST(Partitioner, UnknownNamesAreRefused) {
  EXPECT_TRUE(Partitioner::parse("fnv1a_random"));
  EXPECT_FALSE(Partitioner::parse("random"));
  EXPECT_FALSE(Partitioner::parse("crc32"));
}

}  // namespace
}  // namespace engaged
