// Purchases to per-day, per-currency sums.
#include "processors/revenue/revenue_processor.h"

#include <fmt/format.h>

#include <cmath>

#include "processors/partition_aggregates.h"

namespace engaged {

RevenueCounters& RevenueCounters::operator+=(const RevenueCounters& o) {
  for (const auto& [currency, m] : o.by_currency) {
    Money& mine = by_currency[currency];
    mine.micros += m.micros;
    mine.purchases += m.purchases;
  }
  return *this;
}

std::string format_micros(int64_t micros) {
  const bool negative = micros < 0;
  const uint64_t v = negative ? static_cast<uint64_t>(-micros) : static_cast<uint64_t>(micros);
  std::string fraction = fmt::format("{:06d}", v % 1000000);
  while (fraction.size() > 2 && fraction.back() == '0') fraction.pop_back();
  return fmt::format("{}{}.{}", negative ? "-" : "", v / 1000000, fraction);
}

void RevenueProcessor::process(DayTable<RevenueCounters>& days, const Event& ev,
                               const TimeZone& tz) {
  if (ev.type != EventType::kPurchase || !ev.amount) return;
  Money& m = days.mutable_day(tz.day_of(ev.ts_ms)).by_currency[std::string(ev.currency)];
  m.micros += std::llround(*ev.amount * 1e6);
  ++m.purchases;
}

void RevenueProcessor::process(ProcessorContext& ctx) {
  if (ctx.event().type == EventType::kPurchase)
    process(ctx.tables().revenue, ctx.event(), ctx.time_zone());
}

}  // namespace engaged
