// The event-id window: linear probing over a power-of-two table of packed entries.
#include "processors/dedupe/dedupe_window.h"

#include "domain/probe_table.h"

namespace engaged {
namespace {

constexpr int kTimeBits = 48;
constexpr uint64_t kTimeMask = (uint64_t{1} << kTimeBits) - 1;
constexpr int64_t kTimeBias = int64_t{1} << (kTimeBits - 1);

uint64_t tag_of(const IdKey& key) {
  return (key.hi & 0xffff) << kTimeBits;
}
uint64_t pack(uint64_t tag, int64_t ts_ms) {
  return tag | (static_cast<uint64_t>(ts_ms + kTimeBias) & kTimeMask);
}
int64_t time_of(const SeenSlot& s) {
  return static_cast<int64_t>(s.tag_time & kTimeMask) - kTimeBias;
}

}  // namespace

SeenSlot* DedupeWindow::find_slot(uint64_t lo, uint64_t tag) {
  const size_t mask = slots_.size() - 1;
  for (size_t i = lo & mask;; i = (i + 1) & mask) {
    SeenSlot& s = slots_[i];
    if (s.lo == 0 || (s.lo == lo && (s.tag_time & ~kTimeMask) == tag)) return &s;
  }
}

void DedupeWindow::rebuild(size_t capacity, int64_t horizon_ms) {
  std::vector<SeenSlot> old = std::exchange(slots_, std::vector<SeenSlot>(capacity));
  size_ = 0;
  const size_t mask = capacity - 1;
  for (const SeenSlot& e : old) {
    if (slot_empty(e) || time_of(e) < horizon_ms) continue;
    size_t i = e.lo & mask;
    while (!slot_empty(slots_[i])) i = (i + 1) & mask;
    slots_[i] = e;
    ++size_;
  }
}

void DedupeWindow::make_room(int64_t horizon_ms) {
  if (slots_.empty()) {
    slots_.resize(1024);
    return;
  }
  if ((size_ + 1) * 4 <= slots_.size() * 3) return;
  // Three quarters full: drop what is out of the window, in place, or into a table twice as
  // large if what stays would fill over half of this one.
  size_t live = 0;
  for (const SeenSlot& s : slots_) live += !slot_empty(s) && time_of(s) >= horizon_ms;
  if ((live + 1) * 2 > slots_.size())
    rebuild(slots_.size() * 2, horizon_ms);
  else
    size_ -= erase_in_place(slots_, [&](const SeenSlot& s) { return time_of(s) < horizon_ms; });
}

void DedupeWindow::insert(const SeenEvent& e, int64_t horizon_ms) {
  make_room(horizon_ms);
  const uint64_t lo = slot_lo(e.key), tag = tag_of(e.key);
  SeenSlot* slot = find_slot(lo, tag);
  if (slot_empty(*slot)) ++size_;
  *slot = {lo, pack(tag, e.ts_ms)};
}

bool DedupeWindow::seen_or_record(const IdKey& key, int64_t stream_time_ms, int64_t window_ms) {
  const int64_t horizon = stream_time_ms - window_ms;
  const uint64_t lo = slot_lo(key), tag = tag_of(key);
  SeenSlot* slot = slots_.empty() ? nullptr : find_slot(lo, tag);
  if (slot && !slot_empty(*slot)) {
    if (time_of(*slot) >= horizon) return true;
  } else {
    // A new id: one probe found its slot, unless the table must first make room.
    if (!slot || (size_ + 1) * 4 > slots_.size() * 3) {
      make_room(horizon);
      slot = find_slot(lo, tag);
    }
    ++size_;
  }
  *slot = {lo, pack(tag, stream_time_ms)};  // new, or an expired entry of the same id renewed
  recorded_.push_back({key, stream_time_ms});
  return false;
}

}  // namespace engaged
