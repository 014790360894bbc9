// Days active in the first week, per cohort: of the users whose first active day was D, how many
// were active on 1, 2, ... 7 of the days D..D+6. Growth teams read it as onboarding's habit
// signal: a cohort whose users come back on more of their first days has learned the product's
// rhythm (Amplitude's "frequency" chart of the first week). Exact under out-of-order input: a
// user's contribution is a function of their cohort day and active days only, and moves when an
// event changes either.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "processors/runtime/processor.h"
#include "state/day_store.h"

namespace engaged {

// users[k]: users of the cohort active on k + 1 of their first 7 days.
struct FirstWeekRow {
  std::array<int64_t, 7> users{};
  FirstWeekRow& operator+=(const FirstWeekRow& o);
  bool operator==(const FirstWeekRow&) const = default;
};

// Version 1: the 7 counts as zigzag varints.
struct FirstWeekCodec {
  static constexpr uint8_t kVersion = 1;
  static void encode(std::string& out, const FirstWeekRow& row);
  static bool decode(std::string_view in, uint8_t version, FirstWeekRow& row);
};

using FirstWeekStore = DayStore<FirstWeekRow, FirstWeekCodec>;

class FirstWeekProcessor final : public Processor {
 public:
  static constexpr uint8_t kStoreId = 1;  // partition | 1 | cohort day -> FirstWeekRow
  static constexpr std::string_view kStoreName = "first_week";

  void process(ProcessorContext& ctx) override;
  std::vector<StoreSpec> stores() const override;
  // first-week: cohort_day,users,active_1d..active_7d,mean_active_days,complete
  std::vector<ReportSpec> reports() const override;
  // engaged_first_week_active_users{days="1".."7"}: the newest complete cohort (day - 7)
  std::vector<GaugeSpec> gauges() const override;
};

}  // namespace engaged
