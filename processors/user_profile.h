// What the pipeline remembers about a user besides their active days (UserActivity): the inputs
// of the per-user figures (signup, check-in streaks, purchases and LTV, the aha moment, support
// tickets, sessions, segments) and the ids of their recent events. Everything a late event can
// still change is kept here, so each processor can subtract the user's old contribution and add
// the new one; and what is kept here is cached, evicted and stored with the user, so the memory
// it takes follows the user cache's budget, not the number of events in a window.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "domain/day_bitmap.h"
#include "domain/id_key.h"
#include "processors/user_activity.h"

namespace engaged {

inline constexpr int kMaxSegmentDimensions = 4;
inline constexpr int kMaxRiskActions = 4;  // risk.actions names counted per user
inline constexpr int kActionWeeks = 5;     // weeks of those counts kept

// The purchases of one event-time day in one currency (a state of an older release may hold
// several entries of a day and currency: they add up the same).
struct Purchase {
  int32_t day = 0;
  std::array<char, 3> currency{};
  int64_t micros = 0;  // summed amount in millionths of the currency unit
  bool operator==(const Purchase&) const = default;
};

// Count of one discovery candidate action on one day of the user's first week.
struct CandidateDay {
  uint8_t candidate = 0;  // index into the configured candidate list
  int32_t day = 0;
  uint16_t count = 0;
  bool operator==(const CandidateDay&) const = default;
};

struct Ticket {
  uint64_t id = 0;                 // XXH3-64 of the ticket id
  int64_t opened_ms = INT64_MIN;   // earliest `support_ticket` time (INT64_MIN: not seen yet)
  int64_t replied_ms = INT64_MIN;  // earliest `support_reply` time (INT64_MIN: none yet)
  bool operator==(const Ticket&) const = default;
};

// Each list of a user's record holds at most this many entries, so that the record fits in one
// changelog record (a Kafka message: 1 MB by default; codec_test.cc encodes the largest one).
// A user past it (a bot, or a client that makes up a session or ticket id per event) has their
// oldest entries forgotten before their time, counted in PartitionAggregates::forgotten: a re-sent
// event whose id was forgotten is applied again, a late event of a forgotten session or ticket
// opens a new one, and the forgotten one keeps the contribution it had.
inline constexpr size_t kMaxUserListEntries = 5000;
inline constexpr size_t kMaxOpenedNudges = 64;  // UserProfile::opens (what every release reads)

// Drops the oldest (first) entries of a list beyond `max`; returns how many.
template <typename T>
int64_t forget_oldest(std::vector<T>& list, size_t max = kMaxUserListEntries) {
  if (list.size() <= max) return 0;
  const auto n = static_cast<std::ptrdiff_t>(list.size() - max);
  list.erase(list.begin(), list.begin() + n);
  return n;
}

// A user's own lists keep 64 of an id key's 128 bits (IdKey::lo): they hold the ids of one user's
// window, so two of them share those bits with odds of about n^2/2^65 (3e-12 for 10,000 ids),
// and an entry is 16 bytes instead of 24.
//
// An event applied within the dedupe window: the key of (user_id, event_id) and the partition's
// stream time when it was applied (processors/dedupe/dedupe_window.h).
struct SeenEvent {
  uint64_t key = 0;  // id_key(user_id, event_id).lo
  int64_t ts_ms = 0;
  bool operator==(const SeenEvent&) const = default;
};

// A session named by the events' session_id (processors/sessions/session_processor.h).
struct SessionState {
  int64_t start_ms = 0, end_ms = 0;
  int32_t actions = 0;
  bool known() const { return end_ms != 0; }
  bool operator==(const SessionState&) const = default;
};
struct IdSession {
  uint64_t key = 0;  // id_key(user_id, session_id).lo
  SessionState state;
  bool operator==(const IdSession&) const = default;
};

// A session built from `action` events without a session_id: events closer than the inactivity
// gap belong to the same session.
struct GapSession {
  int64_t start_ms = 0, end_ms = 0;
  int32_t actions = 0;
  bool operator==(const GapSession&) const = default;
};

// Churn risk as of the user's last rescoring (processors/program/risk_tracker.cc).
struct RiskState {
  uint8_t bucket = 0;            // score decile 1..10 ((b-1)/10, b/10]; 0 = never scored
  bool at_risk = false;          // score >= risk.threshold
  int32_t day = INT32_MIN;       // day the score is as of
  int64_t timer_ms = INT64_MIN;  // when the silent score next crosses the threshold (none)
  bool operator==(const RiskState&) const = default;
};

// The user's place in the mentoring program, seen from their own partition: when they first
// became an at-risk newcomer (and so entered the program, treated or holdout), and what they did
// after: the inputs of the uplift figures.
struct ProgramEntry {
  int64_t entered_ms = INT64_MIN;  // INT64_MIN: never entered
  bool holdout = false;
  bool returned_7d = false;    // active on one of the 7 days after the entry day
  bool active_d7 = false;      // active on entry day + 7
  bool active_d30 = false;     // active on entry day + 30
  bool retained_sent = false;  // `mentee_retained` told the program (active 30..36 days after)
  bool operator==(const ProgramEntry&) const = default;
};

// A nudge the user opened, waiting to see whether they come back within 7 days.
struct OpenedNudge {
  uint8_t kind = 0;  // NudgeKind
  int32_t day = 0;   // day it was opened
  bool operator==(const OpenedNudge&) const = default;
};

struct UserProfile {
  DayBitmap check_ins;
  int32_t longest_streak = 0;  // longest run of consecutive check-in days ever seen
  DayBitmap purchase_days;
  std::vector<Purchase> purchases;       // per day and currency, within the cohort's LTV horizon
  std::vector<int64_t> key_action_ms;    // earliest aha key actions, sorted, at most `count`
  std::vector<CandidateDay> first_week;  // discovery candidates done in the first 7 days
  std::vector<Ticket> tickets;           // tickets that a late event can still change
  std::vector<GapSession> gap_sessions;  // gap sessions that a late event can still change
  std::vector<IdSession> sessions;       // id sessions that a late event can still change
  std::vector<SeenEvent> seen;           // events applied within the dedupe window, oldest first
  DayBitmap referral_days;
  bool referred = false;  // a `signup` named a referrer: the user is a referral conversion
  // Segment value per dimension (0 = not seen yet, 1 = "other", 2.. = allowlist index + 2).
  std::array<uint8_t, kMaxSegmentDimensions> segments{};
  // Time of the event the segment value was taken from: the earliest one carrying the dimension.
  std::array<int64_t, kMaxSegmentDimensions> segment_ts{};

