// The nudge policy: what becomes of a decision of the mentor program. In order: a decision the
// recipient already got within its kind's re-eligibility period is suppressed (this is also the
// dedupe); a holdout decision is recorded, never delivered; one that falls in the recipient's
// quiet hours (their time zone) is deferred to the end of them; then the caps per local day and
// per rolling week drop an invite or a reward, counting every nudge delivered (matches and
// reminders count but are never dropped: the user must hear about their mentor). Sales leads go to
// the sales team: no holdout, no quiet hours, no caps. Pure: event time (the program's merged
// stream time) decides everything.
#pragma once

#include <array>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "domain/time_zone.h"
#include "processors/program/nudge.h"
#include "processors/tracked.h"

namespace engaged {

struct PolicyConfig {
  int daily_cap = 2;   // nudges delivered per local day and recipient
  int weekly_cap = 5;  // per rolling 7 days
  int quiet_start_minute = 22 * 60;
  int quiet_end_minute = 8 * 60;
  // Per kind (NudgeKind order): the same kind about the same subject again only after this.
  std::array<int64_t, kNudgeKindCount> reeligible_ms = {30 * 86400000LL, 7 * 86400000LL, 86400000LL,
                                                        30 * 86400000LL, 14 * 86400000LL};
};

// What the program decided, before the policy.
struct Decision {
  NudgeKind kind = NudgeKind::kMentorInvite;
  std::string recipient, subject;
  std::string tz;  // the recipient's time zone ("" = the pipeline's)
  int64_t decided_ms = 0;
  bool holdout = false;
  double risk = -1;
  bool risk_of_recipient = false;
  std::vector<std::pair<uint8_t, double>> reasons;
};

struct NudgeLogEntry {
  std::string nudge_id;
  NudgeKind kind = NudgeKind::kMentorInvite;
  NudgeOutcome outcome = NudgeOutcome::kSent;
  int64_t ms = 0;
  bool operator==(const NudgeLogEntry&) const = default;
};

struct RecipientPolicy {
  std::string tz;
  std::vector<int64_t> sent_ms;                 // deliveries in the last 7 days, ascending
  std::map<std::string, int64_t> last_decided;  // "kind|subject" -> time (re-eligibility)
  std::deque<NudgeLogEntry> log;                // the newest decisions (GET /v1/users/{id})
  bool operator==(const RecipientPolicy&) const = default;
};

struct PolicyState {
  TrackedMap<std::string, RecipientPolicy> recipients;
  TrackedMap<std::pair<int64_t, std::string>, Nudge> deferred;  // (deliver_ms, nudge_id)
  bool operator==(const PolicyState&) const = default;
};

struct PolicyOutput {
  std::vector<Nudge> nudges;  // to write to the nudges topic, in order
  std::array<std::array<int64_t, kNudgeOutcomeCount>, kNudgeKindCount> counts{};
};

// Recipients' zones by name, from the zones the shell loaded at start (no file is read while
// processing); an unknown name (a device's typo) falls back to the pipeline's zone.
class ZoneLookup {
 public:
  ZoneLookup(ZoneTable zones, TimeZone fallback)
      : zones_(std::move(zones)), fallback_(std::move(fallback)) {}
  const TimeZone& get(std::string_view name) const {
    const TimeZone* z = name.empty() ? nullptr : zones_.find(name);
    return z ? *z : fallback_;
  }
  const TimeZone& fallback() const { return fallback_; }  // the pipeline's zone

 private:
  ZoneTable zones_;
  TimeZone fallback_;
};

class NudgePolicy {
 public:
  static constexpr size_t kLogSize = 10;

  NudgePolicy(PolicyConfig config, const ZoneLookup& zones) : config_(config), zones_(zones) {}

  void decide(PolicyState& s, const Decision& d, PolicyOutput& out);
  // Delivers the deferred nudges due at or before `until`.
  void fire_due(PolicyState& s, int64_t until, PolicyOutput& out);
  // Kinds the caps may drop (mentor_invite, mentor_reward).
  static bool capped_kind(NudgeKind k);
  static int64_t next_due(const PolicyState& s) {
    return s.deferred.empty() ? INT64_MAX : s.deferred.begin()->first.first;
  }
  // Forgets a deleted user: their history and undelivered nudges.
  static void forget(PolicyState& s, const std::string& user);
  // Drops recipients with nothing left to remember as of `now_ms`; due once per day of the
  // pipeline's zone (the day every figure uses), when `now_ms` starts a day `last_ms` is not in.
  bool sweep_due(int64_t last_ms, int64_t now_ms) const {
    const TimeZone& day = zones_.fallback();
    return last_ms != INT64_MIN && day.day_of(now_ms) != day.day_of(last_ms);
  }
  void sweep(PolicyState& s, int64_t now_ms) const;

  const PolicyConfig& config() const { return config_; }

 private:
  // Caps, then delivery: the last step of a decision, now or at the end of quiet hours.
  void deliver(PolicyState& s, Nudge n, int64_t now_ms, PolicyOutput& out);
  void log(RecipientPolicy& r, const Nudge& n, NudgeOutcome o, int64_t ms, PolicyOutput& out);
  const TimeZone& zone(const RecipientPolicy& r);

  PolicyConfig config_;
  const ZoneLookup& zones_;
};

}  // namespace engaged
