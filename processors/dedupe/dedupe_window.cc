// The event-id window: linear probing over a power-of-two table.
#include "processors/dedupe/dedupe_window.h"

#include "domain/probe_table.h"

namespace engaged {
namespace {
bool empty(const IdKey& k) {
  return k.hi == 0 && k.lo == 0;
}
}  // namespace

SeenEvent* DedupeWindow::find_slot(const IdKey& key) {
  const size_t mask = slots_.size() - 1;
  for (size_t i = key.lo & mask;; i = (i + 1) & mask)
    if (empty(slots_[i].key) || slots_[i].key == key) return &slots_[i];
}

void DedupeWindow::rebuild(size_t capacity, int64_t horizon_ms) {
  std::vector<SeenEvent> old = std::exchange(slots_, std::vector<SeenEvent>(capacity));
  size_ = 0;
  for (const auto& e : old) {
    if (empty(e.key) || e.ts_ms < horizon_ms) continue;
    *find_slot(e.key) = e;
    ++size_;
  }
}

void DedupeWindow::insert(const SeenEvent& e, int64_t horizon_ms) {
  if (slots_.empty()) slots_.resize(1024);
  if ((size_ + 1) * 4 > slots_.size() * 3) {
    // Three quarters full: drop what is out of the window, in place, or into a table twice as
    // large if what stays would fill over half of this one.
    size_t live = 0;
    for (const auto& s : slots_) live += !empty(s.key) && s.ts_ms >= horizon_ms;
    if ((live + 1) * 2 > slots_.size())
      rebuild(slots_.size() * 2, horizon_ms);
    else
      size_ -= erase_in_place(slots_, [&](const SeenEvent& s) { return s.ts_ms < horizon_ms; });
  }
  SeenEvent* slot = find_slot(e.key);
  if (empty(slot->key)) ++size_;
  *slot = e;
}

bool DedupeWindow::seen_or_record(const IdKey& key, int64_t stream_time_ms, int64_t window_ms) {
  const int64_t horizon = stream_time_ms - window_ms;
  if (!slots_.empty()) {
    SeenEvent* slot = find_slot(key);
    if (!empty(slot->key) && slot->ts_ms >= horizon) return true;
  }
  insert({key, stream_time_ms}, horizon);
  recorded_.push_back({key, stream_time_ms});
  return false;
}

}  // namespace engaged
