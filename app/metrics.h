// The Prometheus series engaged exports: the operational ones here, the product gauges beyond
// activity in kFigureGauges (metrics_figures.cc); each is defined once (names follow
// engaged_<what>_<unit>[_total]; no user ids in labels; every label set is bounded).
// Hot loops never touch these directly: the pipeline counts locally and publishes per batch.
#pragma once

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include <array>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "app/config.h"
#include "domain/reject_reason.h"
#include "processors/engagement_snapshot.h"
#include "processors/program/program_stage.h"
#include "processors/runtime/gauge.h"
#include "processors/segments/segment_processor.h"
#include "state/store.h"

namespace engaged {

// A series family registered by name and help (the builders' other options are not used here).
inline prometheus::Family<prometheus::Gauge>& gauge(prometheus::Registry& r, std::string_view name,
                                                    std::string_view help) {
  return prometheus::BuildGauge().Name(std::string(name)).Help(std::string(help)).Register(r);
}
inline prometheus::Family<prometheus::Counter>& counter(prometheus::Registry& r,
                                                        std::string_view name,
                                                        std::string_view help) {
  return prometheus::BuildCounter().Name(std::string(name)).Help(std::string(help)).Register(r);
}

class Metrics {
  // Declared first: every family below is registered in it during construction.
  std::shared_ptr<prometheus::Registry> registry_;

 public:
  Metrics();
  ~Metrics();

  // The currencies with their own label value (revenue.currencies); others become "other".
  void set_currencies(std::vector<std::string> codes) { currencies_ = std::move(codes); }
  // Bucket bounds of the latency histograms, for callers that pre-aggregate observations.
  static const std::vector<double>& latency_bounds();
  // What /metrics serves (app/http_server.h).
  const std::shared_ptr<prometheus::Registry>& registry() const { return registry_; }
  // `segments`: names the segment values of the snapshot's segment gauges.
  void publish_snapshot(const EngagementSnapshot& s, const SegmentConfig& segments);
  // The mentor program: its state's gauges, and what one run of the stage decided and did.
  void publish_program(const ProgramState& s, size_t pending_records);
  void count_program(const PolicyOutput& out, const ProgramEffects& fx);
  // The gauges processors declare (Processor::gauges), registered once; then set from this
  // instance's samples after each checkpoint.
  void register_gauges(std::span<const GaugeSpec> specs);
  void publish_gauge(std::string_view name, const std::vector<GaugeSample>& samples);

  // Pipeline health.
  prometheus::Counter& consumed;                                  // engaged_events_consumed_total
  prometheus::Counter& processed;                                 // engaged_events_processed_total
  std::array<prometheus::Counter*, kRejectReasonCount> rejected;  // ..._rejected_total{reason}
  prometheus::Histogram& end_to_end_latency;            // engaged_event_end_to_end_latency_seconds
  prometheus::Histogram& batch_duration;                // engaged_batch_processing_duration_seconds
  prometheus::Family<prometheus::Gauge>& consumer_lag;  // engaged_consumer_lag_messages{partition}
  prometheus::Histogram& checkpoint_duration;           // engaged_checkpoint_duration_seconds
  prometheus::Histogram& checkpoint_size;               // engaged_checkpoint_size_bytes
  prometheus::Gauge& state_live_bytes;                  // engaged_state_live_data_bytes
  prometheus::Gauge& cached_users;                      // engaged_state_cached_users
  // engaged_state_memory_bytes{table}: user_cache, legacy_windows, rocksdb
  prometheus::Family<prometheus::Gauge>& state_memory;
  prometheus::Gauge& assigned_partitions;  // engaged_assigned_partitions
  // RocksDB keeping up: engaged_rocksdb_{pending_compaction_bytes, running_compactions,
  // running_flushes, write_stopped, delayed_write_rate_bytes_per_second}.
  void publish_store_health(const StoreHealth& h);
  prometheus::Counter& duplicates;         // engaged_events_duplicate_total
  prometheus::Counter& forgotten_entries;  // engaged_user_entries_forgotten_total
  prometheus::Counter& offset_gaps;        // engaged_input_offset_gaps_total
  prometheus::Counter& skipped_messages;   // engaged_input_skipped_messages_total
  // The mentor program's delivery and the nudges' effect.
  prometheus::Family<prometheus::Gauge>& outbox_entries;      // engaged_outbox_entries{sink}
  prometheus::Family<prometheus::Counter>& outbox_delivered;  // engaged_outbox_delivered_total
  // State following partitions: restores from the changelog and what is written to it.
  prometheus::Gauge& restoring_partitions;  // engaged_restoring_partitions
  prometheus::Counter& restore_records;     // engaged_restore_records_total
  prometheus::Counter& restore_bytes;       // engaged_restore_bytes_total
  prometheus::Histogram& restore_duration;  // engaged_restore_duration_seconds
  // Faults: whether Kafka answers, and dead letters cut to fit the producer's message size.
  prometheus::Gauge& kafka_reachable;           // engaged_kafka_reachable
  prometheus::Counter& dead_letters_truncated;  // engaged_dead_letters_truncated_total
  // Totals of the changelog writer (records by kind: redo, state, tombstone; bytes).
  void publish_changelog(int64_t redo, int64_t state, int64_t tombstones, int64_t bytes);
  std::array<prometheus::Counter*, kNudgeKindCount> nudges_opened;  // ..._opened_total{kind}
  std::array<prometheus::Counter*, kNudgeKindCount> nudge_returns;  // ..._returns_total{kind}

