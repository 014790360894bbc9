// The monotonic clock the shell measures durations and paces work with (never event time: the
// processors see no clock at all).
#pragma once

#include <chrono>
#include <cstdint>

namespace engaged {

inline int64_t steady_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

inline int64_t steady_ms() {
  return steady_ns() / 1000000;
}

}  // namespace engaged
