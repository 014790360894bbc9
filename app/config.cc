// The settings table and the three sources that fill it.
#include "app/config.h"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <stdexcept>
#include <tuple>

#include "app/risk_model_file.h"
#include "domain/event.h"
#include "domain/timestamp.h"
#include "processors/user_activity.h"
#include "state/kafka/partitioner.h"

extern char** environ;

namespace engaged {
namespace {

// A whole decimal number, or an error saying why not (never wraps around).
int64_t parse_int(const std::string& v) {
  int64_t x = 0;
  const char* end = v.data() + v.size();
  auto [ptr, ec] = std::from_chars(v.data(), end, x);
  if (ec == std::errc::result_out_of_range) throw std::invalid_argument("out of range");
  if (ec != std::errc() || ptr != end || v.empty()) throw std::invalid_argument("not an integer");
  return x;
}

void check_range(int64_t x, int64_t lo, int64_t hi, const std::string& shown) {
  if (x < lo || x > hi)
    throw std::invalid_argument(
        fmt::format("{} is outside the allowed range {}..{}", shown, lo, hi));
}

bool parse_bool(const std::string& v) {
  if (v == "true" || v == "1" || v == "yes") return true;
  if (v == "false" || v == "0" || v == "no") return false;
  throw std::invalid_argument("not a boolean: " + v);
}

// "22:00-08:00" -> minutes after local midnight of start and end.
std::pair<int, int> parse_quiet_hours(const std::string& v) {
  int h1, m1, h2, m2;
  char tail;
  if (std::sscanf(v.c_str(), "%d:%d-%d:%d%c", &h1, &m1, &h2, &m2, &tail) != 4 || h1 < 0 ||
      h1 > 24 || h2 < 0 || h2 > 24 || m1 < 0 || m1 > 59 || m2 < 0 || m2 > 59)
    throw std::invalid_argument("nudges.quiet_hours must be HH:MM-HH:MM");
  return {h1 * 60 + m1, h2 * 60 + m2};
}

struct Setting {
  const char* key;
  const char* description;
  std::function<void(Config&, const std::string&)> set;
  std::function<std::string(const Config&)> get;
};

std::string duration_text(int64_t ms) {
  if (ms % 86400000 == 0) return fmt::format("{}d", ms / 86400000);
  if (ms % 3600000 == 0) return fmt::format("{}h", ms / 3600000);
  if (ms % 60000 == 0) return fmt::format("{}m", ms / 60000);
  if (ms % 1000 == 0) return fmt::format("{}s", ms / 1000);
  return fmt::format("{}ms", ms);
}

#define STRING_SETTING(key, field, desc)                             \
  {                                                                  \
    key, desc, [](Config& c, const std::string& v) { c.field = v; }, \
        [](const Config& c) { return c.field; }                      \
  }
#define INT_SETTING(key, field, lo, hi, desc)                   \
  {                                                             \
    key, desc,                                                  \
        [](Config& c, const std::string& v) {                   \
          const int64_t x = parse_int(v);                       \
          check_range(x, (lo), (hi), v);                        \
          c.field = x;                                          \
        },                                                      \
        [](const Config& c) { return std::to_string(c.field); } \
  }
#define SHARE_SETTING(key, field, desc)                                             \
  {                                                                                 \
    key, desc,                                                                      \
        [](Config& c, const std::string& v) {                                       \
          size_t pos = 0;                                                           \
          const double x = std::stod(v, &pos);                                      \
          if (pos != v.size() || !(x >= 0 && x <= 1))                               \
            throw std::invalid_argument(std::string(key) + " must be within 0..1"); \
          c.field = x;                                                              \
        },                                                                          \
        [](const Config& c) { return fmt::format("{}", c.field); }                  \
  }
#define BOOL_SETTING(key, field, desc)                                           \
  {                                                                              \
    key, desc, [](Config& c, const std::string& v) { c.field = parse_bool(v); }, \
        [](const Config& c) { return std::string(c.field ? "true" : "false"); }  \
  }
// A duration from 0 up to `max_days` days.
#define DURATION_SETTING(key, field, max_days, desc)                           \
  {                                                                            \
    key, desc,                                                                 \
        [](Config& c, const std::string& v) {                                  \
          const int64_t ms = parse_duration_ms(v);                             \
          if (ms > int64_t{max_days} * 86400000)                               \
            throw std::invalid_argument(v + " is longer than " #max_days "d"); \
          c.field = ms;                                                        \
        },                                                                     \
        [](const Config& c) { return duration_text(c.field); }                 \
  }
// A comma-separated list of at most `max` items, each accepted by `valid` (`what` names a valid
// one in errors).
#define LIST_SETTING(key, field, max, valid, what, desc)                                     \
  {                                                                                          \
    key, desc,                                                                               \
        [](Config& c, const std::string& v) {                                                \
          const auto items = split_list(v);                                                  \
          if (items.size() > (max))                                                          \
            throw std::invalid_argument(fmt::format("{}: at most {} items", key, max));      \
          for (const auto& item : items)                                                     \
            if (!valid(item))                                                                \
              throw std::invalid_argument(fmt::format("{}: {} is not {}", key, item, what)); \
          c.field = v;                                                                       \
        },                                                                                   \
        [](const Config& c) { return c.field; }                                              \
  }

bool is_activity_type(const std::string& t) {
  return t == "all" || parse_event_type(t).has_value();
}
bool is_currency_code(const std::string& code) {
  return code.size() == 3 &&
         std::all_of(code.begin(), code.end(), [](char ch) { return ch >= 'A' && ch <= 'Z'; });
}

const std::vector<Setting>& settings() {
  static const std::vector<Setting> kSettings = {
      STRING_SETTING("input.topic", topic, "Kafka topic the app events are consumed from."),
      STRING_SETTING(
          "input.dead_letter_topic", dead_letter_topic,
          "Topic that receives every rejected message (original bytes, reason headers)."),
      INT_SETTING("input.max_event_bytes", max_event_bytes, 1, int64_t{1} << 30,
                  "Largest accepted message; larger ones are rejected as too_large."),
      INT_SETTING("input.batch_size", batch_size, 1, 1000000,
                  "Messages taken from Kafka per poll."),
      {"input.partitioner",
       "How the producers spread user ids over the input partitions, by librdkafka's names: "
       "`consistent_random` (librdkafka's default, CRC32), `murmur2_random` (Java and kafkajs "
       "clients), `fnv1a_random` (Sarama); also without `_random`. `replay` routes lines with "
       "it, and `run` finds a user's partition with it.",
       [](Config& c, const std::string& v) {
         if (!Partitioner::parse(v))
           throw std::invalid_argument("input.partitioner: unknown partitioner " + v);
         c.partitioner = v;
       },
       [](const Config& c) { return c.partitioner; }},
      DURATION_SETTING("input.unreachable_timeout", unreachable_timeout_ms, 1,
                       "`run`: when no Kafka broker answers for this long, it stops with exit "
                       "code 2 (the state stays at its last checkpoint). "
                       "`engaged_kafka_reachable` is 0 meanwhile."),
      DURATION_SETTING("health.checkpoint_max_age", ready_checkpoint_age_ms, 1,
                       "`run`: `/readyz` answers 503 when the last completed checkpoint is older "
                       "than this (the changelog or the disk does not keep up)."),
      DURATION_SETTING("state.shutdown_timeout", shutdown_timeout_ms, 1,
                       "`run`: after SIGTERM the final checkpoint and flushes get this long; "
                       "then (or at a second signal) the process exits with code 3, the state "
                       "at its last checkpoint, as after kill -9."),
      STRING_SETTING("state.dir", state_dir, "RocksDB directory holding state and offsets."),
      INT_SETTING("state.checkpoint_interval_ms", checkpoint_interval_ms, 1, 86400000,
                  "Longest time between checkpoints (state + offsets in one write)."),
      INT_SETTING("state.checkpoint_max_events", checkpoint_max_events, 1, int64_t{1} << 40,
                  "Checkpoint at the latest after this many input messages."),
      INT_SETTING("state.cache_max_users", cache_max_users, 1, int64_t{1} << 40,
                  "Users kept in memory at most; clean ones beyond this (or beyond the user "
                  "cache's share of state.memory_budget) are evicted after a checkpoint."),
      INT_SETTING("state.memory_budget", memory_budget, int64_t{64} << 20, int64_t{1} << 44,
                  "Bytes the process's state may use: a quarter for RocksDB (memtables and block "
                  "cache in one shared cache), a half for the user cache (by estimated "
                  "size; a user's event ids of the dedupe window and open sessions are part of "
                  "their record), a quarter for what eviction cannot bound: the checkpoint's "
                  "write batch, users changed since (a checkpoint comes early once the user "
                  "cache passes its share by an eighth of the budget), decoding buffers, the "
                  "mentor program and the allocator's holes. On top: the changelog producer's "
                  "buffer, and `run`'s fetched input, up to an eighth of the budget (librdkafka's "
                  "queued.max.messages.kbytes, unless kafka.* sets it)."),
      {"state.sync", "fsync every checkpoint (survives power loss, slower).",
       [](Config& c, const std::string& v) { c.state_sync = parse_bool(v); },
       [](const Config& c) { return std::string(c.state_sync ? "true" : "false"); }},
      BOOL_SETTING("state.changelog", changelog,
                   "`run`: mirror every checkpoint to a compacted changelog topic, so a partition "
                   "restores on any instance (and after a lost disk) from Kafka. false: the state "
                   "lives only in state.dir."),
      STRING_SETTING("state.changelog_topic", changelog_topic,
                     "Changelog topic (as many partitions as the input topic); empty = "
                     "`<kafka.group.id>-changelog`. The program stage's is this name + "
                     "`-program` (one partition)."),
      {"state.changelog_compression", "Compression of the changelog: lz4, zstd, gzip or none.",
       [](Config& c, const std::string& v) {
         if (v != "lz4" && v != "zstd" && v != "gzip" && v != "none")
           throw std::invalid_argument(
               "state.changelog_compression must be lz4, zstd, gzip or none");
         c.changelog_compression = v;
       },
       [](const Config& c) { return c.changelog_compression; }},
      DURATION_SETTING("state.changelog_materialize_interval", changelog_materialize_ms, 1,
                       "How often the newest value of each changed key is written to the "
                       "changelog as its own (compactable) record, replacing the redo records "
                       "of the checkpoints since."),
      INT_SETTING("state.changelog_buffer_bytes", changelog_buffer_bytes, 0, int64_t{1} << 40,
                  "... or sooner, once the values waiting for that take this many bytes."),
      INT_SETTING("state.changelog_replication_factor", changelog_replication_factor, -1, 32767,
                  "Replication of the topics `run` creates on a real cluster; -1 = the "
                  "broker's default."),
      DURATION_SETTING("state.cleanup_delay", cleanup_delay_ms, 3650,
                       "A partition taken over by another instance stays on disk this long (a "
                       "head start if it comes back), then its key range is deleted."),
      DURATION_SETTING("state.head_start_max_age", head_start_max_age_ms, 3650,
                       "A local copy older than this is not trusted as a restore head start if "
                       "the changelog moved on since (compaction may have removed tombstones it "
                       "missed): the partition is restored from the start of its changelog. "
                       "Keep it below the changelog's delete.retention.ms (24h by default)."),
      INT_SETTING("state.standby_replicas", standby_replicas, 0, 16,
                  "`run`: warm copies of each partition kept by other instances (they tail its "
                  "changelog), so that a move restores only the tail. 0 = none."),
      STRING_SETTING("processing.timezone", timezone,
                     "IANA time zone whose midnight separates days (e.g. Europe/Berlin)."),
      {"processing.allowed_lateness",
       "How far behind its partition's newest event time an event may be; older ones are "
       "rejected as too_late. At most 90d.",
       [](Config& c, const std::string& v) {
         int64_t ms = parse_duration_ms(v);
         if (ms < 0 || ms > int64_t{kMaxLatenessDays} * 86400000)
           throw std::invalid_argument("processing.allowed_lateness must be within 0..90d");
         c.allowed_lateness_ms = ms;
       },
       [](const Config& c) { return duration_text(c.allowed_lateness_ms); }},
      DURATION_SETTING("processing.dedupe_window", dedupe_window_ms, 90,
                       "An event whose (user_id, event_id) was applied with a timestamp this close "
                       "to the stream time is a duplicate: dropped and counted. 0 disables."),
      DURATION_SETTING("processing.max_future", max_future_ms, 3650,
                       "Events further ahead of the wall clock are rejected as from_future."),
      {"processing.wall_clock",
       "Freeze the wall clock at this RFC 3339 instant (tests); empty = system clock.",
       [](Config& c, const std::string& v) {
         if (!v.empty() && !parse_rfc3339_ms(v))
           throw std::invalid_argument("processing.wall_clock must be RFC 3339");
         c.wall_clock = v;
       },
       [](const Config& c) { return c.wall_clock; }},
      LIST_SETTING("activity.event_types", activity_event_types, 64, is_activity_type,
                   "an event type",
                   "Comma-separated event types that make a user active; `all` = every type but "
                   "user_deleted, nudge_opened and tick."),
      STRING_SETTING("activity.action_names", activity_action_names,
                     "If set, only these action names (comma-separated) make a user active."),
      STRING_SETTING("activity.excluded_action_names", activity_excluded_action_names,
                     "Action names that never make a user active (e.g. `login`)."),
      DURATION_SETTING("sessions.inactivity_gap", session_gap_ms, 1,
                       "Actions without a session_id form sessions split at gaps longer than "
                       "this."),
      DURATION_SETTING("support.sla", support_sla_ms, 365,
                       "Tickets unanswered for longer count as open over the SLA."),
      STRING_SETTING("aha.key_action", aha_key_action,
                     "Action name of the aha moment (empty disables the reach figures)."),
      INT_SETTING("aha.count", aha_count, 1, 16,
                  "Times the key action must be done to reach the aha moment (at most 16)."),
      INT_SETTING("aha.within_days", aha_within_days, 1, 30,
                  "... within this many days from the start of the cohort day (at most 30)."),
      STRING_SETTING("aha.candidates", aha_candidates,
                     "Action names (comma-separated, at most 32) ranked by `report aha`."),
      STRING_SETTING("segments.platform", segment_values[0],
                     "Allowed `props.platform` values (others count as `other`); empty = off."),
      STRING_SETTING("segments.country", segment_values[1],
                     "Allowed `props.country` values; empty = off."),
      STRING_SETTING(
          "segments.app_version", segment_values[2],
          "Allowed major versions of `props.app_version` (\"3\" for 3.2.1); empty = off."),
      STRING_SETTING("segments.locale", segment_values[3],
                     "Allowed `props.locale` values; empty = off."),
      LIST_SETTING("revenue.currencies", revenue_currencies, 64, is_currency_code,
                   "an ISO 4217 code",
                   "Currencies (ISO 4217, comma-separated, at most 64) exported as their own "
                   "`currency` label value; the others add up under `other`, so producers cannot "
                   "grow the series count. Reports keep every currency."),
      STRING_SETTING("risk.model", risk_model,
                     "Churn-risk model file (YAML, written by `engaged train`; see churn.md); "
                     "empty = built-in weights."),
      STRING_SETTING("risk.actions", risk_actions,
                     "Action names (comma-separated, at most 4) whose weekly counts are "
                     "churn-risk features (action_N_4w, action_N_trend); empty = none."),
      SHARE_SETTING("risk.threshold", risk_threshold,
                    "Churn-risk score at or above which a user counts as at risk."),
      INT_SETTING("risk.newcomer_days", risk_newcomer_days, 0, 3650,
                  "A user is a newcomer (and can be matched to a mentor) this many days after "
                  "their cohort day."),
      STRING_SETTING("program.topic", program_topic,
                     "Internal topic (1 partition) carrying every partition's records to the "
                     "mentor program stage."),
      INT_SETTING("processing.threads", processing_threads, 1, 64,
                  "`run`: stream threads (as Kafka Streams' num.stream.threads). Each owns a "
                  "share of the assigned partitions with its own decoder and processors; every "
                  "thread count gives the same state, figures and nudges. Up to one per core."),
      {"processing.send_outputs",
       "`run`: when program records and nudges leave for Kafka. `on_decision`: as soon as "
       "decided, at the end of the input batch (Kafka Streams' at-least-once output); "
       "`after_commit`: once the checkpoint holding the state that decided them is committed "
       "(a nudge waits for two checkpoints). Either way the state is exactly-once, and a crash "
       "may send a nudge twice with the same nudge_id, never lose one.",
       [](Config& c, const std::string& v) {
         if (v != "on_decision" && v != "after_commit")
           throw std::invalid_argument(
               "processing.send_outputs must be on_decision or after_commit");
         c.send_on_decision = v == "on_decision";
       },
       [](const Config& c) {
         return std::string(c.send_on_decision ? "on_decision" : "after_commit");
       }},
      DURATION_SETTING("processing.idle_tick", idle_tick_ms, 1,
                       "`run`: a partition without input for this long (wall clock) gets a "
                       "`tick` event at the wall-clock time, produced into the input topic so "
                       "replays see it too; silence timers and the mentor program then move on. "
                       "0 disables."),
      DURATION_SETTING("mentors.sla", mentor_sla_ms, 90,
                       "A matched mentor should write to the mentee within this (event time); "
                       "then a reminder, and after a second SLA another mentor."),
      INT_SETTING("mentors.report_threshold", mentor_report_threshold, 1, 1000000,
                  "Reports from this many distinct users suspend a mentor."),
      INT_SETTING("mentors.default_capacity", mentor_default_capacity, 0, 1000,
                  "Mentees at once when mentor_opt_in names no props.capacity."),
      DURATION_SETTING("mentors.wait_max", mentor_wait_max_ms, 365,
                       "How long an at-risk newcomer waits for a mentor with capacity."),
      INT_SETTING("mentors.min_tenure_days", mentor_min_tenure_days, 0, 3650,
                  "Recruitment: days since the cohort day before a user can be invited."),
      INT_SETTING("mentors.min_active_days_30", mentor_min_active_days, 0, 30,
                  "Recruitment: active days in the last 30."),
      INT_SETTING("mentors.min_nps", mentor_min_nps, 0, 10,
                  "Recruitment: newest feedback score at least this (9 = promoter)."),
      BOOL_SETTING("mentors.require_aha", mentor_require_aha,
                   "Recruitment: the user must have reached the aha moment."),
      DURATION_SETTING("mentors.invite_every", mentor_invite_every_ms, 3650,
                       "Re-eligibility of mentor_invite: at most one per user in this period."),
      STRING_SETTING("sales.intent_actions", sales_intent_actions,
                     "Action names (comma-separated) that show purchase intent."),
      INT_SETTING("sales.intent_count", sales_intent_count, 1, 1000,
                  "A sales lead: this many intent actions ..."),
      DURATION_SETTING("sales.intent_window", sales_intent_window_ms, 365, "... within this long."),
      DURATION_SETTING("sales.lead_every", sales_lead_every_ms, 3650,
                       "At most one sales lead per user in this period."),
      STRING_SETTING("nudges.topic", nudges_topic,
                     "Topic the nudges are written to (key = recipient, nudge.v1 JSON)."),
      INT_SETTING("nudges.daily_cap", nudges_daily_cap, 0, 1000,
                  "Nudges delivered per recipient and local day (their props.tz)."),
      INT_SETTING("nudges.weekly_cap", nudges_weekly_cap, 0, 7000,
                  "Nudges delivered per recipient and rolling 7 days."),
      {"nudges.quiet_hours",
       "Local hours (HH:MM-HH:MM, the recipient's time zone) in which nudges wait until the end.",
       [](Config& c, const std::string& v) {
         parse_quiet_hours(v);
         c.nudges_quiet_hours = v;
       },
       [](const Config& c) { return c.nudges_quiet_hours; }},
      SHARE_SETTING("nudges.holdout_share", holdout_share,
                    "Share of users per program (stable hash of the user id) whose decisions are "
                    "recorded with holdout: true and never delivered."),
      {"metrics.listen",
       "host:port of the HTTP listener (/metrics, /v1/users); empty disables it. Port 0 picks a "
       "free one.",
       [](Config& c, const std::string& v) {
         if (!v.empty()) parse_host_port(v);
         c.metrics_listen = v;
       },
       [](const Config& c) { return c.metrics_listen; }},
      {"metrics.token",
       "Bearer token the HTTP listener requires for /v1/* (`Authorization: Bearer <token>`); "
       "empty = none. Prefer metrics.token_file or ENGAGED_METRICS_TOKEN to a config file. "
       "Printed as `(set)`.",
       [](Config& c, const std::string& v) { c.http_token = v; },
       [](const Config& c) { return std::string(c.http_token.empty() ? "" : "(set)"); }},
      STRING_SETTING("metrics.token_file", http_token_file,
                     "File holding the bearer token (surrounding whitespace ignored), e.g. a "
                     "mounted secret; wins over metrics.token."),
      BOOL_SETTING("metrics.token_for_metrics", http_token_for_metrics,
                   "Require the token for /metrics too (then give Prometheus "
                   "`authorization: {credentials_file: ...}`)."),
      STRING_SETTING("metrics.advertised_address", advertised_address,
                     "host:port other instances use to reach this one's HTTP listener (a "
                     "/v1/users request for a user owned elsewhere is redirected there); empty "
                     "= the listen address."),
      STRING_SETTING("cluster.members_topic", members_topic,
                     "Compacted topic (1 partition) where each instance announces the "
                     "partitions it owns and its HTTP address; empty = "
                     "`<kafka.group.id>-members`."),
  };
  return kSettings;
}

void apply_yaml(Config& config, const YAML::Node& node, const std::string& prefix) {
  for (const auto& kv : node) {
    std::string key = prefix + kv.first.as<std::string>();
    if (prefix.empty() && key == "kafka") {
      for (const auto& p : kv.second)
        config.kafka[p.first.as<std::string>()] = p.second.as<std::string>();
    } else if (kv.second.IsMap()) {
      apply_yaml(config, kv.second, key + ".");
    } else {
      apply_setting(config, key, kv.second.IsNull() ? "" : kv.second.as<std::string>());
    }
  }
}

}  // namespace

std::vector<std::string> split_list(const std::string& text) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find(',', start);
    if (end == std::string::npos) end = text.size();
    std::string item = text.substr(start, end - start);
    item.erase(0, item.find_first_not_of(" \t"));
    item.erase(item.find_last_not_of(" \t") + 1);
    if (!item.empty()) out.push_back(item);
    start = end + 1;
  }
  return out;
}

