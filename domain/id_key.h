// A 128-bit key for an id that is scoped to a user (an event id, a session id): hashing both
// gives fixed-size keys, so lookups on the hot path neither allocate nor compare strings.
// Collisions are negligible at 128 bits.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace engaged {

struct IdKey {
  uint64_t hi = 0, lo = 0;  // never all zero (reserved for empty slots)
  bool operator==(const IdKey&) const = default;
};

IdKey id_key(std::string_view user_id, std::string_view id);

struct IdKeyHash {
  size_t operator()(const IdKey& k) const noexcept { return static_cast<size_t>(k.lo); }
};

}  // namespace engaged
