// The embedded default: librdkafka's mock cluster, real Kafka protocol on loopback, so `engaged`
// runs and is tested without a broker installation. Bounded log per partition (it drops the
// oldest data past ~100k batches / 5 MB), so producers must not run far ahead of consumers.
// A fetch gets one batch per partition, found by walking the partition's batches from the oldest
// (no index): its cost grows with the log, so many small batches (a short linger.ms) cost the
// cluster more as a run goes on (bench/latency_bench.sh prints its CPU by 4 s of input).
#pragma once

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#include <string>

#include "state/kafka/kafka_conf.h"

namespace engaged {

class EmbeddedCluster {
 public:
  explicit EmbeddedCluster(int brokers = 3);
  ~EmbeddedCluster();
  EmbeddedCluster(const EmbeddedCluster&) = delete;
  EmbeddedCluster& operator=(const EmbeddedCluster&) = delete;

  std::string bootstrap_servers() const;
  void create_topic(const std::string& name, int partitions);

  // Fault injection (tests): one line, e.g. "errors 0 5 29" (the next 5 requests of API key 0,
  // Produce, fail with error code 29), "down 1" / "up 1" (broker 1 stops / starts answering),
  // "coordinator group my-group 2" (the group's coordinator moves to broker 2), "clear 0".
  // Throws std::invalid_argument for anything else.
  void command(const std::string& line);

 private:
  KafkaHandle handle_;  // owns the cluster's threads
  rd_kafka_mock_cluster_t* cluster_ = nullptr;
};

}  // namespace engaged
