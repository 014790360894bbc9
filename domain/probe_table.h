// Bulk removal from the open-addressing tables keyed by IdKey (the dedupe window, the session
// table): linear probing over a power-of-two vector, an all-zero key marking an empty slot. Done
// in place, it spares the new table, its fresh pages and the copy a rebuild costs each time
// expired entries are dropped.
#pragma once

#include <cstddef>
#include <vector>

namespace engaged {

// Empties every slot for which `drop(slot)` holds, then re-seats the remaining entries so that
// each is again reachable from its home slot (key.lo & mask) without crossing an empty slot.
// The table must have an empty slot before the call. Returns how many entries were removed.
template <typename Slot, typename Drop>
size_t erase_in_place(std::vector<Slot>& slots, Drop drop) {
  auto empty = [](const Slot& s) { return s.key.hi == 0 && s.key.lo == 0; };
  const size_t n = slots.size(), mask = n - 1;
  // A slot empty before the removal: no probe chain runs across it, so re-seating in probe
  // order from there places every entry before the ones that may probe past it.
  size_t start = 0;
  while (start < n && !empty(slots[start])) ++start;
  if (start == n) return 0;
  size_t removed = 0;
  for (Slot& s : slots)
    if (!empty(s) && drop(s)) {
      s = Slot{};
      ++removed;
    }
  if (removed == 0) return 0;
  for (size_t k = 1; k < n; ++k) {
    const size_t i = (start + k) & mask;
    if (empty(slots[i])) continue;
    const Slot s = slots[i];
    slots[i] = Slot{};
    size_t j = s.key.lo & mask;
    while (!empty(slots[j])) j = (j + 1) & mask;
    slots[j] = s;
  }
  return removed;
}

}  // namespace engaged
