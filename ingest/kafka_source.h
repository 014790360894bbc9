// Consumes the events topic and the program topic in a consumer group (cooperative-sticky by
// default). Positions come from the state store, not from Kafka: on assignment the listener
// says where each partition resumes, and that offset is set before fetching starts.
#pragma once

#include <librdkafka/rdkafka.h>

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "ingest/kafka_conf.h"

namespace engaged {

class PartitionListener {
 public:
  virtual ~PartitionListener() = default;
  // Called for each newly assigned partition; returns the offset to resume at
  // (RD_KAFKA_OFFSET_BEGINNING when the state has never seen it).
  virtual int64_t on_assigned(const std::string& topic, int32_t partition) = 0;
  // Called before partitions are taken away: checkpoint and drop them.
  virtual void on_revoked(const std::string& topic, std::span<const int32_t> partitions) = 0;
};

class KafkaSource {
 public:
  // `topics[0]` is the events topic (lag, informational commits).
  KafkaSource(const KafkaProperties& properties, std::vector<std::string> topics,
              PartitionListener& listener);
  ~KafkaSource();

  // Up to `out.capacity()` messages (appended to `out`), waiting at most `timeout_ms`.
  // The caller destroys them with rd_kafka_message_destroy.
  void poll(std::vector<rd_kafka_message_t*>& out, size_t max, int timeout_ms);
  // High watermark of a partition as last seen by the fetcher (-1 if unknown).
  int64_t high_watermark(const std::string& topic, int32_t partition);
  // Informational commit of positions already checkpointed (lets Kafka tools show lag).
  void commit_async(std::span<const std::pair<int32_t, int64_t>> next_offsets);
  // Leaves the group (runs the revoke callback).
  void close();

  const std::string& topic() const { return topics_[0]; }
  // Partitions of a topic per the cluster's metadata (waits up to `timeout_ms`; 0 if unknown).
  int partition_count(const std::string& topic, int timeout_ms);

 private:
  static void rebalance(rd_kafka_t* rk, rd_kafka_resp_err_t err,
                        rd_kafka_topic_partition_list_t* parts, void* opaque);
  void on_rebalance(rd_kafka_resp_err_t err, rd_kafka_topic_partition_list_t* parts);

  std::vector<std::string> topics_;
  PartitionListener& listener_;
  KafkaHandle consumer_;
  rd_kafka_queue_t* queue_ = nullptr;
  bool closed_ = false;
};

}  // namespace engaged
