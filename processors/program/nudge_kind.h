// The kinds of decisions the mentor program and the nudge policy make, and the programs they
// belong to (the unit of a holdout). A nudge id starts with its kind ("mentor_match-9f3a..."),
// so a `nudge_opened` event tells its kind without any lookup.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

namespace engaged {

enum class NudgeKind : uint8_t {
  kMentorInvite,    // recruitment: an engaged user is invited to become a mentor
  kMentorMatch,     // a mentee and a mentor were paired (one nudge to each)
  kMentorReminder,  // the mentor has not answered the mentee within the SLA
  kMentorReward,    // the mentor's mentee is still active at day 30
  kSalesLead,       // a high-intent user, for the sales team (not shown to the user)
};
inline constexpr int kNudgeKindCount = 5;

std::string_view nudge_kind_name(NudgeKind k);
std::optional<NudgeKind> parse_nudge_kind(std::string_view name);
// The kind a nudge id names ("<kind>-<hex>"), if any.
std::optional<NudgeKind> nudge_kind_of_id(std::string_view nudge_id);

// Programs: the holdout of each is drawn independently.
inline constexpr std::string_view kMentoringProgram = "mentoring";      // match, reminder, reward
inline constexpr std::string_view kRecruitmentProgram = "recruitment";  // invite
inline constexpr std::string_view kSalesProgram = "sales";              // sales lead (no holdout)
std::string_view nudge_program(NudgeKind k);

// Nudge opens and returns seen by the events processed (published as Prometheus counters).
struct NudgeEffects {
  std::array<int64_t, kNudgeKindCount> opened{}, returns{};
};

// A stable share of users per program: XXH3-64 of "program:user_id", in basis points.
bool in_holdout(std::string_view program, std::string_view user_id, double share);

}  // namespace engaged
