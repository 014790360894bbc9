// Figures kept per cohort (the users whose first active day is the key day): the aha moment
// (reach, time to reach, discovery correlations) and lifetime value. Counts and sums only, so
// partitions and instances add up; ratios are computed when reported.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace engaged {

// LTV horizons: revenue of purchases within the first N days (day offsets 0..N-1).
inline constexpr std::array<int32_t, 3> kLtvDays = {7, 30, 90};
inline constexpr int kDiscoveryMaxK = 5;  // "did it at least k times", k = 1..5

struct LtvCounters {
  std::array<int64_t, kLtvDays.size()> micros{};  // revenue within 7/30/90 days
  bool operator==(const LtvCounters&) const = default;
};

struct CohortFigures {
  int64_t aha_reached = 0;            // users who reached the key action in time
  std::vector<int64_t> hours_to_aha;  // [h]: reached it in hour h after the cohort day began
  std::array<int64_t, kLtvDays.size()> payers{};  // users with a purchase within 7/30/90 days
  std::map<std::string, LtvCounters> ltv;         // currency -> revenue within 7/30/90 days
  // Discovery: users active in week 2 (days 7..13 after the cohort day); and for candidate c and
  // k = 1..5 at index c * 5 + (k - 1), users who did c at least k times in days 0..6, and of
  // those the ones active in week 2.
  int64_t week2_active = 0;
  std::vector<int64_t> did, did_and_week2;

  CohortFigures& operator+=(const CohortFigures& o);
  bool operator==(const CohortFigures&) const = default;
};

}  // namespace engaged
