// Definitions (name, help, buckets) of every exported series.
#include "app/metrics.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <tuple>

#include "domain/time_zone.h"

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

Metrics::Metrics()
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
      outbox_entries(BuildGauge()
                         .Name("engaged_outbox_entries")
                         .Help("Decided outbox entries not yet acknowledged by Kafka, by sink "
                               "(program records, nudges).")
                         .Register(*registry_)),
      outbox_delivered(BuildCounter()
                           .Name("engaged_outbox_delivered_total")
                           .Help("Outbox entries acknowledged by Kafka and removed, by sink.")
                           .Register(*registry_)),
      restoring_partitions(BuildGauge()
                               .Name("engaged_restoring_partitions")
                               .Help("Partitions (input, or the program stage) assigned here "
                                     "whose state is being restored from the changelog.")
                               .Register(*registry_)
                               .Add({})),
      restore_records(BuildCounter()
                          .Name("engaged_restore_records_total")
                          .Help("Changelog records read to restore partitions.")
                          .Register(*registry_)
                          .Add({})),
      restore_bytes(BuildCounter()
                        .Name("engaged_restore_bytes_total")
                        .Help("Bytes of changelog records (keys and values) read to restore "
                              "partitions.")
                        .Register(*registry_)
                        .Add({})),
      restore_duration(BuildHistogram()
                           .Name("engaged_restore_duration_seconds")
                           .Help("Time from a partition's assignment to its state being restored "
                                 "(it then resumes its input).")
                           .Register(*registry_)
                           .Add({}, Histogram::BucketBoundaries{0.01, 0.1, 0.5, 1, 2.5, 5, 10, 30,
                                                                60, 300, 900})),
      kafka_reachable(BuildGauge()
                          .Name("engaged_kafka_reachable")
                          .Help("1 while the brokers answer; 0 from the moment the consumer "
                                "reports every broker down until one answers again.")
                          .Register(*registry_)
                          .Add({})),
      dead_letters_truncated(BuildCounter()
                                 .Name("engaged_dead_letters_truncated_total")
                                 .Help("Dead letters whose original bytes were cut to fit the "
                                       "producer's message.max.bytes (headers say so).")
                                 .Register(*registry_)
                                 .Add({})),
      sla_breaches_(BuildCounter()
                        .Name("engaged_mentor_sla_breaches_total")
                        .Help("Matches whose mentor did not write within mentors.sla (a "
                              "reminder was decided).")
                        .Register(*registry_)
                        .Add({})),
      matches_(BuildCounter()
                   .Name("engaged_mentor_matches_total")
                   .Help("Mentees matched to a mentor, by kind (first, rematch).")
                   .Register(*registry_)
                   .Add({{"kind", "first"}})),
      rematches_(BuildCounter()
                     .Name("engaged_mentor_matches_total")
                     .Register(*registry_)
                     .Add({{"kind", "rematch"}})),
      first_response_(
          BuildHistogram()
              .Name("engaged_mentor_first_response_seconds")
              .Help("Time from a match to the mentor's first message to the mentee "
                    "(event time).")
              .Register(*registry_)
              .Add({}, Histogram::BucketBoundaries{60, 300, 900, 1800, 3600, 7200, 14400, 28800,
                                                   43200, 86400, 172800})),
      mentors_active_(BuildGauge()
                          .Name("engaged_mentors_active")
                          .Help("Mentors opted in and not suspended.")
                          .Register(*registry_)
                          .Add({})),
      mentors_suspended_(BuildGauge()
                             .Name("engaged_mentors_suspended")
                             .Help("Mentors suspended after reports.")
                             .Register(*registry_)
                             .Add({})),
      mentor_load_(BuildGauge()
                       .Name("engaged_mentor_load_mentors")
                       .Help("Active mentors by number of current mentees (label mentees).")
                       .Register(*registry_)),
      matches_active_(BuildGauge()
                          .Name("engaged_mentor_matches_active")
                          .Help("Mentees currently matched to a mentor.")
                          .Register(*registry_)
                          .Add({})),
      matches_waiting_(BuildGauge()
                           .Name("engaged_mentor_matches_waiting")
                           .Help("At-risk newcomers waiting for a mentor with capacity.")
                           .Register(*registry_)
                           .Add({})),
      program_pending_(BuildGauge()
                           .Name("engaged_program_pending_records")
                           .Help("Program records received but held until every partition's "
                                 "watermark passes them.")
                           .Register(*registry_)
                           .Add({})),
      risk_scored_(BuildGauge()
                       .Name("engaged_risk_scored_users")
                       .Help("Users with a churn-risk score.")
                       .Register(*registry_)
                       .Add({})),
      risk_at_risk_(BuildGauge()
                        .Name("engaged_risk_at_risk_users")
                        .Help("Users whose churn-risk score is at or above risk.threshold.")
                        .Register(*registry_)
                        .Add({})),
      risk_buckets_(BuildGauge()
                        .Name("engaged_risk_score_users")
                        .Help("Users by churn-risk score decile at their last rescoring (label "
                              "bucket: upper bound, score in (bucket - 0.1, bucket]).")
                        .Register(*registry_)),
      program_entered_(BuildGauge()
                           .Name("engaged_program_entered_users")
                           .Help("Users who entered the program (label arm: treated, holdout) "
                                 "at least `window` ago, within the last 90 days.")
                           .Register(*registry_)),
      program_retained_(BuildGauge()
                            .Name("engaged_program_retained_users")
                            .Help("Of those, users active on entry day + 7 (window=7d) or + 30 "
                                  "(window=30d).")
                            .Register(*registry_)),
      program_returned_(BuildGauge()
                            .Name("engaged_program_returned_users")
                            .Help("Of the users who entered at least 7 days ago, those active on "
                                  "one of the 7 days after entering.")
                            .Register(*registry_)),
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
      unbounded_retained_(BuildGauge()
                              .Name("engaged_retention_unbounded_retained_users")
                              .Help("Users of the reported cohort active on cohort day + N or "
                                    "later (unbounded retention numerator).")
                              .Register(*registry_)),
      trailing_unbounded_retained_(
          BuildGauge()
              .Name("engaged_retention_trailing_unbounded_retained_users")
              .Help("Users of the 28 cohorts before it active on their day N or later.")
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
                             .Add({})),
      changelog_records_(BuildCounter()
                             .Name("engaged_changelog_records_total")
                             .Help("Records written to the changelog, by kind (redo: a "
                                   "checkpoint's writes of a partition; state: the newest value "
                                   "of a key; tombstone).")
                             .Register(*registry_)),
      changelog_bytes_(BuildCounter()
                           .Name("engaged_changelog_bytes_total")
                           .Help("Bytes (keys and values, before compression) written to the "
                                 "changelog.")
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
  auto& nudges_family = BuildCounter()
                            .Name("engaged_nudges_total")
                            .Help(
                                "Decisions of the mentor program by kind and outcome (sent, "
                                "capped, quiet_deferred, holdout, suppressed).")
                            .Register(*registry_);
  auto& opened_family = BuildCounter()
                            .Name("engaged_nudges_opened_total")
                            .Help("nudge_opened events, by the kind of the opened nudge.")
                            .Register(*registry_);
  auto& returns_family = BuildCounter()
                             .Name("engaged_nudge_returns_total")
                             .Help(
                                 "Opened nudges whose user was active again on one of the 7 "
                                 "days after opening, by kind.")
                             .Register(*registry_);
  for (int k = 0; k < kNudgeKindCount; ++k) {
    const std::string kind(nudge_kind_name(static_cast<NudgeKind>(k)));
    for (int o = 0; o < kNudgeOutcomeCount; ++o)
      nudges_[k][o] = &nudges_family.Add(
          {{"kind", kind},
           {"outcome", std::string(nudge_outcome_name(static_cast<NudgeOutcome>(o)))}});
    nudges_opened[k] = &opened_family.Add({{"kind", kind}});
    nudge_returns[k] = &returns_family.Add({{"kind", kind}});
  }
  for (const char* sink : {"program", "nudges"}) {
    outbox_entries.Add({{"sink", sink}});
    outbox_delivered.Add({{"sink", sink}});
  }
  register_figures();
}

