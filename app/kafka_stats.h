// librdkafka's own view of the brokers (its statistics callback), as Prometheus series: round
// trip times, transport errors and the producers' queues. While an instance of this class lives,
// every Kafka client made in the process reports to it (state/kafka/kafka_conf.h).
#pragma once

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/registry.h>

#include <map>
#include <string>
#include <string_view>

namespace engaged {

class KafkaStatsMetrics {
 public:
  // Registers engaged_kafka_broker_rtt_seconds{client,broker},
  // engaged_kafka_client_errors_total{client,direction} and
  // engaged_kafka_client_queued_messages{client}; client is librdkafka's type (consumer,
  // producer), so the label sets stay bounded by the brokers.
  explicit KafkaStatsMetrics(prometheus::Registry& registry);
  ~KafkaStatsMetrics();
  KafkaStatsMetrics(const KafkaStatsMetrics&) = delete;
  KafkaStatsMetrics& operator=(const KafkaStatsMetrics&) = delete;

  // One client's statistics JSON; malformed ones are ignored. Called one at a time.
  void on_statistics(std::string_view json);

 private:
  struct ClientState {
    std::string type;
    std::map<std::string, double> rtt_s;  // by broker
    double tx_errors = 0, rx_errors = 0, queued = 0;
  };
  void publish(const std::string& type);

  prometheus::Family<prometheus::Gauge>& rtt_;
  prometheus::Family<prometheus::Counter>& errors_;
  prometheus::Family<prometheus::Gauge>& queued_;
  std::map<std::string, ClientState> clients_;  // by librdkafka's client name
};

}  // namespace engaged
