// The shell around the program stage (processors/program/program_stage.h): feeds it envelopes,
// keeps its state and input position in the store (in the same checkpoint as everything else, per
// changed key: processors/program/program_store.h), turns its nudges into outbox entries and
// publishes the mentor-program metrics. One instance runs it: the owner of the program topic's only
// partition (run), or the replay beside its workers (app/replay_command.cc).
#pragma once

#include <cstdint>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <utility>

#include "app/config.h"
#include "processors/program/program_stage.h"
#include "processors/program/program_store.h"
#include "state/checkpoint.h"
#include "state/codec.h"
#include "state/outbox_buffer.h"

namespace engaged {

class Metrics;
class Store;

class ProgramRunner {
 public:
  // Restores the stage from the store. `sources`: partitions of the input topic.
  ProgramRunner(const Config& config, Store& store, Metrics* metrics, int sources);

  // One envelope as encoded in an outbox entry / program-topic message, found at `input_offset`
  // (where it is read again if the stage restarts before releasing it); false if undecodable.
  bool add(std::string_view payload, int64_t input_offset);
  // Whether the payload's envelope waits in the merge (replay keeps its outbox entry then).
  bool pending(std::string_view payload) const;
  void advance_source(int32_t source, int64_t order_ms) {
    stage_.merge().advance(source, order_ms);
    changed_ = true;
  }
  // Processes what the merge releases; its nudges get their outbox keys in decision order.
  void run();
  // The nudges decided since the last checkpoint, as outbox entries: the shell may send the
  // unsent ones ahead of it (processing.send_outputs=on_decision); write() stores them all.
  OutboxBuffer& nudges() { return nudges_; }
  // Runs the merge, then adds the changed state, where reading resumes (the first pending
  // envelope's offset) and the new nudges (outbox entries) to a checkpoint's write.
  void write(ChangeBatch& batch, CheckpointResult& result);

  // The next program-topic offset to read (after a restore: the stored resume offset).
  int64_t next_offset() const { return position_; }
  void set_next_offset(int64_t offset) {
    position_ = offset;
    changed_ = true;
  }

 private:
  Metrics* metrics_;
  ProgramStage stage_;
  OutboxBuffer nudges_{codec::kProgramPartition, codec::OutboxSink::kNudges};
  program_store::Counters counters_;
  int64_t position_ = 0;
  bool changed_ = false;
  std::set<std::pair<int32_t, uint64_t>> gap_reported_;  // (source, missing seq) logged once
};

}  // namespace engaged
