// The aha moment. (a) Reach: a user reaches it when they have done the configured key action
// `count` times within `within_days` days of the start of their cohort day; per cohort we count
// those users and the hour (since the cohort day began) in which they reached it, for the median.
// (b) Discovery, as in Amplitude Compass: for each candidate action and k = 1..5, the users who
// did it at least k times in days 0..6 of their cohort, and how many of those were active in
// week 2 (days 7..13), from which the report ranks candidates by phi, PPV and share.
// Both are functions of the user's cohort day, active days and key/candidate action times, so
// the processor subtracts the user's old contribution and adds the new one.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "domain/event.h"
#include "domain/time_zone.h"
#include "processors/activity/daily_aggregates.h"
#include "processors/cohort_figures.h"
#include "processors/runtime/processor.h"
#include "processors/user_activity.h"
#include "processors/user_profile.h"

namespace engaged {

struct AhaConfig {
  std::string key_action;               // action name; empty disables reach
  int count = 3;                        // times the key action must be done (1..16)
  int within_days = 7;                  // ... within this many days of the cohort day (1..30)
  std::vector<std::string> candidates;  // discovery candidates (action names, at most 32)
};

class AhaProcessor final : public Processor {
 public:
  void process(ProcessorContext& ctx) override;
  explicit AhaProcessor(AhaConfig config) : config_(std::move(config)) {}

  // Call for every accepted event, after the activity processor: `before` and `after` are the
  // user's activity before and after the event.
  void process(DayTable<CohortFigures>& cohorts, UserProfile& user, const UserActivity& before,
               const UserActivity& after, const Event& ev, const TimeZone& tz) const;

  const AhaConfig& config() const { return config_; }

 private:
  AhaConfig config_;
};

// One line of `engaged report aha`: candidate `name` done at least `k` times in the first week.
struct DiscoveryRow {
  std::string name;
  int k = 0;
  int64_t users = 0;          // cohort users who did it at least k times
  int64_t retained = 0;       // ... of whom active in week 2
  double share = 0, ppv = 0;  // users / cohort users; retained / users
  double phi = 0;             // correlation of "did >= k" with "active in week 2"
};

// Discovery rows from cohort figures summed over complete cohorts (cohort_users: their sizes),
// ranked by phi descending (ties: name, k).
std::vector<DiscoveryRow> rank_discovery(const CohortFigures& summed, int64_t cohort_users,
                                         const std::vector<std::string>& candidates);

// Median hour to reach the aha moment from hours_to_aha (lower median); -1 if nobody reached it.
int64_t median_hours_to_aha(const std::vector<int64_t>& hours_to_aha);

}  // namespace engaged
