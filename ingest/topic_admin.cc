// Metadata through a handle that never auto-creates topics; CreateTopics and DescribeConfigs
// through the Admin API.
#include "ingest/topic_admin.h"

#include <fmt/format.h>
#include <librdkafka/rdkafka.h>
#include <spdlog/spdlog.h>

#include <map>
#include <stdexcept>

namespace engaged {
namespace {

constexpr int kTimeoutMs = 15000;

KafkaHandle admin_handle(const KafkaProperties& properties) {
  KafkaProperties props = properties;
  props["allow.auto.create.topics"] = "false";
  return make_producer(props);
}

std::map<std::string, int> existing_topics(rd_kafka_t* rk) {
  const rd_kafka_metadata_t* md = nullptr;
  const rd_kafka_resp_err_t err = rd_kafka_metadata(rk, 1, nullptr, &md, kTimeoutMs);
  if (err)
    throw std::runtime_error(fmt::format("cannot read the cluster's topics (is the broker up?): {}",
                                         rd_kafka_err2str(err)));
  std::map<std::string, int> out;
  for (int i = 0; i < md->topic_cnt; ++i)
    if (!md->topics[i].err) out[md->topics[i].topic] = md->topics[i].partition_cnt;
  rd_kafka_metadata_destroy(md);
  return out;
}

bool embedded(rd_kafka_t* rk) {
  char* id = rd_kafka_clusterid(rk, kTimeoutMs);
  const bool mock = id && std::string(id).rfind("mockCluster", 0) == 0;
  if (id) rd_kafka_mem_free(rk, id);
  return mock;
}

rd_kafka_event_t* admin_result(rd_kafka_t* rk, rd_kafka_queue_t* q, const std::string& what) {
  rd_kafka_event_t* ev = rd_kafka_queue_poll(q, kTimeoutMs + 5000);
  if (!ev) throw std::runtime_error(what + ": no answer from the cluster");
  if (rd_kafka_event_error(ev)) {
    const std::string msg = rd_kafka_event_error_string(ev);
    rd_kafka_event_destroy(ev);
    throw std::runtime_error(what + ": " + msg);
  }
  return ev;
}

void create(rd_kafka_t* rk, const TopicSpec& t, int replication_factor) {
  char err[512];
  rd_kafka_NewTopic_t* nt =
      rd_kafka_NewTopic_new(t.name.c_str(), t.partitions, replication_factor, err, sizeof err);
  if (!nt) throw std::runtime_error(fmt::format("create topic {}: {}", t.name, err));
  if (t.compacted) rd_kafka_NewTopic_set_config(nt, "cleanup.policy", "compact");
  rd_kafka_queue_t* q = rd_kafka_queue_new(rk);
  rd_kafka_AdminOptions_t* o = rd_kafka_AdminOptions_new(rk, RD_KAFKA_ADMIN_OP_CREATETOPICS);
  rd_kafka_AdminOptions_set_request_timeout(o, kTimeoutMs, err, sizeof err);
  rd_kafka_CreateTopics(rk, &nt, 1, o, q);
  rd_kafka_event_t* ev = nullptr;
  try {
    ev = admin_result(rk, q, "create topic " + t.name);
  } catch (...) {
    rd_kafka_NewTopic_destroy(nt);
    rd_kafka_AdminOptions_destroy(o);
    rd_kafka_queue_destroy(q);
    throw;
  }
  size_t n = 0;
  const rd_kafka_topic_result_t** res =
      rd_kafka_CreateTopics_result_topics(rd_kafka_event_CreateTopics_result(ev), &n);
  std::string problem;
  if (n == 1 && rd_kafka_topic_result_error(res[0]) &&
      rd_kafka_topic_result_error(res[0]) != RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS)
    problem = rd_kafka_topic_result_error_string(res[0]);
  rd_kafka_event_destroy(ev);
  rd_kafka_NewTopic_destroy(nt);
  rd_kafka_AdminOptions_destroy(o);
  rd_kafka_queue_destroy(q);
  if (!problem.empty())
    throw std::runtime_error(fmt::format("create topic {}: {}", t.name, problem));
  spdlog::info("created topic {} ({} partitions{})", t.name, t.partitions,
               t.compacted ? ", compacted" : "");
}

std::string cleanup_policy(rd_kafka_t* rk, const std::string& topic) {
  rd_kafka_ConfigResource_t* cr =
      rd_kafka_ConfigResource_new(RD_KAFKA_RESOURCE_TOPIC, topic.c_str());
  rd_kafka_queue_t* q = rd_kafka_queue_new(rk);
  rd_kafka_DescribeConfigs(rk, &cr, 1, nullptr, q);
  std::string policy;
  rd_kafka_event_t* ev = nullptr;
  try {
    ev = admin_result(rk, q, "describe topic " + topic);
  } catch (...) {
    rd_kafka_ConfigResource_destroy(cr);
    rd_kafka_queue_destroy(q);
    throw;
  }
  size_t n = 0;
  const rd_kafka_ConfigResource_t** res =
      rd_kafka_DescribeConfigs_result_resources(rd_kafka_event_DescribeConfigs_result(ev), &n);
  for (size_t i = 0; i < n; ++i) {
    size_t m = 0;
    const rd_kafka_ConfigEntry_t** entries = rd_kafka_ConfigResource_configs(res[i], &m);
    for (size_t j = 0; j < m; ++j)
      if (std::string(rd_kafka_ConfigEntry_name(entries[j])) == "cleanup.policy" &&
          rd_kafka_ConfigEntry_value(entries[j]))
        policy = rd_kafka_ConfigEntry_value(entries[j]);
  }
  rd_kafka_event_destroy(ev);
  rd_kafka_ConfigResource_destroy(cr);
  rd_kafka_queue_destroy(q);
  return policy;
}

}  // namespace

void ensure_topics(const KafkaProperties& properties, const std::vector<TopicSpec>& topics,
                   int replication_factor) {
  KafkaHandle handle = admin_handle(properties);
  rd_kafka_t* rk = handle.get();
  const std::map<std::string, int> existing = existing_topics(rk);
  const bool mock = embedded(rk);
  for (const TopicSpec& t : topics) {
    auto it = existing.find(t.name);
    if (it == existing.end()) {
      if (mock)
        throw std::runtime_error(fmt::format(
            "topic {} does not exist on the embedded cluster, which cannot create topics on "
            "request: start it with `engaged kafka --group <group.id>` (it creates the "
            "changelog and members topics of that group), or name an existing topic",
            t.name));
      create(rk, t, replication_factor);
      continue;
    }
    if (it->second != t.partitions)
      throw std::runtime_error(
          fmt::format("topic {} has {} partitions, but needs {} (as many as the topic it follows); "
                      "delete it or name another one",
                      t.name, it->second, t.partitions));
    if (t.compacted && !mock) {
      const std::string policy = cleanup_policy(rk, t.name);
      if (policy.find("compact") == std::string::npos)
        throw std::runtime_error(fmt::format(
            "topic {} has cleanup.policy={}, but a changelog must be compacted "
            "(cleanup.policy=compact): without it the cluster's retention deletes state",
            t.name, policy.empty() ? "?" : policy));
    }
  }
}

std::vector<int> topic_partitions(const KafkaProperties& properties,
                                  const std::vector<std::string>& topics) {
  KafkaHandle handle = admin_handle(properties);
  const std::map<std::string, int> existing = existing_topics(handle.get());
  std::vector<int> out;
  for (const auto& t : topics) {
    auto it = existing.find(t);
    out.push_back(it == existing.end() ? 0 : it->second);
  }
  return out;
}

}  // namespace engaged
