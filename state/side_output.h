// What a checkpoint must see acknowledged before it commits the input offsets it covers: the
// outputs its input produced beside state (the dead letters). Kept apart from the sinks so that
// the checkpoint (state/) knows only this much of them.
#pragma once

#include <cstdint>

namespace engaged {

class SideOutput {
 public:
  virtual ~SideOutput() = default;
  // A mark after everything sent so far.
  virtual uint64_t mark() = 0;
  // True once everything sent before `mark` is acknowledged by its destination (with `wait`:
  // blocks until then). Throws if any of it was refused: the checkpoint is then not committed,
  // and its input is read (and rejected) again after a restart.
  virtual bool acknowledged(uint64_t mark, bool wait) = 0;
};

}  // namespace engaged