ActivityDefinition activity_definition(const Config& c) {
  ActivityDefinition d;
  auto types = split_list(c.activity_event_types);
  if (!(types.size() == 1 && types[0] == "all")) {
    d.types.reset();
    for (const auto& t : types) d.types.set(static_cast<size_t>(*parse_event_type(t)));
  }
  d.action_names = split_list(c.activity_action_names);
  d.excluded_action_names = split_list(c.activity_excluded_action_names);
  return d;
}

AhaConfig aha_config(const Config& c) {
  AhaConfig a{c.aha_key_action, static_cast<int>(c.aha_count), static_cast<int>(c.aha_within_days),
              split_list(c.aha_candidates)};
  if (a.count > 16) throw std::invalid_argument("aha.count must be at most 16");
  if (a.within_days > 30) throw std::invalid_argument("aha.within_days must be at most 30");
  if (a.candidates.size() > 32) throw std::invalid_argument("aha.candidates: at most 32 names");
  return a;
}

SegmentConfig segment_config(const Config& c) {
  SegmentConfig s;
  for (size_t d = 0; d < s.allowlists.size(); ++d) {
    s.allowlists[d] = split_list(c.segment_values[d]);
    if (s.allowlists[d].size() > 32)
      throw std::invalid_argument(fmt::format("segments.{}: at most 32 values",
                                              segment_dimension_name(static_cast<int>(d))));
  }
  return s;
}