Metrics::~Metrics() = default;

void Metrics::publish_program(const ProgramState& s, size_t pending_records) {
  int64_t active = 0, suspended = 0;
  std::array<int64_t, 6> load{};
  for (const auto& [id, m] : s.mentors) {
    if (m.suspended) ++suspended;
    if (!m.opted_in || m.suspended) continue;
    ++active;
    ++load[std::min<size_t>(m.mentees.size(), 5)];
  }
  mentors_active_.Set(double(active));
  mentors_suspended_.Set(double(suspended));
  for (size_t i = 0; i < load.size(); ++i)
    mentor_load_.Add({{"mentees", i == 5 ? std::string("5+") : std::to_string(i)}})
        .Set(double(load[i]));
  matches_active_.Set(double(s.matches.size()));
  matches_waiting_.Set(double(s.waiting.size()));
  program_pending_.Set(double(pending_records));
}

void Metrics::count_program(const PolicyOutput& out, const ProgramEffects& fx) {
  for (int k = 0; k < kNudgeKindCount; ++k)
    for (int o = 0; o < kNudgeOutcomeCount; ++o)
      if (out.counts[k][o]) nudges_[k][o]->Increment(double(out.counts[k][o]));
  if (fx.sla_breaches) sla_breaches_.Increment(double(fx.sla_breaches));
  if (fx.matches) matches_.Increment(double(fx.matches));
  if (fx.rematches) rematches_.Increment(double(fx.rematches));
  for (double s : fx.first_response_s) first_response_.Observe(s);
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
  int64_t scored = 0;
  for (size_t b = 0; b < s.risk.by_bucket.size(); ++b) {
    scored += s.risk.by_bucket[b];
    risk_buckets_.Add({{"bucket", fmt::format("{:.1f}", (b + 1) / 10.0)}})
        .Set(double(s.risk.by_bucket[b]));
  }
  risk_scored_.Set(double(scored));
  risk_at_risk_.Set(double(s.risk.at_risk));
  for (int arm = 0; arm < 2; ++arm) {
    const std::string a = arm ? "holdout" : "treated";
    const auto& u = s.uplift[static_cast<size_t>(arm)];
    program_entered_.Add({{"program", "mentoring"}, {"arm", a}, {"window", "7d"}})
        .Set(double(u.entered_7d));
    program_entered_.Add({{"program", "mentoring"}, {"arm", a}, {"window", "30d"}})
        .Set(double(u.entered_30d));
    program_retained_.Add({{"program", "mentoring"}, {"arm", a}, {"window", "7d"}})
        .Set(double(u.active_d7));
    program_retained_.Add({{"program", "mentoring"}, {"arm", a}, {"window", "30d"}})
        .Set(double(u.active_d30));
    program_returned_.Add({{"program", "mentoring"}, {"arm", a}}).Set(double(u.returned_7d));
  }
  for (size_t i = 0; i < kRetentionGaugeDays.size(); ++i) {
    std::string n = std::to_string(kRetentionGaugeDays[i]);
    cohort_size_.Add({{"day_n", n}}).Set(double(s.retention_cohort_size[i]));
    cohort_retained_.Add({{"day_n", n}}).Set(double(s.retention_retained[i]));
    trailing_size_.Add({{"day_n", n}}).Set(double(s.trailing_cohort_size[i]));
    trailing_retained_.Add({{"day_n", n}}).Set(double(s.trailing_retained[i]));
    unbounded_retained_.Add({{"day_n", n}}).Set(double(s.unbounded_retained[i]));
    trailing_unbounded_retained_.Add({{"day_n", n}}).Set(double(s.trailing_unbounded_retained[i]));
  }
}

void Metrics::publish_changelog(int64_t redo, int64_t state, int64_t tombstones, int64_t bytes) {
  const std::pair<const char*, int64_t> kinds[] = {
      {"redo", redo}, {"state", state}, {"tombstone", tombstones}};
  for (const auto& [kind, total] : kinds) {
    auto& c = changelog_records_.Add({{"kind", kind}});
    c.Increment(double(total) - c.Value());
  }
  changelog_bytes_.Increment(double(bytes) - changelog_bytes_.Value());
}

}  // namespace engaged
