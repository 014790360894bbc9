// The two dead-letter destinations: a Kafka topic (run) and an NDJSON file (replay).
#include "sinks/dead_letter.h"

#include <fmt/format.h>
#include <unistd.h>
#include <xxhash.h>

#include <chrono>
#include <cstdlib>
#include <stdexcept>

#include "sinks/json_text.h"

namespace engaged {

namespace {

size_t producer_max_message_bytes(rd_kafka_t* producer) {
  char value[32];
  size_t size = sizeof value;
  if (rd_kafka_conf_get(rd_kafka_conf(producer), "message.max.bytes", value, &size) !=
      RD_KAFKA_CONF_OK)
    return 1000000;  // librdkafka's default
  return std::strtoull(value, nullptr, 10);
}

// Room for the record's framing and librdkafka's batch overhead beyond key, value and headers.
constexpr size_t kFramingBytes = 1024;

}  // namespace

KafkaDeadLetterSink::KafkaDeadLetterSink(const KafkaProperties& kafka, std::string topic)
    : producer_(make_producer(kafka, &KafkaDeadLetterSink::on_delivery, this)),
      topic_(std::move(topic)),
      max_message_bytes_(producer_max_message_bytes(producer_.get())) {
  prefetch_metadata(producer_.get(), {topic_});
}

void KafkaDeadLetterSink::on_delivery(rd_kafka_t*, const rd_kafka_message_t* m, void* opaque) {
  auto* self = static_cast<KafkaDeadLetterSink*>(opaque);
  const auto mark = reinterpret_cast<uintptr_t>(m->_private);
  std::lock_guard lock(self->mutex_);
  if (auto it = self->unacknowledged_.find(mark);
      it != self->unacknowledged_.end() && --it->second == 0)
    self->unacknowledged_.erase(it);
  if (m->err && self->first_error_.empty())
    self->first_error_ =
        fmt::format("dead letter to {}[{}] refused: {}", rd_kafka_topic_name(m->rkt), m->partition,
                    rd_kafka_err2str(m->err));
}

void KafkaDeadLetterSink::poll() {
  rd_kafka_poll(producer_.get(), 0);
}

void KafkaDeadLetterSink::send(const DeadLetter& l) {
  const std::string reason(reject_reason_name(l.reason));
  const std::string partition = std::to_string(l.source_partition);
  const std::string offset = std::to_string(l.source_offset);
  // The detail and key are ours or short; cut them too so that nothing can exceed the limit.
  const std::string_view detail = l.detail.substr(0, 1024), key = l.key.substr(0, 4096);
  const size_t fixed = kFramingBytes + key.size() + reason.size() + detail.size() +
                       l.source_topic.size() + partition.size() + offset.size() + 256;
  const size_t room = max_message_bytes_ > fixed ? max_message_bytes_ - fixed : 0;
  std::string_view value = l.original;
  std::string original_size, original_hash;
  if (value.size() > room) {
    original_size = std::to_string(value.size());
    original_hash = fmt::format("{:016x}", XXH64(value.data(), value.size(), 0));
    value = value.substr(0, room);
    ++truncated_;
  }
  const bool truncated = !original_size.empty();
  rd_kafka_headers_t* headers = rd_kafka_headers_new(8);
  auto add = [&](const char* name, std::string_view v) {
    rd_kafka_header_add(headers, name, -1, v.data(), static_cast<ssize_t>(v.size()));
  };
  add("engaged.reason", reason);
  add("engaged.detail", detail);
  add("engaged.source.topic", l.source_topic);
  add("engaged.source.partition", partition);
  add("engaged.source.offset", offset);
  if (truncated) {
    add("engaged.truncated", "true");
    add("engaged.original.size", original_size);
    add("engaged.original.xxh64", original_hash);
  }
  uint64_t mark;
  {
    std::lock_guard lock(mutex_);
    mark = mark_;
    ++unacknowledged_[mark];
  }
  for (;;) {
    const rd_kafka_resp_err_t err = rd_kafka_producev(
        producer_.get(), RD_KAFKA_V_TOPIC(topic_.c_str()),
        RD_KAFKA_V_VALUE(const_cast<char*>(value.data()), value.size()),
        RD_KAFKA_V_KEY(key.data(), key.size()), RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
        RD_KAFKA_V_HEADERS(headers), RD_KAFKA_V_OPAQUE(reinterpret_cast<void*>(uintptr_t{mark})),
        RD_KAFKA_V_END);
    if (err == RD_KAFKA_RESP_ERR_NO_ERROR) return;  // the producer owns the headers now
    if (err != RD_KAFKA_RESP_ERR__QUEUE_FULL) {
      rd_kafka_headers_destroy(headers);
      {
        std::lock_guard lock(mutex_);
        if (--unacknowledged_[mark] == 0) unacknowledged_.erase(mark);
      }
      throw std::runtime_error(fmt::format("dead-letter produce to {} ({} bytes): {}", topic_,
                                           value.size(), rd_kafka_err2str(err)));
    }
    rd_kafka_poll(producer_.get(), 100);
  }
}

uint64_t KafkaDeadLetterSink::mark() {
  std::lock_guard lock(mutex_);
  return ++mark_;
}

bool KafkaDeadLetterSink::acknowledged(uint64_t mark, bool wait) {
  constexpr auto kTimeout = std::chrono::seconds(30);
  const auto deadline = std::chrono::steady_clock::now() + kTimeout;
  for (;;) {
    {
      std::lock_guard lock(mutex_);
      if (!first_error_.empty()) throw std::runtime_error(first_error_);
      if (unacknowledged_.empty() || unacknowledged_.begin()->first >= mark) return true;
    }
    if (!wait) return false;
    if (std::chrono::steady_clock::now() >= deadline)
      throw std::runtime_error(
          fmt::format("dead letters to {} not acknowledged within {} s", topic_, kTimeout.count()));
    rd_kafka_poll(producer_.get(), 100);
  }
}

FileDeadLetterSink::FileDeadLetterSink(const std::string& path) {
  if (path.empty()) return;
  file_ = path == "-" ? stderr : std::fopen(path.c_str(), "a");
  if (!file_) throw std::runtime_error("cannot open dead-letter file " + path);
}

FileDeadLetterSink::~FileDeadLetterSink() {
  if (file_ && file_ != stderr) std::fclose(file_);
}

void FileDeadLetterSink::send(const DeadLetter& l) {
  if (!file_) return;
  std::lock_guard lock(mutex_);
  line_ = "{\"reason\":";
  append_json_string(line_, reject_reason_name(l.reason));
  line_ += ",\"detail\":";
  append_json_string(line_, l.detail);
  line_ += ",\"source\":{\"topic\":";
  append_json_string(line_, l.source_topic);
  line_ += fmt::format(",\"partition\":{},\"offset\":{}}},\"original_base64\":\"",
                       l.source_partition, l.source_offset);
  append_base64(line_, l.original);
  line_ += "\"}\n";
  std::fwrite(line_.data(), 1, line_.size(), file_);
}

bool FileDeadLetterSink::acknowledged(uint64_t, bool) {
  if (!file_) return true;
  std::lock_guard lock(mutex_);
  if (std::fflush(file_) != 0) throw std::runtime_error("dead-letter file write failed");
  if (file_ != stderr) ::fsync(fileno(file_));
  return true;
}

}  // namespace engaged
