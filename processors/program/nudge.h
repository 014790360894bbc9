// A nudge: one decision of the mentor program, as written to the nudges topic
// (schemas/nudge.v1.schema.json). Its id is a hash of the decision's inputs, so replaying the
// same log decides the same nudges with the same ids.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "processors/program/nudge_kind.h"

namespace engaged {

enum class NudgeOutcome : uint8_t { kSent, kCapped, kQuietDeferred, kHoldout, kSuppressed };
inline constexpr int kNudgeOutcomeCount = 5;
std::string_view nudge_outcome_name(NudgeOutcome o);

struct Nudge {
  std::string nudge_id;
  NudgeKind kind = NudgeKind::kMentorInvite;
  std::string recipient;  // who receives it (the Kafka key)
  std::string subject;    // who it is about: the mentee or mentor of a match, ... ("" = none)
  int64_t decided_ms = 0;
  int64_t deliver_ms = 0;          // decided_ms, or the end of the recipient's quiet hours
  bool holdout = false;            // recorded for the experiment, never to be delivered
  double risk = -1;                // the mentee's churn risk behind a match (-1: none)
  bool risk_of_recipient = false;  // the risk is the recipient's own (the mentee of a match)
  std::vector<std::pair<uint8_t, double>> reasons;  // (risk feature, contribution)
  bool operator==(const Nudge&) const = default;
};

// Who the recipient is to the decision: mentee, mentor, user (invite) or sales (lead).
std::string_view nudge_role(const Nudge& n);

// "<kind>-<16 hex digits>": XXH3-64 of kind, recipient, subject and decision time.
std::string make_nudge_id(NudgeKind kind, std::string_view recipient, std::string_view subject,
                          int64_t decided_ms);

}  // namespace engaged
