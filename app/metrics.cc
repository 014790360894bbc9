// Definitions (name, help, buckets) of every exported series.
#include "app/metrics.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <limits>
#include <tuple>

#include "app/build_info.h"
#include "domain/time_zone.h"

namespace engaged {
namespace {

using prometheus::BuildCounter;
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
      consumed(counter(*registry_, "engaged_events_consumed_total",
                       "Input messages read from the source (accepted or rejected).")
                   .Add({})),
      processed(counter(*registry_, "engaged_events_processed_total",
                        "Input events accepted and applied to state.")
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
      consumer_lag(gauge(*registry_, "engaged_consumer_lag_messages",
                         "High watermark minus next offset to apply, per assigned partition.")),
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
          gauge(*registry_, "engaged_state_live_data_bytes",
                "State store size: RocksDB live data in SST files plus unflushed memtables.")
              .Add({})),
      cached_users(
          gauge(*registry_, "engaged_state_cached_users", "Users whose state is held in memory.")
              .Add({})),
      state_memory(gauge(*registry_, "engaged_state_memory_bytes",
                         "What the state holds in memory, by table (user_cache: estimated), "
                         "together bounded by state.memory_budget.")),
      assigned_partitions(gauge(*registry_, "engaged_assigned_partitions",
                                "Input partitions currently owned by this instance.")
                              .Add({})),
      duplicates(counter(*registry_, "engaged_events_duplicate_total",
                         "Events dropped because their (user_id, event_id) was applied within the "
                         "dedupe window.")
                     .Add({})),
      forgotten_entries(
          counter(
              *registry_, "engaged_user_entries_forgotten_total",
              "Entries of users' lists (event ids of the dedupe window, open sessions and "
              "tickets, purchases, opened nudges) dropped early to keep a user's record bounded.")
              .Add({})),
      offset_gaps(counter(*registry_, "engaged_input_offset_gaps_total",
                          "Times the input skipped offsets (data lost before it was read).")
                      .Add({})),
      skipped_messages(counter(*registry_, "engaged_input_skipped_messages_total",
                               "Input offsets skipped over by gaps: messages never seen.")
                           .Add({})),
      outbox_entries(gauge(*registry_, "engaged_outbox_entries",
                           "Decided outbox messages (program records, nudges) sent and not yet "
                           "acknowledged by Kafka, by sink.")),
      outbox_delivered(counter(*registry_, "engaged_outbox_delivered_total",
                               "Outbox messages acknowledged by Kafka, by sink.")),
      restoring_partitions(gauge(*registry_, "engaged_restoring_partitions",
                                 "Partitions (input, or the program stage) assigned here whose "
                                 "state is being restored from the changelog.")
                               .Add({})),
      restore_records(counter(*registry_, "engaged_restore_records_total",
                              "Changelog records read to restore partitions.")
                          .Add({})),
      restore_bytes(
          counter(*registry_, "engaged_restore_bytes_total",
                  "Bytes of changelog records (keys and values) read to restore partitions.")
              .Add({})),
      restore_duration(BuildHistogram()
                           .Name("engaged_restore_duration_seconds")
                           .Help("Time from a partition's assignment to its state being restored "
                                 "(it then resumes its input).")
                           .Register(*registry_)
                           .Add({}, Histogram::BucketBoundaries{0.01, 0.1, 0.5, 1, 2.5, 5, 10, 30,
                                                                60, 300, 900})),
      kafka_reachable(gauge(*registry_, "engaged_kafka_reachable",
                            "1 while the brokers answer; 0 from the moment the consumer reports "
                            "every broker down until one answers again.")
                          .Add({})),
      dead_letters_truncated(counter(*registry_, "engaged_dead_letters_truncated_total",
                                     "Dead letters whose original bytes were cut to fit the "
                                     "producer's message.max.bytes (headers say so).")
                                 .Add({})),
      sla_breaches_(
          counter(*registry_, "engaged_mentor_sla_breaches_total",
                  "Matches whose mentor did not write within mentors.sla (a reminder was decided).")
              .Add({})),
      matches_(counter(*registry_, "engaged_mentor_matches_total",
                       "Mentees matched to a mentor, by kind (first, rematch).")
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
      mentors_active_(
          gauge(*registry_, "engaged_mentors_active", "Mentors opted in and not suspended.")
              .Add({})),
      mentors_suspended_(
          gauge(*registry_, "engaged_mentors_suspended", "Mentors suspended after reports.")
              .Add({})),
      mentor_load_(gauge(*registry_, "engaged_mentor_load_mentors",
                         "Active mentors by number of current mentees (label mentees).")),
      matches_active_(gauge(*registry_, "engaged_mentor_matches_active",
                            "Mentees currently matched to a mentor.")
                          .Add({})),
      matches_waiting_(gauge(*registry_, "engaged_mentor_matches_waiting",
                             "At-risk newcomers waiting for a mentor with capacity.")
                           .Add({})),
      program_pending_(
          gauge(*registry_, "engaged_program_pending_records",
                "Program records received but held until every partition's watermark passes them.")
              .Add({})),
      risk_scored_(
          gauge(*registry_, "engaged_risk_scored_users", "Users with a churn-risk score.").Add({})),
      risk_at_risk_(gauge(*registry_, "engaged_risk_at_risk_users",
                          "Users whose churn-risk score is at or above risk.threshold.")
                        .Add({})),
      risk_scores_(
          prometheus::BuildHistogram()
              .Name("engaged_risk_score")
              .Help("Churn-risk scores of the scored users at their last rescoring: a "
                    "gauge histogram (it also goes down; use histogram_quantile without "
                    "rate). _sum is NaN: the state keeps each user's decile, not the score.")
              .Register(*registry_)),
      program_entered_(gauge(*registry_, "engaged_program_entered_users",
                             "Users who entered the program (label arm: treated, holdout) at least "
                             "`window` ago, within the last 90 days.")),
      program_retained_(
          gauge(*registry_, "engaged_program_retained_users",
                "Of those, users active on entry day + 7 (window=7d) or + 30 (window=30d).")),
      program_returned_(gauge(*registry_, "engaged_program_returned_users",
                              "Of the users who entered at least 7 days ago, those active on one "
                              "of the 7 days after entering.")),
      active_users_(gauge(*registry_, "engaged_active_users",
                          "Users active in the window ending on the day (1d=DAU, 7d=WAU, 30d=MAU); "
                          "day=current|latest_complete.")),
      lifecycle_users_(
          gauge(*registry_, "engaged_lifecycle_users",
                "Users by lifecycle state on the day (new, returning, resurrecting, dormant).")),
      stickiness_dau_(gauge(*registry_, "engaged_stickiness_dau_users",
                            "Stickiness numerator: DAU of the day.")),
      stickiness_mau_(gauge(*registry_, "engaged_stickiness_mau_users",
                            "Stickiness denominator: MAU of the day.")),
      sessions_(gauge(*registry_, "engaged_day_sessions",
                      "Sessions starting on the day (a session: events sharing a session_id).")),
      session_actions_(gauge(*registry_, "engaged_day_session_actions",
                             "Actions in the sessions starting on the day (actions per session = "
                             "this / engaged_day_sessions).")),
      session_duration_(gauge(*registry_, "engaged_day_session_duration_seconds",
                              "Summed length of the sessions starting on the day.")),
      session_length_(gauge(*registry_, "engaged_day_session_length_sessions",
                            "Sessions starting on the day by length bucket.")),
      nps_responses_(gauge(*registry_, "engaged_nps_responses",
                           "Feedback responses (score 0-10) on the day (window=1d) or in the 30 "
                           "days ending on it (window=30d).")),
      nps_promoters_(
          gauge(*registry_, "engaged_nps_promoters",
                "Responses scoring 9-10. NPS = 100 * (promoters - detractors) / responses.")),
      nps_detractors_(gauge(*registry_, "engaged_nps_detractors", "Responses scoring 0-6.")),
      cohort_size_(gauge(*registry_, "engaged_retention_cohort_users",
                         "Size of the cohort whose day-N retention is reported (cohort day = "
                         "latest complete day - N).")),
      cohort_retained_(gauge(*registry_, "engaged_retention_retained_users",
                             "Users of that cohort active on cohort day + N.")),
      trailing_size_(gauge(*registry_, "engaged_retention_trailing_cohort_users",
                           "Summed size of the 28 daily cohorts before the reported one "
                           "(denominator of the trailing 4-week average).")),
      trailing_retained_(gauge(*registry_, "engaged_retention_trailing_retained_users",
                               "Users of those 28 cohorts active on their day N (numerator of the "
                               "trailing 4-week average).")),
      unbounded_retained_(gauge(*registry_, "engaged_retention_unbounded_retained_users",
                                "Users of the reported cohort active on cohort day + N or later "
                                "(unbounded retention numerator).")),
      trailing_unbounded_retained_(
          gauge(*registry_, "engaged_retention_trailing_unbounded_retained_users",
                "Users of the 28 cohorts before it active on their day N or later.")),
      stream_time_(gauge(*registry_, "engaged_stream_time_seconds",
                         "Newest accepted event time over owned partitions (epoch seconds).")
                       .Add({})),
      current_day_start_(gauge(*registry_, "engaged_current_day_start_timestamp_seconds",
                               "Start of the 'current' day of the product gauges.")
                             .Add({})),
      changelog_records_(
          counter(*registry_, "engaged_changelog_records_total",
                  "Records written to the changelog, by kind (redo: a checkpoint's writes of a "
                  "partition; state: the newest value of a key; tombstone).")),
      changelog_bytes_(
          counter(*registry_, "engaged_changelog_bytes_total",
                  "Bytes (keys and values, before compression) written to the changelog.")
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
  auto& opened_family = counter(*registry_, "engaged_nudges_opened_total",
                                "nudge_opened events, by the kind of the opened nudge.");
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
  const std::pair<const char*, const char*> store_health[] = {
      {"engaged_rocksdb_pending_compaction_bytes",
       "Bytes RocksDB estimates its compactions must rewrite (growing: compaction falls behind)."},
      {"engaged_rocksdb_running_compactions", "RocksDB compactions running now."},
      {"engaged_rocksdb_running_flushes", "RocksDB memtable flushes running now."},
      {"engaged_rocksdb_write_stopped",
       "1 while RocksDB stops writes until flushes or compactions catch up (a write stall)."},
      {"engaged_rocksdb_delayed_write_rate_bytes_per_second",
       "The rate RocksDB slows writes to before a stall; 0 when writes are not slowed."}};
  for (size_t i = 0; i < store_health_.size(); ++i)
    store_health_[i] = &gauge(*registry_, store_health[i].first, store_health[i].second).Add({});
  const BuildInfo& b = build_info();
  gauge(*registry_, "engaged_build_info",
        "1, labelled with the binary's version, commit and libraries (engaged --version).")
      .Add({{"version", b.version},
            {"commit", b.commit},
            {"librdkafka", b.librdkafka},
            {"rocksdb", b.rocksdb},
            {"simdjson", b.simdjson}})
      .Set(1);
  register_figures();
}

Metrics::~Metrics() = default;

void Metrics::publish_store_health(const StoreHealth& h) {
  const double values[] = {double(h.pending_compaction_bytes), double(h.running_compactions),
                           double(h.running_flushes), h.writes_stopped ? 1.0 : 0.0,
                           double(h.delayed_write_rate)};
  for (size_t i = 0; i < store_health_.size(); ++i) store_health_[i]->Set(values[i]);
}

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
  // The deciles are the buckets, le = 0.1 .. 0.9 and 1 (+Inf stays empty: no score exceeds 1).
  static const prometheus::Histogram::BucketBoundaries kDeciles = {0.1, 0.2, 0.3, 0.4, 0.5,
                                                                   0.6, 0.7, 0.8, 0.9, 1.0};
  int64_t scored = 0;
  std::vector<double> per_bucket(kDeciles.size() + 1, 0.0);
  for (size_t b = 0; b < s.risk.by_bucket.size(); ++b) {
    scored += s.risk.by_bucket[b];
    per_bucket[b] = double(s.risk.by_bucket[b]);
  }
  if (risk_histogram_) risk_scores_.Remove(risk_histogram_);
  risk_histogram_ = &risk_scores_.Add({}, kDeciles);
  risk_histogram_->ObserveMultiple(per_bucket, std::numeric_limits<double>::quiet_NaN());
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
