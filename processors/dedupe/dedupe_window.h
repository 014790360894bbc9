// Drops re-sent events: an event whose (user_id, event_id) was applied while the partition's
// stream time was at most `window` behind the current one is a duplicate. Measuring the window
// in stream time (not in the event's own timestamp) also catches retries of late events, and
// depends only on the input order, so replays find the same duplicates.
// Storage is an open-addressing table of 24-byte entries: no allocation per event. Entries out
// of the window never match; when the table is 3/4 full they are dropped in place, and it
// doubles only if what stays would fill over half of it.
#pragma once

#include <cstdint>
#include <string_view>
#include <utility>
#include <vector>

#include "domain/id_key.h"

namespace engaged {

struct SeenEvent {
  IdKey key;
  int64_t ts_ms;  // the partition's stream time when the event was applied
};

class DedupeWindow {
 public:
  // True if `key` is a duplicate at stream time `stream_time_ms`; otherwise records it.
  bool seen_or_record(const IdKey& key, int64_t stream_time_ms, int64_t window_ms);
  void restore(const SeenEvent& e) { insert(e, e.ts_ms); }
  // Starts loading the key's slot into the cache (the lookup is a likely cache miss).
  void prefetch(const IdKey& key) const {
    if (!slots_.empty()) __builtin_prefetch(&slots_[key.lo & (slots_.size() - 1)]);
  }

  // Entries recorded since the last take_recorded(), for the checkpoint.
  std::vector<SeenEvent> take_recorded() { return std::exchange(recorded_, {}); }
  size_t size() const { return size_; }
  // Bytes the window holds in memory: its table and the entries the checkpoint has not taken.
  size_t memory_bytes() const {
    return (slots_.capacity() + recorded_.capacity()) * sizeof(SeenEvent);
  }

 private:
  SeenEvent* find_slot(const IdKey& key);
  void insert(const SeenEvent& e, int64_t horizon_ms);
  void rebuild(size_t capacity, int64_t horizon_ms);  // keeps entries at or after horizon

  std::vector<SeenEvent> slots_;  // empty slot: all-zero key
  size_t size_ = 0;
  std::vector<SeenEvent> recorded_;
};

}  // namespace engaged
