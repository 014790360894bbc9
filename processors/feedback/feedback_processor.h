// Satisfaction: NPS from `feedback.score` (0-10). Promoters score 9-10, passives 7-8,
// detractors 0-6; NPS = 100 * (promoters - detractors) / responses, per day or over a window.
// Counts are per response and additive, so any arrival order gives the same figures.
#pragma once

#include <cstdint>

#include "domain/event.h"
#include "domain/time_zone.h"
#include "processors/activity/daily_aggregates.h"
#include "processors/runtime/processor.h"

namespace engaged {

struct FeedbackCounters {
  int64_t responses = 0, promoters = 0, passives = 0, detractors = 0;

  FeedbackCounters& operator+=(const FeedbackCounters& o);
  bool operator==(const FeedbackCounters&) const = default;
};

class FeedbackProcessor final : public Processor {
 public:
  void process(ProcessorContext& ctx) override;
  // Counts an accepted `feedback` event (with its score) on the day of its timestamp.
  static void process(DayTable<FeedbackCounters>& days, const Event& ev, const TimeZone& tz);
};

}  // namespace engaged
