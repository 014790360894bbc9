// The mentor program (product notes: recruit, match, support, reward, guard), as a pure function
// of (program state, merged record) -> (program state', decisions). It sees every user's program
// records in the merged order of processors/program/program_merge.h and event time only: the
// record's order time is "now" for SLAs and timers.
//   recruit: an eligible user (kMentorEligible) who was never reported gets a mentor_invite;
//   match:   an at-risk newcomer gets one mentor: same language, most topic overlap, capacity
//            left, then best first-response time, best rating, least load, stable hash;
//            never a blocked or suspended one; both get a mentor_match; no mentor: they wait;
//   support: no mentor_message to the mentee within the SLA: mentor_reminder; after a second
//            SLA the mentee is matched again, elsewhere;
//   reward:  a mentee still active 30 days after entering earns an answering mentor a reward;
//   guard:   reports from `report_threshold` distinct users suspend a mentor, whose mentees
//            are matched again.
// Holdout mentees get the same decisions marked holdout, and use no mentor's capacity.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "processors/program/nudge_policy.h"
#include "processors/program/program_record.h"
#include "processors/tracked.h"

namespace engaged {

struct MentorProgramConfig {
  int64_t sla_ms = 24 * 3600000LL;         // first answer expected within this
  int report_threshold = 3;                // distinct reporters that suspend a mentor
  int default_capacity = 3;                // mentees at once when the opt-in names none
  int64_t wait_max_ms = 14 * 86400000LL;   // a mentee waits this long for capacity at most
  int64_t match_max_ms = 37 * 86400000LL;  // a match ends after this (or at the reward)
  double holdout_share = 0.1;              // of mentees (mentoring) and invitees (recruitment)
};

struct MentorStats {
  int64_t rating_sum = 0, ratings = 0;
  int64_t response_s_sum = 0, responses = 0;  // first answers to mentees
  bool operator==(const MentorStats&) const = default;
};

struct Mentor {
  std::vector<std::string> languages, topics;
  int32_t capacity = 0;
  std::string tz;
  bool opted_in = false, suspended = false;
  MentorStats stats;
  std::set<std::string> mentees;  // current matches
  bool operator==(const Mentor&) const = default;
};

// Who a mentee is, as the at-risk record described them.
struct MenteeInfo {
  std::string language, tz;
  std::vector<std::string> topics;
  double risk = 0;
  std::vector<std::pair<uint8_t, double>> reasons;
  bool operator==(const MenteeInfo&) const = default;
};

enum class MatchStage : uint8_t { kAwaitingAnswer, kReminded, kAnswered };

struct Match {
  std::string mentor;
  int64_t matched_ms = 0;
  MatchStage stage = MatchStage::kAwaitingAnswer;
  MenteeInfo mentee;
  std::vector<std::string> tried;  // mentors this mentee had before (not matched again)
  bool operator==(const Match&) const = default;
};

struct Waiting {
  int64_t since_ms = 0;
  MenteeInfo mentee;
  std::vector<std::string> tried;
  bool operator==(const Waiting&) const = default;
};

enum class ProgramTimer : uint8_t { kSlaReminder, kSlaRematch, kMatchEnd, kWaitExpire };

struct TimerKey {
  int64_t due_ms;
  ProgramTimer kind;
  std::string user;  // the mentee
  int64_t token;     // matched_ms / since_ms of the state it was set for (stale otherwise)
  auto operator<=>(const TimerKey&) const = default;
};

// Lookups derived from the state (rebuilt after loading, not stored): the open mentors (opted
// in, not suspended, below capacity: the only ones a match may pick) all and by the languages
// they speak, and waiting mentees by their language in first-come order ("" = language unknown).
// Matching scans the open mentors only: most mentors are full most of the time.
struct ProgramIndexes {
  std::map<std::string, const Mentor*> open_mentors;
  std::map<std::string, std::map<std::string, const Mentor*>> open_by_language;
  std::map<std::string, std::set<std::pair<int64_t, std::string>>> waiting_by_language;
};

// Every container remembers the keys it changed: the state is stored per changed key.
struct ProgramState {
  TrackedMap<std::string, Mentor> mentors;
  TrackedMap<std::string, Match> matches;                    // by mentee
  TrackedMap<std::string, Waiting> waiting;                  // by mentee
  TrackedSet<std::pair<std::string, std::string>> blocks;    // (lower id, higher id)
  TrackedMap<std::string, std::set<std::string>> reporters;  // reported user -> reporters
  TrackedMap<std::string, int64_t> holdout_decided;          // holdout mentee -> time
  TrackedSet<TimerKey> timers;
  PolicyState policy;
  int64_t now_ms = INT64_MIN;  // order time of the newest record processed
  ProgramIndexes index;
  // The stored state; the derived index is not compared.
  bool operator==(const ProgramState& o) const {
    return std::tie(mentors, matches, waiting, blocks, reporters, holdout_decided, timers, policy,
                    now_ms) == std::tie(o.mentors, o.matches, o.waiting, o.blocks, o.reporters,
                                        o.holdout_decided, o.timers, o.policy, o.now_ms);
  }
};

// Recomputes `s.index` from the rest of the state.
void rebuild_indexes(ProgramState& s);

// What the program did besides its decisions, for the metrics.
struct ProgramEffects {
  std::vector<double> first_response_s;  // mentors' first answers
  int64_t sla_breaches = 0;              // reminders decided
  int64_t matches = 0, rematches = 0;
};

class MentorProgram {
 public:
  MentorProgram(MentorProgramConfig config, NudgePolicy& policy)
      : config_(config), policy_(policy) {}

