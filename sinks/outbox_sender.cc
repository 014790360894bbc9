// Each produced message carries its Pending entry as the per-message opaque.
#include "sinks/outbox_sender.h"

#include <spdlog/spdlog.h>

#include <set>
#include <stdexcept>

#include "processors/program/program_codec.h"
#include "processors/program/program_record.h"

namespace engaged {

namespace {

// One request in flight per broker, without idempotence, unless the kafka.* settings say
// otherwise. The order holds all the same (librdkafka retries a failed request before it sends
// the next one), and a duplicate a retry may leave behind is harmless: the program merge drops a
// record whose seq it already took, and a nudge is delivered at least once anyway. The default
// (idempotent, 5 in flight) made this producer's busiest broker thread poll its socket without
// waiting while its requests were in flight: at 100 k events/s it used 7-8 CPU-seconds of the
// 17 s, more than the processing itself, against about 1 s this way (bench/latency_bench.sh).
KafkaProperties outbox_properties(KafkaProperties properties) {
  properties.try_emplace("enable.idempotence", "false");
  properties.try_emplace("max.in.flight.requests.per.connection", "1");
  return properties;
}

}  // namespace

OutboxSender::OutboxSender(const KafkaProperties& properties, std::string program_topic,
                           std::string nudges_topic)
    : program_topic_(std::move(program_topic)),
      nudges_topic_(std::move(nudges_topic)),
      producer_(make_producer(outbox_properties(properties), &OutboxSender::on_delivery, this)) {
  prefetch_metadata(producer_.get(), {program_topic_, nudges_topic_});
}

OutboxSender::~OutboxSender() {
  rd_kafka_flush(producer_.get(), 5000);
  // What is still unacknowledged stays in the store's outbox and is sent again by whoever owns
  // the partition next; here it is only purged, so that every Pending comes back through
  // on_delivery (with a purge error) and is freed: destroying the producer serves no reports.
  rd_kafka_purge(producer_.get(), RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
  rd_kafka_flush(producer_.get(), 1000);
  std::set<Pending*> entries;
  for (Part* p : retry_) entries.insert(p->entry);
  for (Pending* p : entries) delete p;
}

void OutboxSender::on_delivery(rd_kafka_t*, const rd_kafka_message_t* m, void* opaque) {
  auto* self = static_cast<OutboxSender*>(opaque);
  auto* p = static_cast<Part*>(m->_private);
  if (!p) return;  // a watermark: nothing to remember
  const size_t sink = static_cast<size_t>(p->entry->entry.sink());
  if (m->err == RD_KAFKA_RESP_ERR__PURGE_QUEUE || m->err == RD_KAFKA_RESP_ERR__PURGE_INFLIGHT) {
    self->retry_.push_back(p);  // freed by the destructor, which purged it
    return;
  }
  if (m->err) {
    spdlog::warn("outbox entry for {} not acknowledged ({}): sending it again",
                 rd_kafka_topic_name(m->rkt), rd_kafka_err2str(m->err));
    self->retry_.push_back(p);
    return;
  }
  --self->in_flight_[sink];
  ++self->delivered_total_[sink];
  if (--p->entry->unacknowledged > 0) return;
  self->delivered_.push_back(std::move(p->entry->store_key));
  delete p->entry;
}

void OutboxSender::produce(Part* p) {
  const std::string& topic =
      p->entry->entry.sink() == codec::OutboxSink::kProgram ? program_topic_ : nudges_topic_;
  const codec::OutboxMessage& m = p->message;
  for (;;) {
    const rd_kafka_resp_err_t err = rd_kafka_producev(
        producer_.get(), RD_KAFKA_V_TOPIC(topic.c_str()),
        RD_KAFKA_V_KEY(m.key.data(), m.key.size()),
        RD_KAFKA_V_VALUE(const_cast<char*>(m.payload.data()), m.payload.size()),
        RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_OPAQUE(p), RD_KAFKA_V_END);
    if (err == RD_KAFKA_RESP_ERR_NO_ERROR) return;
    if (err != RD_KAFKA_RESP_ERR__QUEUE_FULL) {
      retry_.push_back(p);  // still owned here: the destructor frees it
      throw std::runtime_error(std::string("outbox produce: ") + rd_kafka_err2str(err));
    }
    rd_kafka_poll(producer_.get(), 50);
  }
}

void OutboxSender::send(const std::string& store_key, const codec::OutboxEntry& entry) {
  auto* p = new Pending(store_key, entry);
  for (const codec::OutboxMessage& m : p->entry.messages()) p->parts.push_back({p, m});
  p->unacknowledged = p->parts.size();
  if (p->parts.empty()) {  // nothing to send: acknowledged as it is
    delivered_.push_back(std::move(p->store_key));
    delete p;
    return;
  }
  in_flight_[static_cast<size_t>(entry.sink())] += static_cast<int64_t>(p->parts.size());
  for (Part& part : p->parts) produce(&part);
}

void OutboxSender::send_watermark(int32_t source, uint64_t next_seq, int64_t order_ms) {
  ProgramEnvelope e;
  e.source = source;
  e.seq = next_seq;
  e.order_ms = order_ms;
  e.watermark = true;
  codec::encode_envelope(scratch_, e);
  const std::string key = std::to_string(source);
  for (;;) {
    const rd_kafka_resp_err_t err = rd_kafka_producev(
        producer_.get(), RD_KAFKA_V_TOPIC(program_topic_.c_str()),
        RD_KAFKA_V_KEY(key.data(), key.size()), RD_KAFKA_V_VALUE(scratch_.data(), scratch_.size()),
        RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_END);
    if (err == RD_KAFKA_RESP_ERR_NO_ERROR) return;
    if (err != RD_KAFKA_RESP_ERR__QUEUE_FULL)
      throw std::runtime_error(std::string("watermark produce: ") + rd_kafka_err2str(err));
    rd_kafka_poll(producer_.get(), 50);
  }
}

void OutboxSender::poll() {
  rd_kafka_poll(producer_.get(), 0);
  while (!retry_.empty()) {
    Part* p = retry_.front();
    retry_.pop_front();
    produce(p);
  }
}

void OutboxSender::flush(int timeout_ms) {
  rd_kafka_flush(producer_.get(), timeout_ms);
  poll();
}

std::vector<std::string> OutboxSender::take_delivered() {
  return std::exchange(delivered_, {});
}

}  // namespace engaged
