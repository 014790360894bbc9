// Adding two day rows field by field (partitions and instances sum this way).
#include "processors/day_figures.h"

#include <cstddef>
#include <type_traits>

namespace engaged {

DayFigures& DayFigures::operator+=(const DayFigures& o) {
  // Both rows are visited in the same field order: collect the other's fields, then add.
  std::array<const int64_t*, 160> from{};
  std::size_t n = 0;
  o.visit([&](const auto& field) {
    if constexpr (std::is_same_v<std::decay_t<decltype(field)>, int64_t>)
      from[n++] = &field;
    else
      for (const int64_t& x : field) from[n++] = &x;
  });
  n = 0;
  visit([&](auto& field) {
    if constexpr (std::is_same_v<std::decay_t<decltype(field)>, int64_t>)
      field += *from[n++];
    else
      for (int64_t& x : field) x += *from[n++];
  });
  return *this;
}

}  // namespace engaged