  // Processes one merged record at order time `now_ms`: first every timer due by then.
  void process(ProgramState& s, const ProgramRecord& r, int64_t now_ms, PolicyOutput& out,
               ProgramEffects& fx);
  // Fires the program's and the policy's timers due at or before `until`, in time order.
  void advance(ProgramState& s, int64_t until, PolicyOutput& out, ProgramEffects& fx);

  const MentorProgramConfig& config() const { return config_; }

 private:
  void on_record(ProgramState& s, const ProgramRecord& r, PolicyOutput& out, ProgramEffects& fx);
  void fire(ProgramState& s, const TimerKey& t, PolicyOutput& out, ProgramEffects& fx);
  // Finds a mentor for `mentee` or puts them on the waiting list.
  void match_or_wait(ProgramState& s, const std::string& mentee, MenteeInfo info,
                     std::vector<std::string> tried, int64_t waiting_since, PolicyOutput& out,
                     ProgramEffects& fx);
  // The best open mentor for `mentee`, or none.
  const std::string* best_mentor(const ProgramState& s, const std::string& mentee,
                                 const MenteeInfo& info,
                                 const std::vector<std::string>& tried) const;
  // Ends the mentee's match; if `rematch`, looks for another mentor.
  void release(ProgramState& s, const std::string& mentee, bool rematch, PolicyOutput& out,
               ProgramEffects& fx);
  void release_all(ProgramState& s, const std::string& mentor, PolicyOutput& out,
                   ProgramEffects& fx);
  // Gives `mentor`'s free capacity to the mentees waiting longest who can take them.
  void serve_waiting(ProgramState& s, const std::string& mentor, PolicyOutput& out,
                     ProgramEffects& fx);
  void add_waiting(ProgramState& s, const std::string& mentee, Waiting w);
  void erase_waiting(ProgramState& s, const std::string& mentee);
  void set_languages(ProgramState& s, const std::string& mentor, std::vector<std::string> langs);
  void decide(ProgramState& s, NudgeKind kind, const std::string& recipient,
              const std::string& subject, const std::string& tz, bool holdout,
              const MenteeInfo* info, PolicyOutput& out, bool subject_is_mentor = false);
  bool blocked(const ProgramState& s, const std::string& a, const std::string& b) const;

  MentorProgramConfig config_;
  NudgePolicy& policy_;
};

}  // namespace engaged
