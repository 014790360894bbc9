// One response, one row update.
#include "processors/feedback/feedback_processor.h"

#include "processors/partition_aggregates.h"

namespace engaged {

FeedbackCounters& FeedbackCounters::operator+=(const FeedbackCounters& o) {
  responses += o.responses;
  promoters += o.promoters;
  passives += o.passives;
  detractors += o.detractors;
  return *this;
}

void FeedbackProcessor::process(DayTable<FeedbackCounters>& days, const Event& ev,
                                const TimeZone& tz) {
  if (ev.type != EventType::kFeedback || !ev.score) return;
  FeedbackCounters& c = days.mutable_day(tz.day_of(ev.ts_ms));
  ++c.responses;
  if (*ev.score >= 9)
    ++c.promoters;
  else if (*ev.score >= 7)
    ++c.passives;
  else
    ++c.detractors;
}

void FeedbackProcessor::process(ProcessorContext& ctx) {
  if (ctx.event().type == EventType::kFeedback)
    process(ctx.tables().feedback, ctx.event(), ctx.time_zone());
}

}  // namespace engaged
