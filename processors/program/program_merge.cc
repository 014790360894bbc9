// Release rule: the smallest head (order_ms, source, seq) over all sources is released when
// every source without pending records has a watermark that puts its next record after it.
#include "processors/program/program_merge.h"

#include <algorithm>
#include <tuple>

namespace engaged {

bool ProgramMerge::add(ProgramEnvelope e) {
  auto [it, created] = by_source_.try_emplace(e.source);
  if (created) changes_.sources.insert(e.source);
  MergeSource& s = it->second;
  if (e.watermark) {
    advance(e.source, e.order_ms);
    return true;
  }
  if (e.seq != s.next_seq) return false;  // a re-send (lower) or a gap (never produced here)
  ++s.next_seq;
  if (e.order_ms > s.watermark) s.watermark = e.order_ms;
  changes_.sources.insert(e.source);
  s.pending.push_back(std::move(e));
  return true;
}

void ProgramMerge::advance(int32_t source, int64_t order_ms) {
  auto [it, created] = by_source_.try_emplace(source);
  MergeSource& s = it->second;
  if (created || order_ms > s.watermark) {
    s.watermark = std::max(s.watermark, order_ms);
    changes_.sources.insert(source);
  }
}

const ProgramEnvelope* ProgramMerge::ready() const {
  const ProgramEnvelope* best = nullptr;
  for (const auto& [id, s] : by_source_) {
    if (s.pending.empty()) continue;
    const ProgramEnvelope& h = s.pending.front();
    if (!best || std::tie(h.order_ms, h.source) < std::tie(best->order_ms, best->source)) best = &h;
  }
  if (!best) return nullptr;
  // Every source, heard from or not, must be past the candidate.
  int known = 0;
  for (const auto& [id, s] : by_source_) {
    if (id < sources_) ++known;
    if (!s.pending.empty() || id == best->source) continue;
    if (s.watermark < best->order_ms || (s.watermark == best->order_ms && id < best->source))
      return nullptr;
  }
  return known < sources_ ? nullptr : best;
}

ProgramEnvelope ProgramMerge::pop() {
  const ProgramEnvelope* r = ready();
  MergeSource& s = by_source_[r->source];
  ProgramEnvelope e = std::move(s.pending.front());
  s.pending.pop_front();
  changes_.sources.insert(e.source);
  if (e.input_offset == ProgramEnvelope::kHeldInStore)
    changes_.released_from_store.emplace(e.source, e.seq);
  return e;
}

const ProgramEnvelope* ProgramMerge::pending_envelope(int32_t source, uint64_t seq) const {
  auto it = by_source_.find(source);
  if (it == by_source_.end() || it->second.pending.empty()) return nullptr;
  // Pending seqs are consecutive: added in sequence, released from the front.
  const auto& pending = it->second.pending;
  const uint64_t first = pending.front().seq;
  if (seq < first || seq - first >= pending.size()) return nullptr;
  return &pending[seq - first];
}

uint64_t ProgramMerge::resume_seq(int32_t source) const {
  const MergeSource& s = by_source_.at(source);
  for (const ProgramEnvelope& e : s.pending)
    if (e.input_offset != ProgramEnvelope::kHeldInStore) return e.seq;
  return s.next_seq;
}

std::optional<int64_t> ProgramMerge::resume_offset() const {
  std::optional<int64_t> lowest;
  for (const auto& [id, s] : by_source_) {
    // Offsets grow with seq within a source: its first re-readable envelope is its lowest.
    for (const ProgramEnvelope& e : s.pending) {
      if (e.input_offset == ProgramEnvelope::kHeldInStore) continue;
      if (!lowest || e.input_offset < *lowest) lowest = e.input_offset;
      break;
    }
  }
  return lowest;
}

size_t ProgramMerge::pending() const {
  size_t n = 0;
  for (const auto& [id, s] : by_source_) n += s.pending.size();
  return n;
}

}  // namespace engaged
