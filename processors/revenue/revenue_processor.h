// Money: revenue and purchases per day and currency, from `purchase` events. Amounts are kept
// as integer micro-units of their currency (no conversion, no floating-point sums), so totals
// are exact and independent of arrival order.
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "domain/event.h"
#include "domain/time_zone.h"
#include "processors/activity/daily_aggregates.h"
#include "processors/runtime/processor.h"

namespace engaged {

struct Money {
  int64_t micros = 0;  // revenue in millionths of the currency unit
  int64_t purchases = 0;
  bool operator==(const Money&) const = default;
};

// Currency code (3 uppercase letters) -> money, for one day.
struct RevenueCounters {
  std::map<std::string, Money> by_currency;
  RevenueCounters& operator+=(const RevenueCounters& o);
  bool operator==(const RevenueCounters&) const = default;
};

// "12.5" style decimal of micro-units: at least two decimals, no trailing zeros beyond them.
std::string format_micros(int64_t micros);

class RevenueProcessor final : public Processor {
 public:
  void process(ProcessorContext& ctx) override;
  // Adds an accepted `purchase` event to the day of its timestamp.
  static void process(DayTable<RevenueCounters>& days, const Event& ev, const TimeZone& tz);
};

}  // namespace engaged
