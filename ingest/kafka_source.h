// Consumes the events topic and the program topic in a consumer group (cooperative-sticky by
// default). Positions come from the state store, not from Kafka: on assignment the listener
// brings the partitions' state in place (restoring it if needed) and says where each resumes,
// and that offset is set before fetching starts.
#pragma once

#include <librdkafka/rdkafka.h>

#include <cstdint>
#include <exception>
#include <span>
#include <string>
#include <vector>

#include "state/kafka/kafka_conf.h"

namespace engaged {

struct AssignedPartition {
  std::string topic;
  int32_t partition = 0;
  int64_t offset = 0;  // set by the listener
};

class PartitionListener {
 public:
  virtual ~PartitionListener() = default;
  // Called with the newly assigned partitions; sets the offset each resumes at (0 when the
  // state has never seen it). An absolute offset is fetched at once; the logical "beginning"
  // would wait for a ListOffsets answer, retried only 500 ms later when the partition leader's
  // connection is still coming up. A log that no longer starts at 0 is fetched from its start
  // (auto.offset.reset=earliest), and the pipeline counts what it never saw.
  virtual void on_assigned(std::vector<AssignedPartition>& partitions) = 0;
  // Called before partitions are taken away: checkpoint and drop them. `lost`: they were
  // already given to another member (this one missed the session timeout), so nothing may be
  // written for them any more.
  virtual void on_revoked(const std::string& topic, std::span<const int32_t> partitions,
                          bool lost) = 0;
  // Called at the end of every rebalance, once the assignment is updated.
  virtual void on_rebalanced() {}
};

// The consumer's settings before the user's `kafka.*`: positions from the state store, not
// Kafka's commits, and a fetch queue bounded by `fetch_queue_bytes` alone. librdkafka 2.0
// stops fetching every partition of a consumer once its queue is over either bound, and looks
// again only when its broker threads next wake, up to a second later (librdkafka#2879; 2.2
// made that wait a setting); a queue the loop empties sooner leaves it idle that long. So the
// message-count bound is set out of reach and the byte bound is the one that holds.
KafkaProperties consumer_defaults(size_t fetch_queue_bytes);

class KafkaSource {
 public:
  // `topics[0]` is the events topic (lag).
  KafkaSource(const KafkaProperties& properties, std::vector<std::string> topics,
              PartitionListener& listener, size_t fetch_queue_bytes);
  ~KafkaSource();

  // Up to `max` messages (appended to `out`), waiting at most `timeout_ms`. The caller
  // destroys them with rd_kafka_message_destroy. Rethrows what the listener threw during a
  // rebalance.
  void poll(std::vector<rd_kafka_message_t*>& out, size_t max, int timeout_ms);
  // High watermark of a partition as last seen by the fetcher (-1 if unknown).
  int64_t high_watermark(const std::string& topic, int32_t partition);
  // Leaves the group (runs the revoke callback); rethrows what the callback threw.
  void close();
  // After a failure: destroys the consumer without leaving the group or running the revoke
  // callback (nothing more may be written), as a kill -9 would; the group notices after
  // session.timeout.ms.
  void abandon();
  // Whether a broker answers a metadata request within `timeout_ms`.
  bool reachable(int timeout_ms);
  // Whether the consumer reported all brokers down since the last successful reachable().
  bool all_brokers_down() const { return all_brokers_down_; }

  const std::string& topic() const { return topics_[0]; }

 private:
  static void rebalance(rd_kafka_t* rk, rd_kafka_resp_err_t err,
                        rd_kafka_topic_partition_list_t* parts, void* opaque);
  void on_rebalance(rd_kafka_resp_err_t err, rd_kafka_topic_partition_list_t* parts);
  static void on_error(rd_kafka_t* rk, int err, const char* reason, void* opaque);
  void release_if_never_assigned();

  std::vector<std::string> topics_;
  PartitionListener& listener_;
  KafkaHandle consumer_;
  rd_kafka_queue_t* queue_ = nullptr;
  bool closed_ = false;
  bool all_brokers_down_ = false;
  bool assignment_seen_ = false;  // the group sent this member an assignment (maybe empty)
  std::exception_ptr failure_;    // from the listener, inside a rebalance
};

}  // namespace engaged
