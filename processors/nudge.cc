// Nudge ids and the nudge.v1 JSON encoding.
#include "processors/nudge.h"

#include <fmt/format.h>
#include <xxhash.h>

#include <array>

#include "domain/timestamp.h"
#include "ingest/json_text.h"
#include "processors/churn_risk.h"

namespace engaged {

std::string_view nudge_outcome_name(NudgeOutcome o) {
  static constexpr std::array<std::string_view, kNudgeOutcomeCount> kNames = {
      "sent", "capped", "quiet_deferred", "holdout", "suppressed"};
  return kNames[static_cast<size_t>(o)];
}

std::string_view nudge_role(const Nudge& n) {
  switch (n.kind) {
    case NudgeKind::kMentorMatch:
      // A match is told to both: the mentee's nudge names the mentor (subject) and vice versa.
      return n.risk_of_recipient ? "mentee" : "mentor";
    case NudgeKind::kMentorReminder:
    case NudgeKind::kMentorReward:
      return "mentor";
    case NudgeKind::kSalesLead:
      return "sales";
    default:
      return "user";
  }
}

std::string make_nudge_id(NudgeKind kind, std::string_view recipient, std::string_view subject,
                          int64_t decided_ms) {
  std::string key =
      fmt::format("{}\n{}\n{}\n{}", nudge_kind_name(kind), recipient, subject, decided_ms);
  return fmt::format("{}-{:016x}", nudge_kind_name(kind), XXH3_64bits(key.data(), key.size()));
}

std::string nudge_json(const Nudge& n) {
  std::string out = "{\"schema\":\"nudge.v1\",\"nudge_id\":";
  append_json_string(out, n.nudge_id);
  out += ",\"kind\":";
  append_json_string(out, nudge_kind_name(n.kind));
  out += ",\"program\":";
  append_json_string(out, nudge_program(n.kind));
  out += ",\"recipient_user_id\":";
  append_json_string(out, n.recipient);
  out += ",\"recipient_role\":\"";
  out += nudge_role(n);
  out += '"';
  if (!n.subject.empty()) {
    out += ",\"subject_user_id\":";
    append_json_string(out, n.subject);
  }
  out += fmt::format(",\"decided_at\":\"{}\",\"deliver_at\":\"{}\",\"holdout\":{}",
                     format_rfc3339_ms(n.decided_ms), format_rfc3339_ms(n.deliver_ms),
                     n.holdout ? "true" : "false");
  if (n.risk >= 0) out += fmt::format(",\"risk_score\":{:.4f}", n.risk);
  if (!n.reasons.empty()) {
    out += ",\"reasons\":[";
    for (size_t i = 0; i < n.reasons.size(); ++i)
      out += fmt::format("{}{{\"feature\":\"{}\",\"contribution\":{:.4f}}}", i ? "," : "",
                         risk_feature_name(n.reasons[i].first), n.reasons[i].second);
    out += "]";
  }
  out += "}";
  return out;
}

}  // namespace engaged
