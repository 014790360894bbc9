// The sessions of a partition that may still change, by id_key(user, session id): an
// open-addressing table of 48-byte slots (no allocation per session, one probe sequence per
// lookup, a linear scan for the checkpoint). Replaces a node-based hash map that cost about a
// sixth of replay's time in allocations and cache misses.
#pragma once

#include <cstddef>
#include <vector>

#include "domain/id_key.h"
#include "processors/sessions/session_processor.h"

namespace engaged {

class SessionTable {
 public:
  struct Slot {
    IdKey key;  // all zero: empty
    SessionState state;
    bool changed = false;
  };

  // The session's state (new if unknown), marked changed.
  SessionState& get(const IdKey& key);
  void restore(const IdKey& key, const SessionState& state);  // from storage, not changed
  void prefetch(const IdKey& key) const {
    if (!slots_.empty()) __builtin_prefetch(&slots_[key.lo & (slots_.size() - 1)]);
  }
  // Drops sessions that ended before `horizon_ms` (final: no accepted event can change them).
  void expire(int64_t horizon_ms);
  // Calls f(slot) on every session.
  template <typename F>
  void for_each(F&& f) {
    for (auto& s : slots_)
      if (!empty(s)) f(s);
  }
  size_t size() const { return size_; }
  size_t memory_bytes() const { return slots_.capacity() * sizeof(Slot); }

 private:
  static bool empty(const Slot& s) { return s.key.hi == 0 && s.key.lo == 0; }
  Slot& find_or_insert(const IdKey& key);
  void rebuild(size_t capacity, int64_t horizon_ms);

  std::vector<Slot> slots_;  // power-of-two size, at most 3/4 full
  size_t size_ = 0;
};

}  // namespace engaged
