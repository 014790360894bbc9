// A user's partition comes from the partitioner; the members topic says who owns the others.
#include "app/user_view.h"

#include <fmt/format.h>
#include <httplib.h>

#include <memory>

#include "app/zone_files.h"
#include "domain/timestamp.h"
#include "processors/program/program_store.h"
#include "processors/program/risk_tracker.h"
#include "processors/runtime/partition_store.h"
#include "sinks/json_text.h"
#include "state/codec.h"
#include "state/store.h"

namespace engaged {
namespace {

std::string json_quoted(std::string_view s) {
  std::string out;
  append_json_string(out, s);
  return out;
}

std::string day_or_null(int32_t day) {
  return day == kNoDay ? "null" : json_quoted(format_day(day));
}

std::string time_or_null(int64_t ms) {
  return ms == INT64_MIN ? "null" : json_quoted(format_rfc3339_ms(ms));
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

std::string percent_encoded(std::string_view s) {
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~')
      out.push_back(static_cast<char>(c));
    else
      out += fmt::format("%{:02X}", c);
  }
  return out;
}

HttpAnswer redirect(const std::string& address, std::string_view path, std::string_view id) {
  const std::string location = "http://" + address + std::string(path) + percent_encoded(id);
  return {307, "{\"redirect\":" + json_quoted(location) + "}", location, 0};
}

HttpAnswer unavailable(std::string_view what) {
  return {503, "{\"error\":" + json_quoted(what) + "}", {}, 1};
}

// The program stage's part of a user: "mentor", "as_mentor" (if a mentor), "last_nudges", as
// the members of a JSON object (without its braces); nullopt if the program knows nothing of them.
std::optional<std::string> program_members(Store& store, const std::string& id) {
  const auto mentor = program_store::mentor(store, id);
  const auto match = program_store::match(store, id);
  const auto waiting = program_store::waiting(store, id);
  const auto recipient = program_store::recipient(store, id);
  if (!mentor && !match && !waiting && !recipient) return std::nullopt;
  std::string out;
  if (match)
    out += fmt::format("\"mentor\":{{\"user_id\":{},\"matched_at\":{},\"stage\":\"{}\"}}",
                       json_quoted(match->mentor), time_or_null(match->matched_ms),
                       stage_name(match->stage));
  else if (waiting)
    out += "\"mentor\":{\"waiting_since\":" + time_or_null(waiting->since_ms) + "}";
  else
    out += "\"mentor\":null";
  if (mentor) {
    const Mentor& x = *mentor;
    out += fmt::format(
        ",\"as_mentor\":{{\"opted_in\":{},\"suspended\":{},\"capacity\":{},\"mentees\":[",
        x.opted_in, x.suspended, x.capacity);
    bool first = true;
    for (const auto& e : x.mentees) out += (first ? "" : ",") + json_quoted(e), first = false;
    out +=
        fmt::format("],\"first_answers\":{},\"mean_first_answer_seconds\":{}}}", x.stats.responses,
                    x.stats.responses ? x.stats.response_s_sum / x.stats.responses : 0);
  }
  out += ",\"last_nudges\":[";
  if (recipient) {
    bool first = true;
    for (auto it = recipient->log.rbegin(); it != recipient->log.rend(); ++it) {
      out += fmt::format("{}{{\"nudge_id\":{},\"kind\":\"{}\",\"outcome\":\"{}\",\"at\":{}}}",
                         first ? "" : ",", json_quoted(it->nudge_id), nudge_kind_name(it->kind),
                         nudge_outcome_name(it->outcome), time_or_null(it->ms));
      first = false;
    }
  }
  return out + "]";
}

}  // namespace

std::function<HttpAnswer(const std::string&)> make_program_view(Store& store, UserRoutes routes) {
  return [&store, routes](const std::string& id) -> HttpAnswer {
    if (!routes.serves(codec::kProgramPartition)) {
      if (auto owner = routes.owner_address(codec::kProgramPartition))
        return redirect(*owner, "/v1/program/users/", id);
      return unavailable("the mentor program stage is not served right now (moving or restoring)");
    }
    auto members = program_members(store, id);
    if (!members) return {404, "{\"error\":\"unknown user\"}", {}, 0};
    return {200, "{" + *members + "}", {}, 0};
  };
}

std::function<HttpAnswer(const std::string&)> make_user_view(const Config& config, Store& store,
                                                             UserRoutes routes) {
  auto risk = std::make_shared<RiskTracker>(risk_config(config));
  auto tz = std::make_shared<TimeZone>(load_time_zone(config.timezone));
  const std::string token = http_access(config).token;  // the instances share one token
  return [risk, tz, token, &store, routes](const std::string& id) -> HttpAnswer {
    const int32_t partition = routes.partitioner.partition(id, routes.partitions);
    if (!routes.serves(partition)) {
      if (auto owner = routes.owner_address(partition)) return redirect(*owner, "/v1/users/", id);
      return unavailable(fmt::format(
          "partition {} of this user is not served right now (moving or restoring)", partition));
    }
    UserActivity a;
    UserProfile p;
    const bool known = read_user(store, partition, id, a, p);
    // The program's part: here, or from the instance that runs the program stage.
    std::optional<std::string> program;
    std::string program_note;
    if (routes.serves(codec::kProgramPartition)) {
      program = program_members(store, id);
    } else if (auto owner = routes.owner_address(codec::kProgramPartition)) {
      httplib::Client client("http://" + *owner);
      client.set_connection_timeout(2);
      client.set_read_timeout(2);
      client.set_follow_location(true);
      if (!token.empty()) client.set_bearer_token_auth(token);
      if (auto res = client.Get("/v1/program/users/" + percent_encoded(id))) {
        if (res->status == 200 && res->body.size() >= 2)
          program = res->body.substr(1, res->body.size() - 2);
        else if (res->status != 404)
          program_note = fmt::format("the program stage answered {}", res->status);
      } else {
        program_note = "the program stage did not answer";
      }
    } else {
      program_note = "the program stage is not served right now";
    }
    if (!known && !program && program_note.empty())
      return {404, "{\"error\":\"unknown user\"}", {}, 0};

    std::string out = fmt::format("{{\"user_id\":{}", json_quoted(id));
    if (known) {
      const int64_t now = read_stream_time(store, partition);
      const int32_t day = tz->day_of(now);
      const RiskConfig& rc = risk->config();
      const RiskFeatures f =
          risk_features(a, p, {day, now, rc.support_sla_ms, rc.aha_count, &rc.model.cohort});
      const RiskScore s = score_risk(rc.model, f);
      out += fmt::format(
          ",\"partition\":{},\"as_of\":{},\"cohort_day\":{},\"signup_day\":{},"
          "\"last_active_day\":{},\"active_days_30d\":{},\"timezone\":{},\"language\":{}",
          partition, time_or_null(now), day_or_null(a.cohort_day), day_or_null(a.signup_day),
          day_or_null(a.last_day), a.count_active(day - 29, day), json_quoted(p.tz),
          json_quoted(p.language));
      out += fmt::format(",\"risk\":{{\"score\":{:.4f},\"at_risk\":{},\"reasons\":[", s.score,
                         s.score >= risk->config().threshold);
      for (size_t i = 0; i < s.reasons.size(); ++i)
        out += fmt::format("{}{{\"feature\":\"{}\",\"contribution\":{:.4f},\"text\":{}}}",
                           i ? "," : "", risk_feature_name(s.reasons[i].first), s.reasons[i].second,
                           json_quoted(describe_risk_reason(s.reasons[i].first, f, rc.actions)));
      out += fmt::format("],\"next_check\":{}}}", time_or_null(p.risk.timer_ms));
      out += fmt::format(",\"program\":{{\"entered_at\":{},\"arm\":{}}}",
                         time_or_null(p.entry.entered_ms),
                         p.entry.entered_ms == INT64_MIN ? "null"
                         : p.entry.holdout               ? "\"holdout\""
                                                         : "\"treated\"");
    }
    if (program)
      out += "," + *program;
    else if (!program_note.empty())
      out += ",\"mentor_program\":{\"unavailable\":" + json_quoted(program_note) + "}";
    else
      out += ",\"mentor\":null,\"last_nudges\":[]";
    return {200, out + "}", {}, 0};
  };
}

}  // namespace engaged
