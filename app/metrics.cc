// Definitions (name, help, buckets) of every exported series.
#include "app/metrics.h"

#include <spdlog/spdlog.h>

#include <tuple>

#include "processors/time_zone.h"

namespace engaged {
namespace {

using prometheus::BuildCounter;
using prometheus::BuildGauge;
using prometheus::BuildHistogram;
using prometheus::Histogram;

Histogram::BucketBoundaries latency_buckets() {
  return Metrics::latency_bounds();
}

}  // namespace

const std::vector<double>& Metrics::latency_bounds() {
  static const std::vector<double> kBounds = {0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25,
                                              0.5,   1,     2.5,  5,     10,   30,  60};
  return kBounds;
}

Metrics::Metrics(const std::string& listen)
    : registry_(std::make_shared<prometheus::Registry>()),
      consumed(BuildCounter()
                   .Name("engaged_events_consumed_total")
                   .Help("Input messages read from the source (accepted or rejected).")
                   .Register(*registry_)
                   .Add({})),
      processed(BuildCounter()
                    .Name("engaged_events_processed_total")
                    .Help("Input events accepted and applied to state.")
                    .Register(*registry_)
                    .Add({})),
      end_to_end_latency(BuildHistogram()
                             .Name("engaged_event_end_to_end_latency_seconds")
                             .Help("Time from the message's Kafka timestamp to it being applied.")
                             .Register(*registry_)
                             .Add({}, latency_buckets())),
      batch_duration(BuildHistogram()
                         .Name("engaged_batch_processing_duration_seconds")
                         .Help("Wall time spent decoding and applying one polled batch.")
                         .Register(*registry_)
                         .Add({}, latency_buckets())),
      consumer_lag(BuildGauge()
                       .Name("engaged_consumer_lag_messages")
                       .Help("High watermark minus next offset to apply, per assigned partition.")
                       .Register(*registry_)),
      checkpoint_duration(BuildHistogram()
                              .Name("engaged_checkpoint_duration_seconds")
                              .Help("Wall time of one checkpoint (flush sinks + state write).")
                              .Register(*registry_)
                              .Add({}, latency_buckets())),
      checkpoint_size(BuildHistogram()
                          .Name("engaged_checkpoint_size_bytes")
                          .Help("Size of the RocksDB write batch of one checkpoint.")
                          .Register(*registry_)
                          .Add({}, Histogram::BucketBoundaries{1e3, 1e4, 1e5, 1e6, 1e7, 1e8})),
      state_live_bytes(
          BuildGauge()
              .Name("engaged_state_live_data_bytes")
              .Help("State store size: RocksDB live data in SST files plus unflushed memtables.")
              .Register(*registry_)
              .Add({})),
      cached_users(BuildGauge()
                       .Name("engaged_state_cached_users")
                       .Help("Users whose state is held in memory.")
                       .Register(*registry_)
                       .Add({})),
      assigned_partitions(BuildGauge()
                              .Name("engaged_assigned_partitions")
                              .Help("Input partitions currently owned by this instance.")
                              .Register(*registry_)
                              .Add({})),
      duplicates(BuildCounter()
                     .Name("engaged_events_duplicate_total")
                     .Help("Events dropped because their (user_id, event_id) was applied within "
                           "the dedupe window.")
                     .Register(*registry_)
                     .Add({})),
      offset_gaps(BuildCounter()
                      .Name("engaged_input_offset_gaps_total")
                      .Help("Times the input skipped offsets (data lost before it was read).")
                      .Register(*registry_)
                      .Add({})),
      skipped_messages(BuildCounter()
                           .Name("engaged_input_skipped_messages_total")
                           .Help("Input offsets skipped over by gaps: messages never seen.")
                           .Register(*registry_)
                           .Add({})),
      active_users_(BuildGauge()
                        .Name("engaged_active_users")
                        .Help("Users active in the window ending on the day (1d=DAU, 7d=WAU, "
                              "30d=MAU); day=current|latest_complete.")
                        .Register(*registry_)),
      lifecycle_users_(BuildGauge()
                           .Name("engaged_lifecycle_users")
                           .Help("Users by lifecycle state on the day "
                                 "(new, returning, resurrecting, dormant).")
                           .Register(*registry_)),
      stickiness_dau_(BuildGauge()
                          .Name("engaged_stickiness_dau_users")
                          .Help("Stickiness numerator: DAU of the day.")
                          .Register(*registry_)),
      stickiness_mau_(BuildGauge()
                          .Name("engaged_stickiness_mau_users")
                          .Help("Stickiness denominator: MAU of the day.")
                          .Register(*registry_)),
      sessions_(BuildGauge()
                    .Name("engaged_day_sessions")
                    .Help("Sessions starting on the day (a session: events sharing a session_id).")
                    .Register(*registry_)),
      session_actions_(BuildGauge()
                           .Name("engaged_day_session_actions")
                           .Help("Actions in the sessions starting on the day (actions per "
                                 "session = this / engaged_day_sessions).")
                           .Register(*registry_)),
      session_duration_(BuildGauge()
                            .Name("engaged_day_session_duration_seconds")
                            .Help("Summed length of the sessions starting on the day.")
                            .Register(*registry_)),
      session_length_(BuildGauge()
                          .Name("engaged_day_session_length_sessions")
                          .Help("Sessions starting on the day by length bucket.")
                          .Register(*registry_)),
      nps_responses_(
          BuildGauge()
              .Name("engaged_nps_responses")
              .Help("Feedback responses (score 0-10) on the day (window=1d) or in the 30 "
                    "days ending on it (window=30d).")
              .Register(*registry_)),
      nps_promoters_(BuildGauge()
                         .Name("engaged_nps_promoters")
                         .Help("Responses scoring 9-10. NPS = 100 * (promoters - detractors) / "
                               "responses.")
                         .Register(*registry_)),
      nps_detractors_(BuildGauge()
                          .Name("engaged_nps_detractors")
                          .Help("Responses scoring 0-6.")
                          .Register(*registry_)),
      cohort_size_(BuildGauge()
                       .Name("engaged_retention_cohort_users")
                       .Help("Size of the cohort whose day-N retention is reported "
                             "(cohort day = latest complete day - N).")
                       .Register(*registry_)),
      cohort_retained_(BuildGauge()
                           .Name("engaged_retention_retained_users")
                           .Help("Users of that cohort active on cohort day + N.")
                           .Register(*registry_)),
      trailing_size_(BuildGauge()
                         .Name("engaged_retention_trailing_cohort_users")
                         .Help("Summed size of the 28 daily cohorts before the reported one "
                               "(denominator of the trailing 4-week average).")
                         .Register(*registry_)),
      trailing_retained_(BuildGauge()
                             .Name("engaged_retention_trailing_retained_users")
                             .Help("Users of those 28 cohorts active on their day N "
                                   "(numerator of the trailing 4-week average).")
                             .Register(*registry_)),
      stream_time_(BuildGauge()
                       .Name("engaged_stream_time_seconds")
                       .Help("Newest accepted event time over owned partitions (epoch seconds).")
                       .Register(*registry_)
                       .Add({})),
      current_day_start_(BuildGauge()
                             .Name("engaged_current_day_start_timestamp_seconds")
                             .Help("Start of the 'current' day of the product gauges.")
                             .Register(*registry_)
                             .Add({})) {
  auto& rejected_family = BuildCounter()
                              .Name("engaged_events_rejected_total")
                              .Help(
                                  "Input messages rejected, by reason (sent to the dead-letter "
                                  "topic).")
                              .Register(*registry_);
  for (int i = 0; i < kRejectReasonCount; ++i)
    rejected[i] = &rejected_family.Add(
        {{"reason", std::string(reject_reason_name(static_cast<RejectReason>(i)))}});
  register_figures();
  if (!listen.empty()) {
    exposer_ = std::make_unique<prometheus::Exposer>(listen);
    exposer_->RegisterCollectable(registry_);
    spdlog::info("serving metrics on http://{}/metrics", listen);
  }
}

Metrics::~Metrics() = default;

int Metrics::port() const {
  if (!exposer_) return 0;
  auto ports = exposer_->GetListeningPorts();
  return ports.empty() ? 0 : ports.front();
}

void Metrics::publish_snapshot(const EngagementSnapshot& s, const SegmentConfig& segments) {
  if (!s.has_data) return;
  publish_figures(s, segments);
  stream_time_.Set(static_cast<double>(s.stream_time_ms) / 1000.0);
  current_day_start_.Set(static_cast<double>(s.current_day) * 86400.0);
  for (auto [label, c] :
       {std::pair{"current", &s.current}, std::pair{"latest_complete", &s.latest_complete}}) {
    active_users_.Add({{"day", label}, {"window", "1d"}}).Set(double(c->dau));
    active_users_.Add({{"day", label}, {"window", "7d"}}).Set(double(c->wau));
    active_users_.Add({{"day", label}, {"window", "30d"}}).Set(double(c->mau));
    lifecycle_users_.Add({{"day", label}, {"state", "new"}}).Set(double(c->new_users));
    lifecycle_users_.Add({{"day", label}, {"state", "returning"}}).Set(double(c->returning));
    lifecycle_users_.Add({{"day", label}, {"state", "resurrecting"}}).Set(double(c->resurrecting));
    lifecycle_users_.Add({{"day", label}, {"state", "dormant"}}).Set(double(c->dormant));
    stickiness_dau_.Add({{"day", label}}).Set(double(c->dau));
    stickiness_mau_.Add({{"day", label}}).Set(double(c->mau));
  }
  for (auto [label, c] : {std::pair{"current", &s.current_sessions},
                          std::pair{"latest_complete", &s.latest_complete_sessions}}) {
    sessions_.Add({{"day", label}}).Set(double(c->sessions));
    session_actions_.Add({{"day", label}}).Set(double(c->actions));
    session_duration_.Add({{"day", label}}).Set(double(c->duration_ms) / 1000.0);
    for (int b = 0; b < kSessionLengthBuckets; ++b)
      session_length_.Add({{"day", label}, {"length", std::string(session_length_bucket_name(b))}})
          .Set(double(c->length[static_cast<size_t>(b)]));
  }
  for (auto [label, window, c] :
       {std::tuple{"current", "1d", &s.current_feedback},
        std::tuple{"latest_complete", "1d", &s.latest_complete_feedback},
        std::tuple{"current", "30d", &s.current_feedback_30d},
        std::tuple{"latest_complete", "30d", &s.latest_complete_feedback_30d}}) {
    nps_responses_.Add({{"day", label}, {"window", window}}).Set(double(c->responses));
    nps_promoters_.Add({{"day", label}, {"window", window}}).Set(double(c->promoters));
    nps_detractors_.Add({{"day", label}, {"window", window}}).Set(double(c->detractors));
  }
  for (size_t i = 0; i < kRetentionGaugeDays.size(); ++i) {
    std::string n = std::to_string(kRetentionGaugeDays[i]);
    cohort_size_.Add({{"day_n", n}}).Set(double(s.retention_cohort_size[i]));
    cohort_retained_.Add({{"day_n", n}}).Set(double(s.retention_retained[i]));
    trailing_size_.Add({{"day_n", n}}).Set(double(s.trailing_cohort_size[i]));
    trailing_retained_.Add({{"day_n", n}}).Set(double(s.trailing_retained[i]));
  }
}

}  // namespace engaged
