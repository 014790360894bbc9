// The program stage: the merge of every partition's program records, the mentor program and the
// nudge policy behind it, as one pure unit. The shell feeds it envelopes (from the program topic
// or, in replay, from the partitions' outboxes) and persists its state; it returns the nudges.
#pragma once

#include "processors/program/mentor_program.h"
#include "processors/program/nudge_policy.h"
#include "processors/program/program_merge.h"

namespace engaged {

struct ProgramStageConfig {
  MentorProgramConfig program;
  PolicyConfig policy;
};

class ProgramStage {
 public:
  ProgramStage(const ProgramStageConfig& config, ZoneTable zones, TimeZone fallback, int sources)
      : zones_(std::move(zones), std::move(fallback)),
        policy_(config.policy, zones_),
        program_(config.program, policy_),
        merge_(sources) {}

  ProgramMerge& merge() { return merge_; }
  const ProgramMerge& merge() const { return merge_; }
  ProgramState& state() { return state_; }
  const ProgramState& state() const { return state_; }

  // Processes every record the merge releases; returns how many.
  size_t run(PolicyOutput& out, ProgramEffects& fx) {
    size_t n = 0;
    while (merge_.ready()) {
      const ProgramEnvelope e = merge_.pop();
      program_.process(state_, e.record, e.order_ms, out, fx);
      ++n;
    }
    return n;
  }

 private:
  ZoneLookup zones_;
  NudgePolicy policy_;
  MentorProgram program_;
  ProgramMerge merge_;
  ProgramState state_;
};

}  // namespace engaged
