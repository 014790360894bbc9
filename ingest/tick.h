// Idle ticks: when a partition has no input for a while, `run` produces a `tick` event into it
// carrying the wall-clock time. The tick is an ordinary message of the input topic, so event
// time moves on in that partition (silence timers fire, the program's watermark advances) and a
// replay of the topic sees the very same tick at the very same place: determinism is kept.
#pragma once

#include <cstdint>
#include <string>

#include "ingest/kafka_conf.h"

namespace engaged {

// A key that librdkafka's default partitioner maps to `partition` of `partitions`
// ("~tick-<partition>-<n>", the smallest such n).
std::string tick_key(int32_t partition, int32_t partitions);
// The tick event's JSON for epoch-ms `ts` (contract v1.1, type `tick`).
std::string tick_json(const std::string& key, int64_t ts_ms);

class TickProducer {
 public:
  TickProducer(const KafkaProperties& properties, std::string topic);
  void send(int32_t partition, int64_t ts_ms);

 private:
  std::string topic_;
  KafkaHandle producer_;
  int32_t partitions_ = 0;
};

}  // namespace engaged
