// Byte layout of the mentor program's records and state: the envelopes on the internal program
// topic (and in the partitions' outboxes), and the program stage's state in RocksDB.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "processors/mentor_program.h"
#include "processors/program_merge.h"
#include "processors/program_record.h"

namespace engaged::codec {

// version 1 | source | seq | order_ms | watermark | record fields
void encode_envelope(std::string& out, const ProgramEnvelope& e);
std::optional<ProgramEnvelope> decode_envelope(std::string_view v);

// The whole program state (roster, matches, waiting list, blocks, reports, timers, policy).
void encode_program_state(std::string& out, const ProgramState& s);
std::optional<ProgramState> decode_program_state(std::string_view v);

// The merge: per source its next seq, watermark and pending envelopes.
void encode_merge_state(std::string& out, const std::map<int32_t, MergeSource>& sources);
std::optional<std::map<int32_t, MergeSource>> decode_merge_state(std::string_view v);

}  // namespace engaged::codec
