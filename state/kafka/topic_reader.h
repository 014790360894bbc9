// A consumer outside the consumer group: partitions are assigned explicitly, each at the offset
// to read from. The restore consumer of the changelogs (`run` polls it between batches while
// partitions restore; `engaged restore` reads every partition with it) and the reader of the
// members topic.
#pragma once

#include <librdkafka/rdkafka.h>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "state/kafka/kafka_conf.h"

namespace engaged {

class TopicReader {
 public:
  // `name` tells this reader's group id apart (never joined: librdkafka needs one for a queue).
  TopicReader(const KafkaProperties& properties, const std::string& name);
  ~TopicReader();

  // (low, high) watermark of a partition as the broker reports it now; throws if it cannot.
  std::pair<int64_t, int64_t> watermarks(const std::string& topic, int32_t partition,
                                         int timeout_ms = 10000);
  void start(const std::string& topic, int32_t partition, int64_t offset);
  void stop(const std::string& topic, int32_t partition);
  // Messages fetched so far (appended to `out`, at most `max`), waiting up to `timeout_ms` for
  // the first. The caller destroys them with rd_kafka_message_destroy.
  void poll(std::vector<rd_kafka_message_t*>& out, size_t max, int timeout_ms);

 private:
  KafkaHandle consumer_;
  rd_kafka_queue_t* queue_ = nullptr;
};

}  // namespace engaged
