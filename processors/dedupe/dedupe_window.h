// Drops re-sent events: an event whose (user_id, event_id) was applied while the partition's
// stream time was at most `window` behind the current one is a duplicate. Measuring the window
// in stream time (not in the event's own timestamp) also catches retries of late events, and
// depends only on the input order, so replays find the same duplicates.
// The ids are kept per user (UserProfile::seen, by 64 bits of the id_key of user and event id):
// they are cached, evicted and stored with the user, so a day of events of every user never has
// to fit in memory at once. A user's list is oldest first (the partition's stream time never goes
// back), so the expired ids are a prefix, dropped whenever the list is touched.
#pragma once

#include <cstdint>
#include <vector>

#include "domain/id_key.h"
#include "processors/legacy_windows.h"
#include "processors/user_profile.h"

namespace engaged {

// True if `key` is a duplicate at stream time `stream_time_ms` (in `seen`, or in the ids an older
// state keeps per partition); otherwise records it in `seen`.
bool seen_or_record(std::vector<SeenEvent>& seen, const IdKey& key, int64_t stream_time_ms,
                    int64_t window_ms, const LegacyWindows& legacy);

// Drops the ids applied before `horizon_ms` (the checkpoint does, before storing the user).
void expire_seen(std::vector<SeenEvent>& seen, int64_t horizon_ms);

}  // namespace engaged
