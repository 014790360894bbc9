// Byte layout of the keys in RocksDB and of the records the state layer itself reads (offsets,
// changelog positions, timers, the outbox); the processors' records are laid out in
// processors/runtime/record_codec.h. Every key starts with a 4-byte big-endian partition: the
// input partition it belongs to, or kProgramPartition for the program stage's records and
// outbox. One partition's state is one contiguous key range in each column family: that is what
// lets a partition's state be restored, dropped or handed over alone.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace engaged::codec {

// Every stored value starts with the format version of its record type (one byte), so that a
// layout can change and a newer binary still read the older one, and refuse a newer one by name.
// Most families got theirs in state format 3 (state/families.h, Format3): their older values have
// version 1's layout without the byte, which upgrading the state or restoring an older changelog
// prepends (state/format_upgrade.h). Users, partition meta (a version word), changelog positions,
// program records and registered stores carried a version before.
void begin_record(std::string& out, uint8_t version);
// The version a value starts with. Throws std::runtime_error naming `record` on an empty value or
// a version outside 1..newest (written by a newer release).
uint8_t record_version(std::string_view value, std::string_view record, uint8_t newest);
// The bytes after the version byte, checked as record_version does.
std::string_view record_body(std::string_view value, std::string_view record, uint8_t newest);

void put_partition(std::string& key, int32_t partition);
int32_t partition_of(std::string_view key);

// users: partition | user_id  ->  the user's record (processors/runtime/record_codec.h)
void user_key(std::string& key, int32_t partition, std::string_view user_id);
std::string_view user_id_of(std::string_view key);

// Day tables: partition | day (biased BE)  ->  the table's row (processors/runtime/record_codec.h)
void day_key(std::string& key, int32_t partition, int32_t day);
int32_t day_of_key(std::string_view key);

// Segments (dedupe and sessions, written before user records of version 5 held them):
// partition | newest time in the segment (biased BE) | next input offset at the checkpoint that
// wrote it (BE) [| piece (BE 4), from the second piece on]. A checkpoint wrote what changed since
// the previous one in pieces of a bounded size; expired segments are deleted by key range.
void segment_horizon_key(std::string& key, int32_t partition, int64_t horizon_ms);
int64_t segment_offset_of(std::string_view key);

// offsets: partition  ->  version 1 | next offset to consume (int64)
void encode_offset(std::string& out, int64_t v);
std::optional<int64_t> decode_offset(std::string_view v);

// changelog (local, not mirrored): partition -> version 1 | next_offset | restoring_from |
// released | released_ms | written_ms | uncovered_from (varints)
// A claim on a changelog partition (changelog_record.h): the owner whose records count, and its
// epoch. owner 0: no claim seen yet (every record counts).
struct Claim {
  uint64_t owner = 0;
  uint64_t epoch = 0;
  bool operator==(const Claim&) const = default;
};

struct ChangelogPosition {
  int64_t next_offset = 0;      // first changelog record this copy does not reflect
  int64_t restoring_from = -1;  // >= 0: a restore from there was cut short; the copy is partial
  bool released = false;        // owned elsewhere now: kept only as a restore head start
  int64_t released_ms = 0;      // wall clock when it was released
  int64_t written_ms = 0;       // wall clock when the position was last written
  // First redo record no state record covers yet (-1: none). A restore reads from here (or
  // next_offset if lower) so the writer can take those redo records over and cover them.
  int64_t uncovered_from = -1;
  Claim claim{};            // in force at next_offset (and at restoring_from)
  Claim uncovered_claim{};  // in force at uncovered_from
  bool operator==(const ChangelogPosition&) const = default;
  // The claim in force at `offset`, one of the positions above.
  Claim claim_at(int64_t offset) const {
    return offset == uncovered_from && offset != next_offset ? uncovered_claim : claim;
  }
};
void encode_changelog_position(std::string& out, const ChangelogPosition& p);
std::optional<ChangelogPosition> decode_changelog_position(std::string_view v);

// timers: partition | due ms (biased BE) | user_id  ->  version 1 and nothing else (the user's
// profile holds the due time; an entry whose user no longer agrees is stale and skipped)
void encode_timer(std::string& out);
void timer_key(std::string& key, int32_t partition, int64_t due_ms, std::string_view user_id);
std::pair<int64_t, std::string_view> parse_timer_key(std::string_view key);

// outbox: partition | seq (BE)  ->  version 2 | sink (1 byte) | (key, payload) ...: the messages
// for one destination that a partition (or the program stage) decided between two sends, in
// decision order, each key and payload length-prefixed; seq is the first one's number. One entry
// per send, not per message: each entry is a memtable insert, a changelog op, and a delete once
// its destination acknowledged all its messages. Version 1 held one message: version 1 | sink |
// key | payload (to the end). Entries are written with the state that decided them.
enum class OutboxSink : uint8_t { kProgram = 0, kNudges = 1 };
inline constexpr int32_t kProgramPartition = 0x7ffffff0;  // the program stage's key prefix
void outbox_key(std::string& key, int32_t partition, uint64_t seq);
uint64_t outbox_seq_of(std::string_view key);
struct OutboxMessage {
  std::string_view key, payload;
};
class OutboxEntry {
 public:
  explicit OutboxEntry(OutboxSink sink);
  // A stored value of either version; nullopt if it is malformed.
  static std::optional<OutboxEntry> decode(std::string_view value);

  void add(std::string_view key, std::string_view payload);
  OutboxSink sink() const { return static_cast<OutboxSink>(value_[1]); }
  // The value to store (version 2).
  const std::string& value() const { return value_; }
  // The messages in order, as views into value(): valid while this entry is neither changed nor
  // moved.
  std::vector<OutboxMessage> messages() const;

 private:
  std::string value_;
};

}  // namespace engaged::codec
