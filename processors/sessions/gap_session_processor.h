// Sessions for apps that send no session ids: a user's `action` events without a session_id
// form sessions split wherever two consecutive ones are more than the inactivity gap apart
// (default 30 minutes). They feed the same session table as id-based sessions (day of the start,
// length, actions). A late event can extend a session or merge two; the processor subtracts the
// old sessions' contributions and adds the merged one, so any order gives the same table.
#pragma once

#include <cstdint>

#include "domain/event.h"
#include "domain/time_zone.h"
#include "processors/activity/daily_aggregates.h"
#include "processors/runtime/processor.h"
#include "processors/sessions/session_processor.h"
#include "processors/user_profile.h"

namespace engaged {

class GapSessionProcessor final : public Processor {
 public:
  explicit GapSessionProcessor(int64_t gap_ms) : gap_ms_(gap_ms) {}
  void process(ProcessorContext& ctx) override;
  // An accepted `action` without session_id. Sessions that ended before `horizon_ms - gap_ms`
  // (horizon: stream time minus the allowed lateness) are final and dropped from the user's state.
  static void process(DayTable<SessionCounters>& days, UserProfile& user, const Event& ev,
                      const TimeZone& tz, int64_t gap_ms, int64_t horizon_ms);

 private:
  int64_t gap_ms_;  // inactivity that ends a session
};

}  // namespace engaged
