// Adding two cohort rows: vectors grow to the longer one, LTV merges by currency.
#include "processors/cohort_figures.h"

namespace engaged {
namespace {

void add(std::vector<int64_t>& to, const std::vector<int64_t>& from) {
  if (to.size() < from.size()) to.resize(from.size(), 0);
  for (size_t i = 0; i < from.size(); ++i) to[i] += from[i];
}

}  // namespace

CohortFigures& CohortFigures::operator+=(const CohortFigures& o) {
  aha_reached += o.aha_reached;
  add(hours_to_aha, o.hours_to_aha);
  for (size_t i = 0; i < payers.size(); ++i) payers[i] += o.payers[i];
  for (const auto& [currency, l] : o.ltv) {
    LtvCounters& to = ltv[currency];
    for (size_t i = 0; i < to.micros.size(); ++i) to.micros[i] += l.micros[i];
  }
  week2_active += o.week2_active;
  add(did, o.did);
  add(did_and_week2, o.did_and_week2);
  return *this;
}

}  // namespace engaged
