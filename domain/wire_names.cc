// Wire names of event types and reject reasons: the single place they are spelled.
#include "domain/event.h"
#include "domain/reject_reason.h"

namespace engaged {
namespace {
constexpr std::array<std::string_view, kRejectReasonCount> kReasonNames = {
    "too_large",     "malformed_json", "not_an_object", "missing_field",
    "bad_type",      "bad_value",      "unknown_type",  "bad_timestamp",
    "unknown_field", "too_late",       "from_future",   "key_mismatch"};
constexpr std::array<std::string_view, kEventTypeCount> kTypeNames = {
    "signup",         "session_start", "session_end",   "action",
    "purchase",       "check_in",      "referral",      "feedback",
    "support_ticket", "support_reply", "mentor_opt_in", "mentor_opt_out",
    "mentor_message", "mentor_report", "nudge_opened",  "user_deleted",
    "user_blocked",   "mentor_rating", "tick"};
}  // namespace

std::string_view reject_reason_name(RejectReason r) {
  return kReasonNames[static_cast<int>(r)];
}

std::string_view event_type_name(EventType t) {
  return kTypeNames[static_cast<int>(t)];
}

// Once per event: the first byte rules out most names before a memcmp call would.
std::optional<EventType> parse_event_type(std::string_view name) {
  if (name.empty()) return std::nullopt;
  for (int i = 0; i < kEventTypeCount; ++i) {
    const std::string_view n = kTypeNames[static_cast<size_t>(i)];
    if (n.size() == name.size() && n[0] == name[0] && n == name) return static_cast<EventType>(i);
  }
  return std::nullopt;
}

}  // namespace engaged
