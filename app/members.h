// Who owns which partition, for GET /v1/users/{id} on any instance. Each instance announces on a
// small compacted topic (key: its id, the RocksDB identity of its state directory, so a restart
// overwrites its old announcement) the partitions it owns or is restoring and the address of its
// HTTP listener; every instance reads the topic from the start. For each partition the newest
// announcement that claims it wins, so the claims of an instance killed without a goodbye are
// superseded by those of whoever took its partitions over. A clean stop deletes the
// announcement (a tombstone).
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "state/kafka/kafka_conf.h"
#include "state/kafka/topic_reader.h"

namespace engaged {

class Members {
 public:
  Members(const KafkaProperties& properties, std::string topic, std::string instance,
          std::string address);
  ~Members();

  // Announces what this instance owns (active) and is restoring; kProgramPartition stands for
  // the program stage.
  void announce(const std::set<int32_t>& owned, const std::set<int32_t>& restoring);
  // Deletes this instance's announcement (a clean stop), waiting for the broker.
  void leave();
  // Reads announcements that arrived since the last call (does not block).
  void poll();

  struct Owner {
    std::string instance, address;
    bool restoring = false;
  };
  // The owner of a partition as last announced; safe from any thread.
  std::optional<Owner> owner(int32_t partition) const;
  // Every instance with an announcement, by id (the order standby replicas follow).
  std::vector<std::string> instances() const;
  const std::string& instance() const { return instance_; }

 private:
  struct Announcement {
    int64_t offset = -1;
    std::string address;
    std::set<int32_t> owned, restoring;
  };
  void rebuild();

  std::string topic_, instance_, address_;
  KafkaHandle producer_;
  TopicReader reader_;
  std::unordered_map<std::string, Announcement> by_instance_;
  mutable std::mutex mu_;
  std::unordered_map<int32_t, Owner> owners_;  // guarded by mu_
  std::vector<std::string> instances_;         // guarded by mu_
};

}  // namespace engaged
