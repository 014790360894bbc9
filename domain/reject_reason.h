// Why a message was not applied. The codes are part of the event contract (docs/events.md): they
// travel in the dead-letter header `engaged.reason` and label engaged_events_rejected_total.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

namespace engaged {

enum class RejectReason : uint8_t {
  kTooLarge,
  kMalformedJson,
  kNotAnObject,
  kMissingField,
  kBadType,
  kBadValue,
  kUnknownType,
  kBadTimestamp,
  kUnknownField,
  kTooLate,
  kFromFuture,
  kKeyMismatch,  // the Kafka key is not the event's user_id (it would count in two partitions)
};
inline constexpr int kRejectReasonCount = 12;

std::string_view reject_reason_name(RejectReason r);

// Rejections counted by reason; kept in state so reports survive restarts.
using RejectCounts = std::array<int64_t, kRejectReasonCount>;

}  // namespace engaged
