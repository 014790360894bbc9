// What the pipeline remembers about a user besides their active days (UserActivity): the inputs
// of the per-user figures (signup, check-in streaks, purchases and LTV, the aha moment, support
// tickets, inactivity-gap sessions, segments). Everything a late event can still change is kept
// here, so each processor can subtract the user's old contribution and add the new one.
#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include "processors/day_bitmap.h"
#include "processors/user_activity.h"

namespace engaged {

inline constexpr int kMaxSegmentDimensions = 4;

struct Purchase {
  int32_t day = 0;  // event-time day of the purchase
  std::array<char, 3> currency{};
  int64_t micros = 0;  // amount in millionths of the currency unit
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

// A session built from `action` events without a session_id: events closer than the inactivity
// gap belong to the same session.
struct GapSession {
  int64_t start_ms = 0, end_ms = 0;
  int32_t actions = 0;
  bool operator==(const GapSession&) const = default;
};

struct UserProfile {
  DayBitmap check_ins;
  int32_t longest_streak = 0;  // longest run of consecutive check-in days ever seen
  DayBitmap purchase_days;
  std::vector<Purchase> purchases;       // purchases within the LTV horizon of the cohort day
  std::vector<int64_t> key_action_ms;    // earliest aha key actions, sorted, at most `count`
  std::vector<CandidateDay> first_week;  // discovery candidates done in the first 7 days
  std::vector<Ticket> tickets;           // tickets that a late event can still change
  std::vector<GapSession> gap_sessions;  // gap sessions that a late event can still change
  DayBitmap referral_days;
  bool referred = false;  // a `signup` named a referrer: the user is a referral conversion
  // Segment value per dimension (0 = not seen yet, 1 = "other", 2.. = allowlist index + 2).
  std::array<uint8_t, kMaxSegmentDimensions> segments{};
  // Time of the event the segment value was taken from: the earliest one carrying the dimension.
  std::array<int64_t, kMaxSegmentDimensions> segment_ts{};

  bool operator==(const UserProfile&) const = default;
};

}  // namespace engaged
