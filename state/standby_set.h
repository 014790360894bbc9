// Standby replicas (state.standby_replicas): warm copies of partitions other instances own. Each
// tails its changelog partition into the local store (a released copy: never reported or
// served), so that taking the partition over costs a restore of the tail only. `run` steps it
// between batches and decides which partitions to keep warm.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "state/changelog_tails.h"

namespace engaged {

class Store;

class StandbySet {
 public:
  StandbySet(Store& store, TopicReader& reader) : store_(store), tails_(reader) {}

  // Starts keeping `logical` warm from changelog `topic`[`partition`], at offset `from`.
  void start(int32_t logical, const std::string& topic, int32_t partition, int64_t from,
             int64_t wall_clock_ms);
  // Stops, saving the copy and its position (a head start for a restore).
  void stop(int32_t logical, int64_t wall_clock_ms);
  bool keeps(int32_t logical) const { return tails_.tails().count(logical) > 0; }
  std::vector<int32_t> partitions() const { return tails_.partitions(); }
  // Applies what the reader fetched (without waiting); saves each copy every few seconds.
  void step(int64_t wall_clock_ms);

 private:
  Store& store_;
  ChangelogTails tails_;
  std::map<int32_t, int64_t> saved_ms_;  // by logical partition: when its copy was last saved
};

}  // namespace engaged
