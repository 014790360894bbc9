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
#include <vector>

#include "domain/time_zone.h"
#include "processors/nudge.h"
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

// Time zones by name, loaded once by the shell's loader; unknown names fall back.
class ZoneCache {
 public:
  using Loader = std::function<TimeZone(const std::string&)>;
  ZoneCache(Loader loader, TimeZone fallback)
      : loader_(std::move(loader)), fallback_(std::move(fallback)) {}
  const TimeZone& get(const std::string& name);

 private:
  Loader loader_;
  TimeZone fallback_;
  std::map<std::string, TimeZone, std::less<>> zones_;
};

class NudgePolicy {
 public:
  static constexpr size_t kLogSize = 10;

  NudgePolicy(PolicyConfig config, ZoneCache& zones) : config_(config), zones_(zones) {}

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
  // Drops recipients with nothing left to remember as of `now_ms`.
  void sweep(PolicyState& s, int64_t now_ms) const;

  const PolicyConfig& config() const { return config_; }

 private:
  // Caps, then delivery: the last step of a decision, now or at the end of quiet hours.
  void deliver(PolicyState& s, Nudge n, int64_t now_ms, PolicyOutput& out);
  void log(RecipientPolicy& r, const Nudge& n, NudgeOutcome o, int64_t ms, PolicyOutput& out);
  const TimeZone& zone(const RecipientPolicy& r);

  PolicyConfig config_;
  ZoneCache& zones_;
};

}  // namespace engaged
