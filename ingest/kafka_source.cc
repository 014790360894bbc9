// Group membership, stored-offset resumption and batched fetching.
#include "ingest/kafka_source.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstring>
#include <stdexcept>
#include <utility>

namespace engaged {
namespace {

// An offset as the logs show it: a number, or what librdkafka's special value means.
std::string offset_text(int64_t offset) {
  if (offset == 0) return "offset 0, the beginning";
  if (offset == RD_KAFKA_OFFSET_END) return "the end";
  return "offset " + std::to_string(offset);
}

}  // namespace

KafkaProperties consumer_defaults(size_t fetch_queue_bytes) {
  constexpr size_t kMaxQueueKbytes = 2097151;  // librdkafka's upper limit
  return {{"group.id", "engaged"},
          {"partition.assignment.strategy", "cooperative-sticky"},
          {"enable.auto.commit", "false"},
          {"enable.auto.offset.store", "false"},
          {"auto.offset.reset", "earliest"},
          {"fetch.wait.max.ms", "50"},
          {"queued.min.messages", "10000000"},  // librdkafka's upper limit
          {"queued.max.messages.kbytes",
           std::to_string(std::clamp<size_t>(fetch_queue_bytes / 1024, 1, kMaxQueueKbytes))},
          {"enable.partition.eof", "false"}};
}

KafkaSource::KafkaSource(const KafkaProperties& properties, std::vector<std::string> topics,
                         PartitionListener& listener, size_t fetch_queue_bytes)
    : topics_(std::move(topics)), listener_(listener) {
  rd_kafka_conf_t* conf =
      make_kafka_conf(consumer_defaults(fetch_queue_bytes), consumer_properties(properties));
  rd_kafka_conf_set_opaque(conf, this);
  rd_kafka_conf_set_rebalance_cb(conf, &KafkaSource::rebalance);
  rd_kafka_conf_set_error_cb(conf, &KafkaSource::on_error);
  char err[512];
  rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, err, sizeof err);
  if (!rk) throw std::runtime_error(std::string("kafka consumer: ") + err);
  consumer_.reset(rk);
  rd_kafka_poll_set_consumer(rk);
  queue_ = rd_kafka_queue_get_consumer(rk);
  rd_kafka_topic_partition_list_t* sub =
      rd_kafka_topic_partition_list_new(static_cast<int>(topics_.size()));
  for (const auto& t : topics_)
    rd_kafka_topic_partition_list_add(sub, t.c_str(), RD_KAFKA_PARTITION_UA);
  rd_kafka_resp_err_t e = rd_kafka_subscribe(rk, sub);
  rd_kafka_topic_partition_list_destroy(sub);
  if (e) throw std::runtime_error(std::string("subscribe: ") + rd_kafka_err2str(e));
}

KafkaSource::~KafkaSource() {
  try {
    close();
  } catch (const std::exception& e) {  // a destructor reports, it does not throw
    spdlog::error("closing the consumer: {}", e.what());
  }
  if (queue_) rd_kafka_queue_destroy(queue_);
  release_if_never_assigned();
}

// librdkafka before 2.3.0 (Debian bookworm has 2.0.2) asserts in rd_kafka_destroy when a
// (cooperative-)sticky member joined the group but never received an assignment: a stop during
// the first rebalance (librdkafka#4312). The process is ending then, so the handle is left to
// the exit instead of destroyed.
void KafkaSource::release_if_never_assigned() {
  if (!assignment_seen_ && consumer_) static_cast<void>(consumer_.release());
}

void KafkaSource::rebalance(rd_kafka_t*, rd_kafka_resp_err_t err,
                            rd_kafka_topic_partition_list_t* parts, void* opaque) {
  // Called from inside librdkafka: an exception must not cross it. It is rethrown by poll().
  auto* self = static_cast<KafkaSource*>(opaque);
  try {
    self->on_rebalance(err, parts);
  } catch (...) {
    if (!self->failure_) self->failure_ = std::current_exception();
  }
}

