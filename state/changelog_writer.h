// The changelog in Kafka: the ChangelogSink of `run`'s checkpoint. Each checkpoint's writes of a
// partition go out as that partition's redo record (chunked below the message size limit) and
// are acknowledged before the local commit. After it, the newest value of every key the redo
// records carried is written as a state record (coalesced: at most every materialize interval, or
// sooner when the buffered values pass their byte budget), followed by tombstones for the redo
// records those state records now cover, so compaction keeps one record per live key. The state
// records go out a slice at a time between input batches (step()): written at once, a partition's
// tens of thousands of them held the run loop for 100 ms.
// A new owner claims a partition before restoring it (changelog_record.h): every record carries
// this writer's id in a header, so a restore skips what a replaced owner still writes.
// Input partition p writes to partition p of the changelog topic; the program stage
// (codec::kProgramPartition) to partition 0 of the program changelog topic.
#pragma once

#include <absl/container/flat_hash_map.h>
#include <librdkafka/rdkafka.h>

#include <chrono>
#include <cstdint>
#include <deque>
#include <list>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "state/checkpoint.h"
#include "state/kafka/kafka_conf.h"

namespace engaged {

class Store;

struct ChangelogOptions {
  std::string topic;          // the input partitions' changelog
  std::string program_topic;  // the program stage's (one partition)
  std::string compression = "lz4";
  int64_t materialize_interval_ms = 30000;
  size_t buffer_bytes = 64 << 20;   // buffered values that trigger an early materialization
  size_t chunk_bytes = 900000;      // redo chunk payload, below the brokers' message size limit
  int64_t ack_timeout_ms = 120000;  // a checkpoint waiting longer for its records fails
  int64_t slice_us = 2000;          // state records written per step(), in time (10x over budget)
};

struct ChangelogStats {
  int64_t redo_records = 0, state_records = 0, tombstones = 0, bytes = 0;
};

class KafkaChangelog : public ChangelogSink {
 public:
  KafkaChangelog(const KafkaProperties& properties, ChangelogOptions options);
  ~KafkaChangelog() override;

  // Claims partitions (partition -> epoch) and returns the offset of each claim record once all
  // are acknowledged. A restore up to and including it rebuilds what this writer continues.
  std::map<int32_t, int64_t> claim(const std::map<int32_t, uint64_t>& epochs);
  uint64_t writer() const { return writer_; }

  void append(int32_t partition, ChangeBatch::PartitionOps& ops) override;
  // True once the redo records are acknowledged: state records still in flight do not hold a
  // checkpoint back (a restore reads them again from its position, and they are never older
  // than what the committed state holds for their key).
  bool flush(bool wait, std::vector<Position>& positions) override;
  // Starts materializing the partitions that are due; step() writes their state records.
  void committed() override;
  // Writes state records of the materializations started for about a slice of time (longer
  // while the buffer is over its budget), and tombstones a partition's covered redo records
  // after its last value. The run loop calls it between input batches.
  void step();

  // The partition leaves this instance: what it has buffered is materialized and everything is
  // acknowledged before it goes (the next owner then has fewer redo records to read).
  void release(int32_t partition);
  // The partition was lost to another member without a revoke: nothing more is written for it.
  void discard(int32_t partition);
  // Writes every key of the partition's copy in `store` as state records and returns the
  // changelog position after them: a changelog that is empty while a copy exists (state from
  // before the changelog was on) starts from that copy.
  int64_t seed(int32_t partition, Store& store);
  // Deletes records by key (redo chunks a dead writer left unfinished) in a partition.
  void tombstone(int32_t partition, const std::vector<std::string>& keys);
  // Takes over redo records a previous writer left uncovered (a restore found them): their
  // keys' newest values are written as state records at the next materialization, then the
  // records are deleted. `first_offset`: where the first of them is.
  void adopt(int32_t partition, std::vector<std::string> redo_keys, std::string ops,
             int64_t first_offset, const codec::Claim& claim);
  // Serves delivery reports.
  void poll() { rd_kafka_poll(producer_.get(), 0); }

  const ChangelogStats& stats() const { return stats_; }

 private:
  struct Key {
    Family family;
    std::string_view key;
    bool operator==(const Key&) const = default;
  };
  struct KeyHash {
    size_t operator()(const Key& k) const noexcept;
  };
  struct Pending {
    // The ops of the checkpoints since the last materialization, kept whole; `values` points
    // into them: the newest value per key (nullopt: deleted).
    std::deque<std::string> ops;
    struct Value {
      std::optional<std::string_view> value;
      bool created = false;  // inserted since the last materialization: never on the changelog
    };
    absl::flat_hash_map<Key, Value, KeyHash> values;
    std::vector<std::string> redo_keys;  // redo chunks the next materialization covers
    size_t bytes = 0;
    int64_t uncovered_from = -1;   // offset of the first redo record in `redo_keys` (-1: unknown)
    codec::Claim uncovered_claim;  // the claim in force there
    std::chrono::steady_clock::time_point since{};
  };
  static void on_delivery(rd_kafka_t*, const rd_kafka_message_t* m, void* opaque);
  enum Kind : intptr_t { kOther = 0, kRedo = 1, kClaim = 2 };  // in the delivery opaque
  void produce(int32_t partition, const std::string& key, const std::string* value,
               Kind kind = kOther);
  // A partition's window being written as state records, a slice per step(): what its Pending
  // held when it became due (every op in it committed). A key written again since is newer in
  // pending_, which writes it later: here it is skipped, so a state record never follows a redo
  // record with a newer value of its key. Its redo records are deleted after the last value.
  struct Materializing {
    int32_t partition;
    Pending window;
    absl::flat_hash_map<Key, Pending::Value, KeyHash>::const_iterator next;
  };
  void take_ops(Pending& p, std::string ops);
  // Hands the partition's window to materializing_ (not if empty, or one is in progress).
  void start_materializing(int32_t partition);
  // The partition's window in materializing_, or its end.
  std::list<Materializing>::iterator materializing(int32_t partition);
  // Writes `m`'s values until `deadline` (then false), or all and its redo tombstones (true).
  bool write_values(Materializing& m, std::chrono::steady_clock::time_point deadline);
  void wait_for_acks();

  ChangelogOptions options_;
  KafkaHandle producer_;
  uint64_t writer_;            // this process's redo writer id
  std::string writer_header_;  // writer_, big-endian: the engaged.writer header of every record
  // Numbers this writer's redo records, across partitions and for the writer's whole life: a
  // partition that leaves and comes back must never reuse a redo key, or a tombstone meant for
  // the older record would leave the newer one looking uncovered (and vice versa).
  uint64_t next_checkpoint_ = 0;
  std::map<int32_t, Pending> pending_;      // the windows still collecting ops
  std::list<Materializing> materializing_;  // oldest first, at most one per partition
  size_t pending_bytes_ = 0;                // ops held by both
  std::map<int32_t, int64_t> acked_end_;    // per partition: offset after the newest acknowledged
  std::map<int32_t, codec::Claim> claims_;  // this writer's, per partition
  std::map<int32_t, int64_t> claimed_at_;   // offsets of acknowledged claim records
  std::vector<int32_t> appended_;           // partitions written in the current checkpoint
  std::string first_error_;
  int64_t in_flight_ = 0;
  int64_t redo_in_flight_ = 0;  // of them, redo and claim records (which checkpoints wait for)
  ChangelogStats stats_;
  std::string scratch_key_, scratch_value_;
};

}  // namespace engaged
