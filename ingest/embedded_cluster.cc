// A standalone mock cluster, owned by a dedicated client handle.
#include "ingest/embedded_cluster.h"

#include <stdexcept>

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

}  // namespace engaged