 private:
  std::vector<std::string> currencies_ = split_list(Config{}.revenue_currencies);
  std::array<std::array<prometheus::Counter*, kNudgeOutcomeCount>, kNudgeKindCount> nudges_{};
  prometheus::Counter& sla_breaches_;
  prometheus::Counter& matches_;
  prometheus::Counter& rematches_;
  prometheus::Histogram& first_response_;
  std::array<prometheus::Gauge*, 5> store_health_{};  // publish_store_health's, in its order
  prometheus::Gauge& mentors_active_;
  prometheus::Gauge& mentors_suspended_;
  prometheus::Family<prometheus::Gauge>& mentor_load_;
  prometheus::Gauge& matches_active_;
  prometheus::Gauge& matches_waiting_;
  prometheus::Gauge& program_pending_;
  prometheus::Gauge& risk_scored_;
  prometheus::Gauge& risk_at_risk_;
  // A gauge histogram (the scores users have now), replaced at each publish: prometheus-cpp's
  // histograms only count up.
  prometheus::Family<prometheus::Histogram>& risk_scores_;
  prometheus::Histogram* risk_histogram_ = nullptr;
  prometheus::Family<prometheus::Gauge>& program_entered_;
  prometheus::Family<prometheus::Gauge>& program_retained_;
  prometheus::Family<prometheus::Gauge>& program_returned_;
  prometheus::Family<prometheus::Gauge>& active_users_;
  prometheus::Family<prometheus::Gauge>& lifecycle_users_;
  prometheus::Family<prometheus::Gauge>& stickiness_dau_;
  prometheus::Family<prometheus::Gauge>& stickiness_mau_;
  prometheus::Family<prometheus::Gauge>& sessions_;
  prometheus::Family<prometheus::Gauge>& session_actions_;
  prometheus::Family<prometheus::Gauge>& session_duration_;
  prometheus::Family<prometheus::Gauge>& session_length_;
  prometheus::Family<prometheus::Gauge>& nps_responses_;
  prometheus::Family<prometheus::Gauge>& nps_promoters_;
  prometheus::Family<prometheus::Gauge>& nps_detractors_;
  prometheus::Family<prometheus::Gauge>& cohort_size_;
  prometheus::Family<prometheus::Gauge>& cohort_retained_;
  prometheus::Family<prometheus::Gauge>& trailing_size_;
  prometheus::Family<prometheus::Gauge>& trailing_retained_;
  prometheus::Family<prometheus::Gauge>& unbounded_retained_;
  prometheus::Family<prometheus::Gauge>& trailing_unbounded_retained_;
  // The product figures beyond activity (metrics_figures.cc), by name.
  std::map<std::string, prometheus::Family<prometheus::Gauge>*, std::less<>> figures_;
  prometheus::Family<prometheus::Gauge>& figure(std::string_view name);
  void register_figures();
  void publish_figures(const EngagementSnapshot& s, const SegmentConfig& segments);
  prometheus::Gauge& stream_time_;
  prometheus::Gauge& current_day_start_;
  prometheus::Family<prometheus::Counter>& changelog_records_;
  prometheus::Counter& changelog_bytes_;
};

}  // namespace engaged
