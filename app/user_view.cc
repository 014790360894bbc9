// The user's partition is found by looking the id up in each partition of the store.
#include "app/user_view.h"

#include <fmt/format.h>

#include <memory>

#include "ingest/json_text.h"
#include "ingest/timestamp.h"
#include "processors/risk_tracker.h"
#include "state/program_store.h"
#include "state/store.h"

namespace engaged {
namespace {

std::string quoted(std::string_view s) {
  std::string out;
  append_json_string(out, s);
  return out;
}

std::string day_or_null(int32_t day) {
  return day == kNoDay ? "null" : quoted(format_day(day));
}

std::string time_or_null(int64_t ms) {
  return ms == INT64_MIN ? "null" : quoted(format_rfc3339_ms(ms));
}

std::string_view stage_name(MatchStage s) {
  switch (s) {
    case MatchStage::kAwaitingAnswer:
      return "awaiting_answer";
    case MatchStage::kReminded:
      return "reminded";
    case MatchStage::kAnswered:
      return "answered";
  }
  return "";
}

}  // namespace

std::function<std::optional<std::string>(const std::string&)> make_user_view(const Config& config,
                                                                             Store& store) {
  auto risk = std::make_shared<RiskTracker>(risk_config(config));
  auto tz = std::make_shared<TimeZone>(TimeZone::load(config.timezone));
  return [risk, tz, &store](const std::string& id) -> std::optional<std::string> {
    UserActivity a;
    UserProfile p;
    int32_t partition = -1;
    for (int32_t part : store.partitions())
      if (store.get_user(part, id, a, p)) {
        partition = part;
        break;
      }
    const auto mentor = program_store::mentor(store, id);
    const auto match = program_store::match(store, id);
    const auto waiting = program_store::waiting(store, id);
    const auto recipient = program_store::recipient(store, id);
    const bool in_program = mentor || match || waiting || recipient;
    if (partition < 0 && !in_program) return std::nullopt;

    std::string out = fmt::format("{{\"user_id\":{}", quoted(id));
    if (partition >= 0) {
      const int64_t now = store.stream_time(partition);
      const int32_t day = tz->day_of(now);
      const RiskScore s = risk->score(a, p, day, now);
      out += fmt::format(
          ",\"partition\":{},\"as_of\":{},\"cohort_day\":{},\"signup_day\":{},"
          "\"last_active_day\":{},\"active_days_30d\":{},\"timezone\":{},\"language\":{}",
          partition, time_or_null(now), day_or_null(a.cohort_day), day_or_null(a.signup_day),
          day_or_null(a.last_day), a.count_active(day - 29, day), quoted(p.tz), quoted(p.language));
      out += fmt::format(",\"risk\":{{\"score\":{:.4f},\"at_risk\":{},\"reasons\":[", s.score,
                         s.score >= risk->config().threshold);
      for (size_t i = 0; i < s.reasons.size(); ++i)
        out += fmt::format("{}{{\"feature\":\"{}\",\"contribution\":{:.4f}}}", i ? "," : "",
                           risk_feature_name(s.reasons[i].first), s.reasons[i].second);
      out += fmt::format("],\"next_check\":{}}}", time_or_null(p.risk.timer_ms));
      out += fmt::format(",\"program\":{{\"entered_at\":{},\"arm\":{}}}",
                         time_or_null(p.entry.entered_ms),
                         p.entry.entered_ms == INT64_MIN ? "null"
                         : p.entry.holdout               ? "\"holdout\""
                                                         : "\"treated\"");
    }
    if (match)
      out += fmt::format(",\"mentor\":{{\"user_id\":{},\"matched_at\":{},\"stage\":\"{}\"}}",
                         quoted(match->mentor), time_or_null(match->matched_ms),
                         stage_name(match->stage));
    else if (waiting)
      out += ",\"mentor\":{\"waiting_since\":" + time_or_null(waiting->since_ms) + "}";
    else
      out += ",\"mentor\":null";
    if (mentor) {
      const Mentor& x = *mentor;
      out += fmt::format(
          ",\"as_mentor\":{{\"opted_in\":{},\"suspended\":{},\"capacity\":{},"
          "\"mentees\":[",
          x.opted_in, x.suspended, x.capacity);
      bool first = true;
      for (const auto& e : x.mentees) out += (first ? "" : ",") + quoted(e), first = false;
      out += fmt::format("],\"first_answers\":{},\"mean_first_answer_seconds\":{}}}",
                         x.stats.responses,
                         x.stats.responses ? x.stats.response_s_sum / x.stats.responses : 0);
    }
    out += ",\"last_nudges\":[";
    if (recipient) {
      bool first = true;
      for (auto it = recipient->log.rbegin(); it != recipient->log.rend(); ++it) {
        out += fmt::format("{}{{\"nudge_id\":{},\"kind\":\"{}\",\"outcome\":\"{}\",\"at\":{}}}",
                           first ? "" : ",", quoted(it->nudge_id), nudge_kind_name(it->kind),
                           nudge_outcome_name(it->outcome), time_or_null(it->ms));
        first = false;
      }
    }
    out += "]";
    out += "}";
    return out;
  };
}

}  // namespace engaged
