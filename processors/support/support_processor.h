// Support response time: a `support_ticket` opens a ticket (by ticket id, per user), the first
// `support_reply` for it answers it. Per day the ticket was opened: tickets, answered ones, the
// response-time histogram, answered within 1 hour, and the still unanswered ones by hour opened
// (for "open tickets older than the SLA"). Earliest times win, so any order gives the same result.
#pragma once

#include <cstdint>

#include "domain/event.h"
#include "domain/time_zone.h"
#include "processors/activity/daily_aggregates.h"
#include "processors/day_figures.h"
#include "processors/runtime/processor.h"
#include "processors/user_profile.h"

namespace engaged {

class SupportProcessor final : public Processor {
 public:
  void process(ProcessorContext& ctx) override;
  // An accepted `support_ticket` or `support_reply`. Tickets that no accepted event can change
  // any more (opened and answered before `horizon_ms`, the stream time minus the allowed
  // lateness) are dropped from the user's state; a ticket id seen again after that opens a new
  // ticket.
  static void process(DayTable<DayFigures>& days, UserProfile& user, const Event& ev,
                      const TimeZone& tz, int64_t horizon_ms);
};

// Tickets still unanswered that were opened before `cutoff_ms` (hour resolution: an hour counts
// when it ended at or before the cutoff), over the days in `days`.
int64_t unanswered_before(const DayTable<DayFigures>& days, int32_t first_day, int32_t last_day,
                          int64_t cutoff_ms, const TimeZone& tz);

}  // namespace engaged
