// The program stage's state in the program family, one record per key, so a checkpoint writes
// (and the changelog carries) only what changed: a mentor, a match, a waiting mentee, a block, a
// mentor's reporters, a holdout decision, a timer, a recipient's policy, a deferred nudge and a
// merge source's position, plus three counters. Keys start with the program partition
// (codec::kProgramPartition), then a one-letter kind and the id. Envelopes pending in the merge
// are not stored: the stage resumes reading its input at the first of them (as Kafka Streams
// commits only what it processed), which keeps the one-partition program changelog small.
// State written before that rule holds them as kind 'E'; they are loaded and deleted as released.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "processors/program/program_stage.h"

namespace engaged {

class ChangeBatch;
class Store;

namespace program_store {

struct Counters {
  uint64_t next_nudge_seq = 0;  // outbox numbering of the stage's nudges
  int64_t next_offset = 0;      // where reading the program topic resumes (run only)
};

// Loads every record into `stage` (indexes rebuilt) and returns the counters. Throws on a
// corrupt record, or on state in the layout before per-key records (it cannot be converted:
// rebuild it with `engaged replay`).
Counters load(Store& store, ProgramStage& stage);

// Puts the current value of every key the stage changed since the last call (a delete if it is
// gone), and the counters.
void write_changes(ChangeBatch& batch, ProgramStage& stage, const Counters& counters);

// One user's records, for GET /v1/users/{id}.
std::optional<Mentor> mentor(Store& store, std::string_view id);
std::optional<Match> match(Store& store, std::string_view mentee);
std::optional<Waiting> waiting(Store& store, std::string_view mentee);
std::optional<RecipientPolicy> recipient(Store& store, std::string_view id);

}  // namespace program_store
}  // namespace engaged
