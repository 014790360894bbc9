// A standalone mock cluster, owned by a dedicated client handle.
#include "ingest/embedded_cluster.h"

#include <sstream>
#include <stdexcept>
#include <vector>

namespace engaged {

EmbeddedCluster::EmbeddedCluster(int brokers) {
  rd_kafka_conf_t* conf = make_kafka_conf({{"log_level", "3"}}, {});
  char err[512];
  rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
  if (!rk) throw std::runtime_error(std::string("embedded cluster: ") + err);
  handle_.reset(rk);
  cluster_ = rd_kafka_mock_cluster_new(rk, brokers);
  if (!cluster_) throw std::runtime_error("embedded cluster: could not start mock brokers");
}

EmbeddedCluster::~EmbeddedCluster() {
  if (cluster_) rd_kafka_mock_cluster_destroy(cluster_);
}

std::string EmbeddedCluster::bootstrap_servers() const {
  return rd_kafka_mock_cluster_bootstraps(cluster_);
}

void EmbeddedCluster::create_topic(const std::string& name, int partitions) {
  rd_kafka_resp_err_t err = rd_kafka_mock_topic_create(cluster_, name.c_str(), partitions, 3);
  if (err) throw std::runtime_error("create topic " + name + ": " + rd_kafka_err2str(err));
}

void EmbeddedCluster::command(const std::string& line) {
  std::istringstream in(line);
  std::string verb;
  in >> verb;
  rd_kafka_resp_err_t err = RD_KAFKA_RESP_ERR_NO_ERROR;
  if (verb == "errors") {
    int api_key = -1, count = 0, code = 0;
    if (!(in >> api_key >> count >> code) || count <= 0)
      throw std::invalid_argument("errors <api key> <count> <error code>");
    const std::vector<rd_kafka_resp_err_t> errors(static_cast<size_t>(count),
                                                  static_cast<rd_kafka_resp_err_t>(code));
    rd_kafka_mock_push_request_errors_array(cluster_, static_cast<int16_t>(api_key), errors.size(),
                                            errors.data());
  } else if (verb == "clear") {
    int api_key = -1;
    if (!(in >> api_key)) throw std::invalid_argument("clear <api key>");
    rd_kafka_mock_clear_request_errors(cluster_, static_cast<int16_t>(api_key));
  } else if (verb == "down" || verb == "up") {
    int32_t broker = -1;
    if (!(in >> broker)) throw std::invalid_argument(verb + " <broker id>");
    err = verb == "down" ? rd_kafka_mock_broker_set_down(cluster_, broker)
                         : rd_kafka_mock_broker_set_up(cluster_, broker);
  } else if (verb == "coordinator") {
    std::string type, key;
    int32_t broker = -1;
    if (!(in >> type >> key >> broker))
      throw std::invalid_argument("coordinator <group|transaction> <key> <broker id>");
    err = rd_kafka_mock_coordinator_set(cluster_, type.c_str(), key.c_str(), broker);
  } else {
    throw std::invalid_argument("unknown command: " + line);
  }
  if (err) throw std::runtime_error(line + ": " + rd_kafka_err2str(err));
}

}  // namespace engaged
