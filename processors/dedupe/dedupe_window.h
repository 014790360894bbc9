// Drops re-sent events: an event whose (user_id, event_id) was applied while the partition's
// stream time was at most `window` behind the current one is a duplicate. Measuring the window
// in stream time (not in the event's own timestamp) also catches retries of late events, and
// depends only on the input order, so replays find the same duplicates.
// Storage is an open-addressing table of 16-byte entries: no allocation per event. Entries out
// of the window never match; when the table is 3/4 full they are dropped in place, and it
// doubles only if what stays would fill over half of it. An entry keeps 80 of the key's 128
// bits (two ids of a partition's window are taken for one another with odds of n^2 / 2^81:
// 3e-11 for 8 M ids) and the stream time to the millisecond in 48 bits (±4,000 years).
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

// A SeenEvent in the table: key.lo (never 0 here: 0 is taken as 1), then the key's low 16 bits
// of hi above the stream time + 2^47 in 48 bits. All zero: an empty slot.
struct SeenSlot {
  uint64_t lo = 0;
  uint64_t tag_time = 0;
};
inline bool slot_empty(const SeenSlot& s) {
  return s.lo == 0;
}
inline uint64_t slot_home(const SeenSlot& s) {
  return s.lo;
}

class DedupeWindow {
 public:
  // True if `key` is a duplicate at stream time `stream_time_ms`; otherwise records it.
  bool seen_or_record(const IdKey& key, int64_t stream_time_ms, int64_t window_ms);
  void restore(const SeenEvent& e) { insert(e, e.ts_ms); }
  // Starts loading the key's slot into the cache (the lookup is a likely cache miss).
  void prefetch(const IdKey& key) const {
    if (!slots_.empty()) __builtin_prefetch(&slots_[slot_lo(key) & (slots_.size() - 1)]);
  }

  // Entries recorded since the last take_recorded(), for the checkpoint.
  std::vector<SeenEvent> take_recorded() { return std::exchange(recorded_, {}); }
  size_t size() const { return size_; }
  // Bytes the window holds in memory: its table and the entries the checkpoint has not taken.
  size_t memory_bytes() const {
    return slots_.capacity() * sizeof(SeenSlot) + recorded_.capacity() * sizeof(SeenEvent);
  }

 private:
  static uint64_t slot_lo(const IdKey& key) { return key.lo ? key.lo : 1; }
  SeenSlot* find_slot(uint64_t lo, uint64_t tag);
  void insert(const SeenEvent& e, int64_t horizon_ms);
  // Before an insert: drops expired entries or doubles the table when it is 3/4 full.
  void make_room(int64_t horizon_ms);
  void rebuild(size_t capacity, int64_t horizon_ms);  // keeps entries at or after horizon

  std::vector<SeenSlot> slots_;
  size_t size_ = 0;
  std::vector<SeenEvent> recorded_;
};

}  // namespace engaged