  // Who the user is to the mentor program: the newest props seen (time zone, language from the
  // locale, interests from signup props.topics).
  std::string tz, language;
  std::vector<std::string> topics;
  int8_t nps = -1;                         // newest feedback score (-1: none)
  int64_t nps_ms = INT64_MIN;              // its time
  int32_t mentor_contact_day = INT32_MIN;  // last day they opened a match or wrote to a mentor
  // Session length per day, the 14 days ending at session_day (for the length-trend feature).
  int32_t session_day = INT32_MIN;
  std::array<uint32_t, 14> session_seconds{};
  std::array<uint16_t, 14> session_count{};
  // Counts of the risk.actions names (index: position in the list) per week (day / 7), for the
  // kActionWeeks weeks ending at action_week (row 0), for the action-count risk features.
  int32_t action_week = INT32_MIN;
  std::array<std::array<uint16_t, kMaxRiskActions>, kActionWeeks> action_counts{};
  std::vector<int64_t> intent_ms;  // times of recent high-intent actions (at most the rule's count)
  int64_t lead_ms = INT64_MIN;     // last sales lead signalled
  int64_t eligible_ms = INT64_MIN;  // last time mentor eligibility was signalled
  RiskState risk;
  ProgramEntry entry;
  std::vector<OpenedNudge> opens;  // opened in the last 7 days, not yet followed by a return

  bool operator==(const UserProfile&) const = default;
};

}  // namespace engaged
