// Sessions: start, length, actions and day are those of the session's events, whatever order
// they arrive in: a scripted late start, and random sessions in shuffled order against counters
// recomputed from each session's final events.
#include "processors/sessions/session_processor.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <random>
#include <vector>

#include "app/zone_files.h"
#include "domain/timestamp.h"

namespace engaged {
namespace {

Event ev(EventType type, const char* ts) {
  Event e;
  e.user_id = "u";
  e.session_id = "s";
  e.type = type;
  e.ts_ms = *parse_rfc3339_ms(ts);
  return e;
}

TEST(SessionProcessor, LateStartMovesTheSessionToItsDayAndLengthBucket) {
  DayTable<SessionCounters> days;
  SessionState s;
  const TimeZone utc;
  const int32_t d1 = days_from_civil(2026, 6, 1), d2 = d1 + 1;
  SessionProcessor::process(days, s, ev(EventType::kAction, "2026-06-02T00:02:00Z"), utc);
  SessionProcessor::process(days, s, ev(EventType::kAction, "2026-06-02T00:03:00Z"), utc);
  EXPECT_EQ(days.find(d2)->sessions, 1);
  EXPECT_EQ(days.find(d2)->length[1], 1);  // 1 minute: bucket [1m, 5m)
  // The session_start arrives late, 20 minutes earlier, on the previous day.
  SessionProcessor::process(days, s, ev(EventType::kSessionStart, "2026-06-01T23:43:00Z"), utc);
  EXPECT_EQ(*days.find(d2), SessionCounters{});
  SessionCounters want{1, 2, 20 * 60000};
  want.length[3] = 1;  // 20 minutes: bucket [15m, 30m)
  EXPECT_EQ(*days.find(d1), want);
  // In Berlin the same session starts on June 2nd.
  DayTable<SessionCounters> berlin_days;
  SessionState b;
  const TimeZone berlin = load_time_zone("Europe/Berlin");
  SessionProcessor::process(berlin_days, b, ev(EventType::kSessionStart, "2026-06-01T23:43:00Z"),
                            berlin);
  EXPECT_EQ(berlin_days.find(d2)->sessions, 1);
}

TEST(SessionProcessor, CountersMatchTheFinalSessionsWhateverTheOrder) {
  std::mt19937_64 rng(2026);
  const TimeZone utc;
  const int64_t t0 = *parse_rfc3339_ms("2026-06-01T22:00:00Z");
  for (int round = 0; round < 50; ++round) {
    DayTable<SessionCounters> days;
    std::vector<SessionState> sessions(20);
    std::vector<std::pair<size_t, Event>> events;
    for (size_t i = 0; i < sessions.size(); ++i) {
      const int64_t start = t0 + static_cast<int64_t>(rng() % (6 * 3600000));  // across midnight
      const int n = 1 + static_cast<int>(rng() % 8);
      for (int k = 0; k < n; ++k) {
        Event e;
        e.type = rng() % 3 ? EventType::kAction : EventType::kSessionStart;
        e.ts_ms = start + static_cast<int64_t>(rng() % (90 * 60000));  // up to 90 minutes
        events.push_back({i, e});
      }
    }
    std::shuffle(events.begin(), events.end(), rng);
    std::map<int32_t, SessionCounters> want;
    std::vector<SessionState> final_state(sessions.size());
    for (const auto& [i, e] : events) {
      SessionProcessor::process(days, sessions[i], e, utc);
      SessionState& f = final_state[i];
      f.start_ms = f.known() ? std::min(f.start_ms, e.ts_ms) : e.ts_ms;
      f.end_ms = std::max(f.end_ms, e.ts_ms);
      f.actions += e.type == EventType::kAction;
    }
    for (const SessionState& f : final_state) {
      SessionCounters& c = want[utc.day_of(f.start_ms)];
      const int64_t length = f.end_ms - f.start_ms;
      ++c.sessions;
      c.actions += f.actions;
      c.duration_ms += length;
      ++c.length[static_cast<size_t>(
          std::upper_bound(kSessionLengthBoundsMs.begin(), kSessionLengthBoundsMs.end(), length) -
          kSessionLengthBoundsMs.begin())];
    }
    for (int32_t d = utc.day_of(t0) - 1; d <= utc.day_of(t0) + 2; ++d) {
      const SessionCounters* got = days.find(d);
      EXPECT_EQ(got ? *got : SessionCounters{}, want.count(d) ? want[d] : SessionCounters{})
          << "round " << round << " day " << d;
    }
  }
}

}  // namespace
}  // namespace engaged
