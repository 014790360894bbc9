// The checkpoint: where processed input becomes durable state together with the input offsets it
// was built from (exactly-once). See checkpoint.cc. The restore (changelog_restore.cc) and
// replay's final program pass (replay_command.cc) write the store outside it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "state/change_batch.h"
#include "state/codec.h"
#include "state/side_output.h"

namespace engaged {

class Store;

// Where a checkpoint mirrors its writes before it commits them locally: the changelog.
class ChangelogSink {
 public:
  virtual ~ChangelogSink() = default;
  // One checkpoint's writes of one partition (kProgramPartition: the program stage's).
  // The sink may take the ops (they are not used after).
  virtual void append(int32_t partition, ChangeBatch::PartitionOps& ops) = 0;
  struct Position {
    int32_t partition;
    int64_t next_offset;           // after the partition's last acknowledged record
    int64_t uncovered_from;        // its first redo record no state record covers yet (-1: none)
    codec::Claim claim;            // the writer's claim on the partition
    codec::Claim uncovered_claim;  // the claim in force at uncovered_from
  };
  // True once everything appended is acknowledged (with `wait`: blocks until then); then
  // `positions` holds each written partition's position. Throws if a write failed: the
  // checkpoint is then not committed, and the input is read again after a restart.
  virtual bool flush(bool wait, std::vector<Position>& positions) = 0;
  // The checkpoint is committed locally: its writes may now be compacted into state records.
  virtual void committed() = 0;
};

// Where a partition stood when its checkpoint was taken: its program records up to `next_seq`
// (exclusive) are committed, and none that follows has an order time below `stream_time_ms`.
struct Watermark {
  int32_t partition;
  uint64_t next_seq;
  int64_t stream_time_ms;
};

struct CheckpointResult {
  size_t batch_bytes = 0;
  // Outbox entries this checkpoint committed (store key, entry): the shell sends them now.
  std::vector<std::pair<std::string, codec::OutboxEntry>> outbox;
  std::vector<Watermark> watermarks;  // of every partition, as committed
};

// What else goes into the same write: the program stage's state and nudges, and the outbox
// entries whose destination acknowledged them (deleted).
struct CheckpointExtras {
  std::vector<std::string> delivered;
  std::function<void(ChangeBatch&, CheckpointResult&)> add;
};

struct CheckpointOptions {
  ChangelogSink* changelog = nullptr;  // none: the state lives on this disk only (replay)
  int64_t wall_clock_ms = 0;           // stamped on the changelog positions
  // The previous checkpoint's write batch, whose memory this one reuses (moved from; may be
  // null).
  rocksdb::WriteBatch* reuse = nullptr;
  // Calls job(i) for every i < n, on several threads (the stream threads, idle meanwhile);
  // empty: one after the other. The partitions' writes are collected this way, each into its
  // own batch, then appended in the partitions' order: the same bytes either way.
  std::function<void(size_t n, const std::function<void(size_t)>& job)> parallel{};
};

// What the checkpoint needs of one partition's working set (processors/runtime/partition_state.h).
class CheckpointedPartition {
 public:
  virtual int32_t partition() const = 0;
  // Input was applied since the last checkpoint (or there never was one): state to write.
  virtual bool dirty() const = 0;
  // Every change since the last checkpoint, with the next input offset, into `batch`; the new
  // outbox entries also into result.outbox.
  virtual void write_changes(ChangeBatch& batch, Store& store, CheckpointResult& result) = 0;
  virtual Watermark watermark() const = 0;
  // The checkpoint that took its writes is in the store now.
  virtual void committed() = 0;

 protected:
  ~CheckpointedPartition() = default;
};

// One checkpoint, from its writes to its local commit. collect() takes the partitions' changed
// state, a few partitions per call, and sends each partition's to the changelog once the side
// outputs of its input are acknowledged; commit() writes it all, with its input and changelog
// positions, in one atomic RocksDB write once Kafka acknowledged the changelog. The caller may
// go on processing between any two calls: each partition's writes are what it holds when
// collected (its own input offset with them), and until the commit it keeps what the store
// does not hold yet.
// One checkpoint at a time, and its partitions must stay until it committed.
class Checkpoint {
 public:
  Checkpoint(Store& store, std::span<CheckpointedPartition* const> partitions,
             SideOutput& side_outputs, const CheckpointOptions& options,
             CheckpointExtras extras = {});
  // Collects the writes of the next `n` partitions (on several threads if the options say so);
  // after the last partition's, the extras'. True once everything is collected.
  bool collect(size_t n);
  bool collected() const { return collected_; }
  // False (and nothing done) while the changelog or the side outputs have not acknowledged
  // everything, unless `wait`. Collects what is left first.
  bool commit(bool wait);
  // The same in three steps, so that the RocksDB write may run on another thread while the
  // caller goes on processing: prepare_commit (as commit, without writing), write (the one
  // RocksDB write; nothing else of this checkpoint is touched meanwhile), then committed on the
  // caller's thread (the partitions learn that the store holds their writes).
  bool prepare_commit(bool wait);
  void write();
  void committed();
  CheckpointResult& result() { return result_; }
  // After the commit: the write batch, for the next checkpoint to reuse.
  rocksdb::WriteBatch take_write_batch() { return std::move(batch_.write_batch()); }

 private:
  // Takes the ops recorded in `batch`, for the changelog once the side outputs sent so far are
  // acknowledged.
  void hold_ops(ChangeBatch& batch);
  // Sends the held ops whose side outputs are acknowledged (`wait`: all; else a few milliseconds'
  // worth); true once none is left.
  bool send_acknowledged(bool wait);
  // Deletes the delivered outbox entries of `partition` (all that are left: -1).
  void delete_delivered(ChangeBatch& batch, int32_t partition);

  Store& store_;
  std::vector<CheckpointedPartition*> partitions_;
  SideOutput& side_outputs_;
  CheckpointOptions options_;
  CheckpointExtras extras_;
  std::map<int32_t, std::vector<std::string>> delivered_;  // extras' delivered keys by partition
  ChangeBatch batch_;
  CheckpointResult result_;
  size_t next_ = 0;                 // the next partition to collect
  std::vector<ChangeBatch> parts_;  // collected in parallel: appended to batch_ at the end
  bool collected_ = false;
  uint64_t side_mark_ = 0;  // after the side outputs of everything collected
  struct Held {
    uint64_t side_mark;  // after the side outputs of the input they cover
    std::vector<std::pair<int32_t, ChangeBatch::PartitionOps>> ops;
    size_t next = 0;  // ops[next] is the next to send
  };
  std::deque<Held> held_;  // collected, not yet sent to the changelog
};

}  // namespace engaged