RiskConfig risk_config(const Config& c) {
  RiskConfig r;
  if (!c.risk_model.empty()) r.model = load_risk_model(c.risk_model);
  r.actions = split_list(c.risk_actions);
  if (r.actions.size() > kMaxRiskActions)
    throw std::invalid_argument(
        fmt::format("risk.actions: at most {} names, not {}", kMaxRiskActions, r.actions.size()));
  // A model that weighs the action features was trained with some risk.actions: the same
  // names in the same order, or its weights would apply to other actions.
  bool weighs_actions = false;
  for (int i = kFirstActionFeature; i < kEndActionFeature; ++i)
    weighs_actions |= r.model.weights[static_cast<size_t>(i)] != 0;
  if (weighs_actions && r.model.actions != r.actions)
    throw std::invalid_argument(fmt::format(
        "risk.model {} was trained with risk.actions={}, but risk.actions is {}: set the same "
        "names in the same order, or retrain",
        c.risk_model, fmt::join(r.model.actions, ","), c.risk_actions));
  r.threshold = c.risk_threshold;
  r.support_sla_ms = c.support_sla_ms;
  r.aha_count = static_cast<int>(c.aha_count);
  return r;
}

TopologyConfig topology_config(const Config& c) {
  return {segment_config(c), aha_config(c), c.session_gap_ms, program_inputs_config(c),
          risk_config(c)};
}

