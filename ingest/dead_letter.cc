// The two dead-letter destinations: a Kafka topic (run) and an NDJSON file (replay).
#include "ingest/dead_letter.h"

#include <fmt/format.h>
#include <unistd.h>

#include <stdexcept>

#include "ingest/json_text.h"

namespace engaged {

KafkaDeadLetterSink::KafkaDeadLetterSink(rd_kafka_t* producer, std::string topic)
    : producer_(producer), topic_(std::move(topic)) {}

void KafkaDeadLetterSink::send(const DeadLetter& l) {
  std::string reason(reject_reason_name(l.reason));
  std::string partition = std::to_string(l.source_partition);
  std::string offset = std::to_string(l.source_offset);
  for (;;) {
    rd_kafka_resp_err_t err = rd_kafka_producev(
        producer_, RD_KAFKA_V_TOPIC(topic_.c_str()),
        RD_KAFKA_V_VALUE(const_cast<char*>(l.original.data()), l.original.size()),
        RD_KAFKA_V_KEY(l.key.data(), l.key.size()), RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
        RD_KAFKA_V_HEADER("engaged.reason", reason.data(), reason.size()),
        RD_KAFKA_V_HEADER("engaged.detail", l.detail.data(), l.detail.size()),
        RD_KAFKA_V_HEADER("engaged.source.topic", l.source_topic.data(), l.source_topic.size()),
        RD_KAFKA_V_HEADER("engaged.source.partition", partition.data(), partition.size()),
        RD_KAFKA_V_HEADER("engaged.source.offset", offset.data(), offset.size()), RD_KAFKA_V_END);
    if (err == RD_KAFKA_RESP_ERR_NO_ERROR) return;
    if (err != RD_KAFKA_RESP_ERR__QUEUE_FULL)
      throw std::runtime_error(std::string("dead-letter produce: ") + rd_kafka_err2str(err));
    rd_kafka_poll(producer_, 100);
  }
}

void KafkaDeadLetterSink::flush() {
  rd_kafka_resp_err_t err = rd_kafka_flush(producer_, 30000);
  if (err) throw std::runtime_error(std::string("dead-letter flush: ") + rd_kafka_err2str(err));
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

void FileDeadLetterSink::flush() {
  if (!file_) return;
  std::lock_guard lock(mutex_);
  if (std::fflush(file_) != 0) throw std::runtime_error("dead-letter file write failed");
  if (file_ != stderr) ::fsync(fileno(file_));
}

}  // namespace engaged
