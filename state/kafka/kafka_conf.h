// librdkafka configuration from the `kafka:` section, passed through verbatim, so any
// property librdkafka knows (SASL, SSL, timeouts...) works without code changes here.
#pragma once

#include <librdkafka/rdkafka.h>

#include <functional>
#include <initializer_list>
#include <map>
#include <memory>
#include <string>
#include <string_view>

namespace engaged {

using KafkaProperties = std::map<std::string, std::string>;

// Builds a conf: `defaults` first, then `user` on top. Throws on an unknown property.
rd_kafka_conf_t* make_kafka_conf(const KafkaProperties& defaults, const KafkaProperties& user);

// The shared `kafka:` section without the properties only producers know, for a consumer.
KafkaProperties consumer_properties(const KafkaProperties& shared);

// librdkafka's statistics of the clients this process makes go to one handler, called on
// librdkafka's threads with a client's JSON every statistics.interval.ms (15 s unless the
// `kafka:` section says otherwise). The shell that exports them sets it before it makes its
// clients and clears it (nullptr) when done; clients made without one send no statistics.
using KafkaStatsHandler = std::function<void(std::string_view json)>;
void set_kafka_stats_handler(KafkaStatsHandler handler);

// Owning handle for rd_kafka_t.
struct KafkaHandleDeleter {
  void operator()(rd_kafka_t* rk) const { rd_kafka_destroy(rk); }
};
using KafkaHandle = std::unique_ptr<rd_kafka_t, KafkaHandleDeleter>;

// An idempotent producer (loadgen, dead letters; the outbox turns idempotence off): batching
// and lz4 on. Delivery reports go to `on_delivery` with `opaque` as the handle's opaque; by
// default errors are logged.
using DeliveryCallback = void (*)(rd_kafka_t*, const rd_kafka_message_t*, void*);
KafkaHandle make_producer(const KafkaProperties& user, DeliveryCallback on_delivery = nullptr,
                          void* opaque = nullptr);

// Fetches the metadata of `topics` now (waiting up to `timeout_ms`; failures are left to the
// first produce). A producer learns a topic's leaders only at its first message to it, and holds
// the messages of the next second or so meanwhile: with their produce times, which latency
// figures count, and with a first checkpoint or nudge that late.
void prefetch_metadata(rd_kafka_t* rk, std::initializer_list<std::string_view> topics,
                       int timeout_ms = 5000);

// Queues a copy of (key, value) for `topic`; while the producer's queue is full, serves delivery
// reports (10 ms at a time) and retries. For the tools that produce as fast as they can.
void produce_copy(rd_kafka_t* rk, const std::string& topic, std::string_view key,
                  std::string_view value);

}  // namespace engaged
