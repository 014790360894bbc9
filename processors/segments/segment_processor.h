// Segments: a handful of fixed dimensions taken from the event's props, each with a configured
// allowlist of values (anything else folds into "other"), so label sets stay bounded. A user
// belongs to the value of the earliest event (by event time) carrying the dimension, like
// PostHog's initial person properties; when a late event changes it, the user's activity
// counters move from the old segment to the new one.
#pragma once

#include <array>
#include <string>
#include <string_view>
#include <vector>

#include "domain/event.h"
#include "processors/partition_aggregates.h"
#include "processors/runtime/processor.h"

namespace engaged {

enum class SegmentDimension : uint8_t { kPlatform, kCountry, kAppVersion, kLocale };
static_assert(kMaxSegmentDimensions == 4);
std::string_view segment_dimension_name(int dimension);  // "platform", ..., "locale"

struct SegmentConfig {
  // Per dimension: allowed values; an empty list turns the dimension off.
  std::array<std::vector<std::string>, kMaxSegmentDimensions> allowlists;
  bool any() const;
  // Value name of a table index (0 = "other", i = allowlists[dimension][i - 1]).
  std::string_view value_name(int dimension, int index) const;
};

class SegmentProcessor final : public Processor {
 public:
  void process(ProcessorContext& ctx) override;
  explicit SegmentProcessor(SegmentConfig config) : config_(std::move(config)) {}

  // Takes the segment values an accepted event carries, moving the user's whole activity to the
  // new segment's counters if one changes (the activity processor counted the event in the
  // segment the user was in before it).
  void assign(PartitionAggregates& part, const UserActivity& user, UserProfile& profile,
              const Event& ev) const;
  const SegmentConfig& config() const { return config_; }

 private:
  SegmentConfig config_;
};

}  // namespace engaged
