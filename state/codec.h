// Byte layout of everything in RocksDB. Every key starts with a 4-byte big-endian partition: the
// input partition it belongs to, or kProgramPartition for the program stage's records and
// outbox. One partition's state is one contiguous key range in each column family: that is what
// lets a partition's state be restored, dropped or handed over alone.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "domain/id_key.h"
#include "domain/reject_reason.h"
#include "processors/cohort_figures.h"
#include "processors/daily_aggregates.h"
#include "processors/day_figures.h"
#include "processors/dedupe_window.h"
#include "processors/feedback_processor.h"
#include "processors/revenue_processor.h"
#include "processors/risk_tracker.h"
#include "processors/session_processor.h"
#include "processors/user_activity.h"
#include "processors/user_profile.h"

namespace engaged::codec {

void put_partition(std::string& key, int32_t partition);
int32_t partition_of(std::string_view key);

// users: partition | user_id  ->  version 3 | cohort day, signup day | active days (bitmap) |
// profile (check-ins, purchases, aha inputs, tickets, gap sessions, referrals, segments, risk,
// program entry, mentor-program inputs); versions 1 and 2 are read
void user_key(std::string& key, int32_t partition, std::string_view user_id);
std::string_view user_id_of(std::string_view key);
void encode_user(std::string& out, const UserActivity& u, const UserProfile& p);
bool decode_user(std::string_view v, UserActivity& u, UserProfile& p);  // false if corrupt

// figures_daily: partition | day  ->  DayFigures fields as zigzag varints (visit() order)
void encode_day_row(std::string& out, const DayFigures& c);
bool decode_day_row(std::string_view v, DayFigures& out);
// cohort_figures: partition | cohort day  ->  CohortFigures as zigzag varints
void encode_day_row(std::string& out, const CohortFigures& c);
bool decode_day_row(std::string_view v, CohortFigures& out);
// segment_daily: partition | dimension (1) | value index (1) | day  ->  like daily
void segment_day_key(std::string& key, int32_t partition, int dimension, int value, int32_t day);
struct SegmentDayKey {
  int dimension, value;
  int32_t day;
};
SegmentDayKey parse_segment_day_key(std::string_view key);

// daily: partition | day  ->  7 x int64 (dau, wau, mau, new, returning, resurrecting, dormant)
void day_key(std::string& key, int32_t partition, int32_t day);
int32_t day_of_key(std::string_view key);
void encode_day_row(std::string& out, const DayCounters& c);
bool decode_day_row(std::string_view v, DayCounters& out);

// retention: partition | table (1 byte, CohortTable) | cohort key  ->  varint list of retained[n]
void cohort_key(std::string& key, int32_t partition, CohortTable table, int32_t cohort);
CohortTable cohort_table_of_key(std::string_view key);
int32_t cohort_of_key(std::string_view key);
void encode_retention(std::string& out, const std::vector<int64_t>& retained);
std::optional<std::vector<int64_t>> decode_retention(std::string_view v);

// Segments (dedupe and sessions): partition | newest time in the segment (biased BE) |
// next input offset at the checkpoint that wrote it (BE) [| piece (BE 4), from the second piece
// on]. A checkpoint writes what changed since the previous one in pieces of a bounded size (one
// record each on the changelog, below the brokers' message size limit); expired segments are
// deleted by key range.
void segment_key(std::string& key, int32_t partition, int64_t max_ts, int64_t next_offset,
                 uint32_t piece = 0);
void segment_horizon_key(std::string& key, int32_t partition, int64_t horizon_ms);
int64_t segment_offset_of(std::string_view key);

// sessions segments: packed (id_key 16 bytes, start_ms, end_ms, actions) of changed sessions;
// on reading, a later segment's version of a session replaces an earlier one.
using SessionEntry = std::pair<IdKey, SessionState>;
void encode_sessions(std::string& out, const std::vector<SessionEntry>& entries);
bool decode_sessions(std::string_view v, std::vector<SessionEntry>& out);

// session_daily: partition | day  ->  sessions | actions | duration_ms | 6 length buckets
void encode_day_row(std::string& out, const SessionCounters& c);
bool decode_day_row(std::string_view v, SessionCounters& out);

// feedback_daily: partition | day  ->  responses | promoters | passives | detractors
void encode_day_row(std::string& out, const FeedbackCounters& c);
bool decode_day_row(std::string_view v, FeedbackCounters& out);

// revenue_daily: partition | day  ->  (currency 3 bytes, micros, purchases) per currency
void encode_day_row(std::string& out, const RevenueCounters& c);
bool decode_day_row(std::string_view v, RevenueCounters& out);

// offsets: partition  ->  next offset to consume (int64)
// meta:    partition  ->  the PartitionMeta below (stream time, risk counts, program sequence,
//          clock hour, rejected counts by reason, duplicates, dedupe and session horizons)
void encode_i64(std::string& out, int64_t v);
std::optional<int64_t> decode_i64(std::string_view v);
struct PartitionMeta {
  int64_t stream_time_ms;
  RiskCounts risk{};
  uint64_t next_program_seq = 0;   // next program record number of this partition
  int64_t clock_hour = INT64_MIN;  // last hour of stream time a clock record was emitted for
  RejectCounts rejected{};
  int64_t duplicates = 0;
  int64_t dedupe_horizon_ms = 0;   // event ids older than this are no longer in the window
  int64_t session_horizon_ms = 0;  // sessions that ended before this are final
};

// dedupe segments: packed (key 16 bytes, stream time 8 bytes) of event ids recorded
void encode_seen(std::string& out, const std::vector<SeenEvent>& entries);
bool decode_seen(std::string_view v, std::vector<SeenEvent>& out);
void encode_meta(std::string& out, const PartitionMeta& m);
std::optional<PartitionMeta> decode_meta(std::string_view v);

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
  Claim claim;            // in force at next_offset (and at restoring_from)
  Claim uncovered_claim;  // in force at uncovered_from
  bool operator==(const ChangelogPosition&) const = default;
  // The claim in force at `offset`, one of the positions above.
  Claim claim_at(int64_t offset) const {
    return offset == uncovered_from && offset != next_offset ? uncovered_claim : claim;
  }
};
void encode_changelog_position(std::string& out, const ChangelogPosition& p);
std::optional<ChangelogPosition> decode_changelog_position(std::string_view v);

// timers: partition | due ms (biased BE) | user_id  ->  empty (the user's profile holds the due
// time; an entry whose user no longer agrees is stale and skipped)
void timer_key(std::string& key, int32_t partition, int64_t due_ms, std::string_view user_id);
std::pair<int64_t, std::string_view> parse_timer_key(std::string_view key);

// outbox: partition | seq (BE)  ->  sink (1 byte) | message key | payload. Entries are written
// with the state that decided them and deleted when their destination acknowledged them.
enum class OutboxSink : uint8_t { kProgram = 0, kNudges = 1 };
struct OutboxEntry {
  OutboxSink sink = OutboxSink::kProgram;
  std::string key, payload;
};
inline constexpr int32_t kProgramPartition = 0x7ffffff0;  // the program stage's key prefix
void outbox_key(std::string& key, int32_t partition, uint64_t seq);
void encode_outbox(std::string& out, const OutboxEntry& e);
std::optional<OutboxEntry> decode_outbox(std::string_view v);

}  // namespace engaged::codec
