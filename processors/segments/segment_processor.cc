// Resolving a user's segment values and moving their counters when one changes.
#include "processors/segments/segment_processor.h"

#include <limits>

#include "processors/activity/activity_processor.h"
#include "processors/partition_aggregates.h"

namespace engaged {
namespace {

std::string_view dimension_value(const Event& ev, int dimension) {
  switch (static_cast<SegmentDimension>(dimension)) {
    case SegmentDimension::kPlatform:
      return ev.props.platform;
    case SegmentDimension::kCountry:
      return ev.props.country;
    case SegmentDimension::kAppVersion:  // the major version: "3.2.1" -> "3"
      return ev.props.app_version.substr(0, ev.props.app_version.find('.'));
    case SegmentDimension::kLocale:
      return ev.props.locale;
  }
  return {};
}

}  // namespace

std::string_view segment_dimension_name(int dimension) {
  static constexpr std::string_view kNames[] = {"platform", "country", "app_version", "locale"};
  return kNames[dimension];
}

bool SegmentConfig::any() const {
  for (const auto& a : allowlists)
    if (!a.empty()) return true;
  return false;
}

std::string_view SegmentConfig::value_name(int dimension, int index) const {
  if (index == 0) return "other";
  return allowlists[static_cast<size_t>(dimension)][static_cast<size_t>(index - 1)];
}

void SegmentProcessor::assign(PartitionAggregates& part, const UserActivity& user,
                              UserProfile& profile, const Event& ev) const {
  for (int d = 0; d < kMaxSegmentDimensions; ++d) {
    const auto& allowed = config_.allowlists[static_cast<size_t>(d)];
    if (allowed.empty()) continue;
    const std::string_view value = dimension_value(ev, d);
    uint8_t& slot = profile.segments[static_cast<size_t>(d)];
    int64_t& ts = profile.segment_ts[static_cast<size_t>(d)];
    // Without a value the user counts as "other" until an event carrying one arrives (the maximum
    // time marks that placeholder), so the segments of a dimension always add up to the total.
    const int64_t event_ts = value.empty() ? std::numeric_limits<int64_t>::max() : ev.ts_ms;
    if (slot != 0 && event_ts >= ts) continue;  // the earliest event carrying a value decides
    int index = 0;
    for (size_t i = 0; i < allowed.size(); ++i)
      if (allowed[i] == value) index = static_cast<int>(i) + 1;
    const uint8_t new_slot = static_cast<uint8_t>(index + 1);
    ts = event_ts;
    if (new_slot == slot) continue;
    if (slot != 0)
      ActivityProcessor::move_contribution(ActivityProcessor::segment_table(part, d, slot - 1),
                                           user, -1);
    ActivityProcessor::move_contribution(ActivityProcessor::segment_table(part, d, index), user,
                                         +1);
    slot = new_slot;
  }
}

void SegmentProcessor::process(ProcessorContext& ctx) {
  if (config_.any()) assign(ctx.tables(), ctx.activity(), ctx.profile(), ctx.event());
}

}  // namespace engaged