ProgramInputsConfig program_inputs_config(const Config& c) {
  ProgramInputsConfig p;
  p.newcomer_days = static_cast<int>(c.risk_newcomer_days);
  p.mentor_min_tenure_days = static_cast<int>(c.mentor_min_tenure_days);
  p.mentor_min_active_days_30 = static_cast<int>(c.mentor_min_active_days);
  p.mentor_min_nps = static_cast<int>(c.mentor_min_nps);
  p.mentor_require_aha = c.mentor_require_aha;
  p.mentor_eligible_every_ms = c.mentor_invite_every_ms;
  p.intent_actions = split_list(c.sales_intent_actions);
  p.intent_count = static_cast<int>(c.sales_intent_count);
  p.intent_window_ms = c.sales_intent_window_ms;
  p.lead_every_ms = c.sales_lead_every_ms;
  p.holdout_share = c.holdout_share;
  return p;
}

ProgramStageConfig program_stage_config(const Config& c) {
  ProgramStageConfig s;
  s.program.sla_ms = c.mentor_sla_ms;
  s.program.report_threshold = static_cast<int>(c.mentor_report_threshold);
  s.program.default_capacity = static_cast<int>(c.mentor_default_capacity);
  s.program.wait_max_ms = c.mentor_wait_max_ms;
  s.program.holdout_share = c.holdout_share;
  s.policy.daily_cap = static_cast<int>(c.nudges_daily_cap);
  s.policy.weekly_cap = static_cast<int>(c.nudges_weekly_cap);
  std::tie(s.policy.quiet_start_minute, s.policy.quiet_end_minute) =
      parse_quiet_hours(c.nudges_quiet_hours);
  s.policy.reeligible_ms[static_cast<size_t>(NudgeKind::kMentorInvite)] = c.mentor_invite_every_ms;
  s.policy.reeligible_ms[static_cast<size_t>(NudgeKind::kSalesLead)] = c.sales_lead_every_ms;
  return s;
}

