// Drains the outbox to Kafka: program records to the program topic, nudges to the nudges topic,
// with a producer of its own (one request in flight: see outbox_properties). Each message of an
// entry is one Kafka message; an entry leaves the store only when Kafka acknowledged all of them
// (its key is handed back for the next checkpoint to delete); a failed message is produced again.
// So a decided nudge reaches the topic at least once, in decision order, whatever crashes.
#pragma once

#include <librdkafka/rdkafka.h>

#include <array>
#include <cstdint>
#include <deque>
#include <string>
#include <vector>

#include "state/codec.h"
#include "state/kafka/kafka_conf.h"

namespace engaged {

class OutboxSender {
 public:
  OutboxSender(const KafkaProperties& properties, std::string program_topic,
               std::string nudges_topic);
  ~OutboxSender();

  // Produces the messages of one outbox entry (store key = its key in the outbox column family).
  void send(const std::string& store_key, const codec::OutboxEntry& entry);
  // A watermark of `source` on the program topic (not stored: the next checkpoint sends a newer).
  void send_watermark(int32_t source, uint64_t next_seq, int64_t order_ms);
  // Serves delivery reports and re-sends failed entries.
  void poll();
  // Waits until everything sent is acknowledged (or `timeout_ms` passed).
  void flush(int timeout_ms);
  // Store keys of the entries acknowledged since the last call.
  std::vector<std::string> take_delivered();

  // Messages sent and not yet acknowledged, and acknowledged in all, by sink (OutboxSink order).
  const std::array<int64_t, 2>& in_flight() const { return in_flight_; }
  const std::array<int64_t, 2>& delivered_total() const { return delivered_total_; }

 private:
  struct Pending;
  struct Part {  // one message of an entry: the per-message opaque
    Pending* entry;
    codec::OutboxMessage message;
  };
  struct Pending {
    Pending(std::string store_key, codec::OutboxEntry e)
        : store_key(std::move(store_key)), entry(std::move(e)) {}
    std::string store_key;
    codec::OutboxEntry entry;
    std::vector<Part> parts;  // views into `entry`, which stays put
    size_t unacknowledged = 0;
  };
  static void on_delivery(rd_kafka_t*, const rd_kafka_message_t* m, void* opaque);
  void produce(Part* p);

  std::string program_topic_, nudges_topic_;
  KafkaHandle producer_;
  std::vector<std::string> delivered_;
  std::deque<Part*> retry_;
  std::array<int64_t, 2> in_flight_{}, delivered_total_{};
  std::string scratch_;
};

}  // namespace engaged
