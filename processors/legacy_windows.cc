// Sorted vectors and binary search: built once at restore, only shrinking after.
#include "processors/legacy_windows.h"

#include <algorithm>
#include <tuple>

namespace engaged {
namespace {

bool key_less(const IdKey& a, const IdKey& b) {
  return std::tie(a.hi, a.lo) < std::tie(b.hi, b.lo);
}

// Sorts by key, keeping of each key the last entry in the input order (stable sort).
template <typename T>
void sort_latest(std::vector<T>& v) {
  std::stable_sort(v.begin(), v.end(),
                   [](const T& a, const T& b) { return key_less(a.key, b.key); });
  auto out = v.begin();
  for (auto it = v.begin(); it != v.end(); ++it) {
    if (std::next(it) != v.end() && std::next(it)->key == it->key) continue;
    *out++ = *it;
  }
  v.erase(out, v.end());
}

template <typename T>
const T* find(const std::vector<T>& v, const IdKey& key) {
  auto it = std::lower_bound(v.begin(), v.end(), key,
                             [](const T& e, const IdKey& k) { return key_less(e.key, k); });
  return it != v.end() && it->key == key ? &*it : nullptr;
}

template <typename T, typename Expired>
void shrink(std::vector<T>& v, Expired expired) {
  if (std::erase_if(v, expired) == 0) return;
  if (v.empty()) std::vector<T>().swap(v);  // the memory too
}

}  // namespace

void LegacyWindows::restored() {
  sort_latest(seen);
  sort_latest(sessions);
}

bool LegacyWindows::seen_since(const IdKey& key, int64_t horizon_ms) const {
  const LegacySeen* e = find(seen, key);
  return e && e->ts_ms >= horizon_ms;
}

const SessionState* LegacyWindows::session(const IdKey& key, int64_t horizon_ms) const {
  const LegacySession* s = find(sessions, key);
  return s && s->state.end_ms >= horizon_ms ? &s->state : nullptr;
}

void LegacyWindows::expire(int64_t dedupe_horizon_ms, int64_t session_horizon_ms) {
  shrink(seen, [&](const LegacySeen& e) { return e.ts_ms < dedupe_horizon_ms; });
  shrink(sessions, [&](const LegacySession& s) { return s.state.end_ms < session_horizon_ms; });
}

}  // namespace engaged