std::string changelog_topic(const Config& c) {
  if (!c.changelog_topic.empty()) return c.changelog_topic;
  auto g = c.kafka.find("group.id");
  return (g == c.kafka.end() ? std::string("engaged") : g->second) + "-changelog";
}

std::string program_changelog_topic(const Config& c) {
  return changelog_topic(c) + "-program";
}

std::string members_topic(const Config& c) {
  if (!c.members_topic.empty()) return c.members_topic;
  auto g = c.kafka.find("group.id");
  return (g == c.kafka.end() ? std::string("engaged") : g->second) + "-members";
}

int64_t parse_duration_ms(const std::string& text) {
  size_t pos = 0;
  while (pos < text.size() && std::isdigit(static_cast<unsigned char>(text[pos]))) ++pos;
  if (pos == 0) throw std::invalid_argument("not a duration: " + text);
  int64_t n = 0;
  if (std::from_chars(text.data(), text.data() + pos, n).ec != std::errc())
    throw std::invalid_argument("duration out of range: " + text);
  const std::string unit = text.substr(pos);
  int64_t scale = 0;
  if (unit.empty() || unit == "ms") scale = 1;
  if (unit == "s") scale = 1000;
  if (unit == "m") scale = 60000;
  if (unit == "h") scale = 3600000;
  if (unit == "d") scale = 86400000;
  if (scale == 0)
    throw std::invalid_argument("unknown duration unit in " + text + " (ms, s, m, h, d)");
  int64_t ms = 0;
  if (__builtin_mul_overflow(n, scale, &ms))
    throw std::invalid_argument("duration out of range: " + text);
  return ms;
}

