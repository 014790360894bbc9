// What the pipeline remembers about one user: their cohort day and which recent days they were
// active on, as a 128-day bitmap ending at their newest active day. Allowed lateness is capped
// (kMaxLatenessDays) so every day a late event can influence is still inside the bitmap.
#pragma once

#include <cstdint>
#include <limits>

namespace engaged {

inline constexpr int32_t kNoDay = std::numeric_limits<int32_t>::min();
inline constexpr int kActivityWindowDays = 128;
inline constexpr int kMaxLatenessDays = 90;

struct UserActivity {
  int32_t cohort_day = kNoDay;  // day of the first active event
  int32_t last_day = kNoDay;    // newest active day
  int32_t signup_day = kNoDay;  // day of the earliest `signup` event (kNoDay: none yet)
  unsigned __int128 days = 0;   // bit i: active on last_day - i

  bool known() const { return last_day != kNoDay; }

  bool active(int32_t day) const {
    if (!known() || day > last_day) return false;
    int64_t i = int64_t{last_day} - day;
    return i < kActivityWindowDays && ((days >> i) & 1);
  }

  // True if active on any day in [lo, hi].
  bool any_active(int32_t lo, int32_t hi) const {
    if (!known() || hi < lo || lo > last_day) return false;
    if (hi > last_day) hi = last_day;
    int64_t first = int64_t{last_day} - hi;  // lowest bit index in range
    int64_t last = int64_t{last_day} - lo;   // highest bit index in range
    if (first >= kActivityWindowDays) return false;
    if (last >= kActivityWindowDays) last = kActivityWindowDays - 1;
    int64_t n = last - first + 1;
    unsigned __int128 mask = n >= 128 ? ~static_cast<unsigned __int128>(0)
                                      : ((static_cast<unsigned __int128>(1) << n) - 1);
    return (days >> first) & mask;
  }

  // Number of active days in [lo, hi].
  int count_active(int32_t lo, int32_t hi) const {
    if (!known() || hi < lo || lo > last_day) return 0;
    if (hi > last_day) hi = last_day;
    int64_t first = int64_t{last_day} - hi;
    int64_t last = int64_t{last_day} - lo;
    if (first >= kActivityWindowDays) return 0;
    if (last >= kActivityWindowDays) last = kActivityWindowDays - 1;
    int64_t n = last - first + 1;
    unsigned __int128 mask = n >= 128 ? ~static_cast<unsigned __int128>(0)
                                      : ((static_cast<unsigned __int128>(1) << n) - 1);
    unsigned __int128 x = (days >> first) & mask;
    return __builtin_popcountll(static_cast<uint64_t>(x)) +
           __builtin_popcountll(static_cast<uint64_t>(x >> 64));
  }

  void add_day(int32_t day) {
    if (!known()) {
      last_day = day;
      days = 1;
    } else if (day > last_day) {
      int64_t shift = int64_t{day} - last_day;
      days = shift >= kActivityWindowDays ? 0 : days << shift;
      days |= 1;
      last_day = day;
    } else if (int64_t i = int64_t{last_day} - day; i < kActivityWindowDays) {
      days |= static_cast<unsigned __int128>(1) << i;
    }
    if (cohort_day == kNoDay || day < cohort_day) cohort_day = day;
  }
};

}  // namespace engaged
