// Bulk removal in place from a linear-probing table: what stays is found, what left is not,
// however the entries clustered and wrapped around the end.
#include "domain/probe_table.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <set>
#include <vector>

#include "domain/id_key.h"

namespace engaged {
namespace {

struct Slot {
  IdKey key;
  int64_t ts = 0;
};

bool empty(const Slot& s) {
  return s.key.hi == 0 && s.key.lo == 0;
}

// The slot holding `key`, or nullptr, probing as the tables do.
const Slot* find(const std::vector<Slot>& slots, const IdKey& key) {
  const size_t mask = slots.size() - 1;
  for (size_t i = key.lo & mask;; i = (i + 1) & mask) {
    if (empty(slots[i])) return nullptr;
    if (slots[i].key == key) return &slots[i];
  }
}

void insert(std::vector<Slot>& slots, const Slot& s) {
  const size_t mask = slots.size() - 1;
  size_t i = s.key.lo & mask;
  while (!empty(slots[i])) i = (i + 1) & mask;
  slots[i] = s;
}

TEST(ProbeTable, EraseInPlaceKeepsEveryRemainingEntryReachable) {
  std::mt19937_64 rng(7);
  for (size_t size : {8u, 64u, 1024u}) {
    for (int round = 0; round < 50; ++round) {
      std::vector<Slot> slots(size);
      std::vector<Slot> entries;
      // Three quarters full, homes crowded into a few places (long clusters, wrapping).
      for (size_t n = 0; n < size * 3 / 4; ++n) {
        const uint64_t home = rng() % 4 == 0 ? size - 1 : rng() % 3;
        Slot s{{rng() | 1, (rng() & ~(size - 1)) | home}, static_cast<int64_t>(rng() % 100)};
        insert(slots, s);
        entries.push_back(s);
      }
      const int64_t horizon = static_cast<int64_t>(rng() % 100);
      const size_t removed = erase_in_place(slots, [&](const Slot& s) { return s.ts < horizon; });
      size_t expected = 0;
      for (const Slot& e : entries) {
        const Slot* found = find(slots, e.key);
        if (e.ts < horizon) {
          ++expected;
          EXPECT_EQ(found, nullptr);
        } else {
          ASSERT_NE(found, nullptr) << "size " << size << " round " << round;
          EXPECT_EQ(found->ts, e.ts);
        }
      }
      EXPECT_EQ(removed, expected);
    }
  }
}

}  // namespace
}  // namespace engaged
