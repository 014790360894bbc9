// The figure processors an accepted event visits, in order, built from their configurations.
// Adding a figure is adding its processor here (topology.cc); only app/stream_task.cc calls them.
// (The activity processor is not one of them: it decides whether an event is accepted at all,
// in Pipeline::apply.)
#pragma once

#include <memory>
#include <span>
#include <vector>

#include "processors/aha/aha_processor.h"
#include "processors/program/program_inputs.h"
#include "processors/runtime/processor.h"
#include "processors/segments/segment_processor.h"

namespace engaged {

struct TopologyConfig {
  SegmentConfig segments;
  AhaConfig aha;
  int64_t session_gap_ms = 30 * 60000;  // inactivity that ends a session without an id
  ProgramInputsConfig program;
  RiskConfig risk;
};

class Topology {
 public:
  explicit Topology(const TopologyConfig& config);

  std::span<Processor* const> processors() const { return order_; }
  // What the processors declared: stores (ids checked unique), reports and gauges (names
  // unique).
  std::span<const StoreSpec> stores() const { return stores_; }
  std::span<const ReportSpec> reports() const { return reports_; }
  std::span<const GaugeSpec> gauges() const { return gauges_; }
  // Configurations the shell's publishing and snapshots need.
  const SegmentConfig& segments() const { return segments_->config(); }
  const AhaConfig& aha() const { return aha_->config(); }

 private:
  template <typename P, typename... Args>
  P* add(Args&&... args);

  std::vector<std::unique_ptr<Processor>> owned_;
  std::vector<Processor*> order_;
  std::vector<StoreSpec> stores_;
  std::vector<ReportSpec> reports_;
  std::vector<GaugeSpec> gauges_;
  const SegmentProcessor* segments_ = nullptr;
  const AhaProcessor* aha_ = nullptr;
};

}  // namespace engaged
