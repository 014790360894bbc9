// Defaults chosen for throughput (large batches, lz4) and safety (idempotence, acks=all).
#include "state/kafka/kafka_conf.h"

#include <spdlog/spdlog.h>

#include <mutex>
#include <stdexcept>
#include <utility>

namespace engaged {
namespace {

void delivery_report(rd_kafka_t*, const rd_kafka_message_t* m, void*) {
  if (m->err)
    spdlog::error("kafka delivery to {} failed: {}", rd_kafka_topic_name(m->rkt),
                  rd_kafka_err2str(m->err));
}

void log_cb(const rd_kafka_t*, int level, const char* fac, const char* buf) {
  if (level <= 3)
    spdlog::error("librdkafka {}: {}", fac, buf);
  else if (level <= 4)
    spdlog::warn("librdkafka {}: {}", fac, buf);
  else
    spdlog::debug("librdkafka {}: {}", fac, buf);
}

// Consumer-only properties: a shared `kafka:` section also configures our producers, which
// would otherwise warn about each of them.
bool consumer_only(const std::string& key) {
  for (const char* prefix :
       {"group.", "partition.assignment.strategy", "session.timeout.ms", "heartbeat.interval.ms",
        "max.poll.interval.ms", "enable.auto.", "auto.", "fetch.", "queued.",
        "max.partition.fetch.bytes", "isolation.level", "check.crcs", "enable.partition.eof"})
    if (key.rfind(prefix, 0) == 0) return true;
  return false;
}

// Producer-only properties, for the same reason the other way round: docs/deploy.md's
// low-latency `kafka.linger.ms` made every consumer warn that it ignores it.
bool producer_only(const std::string& key) {
  for (const char* prefix : {"linger.ms",
                             "queue.buffering.",
                             "batch.num.messages",
                             "batch.size",
                             "compression.",
                             "enable.idempotence",
                             "enable.gapless.guarantee",
                             "transactional.id",
                             "transaction.timeout.ms",
                             "acks",
                             "request.required.acks",
                             "request.timeout.ms",
                             "message.timeout.ms",
                             "delivery.timeout.ms",
                             "message.send.max.retries",
                             "retries",
                             "partitioner",
                             "sticky.partitioning.linger.ms",
                             "queuing.strategy",
                             "delivery.report.only.error"})
    if (key.rfind(prefix, 0) == 0) return true;
  return false;
}

std::mutex stats_mutex;
KafkaStatsHandler stats_handler;  // guarded by stats_mutex

int stats_cb(rd_kafka_t*, char* json, size_t len, void*) {
  std::lock_guard lock(stats_mutex);
  if (stats_handler) stats_handler(std::string_view(json, len));
  return 0;  // librdkafka frees the JSON
}

}  // namespace

void set_kafka_stats_handler(KafkaStatsHandler handler) {
  std::lock_guard lock(stats_mutex);
  stats_handler = std::move(handler);
}

rd_kafka_conf_t* make_kafka_conf(const KafkaProperties& defaults, const KafkaProperties& user) {
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  char err[512];
  rd_kafka_conf_set_log_cb(conf, log_cb);
  KafkaProperties stats;
  {
    std::lock_guard lock(stats_mutex);
    if (stats_handler) {
      rd_kafka_conf_set_stats_cb(conf, stats_cb);
      stats["statistics.interval.ms"] = "15000";
    }
  }
  for (const KafkaProperties* props : {&std::as_const(stats), &defaults, &user}) {
    for (const auto& [k, v] : *props) {
      if (rd_kafka_conf_set(conf, k.c_str(), v.c_str(), err, sizeof err) != RD_KAFKA_CONF_OK) {
        rd_kafka_conf_destroy(conf);
        throw std::runtime_error("kafka property " + k + ": " + err);
      }
    }
  }
  return conf;
}

KafkaProperties consumer_properties(const KafkaProperties& shared) {
  KafkaProperties user;
  for (const auto& [k, v] : shared)
    if (!producer_only(k)) user[k] = v;
  return user;
}

KafkaHandle make_producer(const KafkaProperties& shared, DeliveryCallback on_delivery,
                          void* opaque) {
  KafkaProperties user;
  for (const auto& [k, v] : shared)
    if (!consumer_only(k)) user[k] = v;
  rd_kafka_conf_t* conf = make_kafka_conf({{"enable.idempotence", "true"},
                                           {"linger.ms", "10"},
                                           {"batch.num.messages", "10000"},
                                           {"batch.size", "1000000"},
                                           {"compression.type", "lz4"},
                                           {"queue.buffering.max.messages", "500000"},
                                           {"queue.buffering.max.kbytes", "1048576"}},
                                          user);
  rd_kafka_conf_set_dr_msg_cb(conf, on_delivery ? on_delivery : delivery_report);
  if (opaque) rd_kafka_conf_set_opaque(conf, opaque);
  char err[512];
  rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
  if (!rk) throw std::runtime_error(std::string("kafka producer: ") + err);
  return KafkaHandle(rk);
}

void prefetch_metadata(rd_kafka_t* rk, std::initializer_list<std::string_view> topics,
                       int timeout_ms) {
  for (std::string_view name : topics) {
    if (name.empty()) continue;
    rd_kafka_topic_t* topic = rd_kafka_topic_new(rk, std::string(name).c_str(), nullptr);
    const struct rd_kafka_metadata* metadata = nullptr;
    if (rd_kafka_metadata(rk, 0, topic, &metadata, timeout_ms) == RD_KAFKA_RESP_ERR_NO_ERROR)
      rd_kafka_metadata_destroy(metadata);
    rd_kafka_topic_destroy(topic);
  }
}

void produce_copy(rd_kafka_t* rk, const std::string& topic, std::string_view key,
                  std::string_view value) {
  while (rd_kafka_producev(rk, RD_KAFKA_V_TOPIC(topic.c_str()),
                           RD_KAFKA_V_KEY(key.data(), key.size()),
                           RD_KAFKA_V_VALUE(const_cast<char*>(value.data()), value.size()),
                           RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
                           RD_KAFKA_V_END) == RD_KAFKA_RESP_ERR__QUEUE_FULL)
    rd_kafka_poll(rk, 10);
}

}  // namespace engaged
