// Every setting of `engaged`, with its default and meaning, in one table (kSettings in
// config.cc). Values come from defaults < YAML file < ENGAGED_* environment < --set flags;
// the `kafka:` section is passed to librdkafka verbatim. docs/configuration.md is generated
// from the same table (`engaged config --markdown`), so the docs cannot drift.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "processors/activity/activity_processor.h"
#include "processors/aha/aha_processor.h"
#include "processors/program/program_inputs.h"
#include "processors/program/program_stage.h"
#include "processors/runtime/topology.h"
#include "processors/segments/segment_processor.h"
#include "state/kafka/kafka_conf.h"
#include "state/manifest.h"

namespace engaged {

struct Config {
  // input
  std::string topic = "app.events";
  std::string dead_letter_topic = "app.events.dlq";
  int64_t max_event_bytes = 65536;
  int64_t batch_size = 10000;
  std::string partitioner = "consistent_random";  // the producers' (librdkafka names)
  // state
  std::string state_dir = "./engaged-state";
  int64_t checkpoint_interval_ms = 1000;
  int64_t unreachable_timeout_ms = 120000;
  int64_t shutdown_timeout_ms = 30000;      // run: a clean stop may take this long
  int64_t ready_checkpoint_age_ms = 60000;  // run: /readyz fails past this checkpoint age
  int64_t checkpoint_max_events = 1000000;
  int64_t cache_max_users = 2000000;
  int64_t memory_budget = int64_t{1} << 30;  // bytes: RocksDB's share and the user cache
  bool state_sync = false;
  // the changelog: state follows its partitions through Kafka
  bool changelog = true;
  std::string changelog_topic;  // "" = <kafka.group.id>-changelog
  std::string changelog_compression = "lz4";
  int64_t changelog_materialize_ms = 30000;
  int64_t changelog_buffer_bytes = 64LL << 20;
  int64_t changelog_replication_factor = -1;
  int64_t cleanup_delay_ms = 10 * 60000;
  int64_t head_start_max_age_ms = 12 * 3600000LL;
  int64_t standby_replicas = 0;
  // processing
  std::string timezone = "UTC";
  int64_t allowed_lateness_ms = 7LL * 86400000;
  int64_t max_future_ms = 3600000;
  int64_t dedupe_window_ms = 86400000;
  std::string wall_clock;  // RFC 3339 instant to freeze the wall clock at (tests); "" = system
  // activity definition (comma-separated lists)
  std::string activity_event_types = "all";
  std::string activity_action_names;
  std::string activity_excluded_action_names;
  // sessions, support, aha moment, segments
  int64_t session_gap_ms = 30LL * 60000;
  int64_t support_sla_ms = 3600000;
  std::string aha_key_action = "complete_lesson";
  int64_t aha_count = 3;
  int64_t aha_within_days = 7;
  std::string aha_candidates =
      "open_lesson,complete_lesson,search,view_pricing,post_comment,share,open_profile,play_audio";
  std::array<std::string, kMaxSegmentDimensions> segment_values = {"ios,android,web", "", "", ""};
  std::string risk_model;    // churn-risk model file; "" = built-in weights
  std::string risk_actions;  // action names counted for the churn-risk features (at most 4)
  double risk_threshold = 0.5;
  int64_t risk_newcomer_days = 14;
  // the mentor program and its nudges
  std::string program_topic = "engaged.program";
  std::string nudges_topic = "app.nudges";
  int64_t idle_tick_ms = 0;
  int64_t processing_threads = 1;  // run: stream threads, each with a share of the partitions
  // run: outputs (program records, nudges) leave when decided, before the checkpoint commits
  // the state that decided them; false: only after that commit
  bool send_on_decision = true;
  int64_t mentor_sla_ms = 24 * 3600000LL;
  int64_t mentor_report_threshold = 3;
  int64_t mentor_default_capacity = 3;
  int64_t mentor_wait_max_ms = 14 * 86400000LL;
  int64_t mentor_min_tenure_days = 30;
  int64_t mentor_min_active_days = 12;
  int64_t mentor_min_nps = 9;
  bool mentor_require_aha = true;
  int64_t mentor_invite_every_ms = 30 * 86400000LL;
  std::string sales_intent_actions = "view_pricing";
  int64_t sales_intent_count = 5;
  int64_t sales_intent_window_ms = 3 * 86400000LL;
  int64_t sales_lead_every_ms = 30 * 86400000LL;
  int64_t nudges_daily_cap = 2;
  int64_t nudges_weekly_cap = 5;
  std::string nudges_quiet_hours = "22:00-08:00";
  double holdout_share = 0.1;
  // Currencies exported as their own Prometheus label value; the others add up as "other".
  std::string revenue_currencies =
      "USD,EUR,GBP,JPY,CNY,INR,BRL,CAD,AUD,KRW,MXN,CHF,SEK,NOK,DKK,PLN,TRY,IDR,ZAR,SGD";
  // metrics and the user endpoint; how other instances reach them
  std::string metrics_listen = "127.0.0.1:9464";
  std::string advertised_address;           // "" = the listen address (its bound port)
  std::string http_token, http_token_file;  // bearer token for /v1/* (file wins)
  bool http_token_for_metrics = false;
  std::string members_topic;  // "" = <kafka.group.id>-members
  // kafka (librdkafka properties)
  KafkaProperties kafka = {{"bootstrap.servers", "127.0.0.1:9092"}, {"group.id", "engaged"}};
};

struct SettingInfo {
  std::string key, default_value, description;
};

// Applies one `key=value` (e.g. "state.dir=/tmp/s", "kafka.bootstrap.servers=h:9092").
// Throws std::invalid_argument on an unknown key or a bad value.
void apply_setting(Config& config, const std::string& key, const std::string& value);

// defaults < file (if non-empty) < environment < overrides ("key=value").
Config load_config(const std::string& file, const std::vector<std::string>& overrides);

const std::vector<SettingInfo>& setting_infos();
// Every setting's current value as key=value pairs, kafka.* included.
std::vector<std::pair<std::string, std::string>> effective_settings(const Config& config);
std::string settings_markdown();

// "a, b,c" -> {"a", "b", "c"}.
std::vector<std::string> split_list(const std::string& text);

// The activity definition, aha moment and segments the settings describe.
ActivityDefinition activity_definition(const Config& config);
AhaConfig aha_config(const Config& config);
SegmentConfig segment_config(const Config& config);
// Churn risk (loads risk.model), the partitions' program inputs and the program stage.
RiskConfig risk_config(const Config& config);
ProgramInputsConfig program_inputs_config(const Config& config);
TopologyConfig topology_config(const Config& config);
ProgramStageConfig program_stage_config(const Config& config);

// The topics named after the consumer group unless set: the changelog of the input partitions,
// the program stage's changelog (that name + "-program") and the members topic.
std::string changelog_topic(const Config& config);
std::string program_changelog_topic(const Config& config);
std::string members_topic(const Config& config);

// What a state built with these settings records in its manifest (state/manifest.h): the input
// topic and its partition count, the time zone and every setting that defines labels.
Manifest manifest_for(const Config& config, int partitions);
// The settings that define a state's labels (processing.timezone, segments.*, activity.*,
// aha.*): the manifest records them, and a state is read only with its own.
bool defines_labels(std::string_view key);
// `given` with the label-defining settings of the state whose manifest is `stored`: a setting
// left at its default takes the state's value; one set to another value is refused
// (std::invalid_argument naming it), because the rows would be relabelled.
Config with_state_labels(const Config& given, const Manifest& stored, const std::string& dir);

// state.memory_budget, split: RocksDB's share (memtables and block cache, one cache, a quarter),
// the user cache's (a half), and a quarter kept for what eviction cannot bound: the checkpoint's
// write batch, users changed since it, decoding buffers, the mentor program and the allocator's
// holes, which took more than an eighth at 10 M users (bench/memory_bench.sh; figures in
// docs/performance.md). The Kafka clients' buffers come on top: `run`'s fetched input is bounded
// by an eighth (fetch_queue_bytes: it must hold about a second of processing,
// ingest/kafka_source.h).
inline size_t rocksdb_memory_bytes(const Config& c) {
  return static_cast<size_t>(c.memory_budget / 4);
}
inline size_t user_cache_bytes(const Config& c) {
  return static_cast<size_t>(c.memory_budget / 2);
}
inline size_t fetch_queue_bytes(const Config& c) {
  return static_cast<size_t>(c.memory_budget / 8);
}

// "7d", "36h", "90m", "15s", "500ms" or plain milliseconds; throws past int64 milliseconds.
int64_t parse_duration_ms(const std::string& text);

struct HostPort {
  std::string host;
  int port = 0;
};
// "host:port" with a port in 0..65535 ("[::1]:9464" too); throws naming what is wrong.
HostPort parse_host_port(const std::string& text);

}  // namespace engaged
