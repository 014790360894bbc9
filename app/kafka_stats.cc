// Several clients of a type (the consumer group's, the changelog readers'; the outbox, dead
// letter and changelog producers) report separately: the round trip time shown is the slowest
// client's, errors and queued messages are summed.
#include "app/kafka_stats.h"

#include <simdjson.h>

#include <algorithm>

#include "state/kafka/kafka_conf.h"

namespace engaged {

KafkaStatsMetrics::KafkaStatsMetrics(prometheus::Registry& registry)
    : rtt_(prometheus::BuildGauge()
               .Name("engaged_kafka_broker_rtt_seconds")
               .Help("Average request round trip time to each broker over librdkafka's last "
                     "statistics interval, of the slowest client of the type (label client).")
               .Register(registry)),
      errors_(prometheus::BuildCounter()
                  .Name("engaged_kafka_client_errors_total")
                  .Help("Transmit and receive errors librdkafka counted on broker connections "
                        "(label direction: tx, rx).")
                  .Register(registry)),
      queued_(prometheus::BuildGauge()
                  .Name("engaged_kafka_client_queued_messages")
                  .Help("Messages waiting in librdkafka's queues (producers: not yet "
                        "acknowledged).")
                  .Register(registry)) {
  set_kafka_stats_handler([this](std::string_view json) { on_statistics(json); });
}

KafkaStatsMetrics::~KafkaStatsMetrics() {
  set_kafka_stats_handler(nullptr);
}

void KafkaStatsMetrics::on_statistics(std::string_view json) {
  thread_local simdjson::dom::parser parser;
  simdjson::dom::element root;
  std::string_view name, type;
  if (parser.parse(json.data(), json.size()).get(root) || root["name"].get(name) ||
      root["type"].get(type))
    return;
  ClientState& c = clients_[std::string(name)];
  c.type = std::string(type);
  int64_t queued = 0;
  if (!root["msg_cnt"].get(queued)) c.queued = double(queued);
  double tx = 0, rx = 0;
  c.rtt_s.clear();
  simdjson::dom::object brokers;
  if (!root["brokers"].get(brokers))
    for (auto [key, b] : brokers) {
      int64_t node = -1, txerrs = 0, rxerrs = 0, avg_us = 0;
      std::string_view host;
      if (b["nodeid"].get(node) || node < 0 || b["nodename"].get(host)) continue;  // bootstrap
      if (!b["txerrs"].get(txerrs)) tx += double(txerrs);
      if (!b["rxerrs"].get(rxerrs)) rx += double(rxerrs);
      if (!b["rtt"]["avg"].get(avg_us)) c.rtt_s[std::string(host)] = double(avg_us) / 1e6;
    }
  // librdkafka's error counts only grow during a client's life: count what is new.
  auto& tx_total = errors_.Add({{"client", c.type}, {"direction", "tx"}});
  auto& rx_total = errors_.Add({{"client", c.type}, {"direction", "rx"}});
  if (tx > c.tx_errors) tx_total.Increment(tx - c.tx_errors);
  if (rx > c.rx_errors) rx_total.Increment(rx - c.rx_errors);
  c.tx_errors = tx;
  c.rx_errors = rx;
  publish(c.type);
}

void KafkaStatsMetrics::publish(const std::string& type) {
  std::map<std::string, double> rtt;
  double queued = 0;
  for (const auto& [name, c] : clients_) {
    if (c.type != type) continue;
    queued += c.queued;
    for (const auto& [broker, s] : c.rtt_s) rtt[broker] = std::max(rtt[broker], s);
  }
  for (const auto& [broker, s] : rtt) rtt_.Add({{"client", type}, {"broker", broker}}).Set(s);
  queued_.Add({{"client", type}}).Set(queued);
}

}  // namespace engaged
