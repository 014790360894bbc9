// Byte layout of the processors' records in RocksDB: users, the day tables' rows, retention,
// segments, sessions, event ids and partition meta (keys: state/codec.h). Every value starts
// with its record type's version (state/codec.h, begin_record); the layouts below follow it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "domain/id_key.h"
#include "domain/reject_reason.h"
#include "processors/activity/daily_aggregates.h"
#include "processors/cohort_figures.h"
#include "processors/day_figures.h"
#include "processors/feedback/feedback_processor.h"
#include "processors/legacy_windows.h"
#include "processors/program/risk_tracker.h"
#include "processors/revenue/revenue_processor.h"
#include "processors/sessions/session_processor.h"
#include "processors/user_activity.h"
#include "processors/user_profile.h"
#include "state/codec.h"

namespace engaged::codec {

// users: partition | user_id  ->  (version 3) cohort day, signup day | active days (bitmap) |
// profile (check-ins, purchases, aha inputs, tickets, gap sessions, referrals, segments, risk,
// program entry, mentor-program inputs); (version 4) + weekly counts of the risk.actions names;
// (version 6) + the event ids of the dedupe window and the id sessions that may still change, by
// 64-bit keys (version 5 held 128-bit keys: read, no longer written). The oldest version that
// holds a user's fields is written; versions 1, 2 and 5 are read too.
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
void encode_day_row(std::string& out, const DayCounters& c);
bool decode_day_row(std::string_view v, DayCounters& out);

// retention: partition | table (1 byte, CohortTable) | cohort key  ->  varint list of retained[n]
void cohort_key(std::string& key, int32_t partition, CohortTable table, int32_t cohort);
CohortTable cohort_table_of_key(std::string_view key);
int32_t cohort_of_key(std::string_view key);
void encode_retention(std::string& out, const std::vector<int64_t>& retained);
std::optional<std::vector<int64_t>> decode_retention(std::string_view v);

// sessions segments (written before user records of version 5, which hold them): packed (id_key 16
// bytes, start_ms, end_ms, actions) of changed sessions; on reading, a later segment's version
// of a session replaces an earlier one.
bool decode_sessions(std::string_view v, std::vector<LegacySession>& out);

// session_daily: partition | day  ->  sessions | actions | duration_ms | 6 length buckets
void encode_day_row(std::string& out, const SessionCounters& c);
bool decode_day_row(std::string_view v, SessionCounters& out);

// feedback_daily: partition | day  ->  responses | promoters | passives | detractors
void encode_day_row(std::string& out, const FeedbackCounters& c);
bool decode_day_row(std::string_view v, FeedbackCounters& out);

// revenue_daily: partition | day  ->  (currency 3 bytes, micros, purchases) per currency
void encode_day_row(std::string& out, const RevenueCounters& c);
bool decode_day_row(std::string_view v, RevenueCounters& out);

// meta: partition  ->  stream time, risk counts, program sequence, clock hour, rejected counts
// by reason, duplicates, dedupe and session horizons, forgotten list entries
struct PartitionMeta {
  int64_t stream_time_ms;
  RiskCounts risk{};
  uint64_t next_program_seq = 0;   // next program record number of this partition
  int64_t clock_hour = INT64_MIN;  // last hour of stream time a clock record was emitted for
  RejectCounts rejected{};
  int64_t duplicates = 0;
  int64_t dedupe_horizon_ms = 0;   // event ids older than this are no longer in the window
  int64_t session_horizon_ms = 0;  // sessions that ended before this are final
  int64_t forgotten = 0;           // entries users' lists dropped early (kMaxUserListEntries)
};

// dedupe segments (written before user records of version 5, which hold them): packed (key 16
// bytes, stream time 8 bytes) of event ids recorded
bool decode_seen(std::string_view v, std::vector<LegacySeen>& out);
void encode_meta(std::string& out, const PartitionMeta& m);
std::optional<PartitionMeta> decode_meta(std::string_view v);

}  // namespace engaged::codec
