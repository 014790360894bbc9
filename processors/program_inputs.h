// The mentor program as seen from a user's own partition: everything about a user that only
// their events can tell. Keeps the per-user inputs (props, latest NPS, session lengths,
// high-intent actions, opened nudges, program entry), rescores churn risk, counts the uplift and
// nudge-open figures, and emits the program records the program stage needs
// (processors/program_record.h). Pure: state and event in, state and records out.
#pragma once

#include <array>
#include <string>
#include <vector>

#include "domain/event.h"
#include "processors/daily_aggregates.h"
#include "processors/day_figures.h"
#include "processors/program_record.h"
#include "processors/risk_tracker.h"

namespace engaged {

struct ProgramInputsConfig {
  int newcomer_days = 14;  // days since the cohort day within which a user is a newcomer
  // Recruitment: who may be invited to mentor.
  int mentor_min_tenure_days = 30;
  int mentor_min_active_days_30 = 12;
  int mentor_min_nps = 9;
  bool mentor_require_aha = true;
  int64_t mentor_eligible_every_ms = 30 * 86400000LL;
  // Sales leads: `intent_count` of the intent actions within `intent_window_ms`.
  std::vector<std::string> intent_actions = {"view_pricing"};
  int intent_count = 5;
  int64_t intent_window_ms = 3 * 86400000LL;
  int64_t lead_every_ms = 30 * 86400000LL;
  double holdout_share = 0.1;  // must equal the program stage's
};

// Nudge opens and returns seen by the events processed (published as Prometheus counters).
struct NudgeEffects {
  std::array<int64_t, kNudgeKindCount> opened{}, returns{};
};

class ProgramInputs {
 public:
  ProgramInputs(ProgramInputsConfig config, RiskConfig risk)
      : config_(std::move(config)), risk_(std::move(risk)) {}

  // For an accepted event already applied to `user` (activity `before` it): `day` and `now_ms`
  // are the partition's current day and stream time. `session_seconds`: a session_end's session
  // length (-1 otherwise); `key_actions_changed`: the event changed the aha key actions.
  // Appends records to `out`.
  void on_event(const Event& ev, const UserActivity& before, const UserActivity& user,
                UserProfile& profile, int32_t day, int64_t now_ms, int64_t session_seconds,
                bool key_actions_changed, const std::string_view user_id, const TimeZone& tz,
                DayTable<DayFigures>& figures, RiskCounts& counts, NudgeEffects& effects,
                std::vector<ProgramRecord>& out) const;
  // The user's silence timer is due: rescore as of `due_ms` (a day start).
  void on_timer(const UserActivity& user, UserProfile& profile, int64_t due_ms,
                std::string_view user_id, const TimeZone& tz, DayTable<DayFigures>& figures,
                RiskCounts& counts, std::vector<ProgramRecord>& out) const;
  // A user_deleted: takes the user out of the counts and tells the program.
  void on_deleted(const UserProfile& profile, std::string_view user_id, int64_t ts_ms,
                  RiskCounts& counts, std::vector<ProgramRecord>& out) const;

  const RiskTracker& risk() const { return risk_; }
  const ProgramInputsConfig& config() const { return config_; }

 private:
  void rescore(const UserActivity& user, UserProfile& profile, int32_t day, int64_t now_ms,
               std::string_view user_id, const TimeZone& tz, DayTable<DayFigures>& figures,
               RiskCounts& counts, std::vector<ProgramRecord>& out, bool project) const;
  void new_active_day(int32_t active_day, UserProfile& profile, std::string_view user_id,
                      int64_t ts_ms, const TimeZone& tz, DayTable<DayFigures>& figures,
                      NudgeEffects& effects, std::vector<ProgramRecord>& out) const;

  ProgramInputsConfig config_;
  RiskTracker risk_;
};

}  // namespace engaged
