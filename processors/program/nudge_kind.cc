// Names of nudge kinds and the holdout draw.
#include "processors/program/nudge_kind.h"

#include <xxhash.h>

#include <array>
#include <cmath>
#include <string>

namespace engaged {
namespace {
constexpr std::array<std::string_view, kNudgeKindCount> kNames = {
    "mentor_invite", "mentor_match", "mentor_reminder", "mentor_reward", "sales_lead"};
}  // namespace

std::string_view nudge_kind_name(NudgeKind k) {
  return kNames[static_cast<size_t>(k)];
}

std::optional<NudgeKind> parse_nudge_kind(std::string_view name) {
  for (size_t i = 0; i < kNames.size(); ++i)
    if (kNames[i] == name) return static_cast<NudgeKind>(i);
  return std::nullopt;
}

std::optional<NudgeKind> nudge_kind_of_id(std::string_view nudge_id) {
  const size_t dash = nudge_id.rfind('-');
  if (dash == std::string_view::npos) return std::nullopt;
  return parse_nudge_kind(nudge_id.substr(0, dash));
}

std::string_view nudge_program(NudgeKind k) {
  switch (k) {
    case NudgeKind::kMentorInvite:
      return kRecruitmentProgram;
    case NudgeKind::kSalesLead:
      return kSalesProgram;
    default:
      return kMentoringProgram;
  }
}

bool in_holdout(std::string_view program, std::string_view user_id, double share) {
  if (share <= 0) return false;
  std::string key;
  key.reserve(program.size() + 1 + user_id.size());
  key.append(program).push_back(':');
  key.append(user_id);
  const uint64_t h = XXH3_64bits(key.data(), key.size());
  return static_cast<double>(h % 10000) < std::round(share * 10000);
}

}  // namespace engaged
