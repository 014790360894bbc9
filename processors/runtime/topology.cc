// The order matters where a processor reads what an earlier one wrote: segments are assigned
// first (activity moves with the user), purchases follow their user's cohort before LTV is
// counted, and the program inputs come last (they read the session length and the aha key
// actions the processors before them found).
#include "processors/runtime/topology.h"

#include <stdexcept>
#include <string>

#include "processors/feedback/feedback_processor.h"
#include "processors/first_week/first_week_processor.h"
#include "processors/referrals/referral_processor.h"
#include "processors/revenue/purchase_processor.h"
#include "processors/revenue/revenue_processor.h"
#include "processors/sessions/gap_session_processor.h"
#include "processors/sessions/session_processor.h"
#include "processors/streaks/streak_processor.h"
#include "processors/support/support_processor.h"

namespace engaged {

template <typename P, typename... Args>
P* Topology::add(Args&&... args) {
  auto p = std::make_unique<P>(std::forward<Args>(args)...);
  P* raw = p.get();
  for (StoreSpec& spec : raw->stores()) {
    for (const StoreSpec& s : stores_)
      if (s.id == spec.id)
        throw std::logic_error("stores " + std::string(s.name) + " and " + std::string(spec.name) +
                               " share id " + std::to_string(s.id));
    stores_.push_back(std::move(spec));
  }
  for (ReportSpec& report : raw->reports()) {
    for (const ReportSpec& r : reports_)
      if (r.name == report.name) throw std::logic_error("two reports named " + std::string(r.name));
    reports_.push_back(std::move(report));
  }
  for (GaugeSpec& gauge : raw->gauges()) {
    for (const GaugeSpec& g : gauges_)
      if (g.name == gauge.name) throw std::logic_error("two gauges named " + std::string(g.name));
    gauges_.push_back(std::move(gauge));
  }
  owned_.push_back(std::move(p));
  order_.push_back(raw);
  return raw;
}

Topology::Topology(const TopologyConfig& c) {
  segments_ = add<SegmentProcessor>(c.segments);
  add<PurchaseProcessor>();
  aha_ = add<AhaProcessor>(c.aha);
  add<ReferralProcessor>();
  add<RevenueProcessor>();
  add<FeedbackProcessor>();
  add<StreakProcessor>();
  add<SupportProcessor>();
  add<GapSessionProcessor>(c.session_gap_ms);
  add<SessionProcessor>();
  add<FirstWeekProcessor>();
  add<ProgramInputs>(c.program, c.risk);
}

}  // namespace engaged
