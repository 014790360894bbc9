// A ticket's contribution to its opening day is a function of its opening and first-reply times
// alone, and both only move earlier. So each event subtracts the ticket's old contribution and
// adds the new one: the same idea as activity and sessions, exact under any arrival order.
#include "processors/support/support_processor.h"

#include <xxhash.h>

#include <algorithm>

#include "processors/partition_aggregates.h"

namespace engaged {
namespace {

constexpr int64_t kHourMs = 3600000;
constexpr int64_t kDayMs = 24 * kHourMs;

int response_bucket(int64_t response_ms) {
  return static_cast<int>(
      std::upper_bound(kResponseBoundsS.begin(), kResponseBoundsS.end(), response_ms / 1000) -
      kResponseBoundsS.begin());
}

// Adds (sign +1) or removes (-1) the ticket's contribution to the day it was opened.
void contribute(DayTable<DayFigures>& days, const Ticket& t, const TimeZone& tz, int sign) {
  if (t.opened_ms == INT64_MIN) return;
  const int32_t day = tz.day_of(t.opened_ms);
  DayFigures& f = days.mutable_day(day);
  f.tickets_opened += sign;
  if (t.replied_ms != INT64_MIN) {
    const int64_t response = std::max<int64_t>(0, t.replied_ms - t.opened_ms);
    f.tickets_answered += sign;
    f.response_ms += sign * response;
    f.response_time[static_cast<size_t>(response_bucket(response))] += sign;
    f.answered_within_1h += response <= kHourMs ? sign : 0;
  } else {
    // Clamped: a day with a DST fall-back has a 25th hour, counted with the 24th.
    const int64_t hour = std::clamp<int64_t>((t.opened_ms - tz.day_start_ms(day)) / kHourMs, 0, 23);
    f.unanswered_by_hour[static_cast<size_t>(hour)] += sign;
  }
}

}  // namespace

void SupportProcessor::process(DayTable<DayFigures>& days, UserProfile& user, const Event& ev,
                               const TimeZone& tz, int64_t horizon_ms) {
  const uint64_t id = XXH3_64bits(ev.ticket_id.data(), ev.ticket_id.size());
  auto& tickets = user.tickets;
  auto it =
      std::find_if(tickets.begin(), tickets.end(), [&](const Ticket& t) { return t.id == id; });
  if (it == tickets.end()) it = tickets.insert(tickets.end(), Ticket{.id = id});
  contribute(days, *it, tz, -1);
  int64_t& slot = ev.type == EventType::kSupportTicket ? it->opened_ms : it->replied_ms;
  slot = slot == INT64_MIN ? ev.ts_ms : std::min(slot, ev.ts_ms);
  contribute(days, *it, tz, +1);
  // An accepted event is at or after the horizon, so it cannot move a time that is already
  // before it: answered tickets with both times before the horizon are final. A reply whose
  // ticket has still not come when the horizon is 90 days (the maximum lateness) past it is
  // dropped too, to bound the state: should its ticket come after all, it counts as unanswered.
  std::erase_if(tickets, [&](const Ticket& t) {
    if (t.replied_ms == INT64_MIN) return false;
    if (t.opened_ms == INT64_MIN) return t.replied_ms < horizon_ms - kMaxLatenessDays * kDayMs;
    return t.replied_ms < horizon_ms && t.opened_ms < horizon_ms;
  });
}

int64_t unanswered_before(const DayTable<DayFigures>& days, int32_t first_day, int32_t last_day,
                          int64_t cutoff_ms, const TimeZone& tz) {
  int64_t n = 0;
  for (int32_t d = first_day; d <= last_day; ++d) {
    const DayFigures* f = days.find(d);
    if (!f) continue;
    const int64_t start = tz.day_start_ms(d);
    for (int64_t h = 0; h < 24 && start + (h + 1) * kHourMs <= cutoff_ms; ++h)
      n += f->unanswered_by_hour[static_cast<size_t>(h)];
  }
  return n;
}

void SupportProcessor::process(ProcessorContext& ctx) {
  const EventType type = ctx.event().type;
  if (type != EventType::kSupportTicket && type != EventType::kSupportReply) return;
  process(ctx.tables().figures, ctx.profile(), ctx.event(), ctx.time_zone(), ctx.horizon_ms());
  ctx.tables().forgotten += forget_oldest(ctx.profile().tickets);
}

}  // namespace engaged
