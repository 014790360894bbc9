// A table by event-time day: the shape of most figures' per-partition state.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <vector>

#include "domain/day_bitmap.h"

namespace engaged {

// Counters by event-time day, dense from the first day seen, remembering which days changed
// since the last checkpoint (only those are written, so what is stored does not depend on when
// checkpoints happened). T must be default-constructible (all zero).
template <typename T>
class DayTable {
 public:
  T& mutable_day(int32_t day) {  // creates the day and marks it changed
    T& t = slot(day);
    mark_changed(day);
    return t;
  }
  // Days [lo, hi] as one array, created if missing but not marked changed: for a processor that
  // updates a run of days and marks only those that changed.
  T* span(int32_t lo, int32_t hi) {
    slot(hi);
    return &slot(lo);  // after slot(hi): inserting lo may move the array, nothing moves it later
  }
  void mark_changed(int32_t day) {  // a day inside an earlier span()
    dirty_lo_ = std::min(dirty_lo_, day);
    dirty_hi_ = std::max(dirty_hi_, day);
    changed_[static_cast<size_t>(day - base_)] = 1;
  }
  const T* find(int32_t day) const {
    if (base_ == kNoDay || day < base_ ||
        int64_t{day} - base_ >= static_cast<int64_t>(days_.size()))
      return nullptr;
    return &days_[static_cast<size_t>(day - base_)];
  }
  void restore(int32_t day, const T& c) { slot(day) = c; }  // from storage; not marked changed

  template <typename F>
  void for_each_changed(F&& f) const {
    if (dirty_lo_ > dirty_hi_) return;
    for (int32_t d = dirty_lo_; d <= dirty_hi_; ++d)
      if (changed_[static_cast<size_t>(d - base_)]) f(d, days_[static_cast<size_t>(d - base_)]);
  }
  void clear_changed() {
    if (dirty_lo_ <= dirty_hi_)
      std::fill(changed_.begin() + (dirty_lo_ - base_), changed_.begin() + (dirty_hi_ - base_ + 1),
                0);
    dirty_lo_ = std::numeric_limits<int32_t>::max();
    dirty_hi_ = std::numeric_limits<int32_t>::min();
  }

 private:
  T& slot(int32_t day) {
    if (base_ == kNoDay) {
      base_ = day;
    } else if (day < base_) {
      days_.insert(days_.begin(), static_cast<size_t>(base_ - day), T{});
      changed_.insert(changed_.begin(), static_cast<size_t>(base_ - day), 0);
      base_ = day;
    }
    size_t i = static_cast<size_t>(day - base_);
    if (i >= days_.size()) {
      days_.resize(i + 1);
      changed_.resize(i + 1, 0);
    }
    return days_[i];
  }
  int32_t base_ = kNoDay;
  std::vector<T> days_;
  std::vector<uint8_t> changed_;  // parallel to days_
  int32_t dirty_lo_ = std::numeric_limits<int32_t>::max();
  int32_t dirty_hi_ = std::numeric_limits<int32_t>::min();
};

}  // namespace engaged
