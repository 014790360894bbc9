// Byte layout of the mentor program's records and state: the envelopes on the internal program
// topic (and in the partitions' outboxes), and the program stage's state records in RocksDB.
#pragma once

#include <optional>
#include <set>
#include <string>
#include <string_view>

#include "processors/program/mentor_program.h"
#include "processors/program/program_merge.h"
#include "processors/program/program_record.h"
#include "state/codec.h"

namespace engaged::codec {

// version 1 | source | seq | order_ms | watermark | record fields
void encode_envelope(std::string& out, const ProgramEnvelope& e);
std::optional<ProgramEnvelope> decode_envelope(std::string_view v);

// The program stage's state, one record per key of the program family
// (processors/program/program_store.cc names the keys). Each value: version 1 | fields as varints
// and length-prefixed strings.
void encode_mentor(std::string& out, const Mentor& m);
std::optional<Mentor> decode_mentor(std::string_view v);
void encode_match(std::string& out, const Match& m);
std::optional<Match> decode_match(std::string_view v);
void encode_waiting(std::string& out, const Waiting& w);
std::optional<Waiting> decode_waiting(std::string_view v);
void encode_ids(std::string& out, const std::set<std::string>& ids);  // a mentor's reporters
std::optional<std::set<std::string>> decode_ids(std::string_view v);
void encode_time(std::string& out, int64_t ms);  // holdout decisions, counters, positions
std::optional<int64_t> decode_time(std::string_view v);
void encode_recipient(std::string& out, const RecipientPolicy& p);
std::optional<RecipientPolicy> decode_recipient(std::string_view v);
void encode_nudge(std::string& out, const Nudge& n);  // a deferred nudge
std::optional<Nudge> decode_nudge(std::string_view v);
void encode_merge_source(std::string& out, const MergeSource& s);  // next seq and watermark
std::optional<MergeSource> decode_merge_source(std::string_view v);
// A member of a set (blocks, program timers): its key says everything, its value is the version
// alone (it was empty before state format 3).
void encode_member(std::string& out);

}  // namespace engaged::codec
