// Nudge outcomes, recipients' roles and ids.
#include "processors/program/nudge.h"

#include <xxhash.h>

#include <array>
#include <charconv>

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

// The hash of "kind\nrecipient\nsubject\ndecided_ms" (decimal), as "kind-<16 hex digits>";
// built by hand: two fmt::format calls were a quarter of a policy decision's instructions.
std::string make_nudge_id(NudgeKind kind, std::string_view recipient, std::string_view subject,
                          int64_t decided_ms) {
  const std::string_view name = nudge_kind_name(kind);
  char ms[24];
  const auto ms_end = std::to_chars(ms, ms + sizeof ms, decided_ms).ptr;
  std::string key;
  key.reserve(name.size() + recipient.size() + subject.size() + 3 + sizeof ms);
  key.append(name).append(1, '\n').append(recipient).append(1, '\n').append(subject);
  key.append(1, '\n').append(ms, ms_end);
  uint64_t h = XXH3_64bits(key.data(), key.size());
  std::string id(name.size() + 17, '-');
  name.copy(id.data(), name.size());
  for (size_t i = id.size(); i > name.size() + 1; h >>= 4) id[--i] = "0123456789abcdef"[h & 15];
  return id;
}
}  // namespace engaged
