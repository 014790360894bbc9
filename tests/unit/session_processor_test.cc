// Sessions: start, length, actions and day are those of the session's events, whatever order
// they arrive in.
#include "processors/sessions/session_processor.h"

#include <gtest/gtest.h>

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

}  // namespace
}  // namespace engaged