Manifest manifest_for(const Config& c, int partitions) {
  Manifest m;
  m.engaged_version = ENGAGED_VERSION;
  m.built_from["input.topic"] = c.topic;
  m.built_from["input.partitions"] = std::to_string(partitions);
  for (const auto& s : settings())
    if (defines_labels(s.key)) m.built_from[s.key] = s.get(c);
  const Topology topology(topology_config(c));
  for (const StoreSpec& s : topology.stores()) m.stores[std::string(s.name)] = {s.id, false};
  return m;
}

bool defines_labels(std::string_view key) {
  return key == "processing.timezone" || key.starts_with("segments.") ||
         key.starts_with("activity.") || key.starts_with("aha.");
}

Config with_state_labels(const Config& given, const Manifest& stored, const std::string& dir) {
  Config c = given;
  const Config defaults;
  for (const auto& s : settings()) {
    const auto it = stored.built_from.find(s.key);
    if (!defines_labels(s.key) || it == stored.built_from.end()) continue;
    const std::string value = s.get(given);
    if (value == it->second) continue;
    if (value != s.get(defaults))
      throw std::invalid_argument(fmt::format(
          "{} is \"{}\" here, but the state in {} was built with \"{}\": its rows would be "
          "relabelled. Leave the setting out (reports use the state's) or build a new state.",
          s.key, value, dir, it->second));
    s.set(c, it->second);
  }
  return c;
}

