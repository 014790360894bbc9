// The deterministic merge in front of the mentor program. Every input partition emits its
// program records in its own order; the merge releases them in (order_ms, source, seq) order,
// and only once no source can still send anything that sorts before: each source's watermark
// (its stream time) must have passed. The released sequence depends only on what each source
// emitted, never on how the sources' records interleaved on the way, so replaying the same
// log, through Kafka or from a file, feeds the program the same records in the same order.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <set>
#include <utility>

#include "processors/program/program_record.h"

namespace engaged {

struct MergeSource {
  uint64_t next_seq = 0;          // next data record expected (lower ones are duplicates)
  int64_t watermark = INT64_MIN;  // no later record of this source sorts below this
  std::deque<ProgramEnvelope> pending;
  bool operator==(const MergeSource&) const = default;
};

class ProgramMerge {
 public:
  // `sources`: how many input partitions feed the program (all must report before release).
  explicit ProgramMerge(int sources = 0) : sources_(sources) {}

  void set_sources(int sources) { sources_ = sources; }
  int sources() const { return sources_; }
  // Takes one envelope; false if it is a duplicate (an already-taken seq) or out of sequence.
  bool add(ProgramEnvelope e);
  // Raises a source's watermark (a watermark envelope, or the final stream time in replay).
  void advance(int32_t source, int64_t order_ms);
  // The next record no source can still precede, or nullptr; pop() takes it out.
  const ProgramEnvelope* ready() const;
  ProgramEnvelope pop();
  size_t pending() const;
  // The pending envelope (source, seq), or nullptr (never added, or released since).
  const ProgramEnvelope* pending_envelope(int32_t source, uint64_t seq) const;

  // Where a restored stage reads its input again. Pending envelopes are not stored: the shell
  // re-reads them from their input offset, so a source is stored with `resume_seq` (its first
  // pending seq) and the stage with `resume_offset` (the lowest pending input offset). Envelopes
  // held in the store (state written before this rule) come first and are not counted.
  uint64_t resume_seq(int32_t source) const;
  std::optional<int64_t> resume_offset() const;

  // What changed since the last call: sources whose resume_seq or watermark may have moved, and
  // the envelopes held in the store that were released since (their records are deleted).
  struct Changes {
    std::set<int32_t> sources;
    std::set<std::pair<int32_t, uint64_t>> released_from_store;
  };
  Changes take_changes() { return std::exchange(changes_, {}); }

  // Loading (nothing marked) and inspection.
  std::map<int32_t, MergeSource>& state() { return by_source_; }
  const std::map<int32_t, MergeSource>& state() const { return by_source_; }

 private:
  int sources_;
  std::map<int32_t, MergeSource> by_source_;
  Changes changes_;
};

}  // namespace engaged
