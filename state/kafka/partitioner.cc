// librdkafka's own hash functions, so the partitions are exactly the producers'.
#include "state/kafka/partitioner.h"

#include <librdkafka/rdkafka.h>

#include <string>

namespace engaged {

std::optional<Partitioner> Partitioner::parse(std::string_view name) {
  const bool random = name.ends_with("_random");
  if (random) name.remove_suffix(7);
  if (name == "consistent") return Partitioner(Hash::kCrc32, random);
  if (name == "murmur2") return Partitioner(Hash::kMurmur2, random);
  if (name == "fnv1a") return Partitioner(Hash::kFnv1a, random);
  return std::nullopt;
}

int32_t Partitioner::partition(std::string_view key, int32_t partitions) const {
  if (key.empty() && random_) return 0;
  switch (hash_) {
    case Hash::kCrc32:
      return rd_kafka_msg_partitioner_consistent(nullptr, key.data(), key.size(), partitions,
                                                 nullptr, nullptr);
    case Hash::kMurmur2:
      return rd_kafka_msg_partitioner_murmur2(nullptr, key.data(), key.size(), partitions, nullptr,
                                              nullptr);
    case Hash::kFnv1a:
      return rd_kafka_msg_partitioner_fnv1a(nullptr, key.data(), key.size(), partitions, nullptr,
                                            nullptr);
  }
  return 0;
}

}  // namespace engaged