HostPort parse_host_port(const std::string& text) {
  const auto colon = text.rfind(':');
  if (colon == std::string::npos || colon == 0)
    throw std::invalid_argument("expected host:port, got " + text);
  std::string host = text.substr(0, colon);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']')
    host = host.substr(1, host.size() - 2);
  const std::string port = text.substr(colon + 1);
  int64_t n = -1;
  try {
    n = parse_int(port);
  } catch (const std::invalid_argument&) {
  }
  if (n < 0 || n > 65535) throw std::invalid_argument("port must be within 0..65535: " + port);
  return {host, static_cast<int>(n)};
}

void apply_setting(Config& config, const std::string& key, const std::string& value) {
  if (key.rfind("kafka.", 0) == 0) {
    config.kafka[key.substr(6)] = value;
    return;
  }
  for (const auto& s : settings()) {
    if (key == s.key) {
      try {
        s.set(config, value);
      } catch (const std::exception& e) {  // one message shape: the setting, its value, why
        throw std::invalid_argument(fmt::format("setting {}=\"{}\": {}", key, value, e.what()));
      }
      return;
    }
  }
  throw std::invalid_argument("unknown setting: " + key);
}

Config load_config(const std::string& file, const std::vector<std::string>& overrides) {
  Config config;
  if (!file.empty()) apply_yaml(config, YAML::LoadFile(file), "");
  // ENGAGED_STATE_DIR -> state.dir; ENGAGED_KAFKA__BOOTSTRAP_SERVERS -> kafka.bootstrap.servers
  for (char** e = environ; *e; ++e) {
    std::string entry(*e);
    if (entry.rfind("ENGAGED_", 0) != 0) continue;
    auto eq = entry.find('=');
    std::string name = entry.substr(8, eq - 8), value = entry.substr(eq + 1);
    std::string key;
    if (name.rfind("KAFKA__", 0) == 0) {
      key = "kafka.";
      for (char c : name.substr(7)) key += c == '_' ? '.' : static_cast<char>(std::tolower(c));
    } else {
      for (const auto& s : settings()) {
        std::string env;
        for (const char* p = s.key; *p; ++p)
          env += *p == '.' ? '_' : static_cast<char>(std::toupper(*p));
        if (env == name) key = s.key;
      }
      if (key.empty()) continue;  // not ours (e.g. ENGAGED_TEST_*)
    }
    apply_setting(config, key, value);
  }
  for (const auto& o : overrides) {
    auto eq = o.find('=');
    if (eq == std::string::npos) throw std::invalid_argument("--set expects key=value: " + o);
    apply_setting(config, o.substr(0, eq), o.substr(eq + 1));
  }
  return config;
}

