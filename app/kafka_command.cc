// `engaged kafka`: the embedded cluster as a standalone process for kcat, tests and other
// `engaged` processes. Prints the bootstrap address on stdout (and to --bootstrap-file). Besides
// the listed topics it always has the program topic (one partition) and the nudges topic, and
// for each consumer group (--group) the topics `run` needs and the mock cannot create on request:
// the changelog (as many partitions as the others), the program changelog and the members topic
// (one each). With --fault-commands it reads fault-injection lines from stdin (errors, broker
// down/up, coordinator moves: see EmbeddedCluster::command), for the fault tests.
#include <spdlog/spdlog.h>

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
  bool nudges = false;
  for (std::string t; std::getline(topics, t, ',');) {
    if (t.empty() || t == o.program_topic) continue;
    cluster.create_topic(t, o.partitions);
    nudges |= t == o.nudges_topic;
  }
  // The mentor program's own topics: the program topic has exactly one partition.
  cluster.create_topic(o.program_topic, 1);
  if (!nudges) cluster.create_topic(o.nudges_topic, o.partitions);
  for (const std::string& group : o.groups) {
    Config c;
    c.kafka["group.id"] = group;
    cluster.create_topic(changelog_topic(c), o.partitions);
    cluster.create_topic(program_changelog_topic(c), 1);
    cluster.create_topic(members_topic(c), 1);
  }
  const std::string bootstrap = cluster.bootstrap_servers();
  if (!o.bootstrap_file.empty()) {
    std::string tmp = o.bootstrap_file + ".tmp";
    std::ofstream(tmp) << bootstrap << "\n";
    std::rename(tmp.c_str(), o.bootstrap_file.c_str());  // readers never see half a file
  }
  std::cout << bootstrap << std::endl;
  if (o.fault_commands)
    std::thread([&cluster] {
      for (std::string line; std::getline(std::cin, line);) {
        try {
          cluster.command(line);
          spdlog::info("fault command done: {}", line);
        } catch (const std::exception& e) {
          spdlog::error("fault command: {}", e.what());
        }
      }
    }).detach();
  while (!stop_requested()) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  return 0;
}

}  // namespace engaged
