// How producers map a message key to a partition, by librdkafka's partitioner names. Events are
// keyed by user id, so a user's partition is where the app's producers put their key: `replay`
// routes lines and `run` locates users (GET /v1/users) with the partitioner the producers use.
// Java and kafkajs clients hash with murmur2 (`murmur2_random`), librdkafka-based ones with CRC32
// (`consistent_random`, its default), Sarama with FNV-1a (`fnv1a_random`).
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace engaged {

class Partitioner {
 public:
  // consistent, consistent_random, murmur2, murmur2_random, fnv1a or fnv1a_random.
  static std::optional<Partitioner> parse(std::string_view name);

  // The partition of a keyed message. An empty key goes to partition 0 with the *_random
  // partitioners (their producers pick a random one; replays must be deterministic).
  int32_t partition(std::string_view key, int32_t partitions) const;

 private:
  enum class Hash { kCrc32, kMurmur2, kFnv1a };
  Partitioner(Hash hash, bool random) : hash_(hash), random_(random) {}
  Hash hash_;
  bool random_;
};

}  // namespace engaged
