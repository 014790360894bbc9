// Restores of several partitions at once through one TopicReader: each reads its changelog
// partition from where its copy stands to the end the changelog had when the restore began,
// applying records with ChangelogRestore, all at once. `run` and `engaged restore` step it until
// everything is in.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "state/changelog_tails.h"

namespace engaged {

class Store;

class RestoreSet {
 public:
  RestoreSet(Store& store, TopicReader& reader) : store_(store), tails_(reader) {}

  // Starts restoring `logical` (an input partition, or codec::kProgramPartition) from changelog
  // partition `topic`[`partition`], records [from, end).
  void begin(int32_t logical, const std::string& topic, int32_t partition, int64_t from,
             int64_t end, int64_t wall_clock_ms);
  size_t active() const { return tails_.tails().size(); }
  std::vector<int32_t> partitions() const { return tails_.partitions(); }
  int64_t records() const;  // read so far by the active restores

  struct Finished {
    int32_t logical;
    std::string topic;
    int32_t partition;
    int64_t from, end, records, bytes;
    double seconds;
    std::vector<std::string> unfinished;    // redo chunks unfinished or fenced (to tombstone)
    int64_t fenced;                         // records skipped: a replaced owner wrote them
    ChangelogRestore::Uncovered uncovered;  // finished redo records to take over
  };
  // Applies what the reader fetched (waiting up to `timeout_ms` for the first record) and
  // returns the restores that reached their end.
  std::vector<Finished> step(int timeout_ms);

 private:
  Store& store_;
  ChangelogTails tails_;
  std::map<int32_t, int64_t> started_ns_;  // by logical partition
};

}  // namespace engaged
