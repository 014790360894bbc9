// Idle ticks: when a partition has no input for a while, `run` produces a `tick` event into it
// carrying the wall-clock time. The tick is an ordinary message of the input topic, so event
// time moves on in that partition (silence timers fire, the program's watermark advances) and a
// replay of the topic sees the very same tick at the very same place: determinism is kept.
#pragma once

#include <cstdint>
#include <string>

#include "state/kafka/kafka_conf.h"
#include "state/kafka/partitioner.h"

namespace engaged {

// A key that `partitioner` maps to `partition` of `partitions` ("~tick-<partition>-<n>", the
// smallest such n): a replay of the topic routes the tick where `run` produced it.
std::string tick_key(int32_t partition, int32_t partitions, const Partitioner& partitioner);
// The tick event's JSON for epoch-ms `ts` (contract v1.1, type `tick`).
std::string tick_json(const std::string& key, int64_t ts_ms);

class TickProducer {
 public:
  TickProducer(const KafkaProperties& properties, std::string topic, Partitioner partitioner);
  void send(int32_t partition, int64_t ts_ms);

 private:
  std::string topic_;
  Partitioner partitioner_;
  KafkaHandle producer_;
  int32_t partitions_ = 0;
};

}  // namespace engaged
