// What a state written before event ids and sessions moved into each user's record (user
// records of version 5) holds instead: one list per partition of the event ids in the dedupe
// window and one of the sessions that may still change, read from their segments (families `dedupe`
// and `sessions`) when the partition is restored. Nothing adds to them: they are consulted after
// the user's own lists and are empty once stream time has passed their horizons (the dedupe window,
// the session horizon), when the checkpoint has deleted their last segments too.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "domain/id_key.h"
#include "processors/user_profile.h"

namespace engaged {

// The segments' entries keep the whole 128-bit key: the ids of every user of a partition.
struct LegacySeen {
  IdKey key;
  int64_t ts_ms = 0;
  bool operator==(const LegacySeen&) const = default;
};
struct LegacySession {
  IdKey key;
  SessionState state;
  bool operator==(const LegacySession&) const = default;
};

struct LegacyWindows {
  std::vector<LegacySeen> seen;         // sorted by key, the latest time of each
  std::vector<LegacySession> sessions;  // sorted by key, the latest version of each

  // Sorts what the segments gave (in the order they were written, later versions last).
  void restored();
  // `key` was applied at or after `horizon_ms`.
  bool seen_since(const IdKey& key, int64_t horizon_ms) const;
  // The session `key` if it ended at or after `horizon_ms`, else nullptr.
  const SessionState* session(const IdKey& key, int64_t horizon_ms) const;
  // Drops the ids applied before `dedupe_horizon_ms` and the sessions that ended before
  // `session_horizon_ms`.
  void expire(int64_t dedupe_horizon_ms, int64_t session_horizon_ms);
  size_t memory_bytes() const {
    return seen.capacity() * sizeof(LegacySeen) + sessions.capacity() * sizeof(LegacySession);
  }
};

}  // namespace engaged
