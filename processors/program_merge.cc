// Release rule: the smallest head (order_ms, source, seq) over all sources is released when
// every source without pending records has a watermark that puts its next record after it.
#include "processors/program_merge.h"

#include <tuple>

namespace engaged {

bool ProgramMerge::add(ProgramEnvelope e) {
  MergeSource& s = by_source_[e.source];
  if (e.watermark) {
    advance(e.source, e.order_ms);
    return true;
  }
  if (e.seq != s.next_seq) return false;  // a re-send (lower) or a gap (never produced here)
  ++s.next_seq;
  if (e.order_ms > s.watermark) s.watermark = e.order_ms;
  s.pending.push_back(std::move(e));
  return true;
}

void ProgramMerge::advance(int32_t source, int64_t order_ms) {
  MergeSource& s = by_source_[source];
  if (order_ms > s.watermark) s.watermark = order_ms;
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
  return e;
}

size_t ProgramMerge::pending() const {
  size_t n = 0;
  for (const auto& [id, s] : by_source_) n += s.pending.size();
  return n;
}

}  // namespace engaged
