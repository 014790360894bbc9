// Sessions and actions per session. A session is the set of a user's accepted events that carry
// the same `session_id`: it starts at the earliest, ends at the latest of them, and belongs to
// the day it starts. The sessions that may still change are kept in the user's profile. Like the
// activity processor it is exact under out-of-order input: a late event recomputes its session and
// moves that session's contribution (day, length, actions).
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "domain/event.h"
#include "domain/time_zone.h"
#include "processors/activity/daily_aggregates.h"
#include "processors/legacy_windows.h"
#include "processors/runtime/processor.h"
#include "processors/user_profile.h"

namespace engaged {

// Session length buckets: [0,1m) [1m,5m) [5m,15m) [15m,30m) [30m,60m) [60m,inf).
inline constexpr std::array<int64_t, 5> kSessionLengthBoundsMs = {60000, 300000, 900000, 1800000,
                                                                  3600000};
inline constexpr int kSessionLengthBuckets = 6;
std::string_view session_length_bucket_name(int bucket);  // "lt_1m", "1m_5m", ..., "ge_60m"

struct SessionCounters {
  int64_t sessions = 0;                                 // sessions starting on the day
  int64_t actions = 0;                                  // `action` events in those sessions
  int64_t duration_ms = 0;                              // summed lengths of those sessions
  std::array<int64_t, kSessionLengthBuckets> length{};  // sessions by length bucket

  SessionCounters& operator+=(const SessionCounters& o);
  bool operator==(const SessionCounters&) const = default;
};

// Adds (sign +1) or removes (sign -1) one session's contribution: on the day it starts, one
// session, its actions, its length and its length bucket. Shared by id and gap sessions.
void count_session(DayTable<SessionCounters>& days, int64_t start_ms, int64_t end_ms,
                   int64_t actions, const TimeZone& tz, int sign);

// A session that ended more than this before the lateness horizon is final: an accepted event
// with its id starts a new session. Such sessions leave the user's list.
inline constexpr int64_t kSessionFinalAfterMs = 86400000;

class SessionProcessor final : public Processor {
 public:
  void process(ProcessorContext& ctx) override;
  // The session `key` of a user's `sessions` (or of the sessions an older state keeps per
  // partition), new if unknown; first drops the sessions that ended before `horizon_ms`.
  static SessionState& session(std::vector<IdSession>& sessions, const IdKey& key,
                               int64_t horizon_ms, const LegacyWindows& legacy);
  // Drops the sessions that ended before `horizon_ms` (the checkpoint does, before storing).
  static void expire(std::vector<IdSession>& sessions, int64_t horizon_ms);
  // Adds `ev` (an accepted event with a session_id) to `session`, updating `days`.
  static void process(DayTable<SessionCounters>& days, SessionState& session, const Event& ev,
                      const TimeZone& tz);
};

}  // namespace engaged
