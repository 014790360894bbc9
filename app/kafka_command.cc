// `engaged kafka`: the embedded cluster as a standalone process for kcat, tests and other
// `engaged` processes. Prints the bootstrap address on stdout (and to --bootstrap-file).
#include <chrono>
#include <fstream>
#include <iostream>
#include <sstream>
#include <thread>

#include "app/commands.h"
#include "ingest/embedded_cluster.h"

namespace engaged {

int kafka_cluster(const KafkaClusterOptions& o) {
  EmbeddedCluster cluster(o.brokers);
  std::stringstream topics(o.topics);
  for (std::string t; std::getline(topics, t, ',');)
    if (!t.empty()) cluster.create_topic(t, o.partitions);
  const std::string bootstrap = cluster.bootstrap_servers();
  if (!o.bootstrap_file.empty()) {
    std::string tmp = o.bootstrap_file + ".tmp";
    std::ofstream(tmp) << bootstrap << "\n";
    std::rename(tmp.c_str(), o.bootstrap_file.c_str());  // readers never see half a file
  }
  std::cout << bootstrap << std::endl;
  while (!stop_requested()) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  return 0;
}

}  // namespace engaged
