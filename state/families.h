// The column families of the state store. Each has a stable id: the changelog names a record's
// family by it (the first byte of its key), so an id is never renumbered or reused, and a new
// family takes the next free one. A family is mirrored to the changelog unless it is local: the
// changelog positions describe this instance's copy, not the partition's state.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

namespace engaged {

enum class Family : uint8_t {
  kUsers = 1,           // partition | user id -> the user's activity and profile
  kDaily = 2,           // partition | day -> DAU/WAU/MAU and lifecycle counters
  kRetention = 3,       // partition | cohort table | cohort -> retained users by period
  kOffsets = 4,         // partition -> next input offset
  kMeta = 5,            // partition -> stream time, rejections, horizons, program numbering
  kSessions = 6,        // (before users v5, which hold them) sessions that may still change
  kSessionDaily = 7,    // partition | day -> session counters
  kDedupe = 8,          // (before users v5, which hold them) event ids in the dedupe window
  kFeedbackDaily = 9,   // partition | day -> NPS counters
  kRevenueDaily = 10,   // partition | day -> revenue by currency
  kFiguresDaily = 11,   // partition | day -> stickiness, streaks, support, referrals, program
  kCohortFigures = 12,  // partition | cohort day -> aha, LTV, discovery
  kSegmentDaily = 13,   // partition | dimension | value | day -> activity counters
  kTimers = 14,         // partition | due | user id -> silence timer index
  kOutbox = 15,         // partition | first seq -> one send's program records or nudges
  kProgram = 16,        // program partition | record kind | id -> the mentor program's state
  kChangelog = 17,      // local: partition -> changelog position and ownership of this copy
  kStores = 18,         // partition | store id | key -> a registered store's record (state_store.h)
};

inline constexpr size_t kFamilySlots = 19;  // ids 1..18, and RocksDB's "default" at 0

// What state format 3 changed in a family's values (state/format_upgrade.h upgrades older ones).
enum class Format3 : uint8_t {
  kUnchanged,         // they carried a version already
  kVersionPrepended,  // they start with a version byte; before, version 1's layout without it
  kMembersVersioned,  // values that were empty (set members) are the version byte alone
};

struct FamilyInfo {
  Family id;
  std::string_view name;
  bool mirrored;  // written to the changelog
  // Its keys are written once and deleted once, never written again (outbox entries numbered
  // per partition, segments named after the checkpoint that wrote them): every put is an insert
  // (ChangeBatch), so a key put and deleted between two materializations never needs a record
  // on the changelog.
  bool write_once = false;
  Format3 format3 = Format3::kVersionPrepended;
};

inline constexpr auto kVersioned = Format3::kUnchanged;
inline constexpr std::array<FamilyInfo, 18> kFamilies = {{
    {Family::kUsers, "users", true, false, kVersioned},
    {Family::kDaily, "daily", true},
    {Family::kRetention, "retention", true},
    {Family::kOffsets, "offsets", true},
    {Family::kMeta, "meta", true, false, kVersioned},
    {Family::kSessions, "sessions", true, true},
    {Family::kSessionDaily, "session_daily", true},
    {Family::kDedupe, "dedupe", true, true},
    {Family::kFeedbackDaily, "feedback_daily", true},
    {Family::kRevenueDaily, "revenue_daily", true},
    {Family::kFiguresDaily, "figures_daily", true},
    {Family::kCohortFigures, "cohort_figures", true},
    {Family::kSegmentDaily, "segment_daily", true},
    {Family::kTimers, "timers", true},
    {Family::kOutbox, "outbox", true, true},
    {Family::kProgram, "program", true, false, Format3::kMembersVersioned},
    {Family::kChangelog, "changelog", false, false, kVersioned},
    {Family::kStores, "stores", true, false, kVersioned},
}};

inline const FamilyInfo& family_info(Family f) {
  return kFamilies[static_cast<size_t>(f) - 1];
}

// The family with this id, if there is one (ids read from a changelog are checked with it).
inline std::optional<Family> family_of_id(uint8_t id) {
  if (id < 1 || id > kFamilies.size()) return std::nullopt;
  return static_cast<Family>(id);
}

}  // namespace engaged
