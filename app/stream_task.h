// Runs the topology over one partition at a time (Kafka Streams' StreamTask): an accepted event
// through every processor in order, stream-time punctuation, and the user timers due when a day
// begins. The only caller of the topology's processors; the context it gives them is the
// partition's state.
#pragma once

#include <cstdint>

#include "processors/runtime/partition_state.h"
#include "processors/runtime/processor.h"
#include "processors/runtime/topology.h"

namespace engaged {

class StreamTask final : public ProcessorContext {
 public:
  StreamTask(const Topology& topology, const TimeZone& tz, int64_t allowed_lateness_ms,
             NudgeEffects& effects);

  // An accepted event already applied to `user`, whose activity was `before`. A user_deleted
  // event erases `user` from the partition.
  void process(PartitionState& part, CachedUser& user, const UserActivity& before, const Event& ev);
  // The partition's stream time moved on from `before_ms`: every processor's punctuation, then,
  // when a day began, every user timer due by its start, in (due, user) order. `epoch`: the
  // checkpoint epoch users are touched in.
  void advance(PartitionState& part, int64_t before_ms, uint32_t epoch);

  StateStore& state_store(uint8_t id) override;
  void forward(ProgramRecord record) override;
  void schedule(int64_t due_ms) override;
  void erase_user() override;
  int64_t& clock_hour() override;

 private:
  void enter(PartitionState& part);

  const Topology& topology_;
  PartitionState* part_ = nullptr;
  bool erase_ = false;
};

}  // namespace engaged
