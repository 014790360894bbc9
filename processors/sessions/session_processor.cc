// Subtract the session's old contribution, add the new one: the same idea as activity.
#include "processors/sessions/session_processor.h"

#include <algorithm>

#include "processors/partition_aggregates.h"

namespace engaged {

namespace {

size_t length_bucket(int64_t length_ms) {
  return static_cast<size_t>(
      std::upper_bound(kSessionLengthBoundsMs.begin(), kSessionLengthBoundsMs.end(), length_ms) -
      kSessionLengthBoundsMs.begin());
}

}  // namespace

void count_session(DayTable<SessionCounters>& days, int64_t start_ms, int64_t end_ms,
                   int64_t actions, const TimeZone& tz, int sign) {
  const int64_t length = end_ms - start_ms;
  SessionCounters& c = days.mutable_day(tz.day_of(start_ms));
  c.sessions += sign;
  c.actions += sign * actions;
  c.duration_ms += sign * length;
  c.length[length_bucket(length)] += sign;
}

std::string_view session_length_bucket_name(int bucket) {
  static constexpr std::string_view kNames[] = {"lt_1m",   "1m_5m",   "5m_15m",
                                                "15m_30m", "30m_60m", "ge_60m"};
  return kNames[bucket];
}

SessionCounters& SessionCounters::operator+=(const SessionCounters& o) {
  sessions += o.sessions;
  actions += o.actions;
  duration_ms += o.duration_ms;
  for (size_t i = 0; i < length.size(); ++i) length[i] += o.length[i];
  return *this;
}

void SessionProcessor::process(DayTable<SessionCounters>& days, SessionState& session,
                               const Event& ev, const TimeZone& tz) {
  const SessionState before = session;
  if (!session.known()) {
    session.start_ms = session.end_ms = ev.ts_ms;
  } else {
    session.start_ms = std::min(session.start_ms, ev.ts_ms);
    session.end_ms = std::max(session.end_ms, ev.ts_ms);
  }
  if (ev.type == EventType::kAction) ++session.actions;
  if (!before.known() || before.start_ms != session.start_ms) {  // maybe another day's row
    if (before.known()) count_session(days, before.start_ms, before.end_ms, before.actions, tz, -1);
    count_session(days, session.start_ms, session.end_ms, session.actions, tz, +1);
    return;
  }
  // The usual event: the same start, so the same day's row, changed by the difference alone.
  SessionCounters& c = days.mutable_day(tz.day_of(session.start_ms));
  c.actions += session.actions - before.actions;
  const int64_t was = before.end_ms - before.start_ms, is = session.end_ms - session.start_ms;
  c.duration_ms += is - was;
  const size_t from = length_bucket(was), to = length_bucket(is);
  if (from != to) {
    --c.length[from];
    ++c.length[to];
  }
}

void SessionProcessor::expire(std::vector<IdSession>& sessions, int64_t horizon_ms) {
  std::erase_if(sessions, [&](const IdSession& s) { return s.state.end_ms < horizon_ms; });
}

SessionState& SessionProcessor::session(std::vector<IdSession>& sessions, const IdKey& key,
                                        int64_t horizon_ms, const LegacyWindows& legacy) {
  expire(sessions, horizon_ms);
  for (IdSession& s : sessions)
    if (s.key == key.lo) return s.state;
  const SessionState* older = legacy.session(key, horizon_ms);
  sessions.push_back({key.lo, older ? *older : SessionState{}});
  return sessions.back().state;
}

// A user_deleted event's session is not opened: the user's state is leaving.
void SessionProcessor::process(ProcessorContext& ctx) {
  const Event& ev = ctx.event();
  if (ev.session_id.empty() || ev.type == EventType::kUserDeleted) return;
  SessionState& session =
      SessionProcessor::session(ctx.profile().sessions, id_key(ctx.user_id(), ev.session_id),
                                ctx.horizon_ms() - kSessionFinalAfterMs, ctx.tables().legacy);
  process(ctx.tables().sessions, session, ev, ctx.time_zone());
  if (ev.type == EventType::kSessionEnd)
    ctx.facts().session_seconds = (session.end_ms - session.start_ms) / 1000;
  ctx.tables().forgotten += forget_oldest(ctx.profile().sessions);  // `session` moves here
}

}  // namespace engaged