void KafkaSource::on_rebalance(rd_kafka_resp_err_t err, rd_kafka_topic_partition_list_t* parts) {
  rd_kafka_t* rk = consumer_.get();
  const bool cooperative = std::strcmp(rd_kafka_rebalance_protocol(rk), "COOPERATIVE") == 0;
  if (err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
    assignment_seen_ = true;
    std::vector<AssignedPartition> assigned;
    for (int i = 0; i < parts->cnt; ++i)
      assigned.push_back({parts->elems[i].topic, parts->elems[i].partition, RD_KAFKA_OFFSET_END});
    try {
      if (!assigned.empty() && !failure_) listener_.on_assigned(assigned);
    } catch (...) {  // assigned anyway (librdkafka expects it); poll() reports the failure
      failure_ = std::current_exception();
    }
    for (int i = 0; i < parts->cnt; ++i) {
      parts->elems[i].offset = assigned[static_cast<size_t>(i)].offset;
      spdlog::info("assigned {}[{}]: resuming at {}", parts->elems[i].topic,
                   parts->elems[i].partition, offset_text(parts->elems[i].offset));
    }
    rd_kafka_error_t* e = nullptr;
    if (cooperative)
      e = rd_kafka_incremental_assign(rk, parts);
    else
      rd_kafka_assign(rk, parts);
    if (e) {
      spdlog::error("assign failed: {}", rd_kafka_error_string(e));
      rd_kafka_error_destroy(e);
    }
    listener_.on_rebalanced();
    return;
  }
  const bool lost = rd_kafka_assignment_lost(rk);
  for (const auto& topic : topics_) {
    std::vector<int32_t> revoked;
    for (int i = 0; i < parts->cnt; ++i)
      if (topic == parts->elems[i].topic) revoked.push_back(parts->elems[i].partition);
    if (revoked.empty()) continue;
    try {
      listener_.on_revoked(topic, revoked, lost);
    } catch (...) {  // unassigned anyway; poll() reports the failure
      if (!failure_) failure_ = std::current_exception();
    }
    spdlog::info("{} {} partition(s) of {}", lost ? "lost" : "revoked", revoked.size(), topic);
  }
  if (cooperative) {
    if (rd_kafka_error_t* e = rd_kafka_incremental_unassign(rk, parts)) rd_kafka_error_destroy(e);
  } else {
    rd_kafka_assign(rk, nullptr);
  }
  listener_.on_rebalanced();
}

void KafkaSource::poll(std::vector<rd_kafka_message_t*>& out, size_t max, int timeout_ms) {
  // Take what is already fetched without waiting: a blocking call waits until the batch is
  // full or the timeout passes, which would idle the pipeline between fetch responses.
  size_t start = out.size();
  out.resize(start + max);
  ssize_t n = rd_kafka_consume_batch_queue(queue_, 0, out.data() + start, max);
  if (n == 0 && !failure_)
    n = rd_kafka_consume_batch_queue(queue_, timeout_ms, out.data() + start, 1);
  out.resize(start + static_cast<size_t>(n < 0 ? 0 : n));
  if (failure_) {
    for (size_t i = start; i < out.size(); ++i) rd_kafka_message_destroy(out[i]);
    out.resize(start);
    std::rethrow_exception(std::exchange(failure_, nullptr));
  }
}

int64_t KafkaSource::high_watermark(const std::string& topic, int32_t partition) {
  int64_t lo = -1, hi = -1;
  if (rd_kafka_get_watermark_offsets(consumer_.get(), topic.c_str(), partition, &lo, &hi))
    return -1;
  return hi;
}

void KafkaSource::close() {
  if (closed_ || !consumer_) return;
  closed_ = true;
  rd_kafka_consumer_close(consumer_.get());
  if (failure_) std::rethrow_exception(std::exchange(failure_, nullptr));
}

void KafkaSource::abandon() {
  closed_ = true;
  if (queue_) rd_kafka_queue_destroy(std::exchange(queue_, nullptr));
  release_if_never_assigned();
  if (consumer_) rd_kafka_destroy_flags(consumer_.release(), RD_KAFKA_DESTROY_F_NO_CONSUMER_CLOSE);
}

bool KafkaSource::reachable(int timeout_ms) {
  const rd_kafka_metadata_t* metadata = nullptr;
  if (rd_kafka_metadata(consumer_.get(), 0, nullptr, &metadata, timeout_ms)) return false;
  rd_kafka_metadata_destroy(metadata);
  all_brokers_down_ = false;
  return true;
}

void KafkaSource::on_error(rd_kafka_t*, int err, const char* reason, void* opaque) {
  // Served by poll() on the caller's thread (the main queue is forwarded to the consumer's).
  auto* self = static_cast<KafkaSource*>(opaque);
  if (err == RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN) self->all_brokers_down_ = true;
  if (rd_kafka_fatal_error(self->consumer_.get(), nullptr, 0))
    spdlog::error("kafka consumer, fatal: {}", reason);
  else
    spdlog::warn("kafka consumer: {}", reason);
}

}  // namespace engaged
