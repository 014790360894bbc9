// Byte layout of the changelog: the Kafka topic that mirrors every checkpoint's state writes, one
// topic partition per input partition (and a one-partition topic for the program stage).
//
// Three kinds of records share a partition:
//   redo:   key   = 0xff | writer (8, BE) | checkpoint (8, BE) | chunk (4, BE)
//           value = version | last chunk? | op count | ops
//           Every write of one checkpoint of the partition, produced before the checkpoint is
//           committed locally. An op is a put, a delete, or (version 2) an insert: the put of a
//           key the store did not hold, so a delete before the next materialization cancels it
//           and neither reaches the changelog as a state record. A checkpoint exists on the
//           changelog once all its chunks do (the last one says so); a partial one (its writer died
//           mid-way) is ignored.
//   state:  key   = family id (1) | store key
//           value = version | store value, or no value (a tombstone) for a deleted key.
//           The latest value of each key, written (coalesced) after the checkpoints that set it
//           are committed; compaction keeps the newest per key. Redo records they cover are then
//           deleted by tombstones.
//   claim:  key   = 0xfe | writer (8, BE)
//           value = version | epoch (8, BE)
//           A new owner's first record: from here on, only its records count. A claim takes
//           effect only with an epoch above every claim before it; records of any other writer
//           that follow (a zombie: an owner the group replaced before it noticed) are ignored.
// Every record carries its writer in the Kafka header `kWriterHeader` (8, BE); records without
// one are from before claims existed and always count.
// docs/architecture.md explains why compaction cannot resurrect the writes of an unfinished
// checkpoint: they only ever travel in redo records, whose keys are unique.
#pragma once

#include <librdkafka/rdkafka.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "state/families.h"

namespace engaged::changelog {

inline constexpr uint8_t kRedoTag = 0xff;
inline constexpr uint8_t kClaimTag = 0xfe;
inline constexpr const char* kWriterHeader = "engaged.writer";
// Versions of the records written now. The store values in state records of version 1 and in
// redo records of versions 1 and 2 are in the layout before state format 3 (format_upgrade.h
// upgrades them as they are restored); redo version 1 has no inserts.
inline constexpr uint8_t kStateVersion = 2;
inline constexpr uint8_t kRedoVersion = 3;
inline constexpr uint8_t kClaimVersion = 1;

// An op: the put (value) or delete (no value) of a store key in a family; `created` when the
// put is an insert (the key was not in the store).
struct Op {
  Family family;
  std::string_view key;
  std::optional<std::string_view> value;
  bool created = false;
};
void append_put(std::string& ops, Family f, std::string_view key, std::string_view value);
void append_insert(std::string& ops, Family f, std::string_view key, std::string_view value);
void append_delete(std::string& ops, Family f, std::string_view key);

// Reads ops in order; next() is false at the end or on malformed bytes (then ok() is false).
class OpReader {
 public:
  explicit OpReader(std::string_view ops) : rest_(ops) {}
  bool next(Op& op);
  bool ok() const { return ok_; }

 private:
  std::string_view rest_;
  bool ok_ = true;
};

// State records.
void state_key(std::string& out, Family f, std::string_view store_key);
void state_value(std::string& out, std::string_view store_value);

// Redo records.
struct RedoId {
  uint64_t writer = 0;      // random per process: tells a dead writer's chunks from the next's
  uint64_t checkpoint = 0;  // numbers the writer's redo records: never reused by a writer
  uint32_t chunk = 0;
  bool operator==(const RedoId&) const = default;
};
void redo_key(std::string& out, const RedoId& id);
void redo_value_header(std::string& out, bool last, size_t op_count);

// Claim records.
void claim_key(std::string& out, uint64_t writer);
void claim_value(std::string& out, uint64_t epoch);

// The writer a record's header names (0: none, or not 8 bytes).
uint64_t writer_of(const rd_kafka_message_t* m);

// A record read back from the changelog.
struct Record {
  enum Kind { kState, kRedo, kClaim } kind;
  // kState: the op (value absent = tombstone).
  Op op;
  // kRedo (value absent = the redo record was deleted: nothing to apply).
  RedoId redo;
  bool last = false;
  size_t op_count = 0;
  std::string_view ops;
  // kClaim: the claiming writer (in redo.writer) and its epoch.
  uint64_t epoch = 0;
  bool tombstone = false;
  // kState, kRedo: written by a release before state format 3 (store values lack the version
  // their family has now).
  bool before_format3 = false;
};
// Parses a record; nullopt if it is malformed or of a newer format than this build reads.
std::optional<Record> parse(std::string_view key, const std::string_view* value);

}  // namespace engaged::changelog
