// The topics `engaged run` needs besides the input: changelogs and the members topic. On a real
// cluster a missing one is created through the Admin API and an existing one must match (its
// partition count, and cleanup.policy=compact where compaction is needed), else `run` refuses to
// start and says what is wrong. The embedded cluster has neither an Admin API nor compaction:
// there `engaged kafka` creates the topics, and only their partition counts are checked.
#pragma once

#include <string>
#include <vector>

#include "state/kafka/kafka_conf.h"

namespace engaged {

struct TopicSpec {
  std::string name;
  int partitions = 1;
  bool compacted = false;
};

// Throws std::runtime_error naming the topic and the problem.
void ensure_topics(const KafkaProperties& properties, const std::vector<TopicSpec>& topics,
                   int replication_factor);

// Partitions of each named topic per the cluster's metadata (0: no such topic).
std::vector<int> topic_partitions(const KafkaProperties& properties,
                                  const std::vector<std::string>& topics);

}  // namespace engaged