const std::vector<SettingInfo>& setting_infos() {
  static const std::vector<SettingInfo> infos = [] {
    std::vector<SettingInfo> out;
    Config defaults;
    for (const auto& s : settings()) out.push_back({s.key, s.get(defaults), s.description});
    return out;
  }();
  return infos;
}

std::vector<std::pair<std::string, std::string>> effective_settings(const Config& config) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& s : settings()) out.emplace_back(s.key, s.get(config));
  for (const auto& [k, v] : config.kafka) out.emplace_back("kafka." + k, v);
  return out;
}

std::string settings_markdown() {
  std::string out =
      "# Configuration\n\n"
      "Generated by `engaged config --markdown` from the settings table in `app/config.cc`; "
      "a test fails when this file is stale.\n\n"
      "Precedence: built-in default < YAML file (`--config`) < environment "
      "(`ENGAGED_` + key upper-cased with `.` as `_`, e.g. `ENGAGED_STATE_DIR`) < "
      "`--set key=value` flags.\n\n"
      "| setting | default | environment | description |\n|---|---|---|---|\n";
  for (const auto& s : setting_infos()) {
    std::string env = "ENGAGED_";
    for (char c : s.key) env += c == '.' ? '_' : static_cast<char>(std::toupper(c));
    out += fmt::format("| `{}` | `{}` | `{}` | {} |\n", s.key, s.default_value, env, s.description);
  }
  out +=
      "\n## `kafka:`\n\nEvery key under `kafka:` is a librdkafka property, passed through "
      "verbatim (see librdkafka's CONFIGURATION.md): `bootstrap.servers`, `group.id`, "
      "`security.protocol`, `sasl.*`, `ssl.*`, `session.timeout.ms`, ... From the environment: "
      "`ENGAGED_KAFKA__BOOTSTRAP_SERVERS` (double underscore, then `_` for `.`). Defaults set by "
      "engaged: `bootstrap.servers=127.0.0.1:9092`, `group.id=engaged`, "
      "`partition.assignment.strategy=cooperative-sticky`, `enable.auto.commit=false` "
      "(positions live in the state store), `auto.offset.reset=earliest`, "
      "`fetch.wait.max.ms=50`, `queued.min.messages=10000000` and `queued.max.messages.kbytes` "
      "an eighth of `state.memory_budget` (the fetched input is bounded by bytes alone: see "
      "docs/deploy.md); producers: `linger.ms=10`, lz4. A property only one kind of "
      "client knows (`linger.ms`, `fetch.wait.max.ms`, ...) is given to that kind only.\n";
  return out;
}

}  // namespace engaged
