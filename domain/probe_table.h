// Bulk removal from the open-addressing tables (the dedupe window, the session table): linear
// probing over a power-of-two vector, an all-zero slot marking an empty one. Done in place, it
// spares the new table, its fresh pages and the copy a rebuild costs each time expired entries are
// dropped.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace engaged {

// A slot keyed by an IdKey (`key`) is empty when the key is all zero, and its home is key.lo.
// A table with another slot layout declares its own slot_empty and slot_home beside its slot.
template <typename Slot>
bool slot_empty(const Slot& s) {
  return s.key.hi == 0 && s.key.lo == 0;
}
template <typename Slot>
uint64_t slot_home(const Slot& s) {
  return s.key.lo;
}

// Empties every slot for which `drop(slot)` holds, then re-seats the remaining entries so that
// each is again reachable from its home slot (slot_home & mask) without crossing an empty slot.
// The table must have an empty slot before the call. Returns how many entries were removed.
template <typename Slot, typename Drop>
size_t erase_in_place(std::vector<Slot>& slots, Drop drop) {
  auto empty = [](const Slot& s) { return slot_empty(s); };
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
    size_t j = slot_home(s) & mask;
    while (!empty(slots[j])) j = (j + 1) & mask;
    slots[j] = s;
  }
  return removed;
}

}  // namespace engaged
