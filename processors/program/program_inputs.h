// The mentor program as seen from a user's own partition: everything about a user that only
// their events can tell. Keeps the per-user inputs (props, latest NPS, session lengths,
// high-intent actions, opened nudges, program entry), rescores churn risk, counts the uplift and
// nudge-open figures, and emits the program records the program stage needs
// (processors/program/program_record.h).
#pragma once

#include <array>
#include <string>
#include <vector>

#include "domain/event.h"
#include "processors/activity/daily_aggregates.h"
#include "processors/day_figures.h"
#include "processors/program/program_record.h"
#include "processors/program/risk_tracker.h"
#include "processors/runtime/processor.h"

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

class ProgramInputs final : public Processor {
 public:
  ProgramInputs(ProgramInputsConfig config, RiskConfig risk)
      : config_(std::move(config)), risk_(std::move(risk)) {}

  // An accepted event already applied to the user: their inputs and risk score, the uplift and
  // nudge figures; a user_deleted takes the user out of the counts and tells the program.
  void process(ProcessorContext& ctx) override;
  // A clock record for every hour of stream time, so the program stage's time moves on even
  // where no record of its own arrives.
  void punctuate(ProcessorContext& ctx, int64_t before_ms) override;
  // The user's silence timer is due: rescore as of `due_ms` (a day start).
  void on_timer(ProcessorContext& ctx, int64_t due_ms) override;

  const RiskTracker& risk() const { return risk_; }
  const ProgramInputsConfig& config() const { return config_; }

 private:
  // `day` and `now_ms`: the partition's current day and stream time (or the timer's).
  void rescore(ProcessorContext& ctx, int32_t day, int64_t now_ms, bool project) const;
  void new_active_day(ProcessorContext& ctx, int32_t active_day) const;

  ProgramInputsConfig config_;
  RiskTracker risk_;
};

}  // namespace engaged
