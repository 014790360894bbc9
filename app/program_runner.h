// The shell around the program stage (processors/program_stage.h): feeds it envelopes, keeps its
// state and input position in the store (in the same checkpoint as everything else, per changed
// key: state/program_store.h), turns its nudges into outbox entries and publishes the
// mentor-program metrics. One instance runs it: the owner of the program topic's only partition
// (run), or the replay after its workers.
#pragma once

#include <cstdint>
#include <set>
#include <string_view>
#include <utility>

#include "app/config.h"
#include "processors/program_stage.h"
#include "state/checkpoint.h"
#include "state/program_store.h"

namespace engaged {

class Metrics;
class Store;

class ProgramRunner {
 public:
  // Restores the stage from the store. `sources`: partitions of the input topic.
  ProgramRunner(const Config& config, Store& store, Metrics* metrics, int sources);

  // One envelope as encoded in an outbox entry / program-topic message; false if undecodable.
  bool add(std::string_view payload);
  void advance_source(int32_t source, int64_t order_ms) {
    stage_.merge().advance(source, order_ms);
    changed_ = true;
  }
  // Processes what the merge releases.
  void run();
  // Adds the changed state, the program-topic position and the new nudges (outbox entries) to
  // a checkpoint's write.
  void write(ChangeBatch& batch, CheckpointResult& result);

  int64_t next_offset() const { return counters_.next_offset; }
  void set_next_offset(int64_t offset) {
    counters_.next_offset = offset;
    changed_ = true;
  }

 private:
  Metrics* metrics_;
  ProgramStage stage_;
  std::vector<Nudge> nudges_;  // decided since the last write
  program_store::Counters counters_;
  bool changed_ = false;
  std::set<std::pair<int32_t, uint64_t>> gap_reported_;  // (source, missing seq) logged once
};

}  // namespace engaged
