// The decoded form of one app event (contract v1, schemas/app-event.v1.schema.json).
// Every string is a view into the decoder's buffers: an Event lives only until the next decode,
// which is what keeps the hot path free of allocations and copies.
#pragma once

#include <array>
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
  kUserBlocked,   // v1.1: the user blocked peer_user_id (never matched with them)
  kMentorRating,  // v1.1: the user rated their mentor peer_user_id (score 0..10)
  kTick,          // v1.1: produced by engaged itself: event time passed in an idle partition
};
inline constexpr int kEventTypeCount = 19;

// Wire name of a type ("session_start"); parse_event_type is its inverse.
std::string_view event_type_name(EventType t);
std::optional<EventType> parse_event_type(std::string_view name);

inline constexpr int kMaxListProps = 8;  // entries of props.languages / props.topics

// A short list of strings from props (languages, topics): views, like every other field.
struct PropList {
  std::array<std::string_view, kMaxListProps> items{};
  uint8_t size = 0;
  const std::string_view* begin() const { return items.data(); }
  const std::string_view* end() const { return items.data() + size; }
  bool empty() const { return size == 0; }
};

struct EventProps {
  std::string_view platform, locale, tz, country, app_version;
  PropList languages, topics;  // mentor_opt_in: what the mentor speaks and knows; signup: interests
  std::optional<int32_t> capacity;  // mentor_opt_in: mentees at once
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
