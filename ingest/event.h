// The decoded form of one app event (contract v1, schemas/app-event.v1.schema.json).
// Every string is a view into the decoder's buffers: an Event lives only until the next decode,
// which is what keeps the hot path free of allocations and copies.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace engaged {

enum class EventType : uint8_t {
  kSignup,
  kSessionStart,
  kSessionEnd,
  kAction,
  kPurchase,
  kCheckIn,
  kReferral,
  kFeedback,
  kSupportTicket,
  kSupportReply,
  kMentorOptIn,
  kMentorOptOut,
  kMentorMessage,
  kMentorReport,
  kNudgeOpened,
  kUserDeleted,
};
inline constexpr int kEventTypeCount = 16;

// Wire name of a type ("session_start"); parse_event_type is its inverse.
std::string_view event_type_name(EventType t);
std::optional<EventType> parse_event_type(std::string_view name);

struct EventProps {
  std::string_view platform, locale, tz, country, app_version;
};

struct Event {
  std::string_view event_id;
  std::string_view user_id;
  EventType type = EventType::kAction;
  int64_t ts_ms = 0;  // event time, epoch milliseconds UTC
  std::string_view session_id, name, currency, ticket_id, referred_user_id, referrer_user_id,
      peer_user_id, nudge_id;
  std::optional<double> amount;
  std::optional<int8_t> score;
  EventProps props;
};

}  // namespace engaged
