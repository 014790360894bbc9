// The nudge.v1 encoding; strings escaped by json_text.
#include "sinks/nudge_json.h"

#include "domain/timestamp.h"
#include "processors/program/churn_risk.h"
#include "sinks/json_text.h"

namespace engaged {

std::string nudge_json(const Nudge& n) {
  std::string out;
  out.reserve(512);
  out += "{\"schema\":\"nudge.v1\",\"nudge_id\":";
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
  out += ",\"decided_at\":\"";
  out += format_rfc3339_ms(n.decided_ms);
  out += "\",\"deliver_at\":\"";
  out += format_rfc3339_ms(n.deliver_ms);
  out += n.holdout ? "\",\"holdout\":true" : "\",\"holdout\":false";
  if (n.risk >= 0) {
    out += ",\"risk_score\":";
    append_decimal4(out, n.risk);
  }
  if (!n.reasons.empty()) {
    out += ",\"reasons\":[";
    for (size_t i = 0; i < n.reasons.size(); ++i) {
      out += i ? ",{\"feature\":\"" : "{\"feature\":\"";
      out += risk_feature_name(n.reasons[i].first);
      out += "\",\"contribution\":";
      append_decimal4(out, n.reasons[i].second);
      out += '}';
    }
    out += "]";
  }
  out += "}";
  return out;
}

}  // namespace engaged
