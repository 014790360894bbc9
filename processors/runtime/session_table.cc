// Linear probing; deletions happen only in bulk (expire), in place or by rebuilding, so no
// tombstones.
#include "processors/runtime/session_table.h"

#include <limits>

#include "domain/probe_table.h"

namespace engaged {

SessionTable::Slot& SessionTable::find_or_insert(const IdKey& key) {
  if ((size_ + 1) * 4 > slots_.size() * 3)
    rebuild(slots_.empty() ? 1024 : slots_.size() * 2, std::numeric_limits<int64_t>::min());
  const size_t mask = slots_.size() - 1;
  for (size_t i = key.lo & mask;; i = (i + 1) & mask) {
    Slot& s = slots_[i];
    if (s.key == key) return s;
    if (empty(s)) {
      s.key = key;
      ++size_;
      return s;
    }
  }
}

SessionState& SessionTable::get(const IdKey& key) {
  Slot& s = find_or_insert(key);
  s.changed = true;
  return s.state;
}

void SessionTable::restore(const IdKey& key, const SessionState& state) {
  find_or_insert(key).state = state;
}

void SessionTable::expire(int64_t horizon_ms) {
  size_t live = 0;
  for (const auto& s : slots_) live += !empty(s) && s.state.end_ms >= horizon_ms;
  if (live == size_) return;
  size_t capacity = 1024;
  while (live * 2 > capacity) capacity *= 2;  // at most half full after a clean-up
  if (capacity == slots_.size())
    size_ -= erase_in_place(slots_, [&](const Slot& s) { return s.state.end_ms < horizon_ms; });
  else
    rebuild(capacity, horizon_ms);
}

void SessionTable::rebuild(size_t capacity, int64_t horizon_ms) {
  std::vector<Slot> old(capacity);
  old.swap(slots_);
  size_ = 0;
  const size_t mask = slots_.size() - 1;
  for (const auto& s : old) {
    if (empty(s) || s.state.end_ms < horizon_ms) continue;
    size_t i = s.key.lo & mask;
    while (!empty(slots_[i])) i = (i + 1) & mask;
    slots_[i] = s;
    ++size_;
  }
}

}  // namespace engaged
