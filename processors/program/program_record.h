// What a user's partition tells the mentor program: one record per fact the program needs from
// that user's events (an opt-in, a message, a report, a newcomer at risk, ...). Records travel on
// an internal topic to the one program stage, which merges every partition's records in a
// deterministic order (processors/program/program_merge.h).
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace engaged {

enum class ProgramInput : uint8_t {
  kClock,           // the source's event time moved on (an hour passed, or a tick)
  kMentorOptIn,     // user volunteered: languages, topics, capacity, tz
  kMentorOptOut,    // user stopped mentoring
  kMentorMessage,   // user wrote to peer
  kMentorReport,    // user reported peer (a mentor)
  kMentorRating,    // user rated their mentor peer: score
  kUserBlocked,     // user blocked peer
  kAtRisk,          // a newcomer's risk crossed the threshold: score, reasons, language, topics
  kRecovered,       // ... and went back below it
  kMentorEligible,  // user meets the recruitment criteria
  kHighIntent,      // user matches the sales-lead rule
  kMenteeRetained,  // an at-risk newcomer is still active 30 days after entering the program
  kUserDeleted,
};

struct ProgramRecord {
  ProgramInput kind = ProgramInput::kClock;
  int64_t ts_ms = 0;  // event time of the fact
  std::string user, peer;
  std::string tz, language;  // the user's time zone and language, where known
  std::vector<std::string> languages, topics;
  int32_t capacity = 0;                             // opt-in
  int32_t score = 0;                                // rating 0..10
  double risk = 0;                                  // at-risk: the score
  std::vector<std::pair<uint8_t, double>> reasons;  // at-risk: (feature, contribution)
  bool operator==(const ProgramRecord&) const = default;
};

// A record as it travels from its source partition: `order_ms` is the source's stream time when
// it was emitted (never decreasing per source), `seq` numbers the source's data records from 0.
// A watermark carries no record: it says every record of the source up to `seq` (exclusive) is
// out, and no later one will have an order_ms below `order_ms`.
// `input_offset` is not part of the record: where the shell can read it again (its offset on the
// program topic), or kHeldInStore when only the stage's stored state has it.
struct ProgramEnvelope {
  static constexpr int64_t kHeldInStore = -1;
  int32_t source = 0;
  uint64_t seq = 0;
  int64_t order_ms = 0;
  bool watermark = false;
  ProgramRecord record;
  int64_t input_offset = kHeldInStore;
  bool operator==(const ProgramEnvelope&) const = default;
};

}  // namespace engaged
