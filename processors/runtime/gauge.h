// A gauge a processor exports from its store (Processor::gauges): the shell registers it once and
// sets it after each checkpoint from this instance's partitions. Prometheus conventions hold as
// for every engaged series: engaged_<what>_<unit>, a bounded label set, no user ids, and values
// that are exact when summed over instances.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "state/state_store.h"

namespace engaged {

struct GaugeSample {
  std::map<std::string, std::string> labels;
  double value = 0;
};

struct GaugeSpec {
  std::string_view name, help;
  uint8_t store;  // the store it reads (StoreSpec::id)
  // This instance's samples, from its partitions' instances of the store, as of `day` (the
  // current day of stream time in the configured zone).
  std::function<std::vector<GaugeSample>(std::span<StateStore* const> stores, int32_t day)> sample;
};

}  // namespace engaged
