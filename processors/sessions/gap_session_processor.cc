// Gap sessions are kept sorted and more than the gap apart, so an event touches a contiguous run
// of them: it joins every session within the gap of it. Subtracting those sessions' contributions
// and adding the merged one keeps the session table exact under any arrival order.
#include "processors/sessions/gap_session_processor.h"

#include <algorithm>

#include "processors/partition_aggregates.h"

namespace engaged {

void GapSessionProcessor::process(DayTable<SessionCounters>& days, UserProfile& user,
                                  const Event& ev, const TimeZone& tz, int64_t gap_ms,
                                  int64_t horizon_ms) {
  auto& sessions = user.gap_sessions;
  const int64_t t = ev.ts_ms;
  // [first, last): the sessions within the gap of t (ends are ordered like starts).
  auto first =
      std::lower_bound(sessions.begin(), sessions.end(), t,
                       [&](const GapSession& s, int64_t x) { return s.end_ms + gap_ms < x; });
  auto last = std::find_if(first, sessions.end(),
                           [&](const GapSession& s) { return s.start_ms - gap_ms > t; });
  GapSession merged{t, t, 1};
  for (auto it = first; it != last; ++it) {
    count_session(days, it->start_ms, it->end_ms, it->actions, tz, -1);
    merged.start_ms = std::min(merged.start_ms, it->start_ms);
    merged.end_ms = std::max(merged.end_ms, it->end_ms);
    merged.actions += it->actions;
  }
  count_session(days, merged.start_ms, merged.end_ms, merged.actions, tz, +1);
  sessions.insert(sessions.erase(first, last), merged);
  // An accepted event is at or after the horizon, so it cannot join a session that ended more
  // than the gap before it: those are final.
  sessions.erase(sessions.begin(),
                 std::find_if(sessions.begin(), sessions.end(), [&](const GapSession& s) {
                   return s.end_ms >= horizon_ms - gap_ms;
                 }));
}

void GapSessionProcessor::process(ProcessorContext& ctx) {
  const Event& ev = ctx.event();
  if (ev.type != EventType::kAction || !ev.session_id.empty()) return;
  process(ctx.tables().sessions, ctx.profile(), ev, ctx.time_zone(), gap_ms_, ctx.horizon_ms());
  ctx.tables().forgotten += forget_oldest(ctx.profile().gap_sessions);
}

}  // namespace engaged
