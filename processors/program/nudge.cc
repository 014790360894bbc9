// Nudge outcomes, recipients' roles and ids.
#include "processors/program/nudge.h"

#include <fmt/format.h>
#include <xxhash.h>

#include <array>

namespace engaged {

std::string_view nudge_outcome_name(NudgeOutcome o) {
  static constexpr std::array<std::string_view, kNudgeOutcomeCount> kNames = {
      "sent", "capped", "quiet_deferred", "holdout", "suppressed"};
  return kNames[static_cast<size_t>(o)];
}

std::string_view nudge_role(const Nudge& n) {
  switch (n.kind) {
    case NudgeKind::kMentorMatch:
      // A match is told to both: the mentee's nudge names the mentor (subject) and vice versa.
      return n.risk_of_recipient ? "mentee" : "mentor";
    case NudgeKind::kMentorReminder:
    case NudgeKind::kMentorReward:
      return "mentor";
    case NudgeKind::kSalesLead:
      return "sales";
    default:
      return "user";
  }
}

std::string make_nudge_id(NudgeKind kind, std::string_view recipient, std::string_view subject,
                          int64_t decided_ms) {
  std::string key =
      fmt::format("{}\n{}\n{}\n{}", nudge_kind_name(kind), recipient, subject, decided_ms);
  return fmt::format("{}-{:016x}", nudge_kind_name(kind), XXH3_64bits(key.data(), key.size()));
}
}  // namespace engaged
