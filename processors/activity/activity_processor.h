// The activity processor: a pure function of (partition state, user state, event) that keeps
// the daily counters and cohort retention exact, whatever order events arrive in within the
// allowed lateness. No clock, no I/O: event time alone decides.
#pragma once

#include <array>
#include <bitset>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "domain/event.h"
#include "domain/reject_reason.h"
#include "domain/time_zone.h"
#include "processors/activity/daily_aggregates.h"
#include "processors/partition_aggregates.h"
#include "processors/user_activity.h"
#include "processors/user_profile.h"

namespace engaged {

// Which events make a user active ("a meaningful action, not merely being logged in").
struct ActivityDefinition {
  std::bitset<kEventTypeCount> types = all_user_types();
  std::vector<std::string> action_names;           // if non-empty, only these actions count
  std::vector<std::string> excluded_action_names;  // these actions never count

  bool counts(const Event& ev) const;
  // Every type but user_deleted, tick (not about a user) and nudge_opened (opening a push is
  // not a meaningful action; counting it would also let treated users look retained).
  static std::bitset<kEventTypeCount> all_user_types() {
    std::bitset<kEventTypeCount> b;
    b.set();
    b.reset(static_cast<size_t>(EventType::kUserDeleted));
    b.reset(static_cast<size_t>(EventType::kTick));
    b.reset(static_cast<size_t>(EventType::kNudgeOpened));
    return b;
  }
};

struct ActivityConfig {
  TimeZone time_zone{};
  int64_t allowed_lateness_ms = 7LL * 86400000;
  ActivityDefinition activity{};
  int64_t dedupe_window_ms = 86400000;  // 0 = no duplicate detection
};

enum class Verdict : uint8_t { kApplied, kTooLate, kDuplicate };

// A user's segment values (UserProfile::segments): per dimension 0 = none, else value index + 1.
using SegmentSlots = std::array<uint8_t, kMaxSegmentDimensions>;

class ActivityProcessor {
 public:
  explicit ActivityProcessor(ActivityConfig config) : config_(std::move(config)) {}

  // Applies one decoded event. kTooLate (counted as a rejection) when it is older than the
  // partition's stream time minus the allowed lateness; kDuplicate (counted, otherwise ignored)
  // when its (user_id, event_id) was applied within the dedupe window. Applied events advance
  // the stream time; only those the activity definition counts mark a day.
  // A `signup` sets the user's signup cohort (the earliest one wins).
  // `seen` is the user's list of event ids in the window (UserProfile::seen).
  Verdict process(PartitionAggregates& part, UserActivity& user, std::vector<SeenEvent>& seen,
                  const Event& ev) const {
    return process(part, user, seen, ev, id_key(ev.user_id, ev.event_id), {});
  }
  // The same, with the event's id_key(user_id, event_id) already computed by the caller and the
  // user's segments, whose activity counters are kept too.
  Verdict process(PartitionAggregates& part, UserActivity& user, std::vector<SeenEvent>& seen,
                  const Event& ev, const IdKey& event_key, const SegmentSlots& segments) const;

  // Records `day` as an active day of `user`, updating every counter it changes.
  static void mark_active(PartitionAggregates& part, UserActivity& user, int32_t day,
                          const SegmentSlots& segments = {});
  // Adds (sign +1) or removes (-1) the user's whole contribution to a segment's counters, as
  // far as the 128-day window reaches: how a user moves between segments.
  static void move_contribution(DailyAggregates& daily, const UserActivity& user, int sign);
  static DailyAggregates& segment_table(PartitionAggregates& part, int dimension, int slot);

  const ActivityConfig& config() const { return config_; }

 private:
  ActivityConfig config_;
};

}  // namespace engaged
