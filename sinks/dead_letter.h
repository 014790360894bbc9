// Where rejected messages go: nothing that was consumed disappears. A dead letter keeps the
// original bytes untouched plus a machine-readable reason and its source position.
#pragma once

#include <librdkafka/rdkafka.h>

#include <atomic>
#include <cstdio>
#include <map>
#include <mutex>
#include <string>
#include <string_view>

#include "domain/reject_reason.h"
#include "state/kafka/kafka_conf.h"
#include "state/side_output.h"

namespace engaged {

struct DeadLetter {
  std::string_view original;  // the message value exactly as consumed
  std::string_view key;
  RejectReason reason;
  std::string_view detail;
  std::string_view source_topic;
  int32_t source_partition;
  int64_t source_offset;
};

// A checkpoint commits the input offsets of rejected messages only once their letters are
// durable at the destination (SideOutput::acknowledged).
class DeadLetterSink : public SideOutput {
 public:
  virtual void send(const DeadLetter& letter) = 0;
};

// Produces to a Kafka topic: value = original bytes, key = original key, headers
// engaged.reason, engaged.detail, engaged.source.topic, engaged.source.partition,
// engaged.source.offset. Uses its own idempotent producer, whose delivery reports it reads: a
// letter the broker refused for good (authorization, say) makes acknowledged() throw, so the
// checkpoint that would have committed its input offset is not committed and the message is
// read, rejected and sent again after a restart. A letter that would not fit the producer's
// message.max.bytes (a message just under input.max_event_bytes plus headers, say) keeps only
// the head of its original bytes, with headers engaged.truncated=true, engaged.original.size
// and engaged.original.xxh64 (hex): a poison message never stops the pipeline and its trace
// stays. send() may be called from several threads at once (the pipeline's lanes).
class KafkaDeadLetterSink : public DeadLetterSink {
 public:
  KafkaDeadLetterSink(const KafkaProperties& kafka, std::string topic);
  void send(const DeadLetter& letter) override;
  uint64_t mark() override;
  bool acknowledged(uint64_t mark, bool wait) override;
  // Serves delivery reports; call it from the loop that sends.
  void poll();
  int64_t truncated_total() const { return truncated_.load(std::memory_order_relaxed); }

 private:
  static void on_delivery(rd_kafka_t*, const rd_kafka_message_t* m, void* opaque);

  KafkaHandle producer_;
  std::string topic_;
  size_t max_message_bytes_;  // the producer's message.max.bytes
  std::atomic<int64_t> truncated_ = 0;
  // Guards what follows (letters are sent by the lanes, reports served by any sender).
  std::mutex mutex_;
  std::string first_error_;  // of a letter the broker refused; empty while none was
  uint64_t mark_ = 0;        // letters sent now are counted under this mark
  std::map<uint64_t, int64_t> unacknowledged_;  // letters in flight by mark (none: no entry)
};

// Appends one JSON line per letter to a file ("-" = stderr); used by `replay`.
// {"reason":..,"detail":..,"source":{"topic":..,"partition":..,"offset":..},"original_base64":..}
// Thread-safe: replay workers share one file (each line is written whole).
class FileDeadLetterSink : public DeadLetterSink {
 public:
  explicit FileDeadLetterSink(const std::string& path);  // empty path: discard
  ~FileDeadLetterSink() override;
  void send(const DeadLetter& letter) override;
  uint64_t mark() override { return 0; }
  // Flushes the file to disk: every line written so far is durable.
  bool acknowledged(uint64_t mark, bool wait) override;

 private:
  std::FILE* file_ = nullptr;
  std::mutex mutex_;  // guards line_ and the file
  std::string line_;
};

}  // namespace engaged
