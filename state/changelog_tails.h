// Changelog partitions read through one TopicReader into the local store, each by its own
// ChangelogRestore: what restores (restore_set.h: up to an end) and standby replicas
// (standby_set.h: without one) share.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "state/changelog_restore.h"

namespace engaged {

class TopicReader;

class ChangelogTails {
 public:
  struct Tail {
    std::unique_ptr<ChangelogRestore> copy;
    std::string topic;
    int32_t partition = 0;
    int64_t next = 0;         // offset after the last record applied
    int64_t end = INT64_MAX;  // the records from here on are not applied
    bool reading = false;     // the reader fetches its changelog partition
  };

  explicit ChangelogTails(TopicReader& reader) : reader_(reader) {}

  // Reads changelog `topic`[`partition`], records [from, end), into `copy`, kept for `logical`
  // (an input partition, or codec::kProgramPartition).
  Tail& add(int32_t logical, const std::string& topic, int32_t partition, int64_t from, int64_t end,
            std::unique_ptr<ChangelogRestore> copy);
  void remove(int32_t logical);
  std::vector<int32_t> partitions() const;
  std::map<int32_t, Tail>& tails() { return tails_; }
  const std::map<int32_t, Tail>& tails() const { return tails_; }
  // Applies what the reader fetched (waiting up to `timeout_ms` for the first record); returns
  // the first fetch error, empty if none.
  std::string step(int timeout_ms);

 private:
  TopicReader& reader_;
  std::map<int32_t, Tail> tails_;
  std::map<std::pair<std::string, int32_t>, int32_t> by_source_;  // changelog partition -> logical
};

}  // namespace engaged
