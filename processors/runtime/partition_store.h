// Reading a partition's processor state back from the store: the working set a PartitionState
// starts from, one user's record, an older state's session segments, the stream time. Safe from
// any thread (the HTTP endpoint reads users while `run` processes).
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "processors/partition_aggregates.h"
#include "processors/runtime/record_codec.h"
#include "processors/user_activity.h"
#include "processors/user_profile.h"
#include "state/store.h"

namespace engaged {

// Everything about one partition except its users, as last checkpointed.
struct StoredPartition {
  std::optional<int64_t> next_offset;
  PartitionAggregates aggregates;
  uint64_t next_program_seq = 0;
  int64_t clock_hour = INT64_MIN;
  bool meta_found = false;
  int64_t dedupe_horizon_ms = 0, session_horizon_ms = 0;  // segments before these are deleted
};

StoredPartition load_partition(Store& store, int32_t partition);
// A user's stored state; false if the user is unknown.
bool read_user(Store& store, int32_t partition, std::string_view user_id, UserActivity& activity,
               UserProfile& profile);
// The sessions an older state's segments hold for a partition that end at or after `horizon`,
// latest versions, sorted by key.
std::vector<LegacySession> read_sessions(Store& store, int32_t partition, int64_t horizon);
// A partition's stream time as last checkpointed (kNoTime: no event yet).
int64_t read_stream_time(Store& store, int32_t partition);

}  // namespace engaged
