// A user's ids are few (those of one window of their own events): a linear scan of a short,
// contiguous list, in the user's record that the event has just loaded anyway.
#include "processors/dedupe/dedupe_window.h"

#include <algorithm>

namespace engaged {

void expire_seen(std::vector<SeenEvent>& seen, int64_t horizon_ms) {
  seen.erase(seen.begin(), std::find_if(seen.begin(), seen.end(),
                                        [&](const SeenEvent& e) { return e.ts_ms >= horizon_ms; }));
}

bool seen_or_record(std::vector<SeenEvent>& seen, const IdKey& key, int64_t stream_time_ms,
                    int64_t window_ms, const LegacyWindows& legacy) {
  const int64_t horizon = stream_time_ms - window_ms;
  expire_seen(seen, horizon);
  for (const SeenEvent& e : seen)
    if (e.key == key.lo) return true;
  if (legacy.seen_since(key, horizon)) return true;
  seen.push_back({key.lo, stream_time_ms});
  return false;
}

}  // namespace engaged
