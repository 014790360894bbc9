// Changelog partitions read through one TopicReader into the local store, each by its own
// ChangelogRestore (ChangelogTails), for two purposes:
// - RestoreSet: restores of several partitions at once, each from where its copy stands to the
//   end the changelog had when the restore began. `run` and `engaged restore` step it until
//   everything is in.
// - StandbySet: standby replicas (state.standby_replicas), warm copies of partitions other
//   instances own. Each tails its changelog partition into the local store (a released copy:
//   never reported or served), so that taking the partition over costs a restore of the tail
//   only. `run` steps it between batches and decides which partitions to keep warm.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "state/changelog_restore.h"

namespace engaged {

class Store;
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
