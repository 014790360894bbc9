// A set of recent days as a 128-bit bitmap ending at the newest day in the set: what a user's
// check-in days, purchase days and referral days are kept as. Days older than the window fall out
// (allowed lateness is capped well inside it, so every day a late event can touch is still here).
#pragma once

#include <cstdint>

#include "processors/user_activity.h"

namespace engaged {

struct DayBitmap {
  int32_t last_day = kNoDay;
  unsigned __int128 bits = 0;  // bit i: day last_day - i is in the set

  bool operator==(const DayBitmap&) const = default;

  bool empty() const { return last_day == kNoDay; }
  bool has(int32_t day) const {
    if (empty() || day > last_day) return false;
    int64_t i = int64_t{last_day} - day;
    return i < kActivityWindowDays && ((bits >> i) & 1);
  }
  // Adds `day`; false if it was already in the set (or too old for the window).
  bool add(int32_t day) {
    if (has(day)) return false;
    if (empty()) {
      last_day = day;
      bits = 1;
    } else if (day > last_day) {
      int64_t shift = int64_t{day} - last_day;
      bits = shift >= kActivityWindowDays ? 0 : bits << shift;
      bits |= 1;
      last_day = day;
    } else if (int64_t i = int64_t{last_day} - day; i < kActivityWindowDays) {
      bits |= static_cast<unsigned __int128>(1) << i;
    } else {
      return false;
    }
    return true;
  }
  // Consecutive days in the set ending at `day` (0 if `day` is not in it), within the window.
  int32_t run_ending(int32_t day) const {
    int32_t n = 0;
    while (has(day - n)) ++n;
    return n;
  }
  // Days of the set in [lo, hi].
  int32_t count(int32_t lo, int32_t hi) const {
    int32_t n = 0;
    for (int32_t d = lo; d <= hi; ++d) n += has(d);
    return n;
  }
};

}  // namespace engaged
