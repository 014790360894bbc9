// A set of recent days as a 128-bit bitmap ending at the newest day in the set: a user's active
// days (UserActivity), check-in days, purchase days and referral days. Days older than the window
// fall out; allowed lateness is capped (kMaxLatenessDays) so every day a late event can touch is
// still inside it.
#pragma once

#include <cstdint>
#include <limits>

namespace engaged {

inline constexpr int32_t kNoDay = std::numeric_limits<int32_t>::min();
inline constexpr int kActivityWindowDays = 128;
inline constexpr int kMaxLatenessDays = 90;

struct DayBitmap {
  int32_t last_day = kNoDay;   // newest day in the set
  unsigned __int128 days = 0;  // bit i: day last_day - i is in the set

  bool operator==(const DayBitmap&) const = default;

  bool empty() const { return last_day == kNoDay; }
  bool has(int32_t day) const {
    if (empty() || day > last_day) return false;
    int64_t i = int64_t{last_day} - day;
    return i < kActivityWindowDays && ((days >> i) & 1);
  }
  // Days of the set in [lo, hi].
  int count(int32_t lo, int32_t hi) const {
    const unsigned __int128 x = range(lo, hi);
    return __builtin_popcountll(static_cast<uint64_t>(x)) +
           __builtin_popcountll(static_cast<uint64_t>(x >> 64));
  }
  bool any(int32_t lo, int32_t hi) const { return range(lo, hi) != 0; }
  // The days of the set in [lo, hi] as bits: bit i is day hi - i.
  unsigned __int128 bits(int32_t lo, int32_t hi) const {
    if (empty() || hi < lo) return 0;
    // range() starts at min(hi, last_day): move it up to start at hi.
    return hi > last_day
               ? (hi - last_day >= kActivityWindowDays ? 0 : range(lo, hi) << (hi - last_day))
               : range(lo, hi);
  }
  // Adds `day`; false if it was already in the set (or too old for the window).
  bool add(int32_t day) {
    if (has(day)) return false;
    if (empty()) {
      last_day = day;
      days = 1;
    } else if (day > last_day) {
      int64_t shift = int64_t{day} - last_day;
      days = shift >= kActivityWindowDays ? 0 : days << shift;
      days |= 1;
      last_day = day;
    } else if (int64_t i = int64_t{last_day} - day; i < kActivityWindowDays) {
      days |= static_cast<unsigned __int128>(1) << i;
    } else {
      return false;
    }
    return true;
  }
  // The newest day of the set at or before `day` (kNoDay if none in the window).
  int32_t latest_at_or_before(int32_t day) const {
    if (empty() || day < last_day - (kActivityWindowDays - 1)) return kNoDay;
    if (day >= last_day) return last_day;
    // Bits above index last_day - day are newer days: drop them, then find the lowest set bit.
    const unsigned __int128 older = days >> (last_day - day);
    if (!older) return kNoDay;
    const uint64_t lo = static_cast<uint64_t>(older);
    const int shift =
        lo ? __builtin_ctzll(lo) : 64 + __builtin_ctzll(static_cast<uint64_t>(older >> 64));
    return day - shift;
  }
  // Consecutive days in the set ending at `day` (0 if `day` is not in it), within the window.
  int32_t run_ending(int32_t day) const {
    int32_t n = 0;
    while (has(day - n)) ++n;
    return n;
  }

 private:
  // The bits of the days in [lo, hi], shifted down.
  unsigned __int128 range(int32_t lo, int32_t hi) const {
    if (empty() || hi < lo || lo > last_day) return 0;
    if (hi > last_day) hi = last_day;
    int64_t first = int64_t{last_day} - hi;  // lowest bit index in range
    int64_t last = int64_t{last_day} - lo;   // highest bit index in range
    if (first >= kActivityWindowDays) return 0;
    if (last >= kActivityWindowDays) last = kActivityWindowDays - 1;
    int64_t n = last - first + 1;
    unsigned __int128 mask = n >= 128 ? ~static_cast<unsigned __int128>(0)
                                      : ((static_cast<unsigned __int128>(1) << n) - 1);
    return (days >> first) & mask;
  }
};

}  // namespace engaged
