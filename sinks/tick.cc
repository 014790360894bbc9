// Tick keys are found by trying n = 0, 1, ... (a few tries on average).
#include "sinks/tick.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

namespace engaged {

std::string tick_key(int32_t partition, int32_t partitions, const Partitioner& partitioner) {
  for (int n = 0;; ++n) {
    std::string key = fmt::format("~tick-{}-{}", partition, n);
    if (partitioner.partition(key, partitions) == partition) return key;
  }
}

std::string tick_json(const std::string& key, int64_t ts_ms) {
  return fmt::format(R"({{"event_id":"tick-{}","user_id":"{}","type":"tick","ts":{}}})", ts_ms, key,
                     ts_ms);
}

TickProducer::TickProducer(const KafkaProperties& properties, std::string topic,
                           Partitioner partitioner)
    : topic_(std::move(topic)), partitioner_(partitioner), producer_(make_producer(properties)) {}

void TickProducer::send(int32_t partition, int64_t ts_ms) {
  if (partitions_ == 0) {
    const rd_kafka_metadata_t* md = nullptr;
    rd_kafka_topic_t* rkt = rd_kafka_topic_new(producer_.get(), topic_.c_str(), nullptr);
    if (rd_kafka_metadata(producer_.get(), 0, rkt, &md, 5000) == RD_KAFKA_RESP_ERR_NO_ERROR) {
      if (md->topic_cnt == 1) partitions_ = md->topics[0].partition_cnt;
      rd_kafka_metadata_destroy(md);
    }
    rd_kafka_topic_destroy(rkt);
    if (partitions_ == 0) return;
  }
  const std::string key = tick_key(partition, partitions_, partitioner_);
  const std::string value = tick_json(key, ts_ms);
  const rd_kafka_resp_err_t err =
      rd_kafka_producev(producer_.get(), RD_KAFKA_V_TOPIC(topic_.c_str()),
                        RD_KAFKA_V_PARTITION(partition), RD_KAFKA_V_KEY(key.data(), key.size()),
                        RD_KAFKA_V_VALUE(const_cast<char*>(value.data()), value.size()),
                        RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_END);
  if (err) spdlog::warn("tick for partition {}: {}", partition, rd_kafka_err2str(err));
  rd_kafka_poll(producer_.get(), 0);
}

}  // namespace engaged
