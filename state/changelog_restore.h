// Rebuilds one partition's copy in the store from its changelog records, read in offset order
// from the copy's position to the end of the partition. State records are applied as they come;
// a redo record is applied once all its chunks are there, and dropped if its writer died before
// writing the last one (a checkpoint that never happened). The copy is marked as restoring while
// this goes on, so a copy cut short by a crash is restored again from the same start (every
// write is an absolute put or delete, so applying a range twice gives the same copy).
// Claims decide whose records count: after a claim in force, another writer's records (a zombie
// the group replaced) are skipped, and its redo chunks handed back for deletion.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "state/change_batch.h"
#include "state/changelog_record.h"
#include "state/codec.h"

namespace engaged {

class Store;

class ChangelogRestore {
 public:
  // Marks the copy of `partition` as restoring from `from` (its position; 0 for an empty copy).
  // `standby`: a warm copy of a partition another instance owns (marked released throughout).
  // The claim in force at `from` is the copy's own (from its position), none from 0.
  ChangelogRestore(Store& store, int32_t partition, int64_t from, int64_t wall_clock_ms,
                   bool standby = false);

  // One record (`value` null: a tombstone) and its writer (its header; 0 if it has none).
  // Throws std::runtime_error on a record this build cannot read (malformed, or written by a
  // newer format).
  void apply(int64_t offset, std::string_view key, const std::string_view* value, uint64_t writer);
  // Writes what has been applied so far when it is large (the copy stays marked as restoring).
  void write_if_large();
  // The copy now reflects every record before `end`: written, with its position, and no longer
  // restoring. Returns the keys of redo chunks to tombstone: left unfinished by a dead writer,
  // or written by a fenced one.
  std::vector<std::string> finish(int64_t end);
  // A standby copy (warm for another instance's partition) keeps up: writes what it applied and
  // a position before any redo record still being read (`next` if none), marked released (not
  // this instance's to report or serve). A restore on assignment continues from there.
  void save_standby(int64_t next, int64_t wall_clock_ms);

  // Finished redo records no state record covers yet (their writer stopped before it
  // materialized them): the next writer takes them over (KafkaChangelog::adopt).
  struct Uncovered {
    std::vector<std::string> keys;  // of their chunks
    std::string ops;                // all their writes, in order
    int64_t first_offset = -1;
    codec::Claim claim;  // in force at first_offset
  };
  Uncovered uncovered() const;

  // The claim in force after the records applied so far.
  const codec::Claim& claim() const { return claim_; }
  int64_t fenced() const { return fenced_; }  // records skipped: their writer was fenced
  int64_t records() const { return records_; }
  int64_t bytes() const { return bytes_; }
  int64_t from() const { return from_; }

 private:
  void apply_ops(std::string_view ops);
  void drop_unfinished();

  Store& store_;
  int32_t partition_;
  int64_t from_;
  int64_t wall_clock_ms_;
  ChangeBatch batch_;
  // The redo record being collected: its id and the ops of its chunks so far.
  bool collecting_ = false;
  changelog::RedoId redo_{};
  std::string redo_ops_;
  std::string buf_;  // an upgraded store value (format_upgrade.h)
  std::vector<std::string> redo_keys_;
  std::vector<std::string> unfinished_;  // redo chunks never finished, or fenced: to delete
  codec::Claim claim_;
  // Finished redo records read, until a tombstone says a state record covers them.
  struct Applied {
    std::vector<std::string> keys;
    std::string ops;
    int64_t offset;
    codec::Claim claim;
  };
  std::vector<Applied> applied_;
  std::unordered_map<std::string, size_t> applied_by_key_;  // chunk key -> index in applied_
  int64_t redo_offset_ = -1;  // offset of the first chunk of the record being collected
  int64_t records_ = 0, bytes_ = 0, fenced_ = 0;
};

}  // namespace engaged
