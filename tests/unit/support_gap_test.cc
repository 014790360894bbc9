// Support tickets and inactivity-gap sessions: scripted cases with exact figures, and a property
// test that any arrival order (with late events rejected as the pipeline does) gives the figures
// recomputed directly from the definitions.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "app/zone_files.h"
#include "processors/sessions/gap_session_processor.h"
#include "processors/support/support_processor.h"

namespace engaged {
namespace {

constexpr int64_t kMin = 60000, kHour = 3600000, kDay = 24 * kHour;
constexpr int64_t kJune1 = 1780272000000;  // 2026-06-01T00:00:00Z
constexpr int32_t kJune1Day = 20605;
constexpr int64_t kGap = 30 * kMin;
constexpr int64_t kNoHorizon = INT64_MIN / 2;

Event ev(EventType type, int64_t ts, std::string_view ticket = "t1") {
  Event e;
  e.user_id = "u";
  e.type = type;
  e.ts_ms = ts;
  e.ticket_id = ticket;
  return e;
}

struct Support {
  DayTable<DayFigures> days;
  UserProfile user;
  TimeZone tz;
  void operator()(EventType type, int64_t ts, std::string_view ticket = "t1",
                  int64_t horizon = kNoHorizon) {
    SupportProcessor::process(days, user, ev(type, ts, ticket), tz, horizon);
  }
  DayFigures day(int32_t d) const { return days.find(d) ? *days.find(d) : DayFigures{}; }
};

DayFigures answered(int64_t response_ms, int bucket) {
  DayFigures f;
  f.tickets_opened = 1;
  f.tickets_answered = 1;
  f.answered_within_1h = response_ms <= kHour;
  f.response_ms = response_ms;
  f.response_time[static_cast<size_t>(bucket)] = 1;
  return f;
}

TEST(SupportProcessor, TicketAnsweredAfter30Minutes) {
  Support s;
  s(EventType::kSupportTicket, kJune1 + 10 * kHour);
  s(EventType::kSupportReply, kJune1 + 10 * kHour + 30 * kMin);
  s(EventType::kSupportReply, kJune1 + 12 * kHour);     // a later reply changes nothing
  EXPECT_EQ(s.day(kJune1Day), answered(30 * kMin, 2));  // bucket [15m, 1h)
}

TEST(SupportProcessor, TicketAnsweredAfter2Hours) {
  Support s;
  s(EventType::kSupportTicket, kJune1 + 10 * kHour);
  s(EventType::kSupportReply, kJune1 + 12 * kHour);
  EXPECT_EQ(s.day(kJune1Day), answered(2 * kHour, 3));  // bucket [1h, 4h), not within 1 hour
}

TEST(SupportProcessor, ReplyBeforeItsTicketCountsOnceTheTicketComes) {
  Support s;
  s(EventType::kSupportReply, kJune1 + 10 * kHour + 4 * kMin);
  EXPECT_EQ(s.days.find(kJune1Day), nullptr);  // no ticket, no contribution
  s(EventType::kSupportTicket, kJune1 + 10 * kHour);
  EXPECT_EQ(s.day(kJune1Day), answered(4 * kMin, 0));
  // A re-sent ticket event earlier moves the opening time: 1 hour exactly is within 1 hour.
  s(EventType::kSupportTicket, kJune1 + 9 * kHour + 4 * kMin);
  EXPECT_EQ(s.day(kJune1Day), answered(kHour, 3));
  // A reply timed before its ticket is a response time of 0.
  s(EventType::kSupportTicket, kJune1 + 9 * kHour, "t2");
  s(EventType::kSupportReply, kJune1 + 8 * kHour, "t2");
  DayFigures want = answered(kHour, 3);
  want.tickets_opened = want.tickets_answered = want.answered_within_1h = 2;
  want.response_time[0] = 1;
  EXPECT_EQ(s.day(kJune1Day), want);
}

TEST(SupportProcessor, UnansweredCountsByHourOpenedUntilAnswered) {
  Support s;
  s(EventType::kSupportTicket, kJune1 + 13 * kHour + 20 * kMin);
  s(EventType::kSupportTicket, kJune1 + 23 * kHour + 59 * kMin, "t2");
  DayFigures want;
  want.tickets_opened = 2;
  want.unanswered_by_hour[13] = 1;
  want.unanswered_by_hour[23] = 1;
  EXPECT_EQ(s.day(kJune1Day), want);
  s(EventType::kSupportReply, kJune1 + 2 * kDay);  // answers t1 on the day it was opened
  want = answered(2 * kDay - 13 * kHour - 20 * kMin, 5);
  want.tickets_opened = 2;
  want.unanswered_by_hour[23] = 1;
  EXPECT_EQ(s.day(kJune1Day), want);
  EXPECT_EQ(s.days.find(kJune1Day + 2), nullptr);
  // In Berlin (UTC+2 in June) 22:30Z is half past midnight on June 2nd.
  Support b;
  b.tz = load_time_zone("Europe/Berlin");
  b(EventType::kSupportTicket, kJune1 + 22 * kHour + 30 * kMin);
  EXPECT_EQ(b.day(kJune1Day + 1).unanswered_by_hour[0], 1);
}

TEST(SupportProcessor, UnansweredBeforeCountsHoursEndedByTheCutoff) {
  Support s;
  s(EventType::kSupportTicket, kJune1 + 13 * kHour + 20 * kMin);
  s(EventType::kSupportTicket, kJune1 + kDay + 1 * kHour, "t2");
  auto before = [&](int64_t cutoff) {
    return unanswered_before(s.days, kJune1Day - 1, kJune1Day + 3, cutoff, s.tz);
  };
  EXPECT_EQ(before(kJune1 + 14 * kHour - 1), 0);
  EXPECT_EQ(before(kJune1 + 14 * kHour), 1);
  EXPECT_EQ(before(kJune1 + kDay + 2 * kHour - 1), 1);
  EXPECT_EQ(before(kJune1 + kDay + 2 * kHour), 2);
  EXPECT_EQ(unanswered_before(s.days, kJune1Day + 1, kJune1Day + 1, kJune1 + 9 * kDay, s.tz), 1);
}

TEST(SupportProcessor, DropsOnlyTicketsNoAcceptedEventCanChange) {
  Support s;
  s(EventType::kSupportTicket, kJune1);
  s(EventType::kSupportReply, kJune1 + kHour);
  s(EventType::kSupportTicket, kJune1 + kHour, "open");
  s(EventType::kSupportReply, kJune1, "orphan");
  ASSERT_EQ(s.user.tickets.size(), 3u);
  // Horizon right after the reply: t1 is final; the open ticket and the orphan reply stay.
  s(EventType::kSupportTicket, kJune1 + 2 * kHour, "t3", kJune1 + kHour + 1);
  EXPECT_EQ(s.user.tickets.size(), 3u);
  // 90 days later the orphan reply goes (and t3, now answered); the open ticket stays.
  s(EventType::kSupportReply, kJune1 + 90 * kDay + 1, "t3", kJune1 + 90 * kDay + 2);
  ASSERT_EQ(s.user.tickets.size(), 1u);
  EXPECT_EQ(s.user.tickets[0].replied_ms, INT64_MIN);
  // A ticket timed after its reply stays until its opening time is before the horizon too.
  Support r;
  r(EventType::kSupportReply, kJune1);
  r(EventType::kSupportTicket, kJune1 + 2 * kHour, "t1", kJune1 + kHour);
  r(EventType::kSupportTicket, kJune1 + 90 * kMin, "t1", kJune1 + kHour);
  EXPECT_EQ(r.day(kJune1Day), answered(0, 0));
}

struct Gap {
  DayTable<SessionCounters> days;
  UserProfile user;
  TimeZone tz;
  void operator()(int64_t ts, int64_t horizon = kNoHorizon) {
    GapSessionProcessor::process(days, user, ev(EventType::kAction, ts), tz, kGap, horizon);
  }
  SessionCounters day(int32_t d) const { return days.find(d) ? *days.find(d) : SessionCounters{}; }
};

SessionCounters sessions(int64_t n, int64_t actions, int64_t duration_ms,
                         std::vector<int> buckets) {
  SessionCounters c{n, actions, duration_ms};
  for (int b : buckets) ++c.length[static_cast<size_t>(b)];
  return c;
}

TEST(GapSessionProcessor, ActionsWithinTheGapFormOneSession) {
  Gap g;
  const int64_t t = kJune1 + 9 * kHour;
  for (int64_t ts : {t, t + 10 * kMin, t + 20 * kMin}) g(ts);
  EXPECT_EQ(g.day(kJune1Day), sessions(1, 3, 20 * kMin, {3}));  // [15m, 30m)
  g(t + 50 * kMin);                                             // exactly 30 minutes later
  EXPECT_EQ(g.day(kJune1Day), sessions(1, 4, 50 * kMin, {4}));
}

TEST(GapSessionProcessor, A31MinuteGapSplits) {
  Gap g;
  const int64_t t = kJune1 + 9 * kHour;
  g(t);
  g(t + 31 * kMin);
  EXPECT_EQ(g.day(kJune1Day), sessions(2, 2, 0, {0, 0}));
  EXPECT_EQ(g.user.gap_sessions.size(), 2u);
}

TEST(GapSessionProcessor, ALateEventInTheMiddleMergesTwoSessions) {
  Gap g;
  const int64_t t = kJune1 + 23 * kHour + 40 * kMin;
  for (int64_t ts : {t + 70 * kMin, t + 80 * kMin, t, t + 10 * kMin}) g(ts);
  EXPECT_EQ(g.day(kJune1Day), sessions(1, 2, 10 * kMin, {2}));
  EXPECT_EQ(g.day(kJune1Day + 1), sessions(1, 2, 10 * kMin, {2}));
  g(t + 40 * kMin);  // 30 minutes from both
  EXPECT_EQ(g.day(kJune1Day), sessions(1, 5, 80 * kMin, {5}));
  EXPECT_EQ(g.day(kJune1Day + 1), SessionCounters{});
  ASSERT_EQ(g.user.gap_sessions.size(), 1u);
  EXPECT_EQ(g.user.gap_sessions[0], (GapSession{t, t + 80 * kMin, 5}));
}

TEST(GapSessionProcessor, DropsSessionsNoAcceptedEventCanJoin) {
  Gap g;
  g(kJune1);
  g(kJune1 + kHour);
  g(kJune1 + 3 * kHour, kJune1 + kGap);  // the first session can still take an event at +30m
  EXPECT_EQ(g.user.gap_sessions.size(), 3u);
  g(kJune1 + 3 * kHour, kJune1 + kGap + 1);
  EXPECT_EQ(g.user.gap_sessions.size(), 2u);
  EXPECT_EQ(g.day(kJune1Day), sessions(3, 4, 0, {0, 0, 0}));
}

// Recomputation from the definitions over the accepted events of each user.
struct Raw {
  int user;
  EventType type;
  int64_t ts;
  int ticket;
};

TEST(SupportAndGapSessions, AnyOrderGivesTheFiguresOfTheDefinitions) {
  const std::string kTickets[] = {"a", "b", "c", "d"};
  const TimeZone berlin = load_time_zone("Europe/Berlin");
  const int64_t start = 1792800000000;  // 2026-10-24T00:00:00Z; Berlin falls back on the 25th
  std::mt19937_64 rng(7);
  auto uniform = [&](int64_t lo, int64_t hi) {
    return std::uniform_int_distribution<int64_t>(lo, hi)(rng);
  };
  for (int iter = 0; iter < 2000; ++iter) {
    const TimeZone& tz = iter % 2 ? berlin : TimeZone();
    const int users = static_cast<int>(uniform(1, 3));
    const int64_t lateness = iter % 3 ? uniform(0, 24) * 5 * kMin : 3 * kDay;
    const int64_t span_hours = iter % 5 ? 6 : 60;
    std::vector<Raw> raw;
    for (int i = 0, n = static_cast<int>(uniform(1, 40)); i < n; ++i) {
      const int kind = static_cast<int>(uniform(0, 3));
      const auto type = kind == 0   ? EventType::kSupportTicket
                        : kind == 1 ? EventType::kSupportReply
                                    : EventType::kAction;
      // On a 5-minute grid (so often exactly the gap apart) over 4 hours or 2.5 days.
      const int64_t ts = start + uniform(0, span_hours * 12) * 5 * kMin +
                         (uniform(0, 9) == 0 ? uniform(0, 59999) : 0);
      raw.push_back(
          {static_cast<int>(uniform(0, users - 1)), type, ts, static_cast<int>(uniform(0, 3))});
    }
    // A ticket id that comes back after its ticket was answered and dropped opens a new ticket;
    // the definitions below know one ticket per id, so ticket times here are never after the
    // first reply (a reply before its ticket has a scripted case).
    std::erase_if(raw, [&](const Raw& t) {
      return t.type == EventType::kSupportTicket &&
             std::any_of(raw.begin(), raw.end(), [&](const Raw& r) {
               return r.type == EventType::kSupportReply && r.user == t.user &&
                      r.ticket == t.ticket && r.ts < t.ts;
             });
    });
    // Any order, or a stream time that sweeps through the events (nearly in order, some late
    // beyond the allowed lateness): then sessions and tickets are dropped as they become final.
    if (iter % 2) {
      std::shuffle(raw.begin(), raw.end(), rng);
    } else {
      std::vector<std::pair<int64_t, Raw>> keyed;
      for (const Raw& r : raw) keyed.push_back({r.ts + uniform(0, lateness + kHour), r});
      std::stable_sort(keyed.begin(), keyed.end(),
                       [](const auto& a, const auto& b) { return a.first < b.first; });
      for (size_t i = 0; i < raw.size(); ++i) raw[i] = keyed[i].second;
    }

    DayTable<DayFigures> figures;
    DayTable<SessionCounters> session_days;
    std::vector<UserProfile> profiles(static_cast<size_t>(users));
    std::vector<Raw> accepted;
    int64_t stream_time = INT64_MIN;
    for (const Raw& r : raw) {
      if (stream_time != INT64_MIN && r.ts < stream_time - lateness) continue;  // too late
      stream_time = std::max(stream_time, r.ts);
      accepted.push_back(r);
      Event e = ev(r.type, r.ts, kTickets[r.ticket]);
      UserProfile& p = profiles[static_cast<size_t>(r.user)];
      if (r.type == EventType::kAction)
        GapSessionProcessor::process(session_days, p, e, tz, kGap, stream_time - lateness);
      else
        SupportProcessor::process(figures, p, e, tz, stream_time - lateness);
    }

    std::map<int32_t, DayFigures> want_figures;
    std::map<int32_t, SessionCounters> want_sessions;
    for (int u = 0; u < users; ++u) {
      for (int t = 0; t < 4; ++t) {
        int64_t opened = INT64_MAX, replied = INT64_MAX;
        for (const Raw& r : accepted) {
          if (r.user != u || r.ticket != t) continue;
          if (r.type == EventType::kSupportTicket) opened = std::min(opened, r.ts);
          if (r.type == EventType::kSupportReply) replied = std::min(replied, r.ts);
        }
        if (opened == INT64_MAX) continue;
        const int32_t day = tz.day_of(opened);
        DayFigures& f = want_figures[day];
        ++f.tickets_opened;
        if (replied == INT64_MAX) {
          ++f.unanswered_by_hour[static_cast<size_t>(
              std::min<int64_t>(23, (opened - tz.day_start_ms(day)) / kHour))];
          continue;
        }
        const int64_t response = std::max<int64_t>(0, replied - opened);
        ++f.tickets_answered;
        f.response_ms += response;
        f.answered_within_1h += response <= kHour;
        const int64_t s = response / 1000;
        ++f.response_time[s < 300     ? 0
                          : s < 900   ? 1
                          : s < 3600  ? 2
                          : s < 14400 ? 3
                          : s < 86400 ? 4
                                      : 5];
      }
      std::vector<int64_t> ts;
      for (const Raw& r : accepted)
        if (r.user == u && r.type == EventType::kAction) ts.push_back(r.ts);
      std::sort(ts.begin(), ts.end());
      for (size_t i = 0; i < ts.size();) {
        size_t j = i + 1;
        while (j < ts.size() && ts[j] - ts[j - 1] <= kGap) ++j;
        const int64_t length = ts[j - 1] - ts[i];
        SessionCounters& c = want_sessions[tz.day_of(ts[i])];
        ++c.sessions;
        c.actions += static_cast<int64_t>(j - i);
        c.duration_ms += length;
        ++c.length[length < kMin        ? 0
                   : length < 5 * kMin  ? 1
                   : length < 15 * kMin ? 2
                   : length < 30 * kMin ? 3
                   : length < kHour     ? 4
                                        : 5];
        i = j;
      }
    }

    const int32_t first_day = tz.day_of(start) - 1, last_day = first_day + 5;
    for (int32_t d = first_day; d <= last_day; ++d) {
      const DayFigures* f = figures.find(d);
      EXPECT_EQ(f ? *f : DayFigures{}, want_figures[d]) << "iteration " << iter << " day " << d;
      const SessionCounters* c = session_days.find(d);
      EXPECT_EQ(c ? *c : SessionCounters{}, want_sessions[d])
          << "iteration " << iter << " day " << d;
    }
    const int64_t cutoff = start + uniform(0, 72) * kHour;
    int64_t want_unanswered = 0;
    for (auto& [d, f] : want_figures)
      for (int64_t h = 0; h < 24; ++h)
        if (tz.day_start_ms(d) + (h + 1) * kHour <= cutoff)
          want_unanswered += f.unanswered_by_hour[static_cast<size_t>(h)];
    EXPECT_EQ(unanswered_before(figures, first_day, last_day, cutoff, tz), want_unanswered);
    if (HasFailure()) break;
  }
}

}  // namespace
}  // namespace engaged
