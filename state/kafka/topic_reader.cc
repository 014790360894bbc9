// Assign-only: the group settings of the shared `kafka:` section are left out, and its own
// group id (which librdkafka needs for a consumer queue) is never joined or committed to.
#include "state/kafka/topic_reader.h"

#include <fmt/format.h>

#include <stdexcept>

namespace engaged {

TopicReader::TopicReader(const KafkaProperties& properties, const std::string& name) {
  KafkaProperties props;
  for (const auto& [k, v] : consumer_properties(properties))
    if (k.rfind("group.", 0) != 0 && k != "partition.assignment.strategy" &&
        k != "session.timeout.ms" && k != "heartbeat.interval.ms")
      props[k] = v;
  auto group = properties.find("group.id");
  props["group.id"] =
      (group == properties.end() ? std::string("engaged") : group->second) + "-" + name;
  rd_kafka_conf_t* conf = make_kafka_conf({{"enable.auto.commit", "false"},
                                           {"enable.auto.offset.store", "false"},
                                           {"enable.partition.eof", "false"},
                                           {"fetch.wait.max.ms", "50"}},
                                          props);
  char err[512];
  rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, err, sizeof err);
  if (!rk) throw std::runtime_error("kafka reader " + name + ": " + err);
  consumer_.reset(rk);
  rd_kafka_poll_set_consumer(rk);
  queue_ = rd_kafka_queue_get_consumer(rk);
}

TopicReader::~TopicReader() {
  if (queue_) rd_kafka_queue_destroy(queue_);
  rd_kafka_consumer_close(consumer_.get());
}

std::pair<int64_t, int64_t> TopicReader::watermarks(const std::string& topic, int32_t partition,
                                                    int timeout_ms) {
  int64_t lo = -1, hi = -1;
  const rd_kafka_resp_err_t err = rd_kafka_query_watermark_offsets(consumer_.get(), topic.c_str(),
                                                                   partition, &lo, &hi, timeout_ms);
  if (err)
    throw std::runtime_error(fmt::format("{}[{}]: cannot read its offsets: {}", topic, partition,
                                         rd_kafka_err2str(err)));
  return {lo, hi};
}

void TopicReader::start(const std::string& topic, int32_t partition, int64_t offset) {
  rd_kafka_topic_partition_list_t* list = rd_kafka_topic_partition_list_new(1);
  rd_kafka_topic_partition_list_add(list, topic.c_str(), partition)->offset = offset;
  rd_kafka_error_t* e = rd_kafka_incremental_assign(consumer_.get(), list);
  rd_kafka_topic_partition_list_destroy(list);
  if (e) {
    const std::string what = rd_kafka_error_string(e);
    rd_kafka_error_destroy(e);
    throw std::runtime_error(fmt::format("read {}[{}]: {}", topic, partition, what));
  }
}

void TopicReader::stop(const std::string& topic, int32_t partition) {
  rd_kafka_topic_partition_list_t* list = rd_kafka_topic_partition_list_new(1);
  rd_kafka_topic_partition_list_add(list, topic.c_str(), partition);
  if (rd_kafka_error_t* e = rd_kafka_incremental_unassign(consumer_.get(), list))
    rd_kafka_error_destroy(e);
  rd_kafka_topic_partition_list_destroy(list);
}

void TopicReader::poll(std::vector<rd_kafka_message_t*>& out, size_t max, int timeout_ms) {
  const size_t start = out.size();
  out.resize(start + max);
  ssize_t n = rd_kafka_consume_batch_queue(queue_, 0, out.data() + start, max);
  if (n == 0 && timeout_ms > 0)
    n = rd_kafka_consume_batch_queue(queue_, timeout_ms, out.data() + start, 1);
  out.resize(start + static_cast<size_t>(n < 0 ? 0 : n));
}

}  // namespace engaged
