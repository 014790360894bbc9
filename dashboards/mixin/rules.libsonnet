// Recording rules of engaged (monitoring-mixins style: level:metric:operation).
//
// Every engaged instance exports the figures of the input partitions it owns, so each series is a
// partial sum. Every ratio below sums its numerator and its denominator over all instances of the
// job first and divides the sums; dividing per instance and averaging would weight a small
// instance like a large one. Raw engaged_* series are read through _config.engagedSelector.
//
// The product gauges (active users, retention, stickiness, ...) describe event-time days: the
// rules use day="latest_complete", the newest day whose figures no longer move (apart from late
// events within the allowed lateness).
//
// Checked by `promtool check rules` and unit-tested in
// dashboards/prometheus/tests/recording_rules_test.yaml; the end-to-end test
// (tests/dashboards/dashboards_e2e_test.py) evaluates each one against a real run.
{
  prometheusRules+:: {
    groups+: [
      {
        name: "engaged.pipeline.rules",
        rules: [
          {
            record: "job:engaged_events_consumed:rate5m",
            expr: "sum by (job) (rate(engaged_events_consumed_total{%(engagedSelector)s}[5m]))" % $._config,
          },
          {
            record: "job:engaged_events_processed:rate5m",
            expr: "sum by (job) (rate(engaged_events_processed_total{%(engagedSelector)s}[5m]))" % $._config,
          },
          {
            record: "job:engaged_events_rejected:rate5m",
            expr: "sum by (job) (rate(engaged_events_rejected_total{%(engagedSelector)s}[5m]))" % $._config,
          },
          {
            record: "job_reason:engaged_events_rejected:rate5m",
            expr: "sum by (job, reason) (rate(engaged_events_rejected_total{%(engagedSelector)s}[5m]))" % $._config,
          },
          {
            record: "job:engaged_events_rejected:ratio_rate5m",
            // Share of input sent to the dead-letter topic.
            expr: |||
              sum by (job) (rate(engaged_events_rejected_total{%(engagedSelector)s}[5m]))
              /
              sum by (job) (rate(engaged_events_consumed_total{%(engagedSelector)s}[5m]))
            ||| % $._config,
          },
          {
            record: "job:engaged_consumer_lag_messages:sum",
            // Total lag of the consumer group. max by partition: during a rebalance two instances can
            // briefly both report a partition; it must be counted once.
            expr: "sum by (job) (max by (job, partition) (engaged_consumer_lag_messages{%(engagedSelector)s}))" % $._config,
          },
          {
            record: "job_quantile:engaged_event_end_to_end_latency_seconds:histogram_quantile",
            expr: "histogram_quantile(0.99, sum by (job, le) (rate(engaged_event_end_to_end_latency_seconds_bucket{%(engagedSelector)s}[5m])))" % $._config,
            labels: {"quantile": "0.99"},
          },
          {
            record: "job_quantile:engaged_event_end_to_end_latency_seconds:histogram_quantile",
            expr: "histogram_quantile(0.9, sum by (job, le) (rate(engaged_event_end_to_end_latency_seconds_bucket{%(engagedSelector)s}[5m])))" % $._config,
            labels: {"quantile": "0.9"},
          },
          {
            record: "job_quantile:engaged_event_end_to_end_latency_seconds:histogram_quantile",
            expr: "histogram_quantile(0.5, sum by (job, le) (rate(engaged_event_end_to_end_latency_seconds_bucket{%(engagedSelector)s}[5m])))" % $._config,
            labels: {"quantile": "0.5"},
          },
          {
            record: "job_quantile:engaged_checkpoint_duration_seconds:histogram_quantile",
            expr: "histogram_quantile(0.99, sum by (job, le) (rate(engaged_checkpoint_duration_seconds_bucket{%(engagedSelector)s}[5m])))" % $._config,
            labels: {"quantile": "0.99"},
          },
          {
            record: "job:engaged_state_live_data_bytes:sum",
            expr: "sum by (job) (engaged_state_live_data_bytes{%(engagedSelector)s})" % $._config,
          },
          {
            record: "job_sink:engaged_outbox_entries:sum",
            // Undelivered nudges and program records, and what the producers deliver.
            expr: "sum by (job, sink) (engaged_outbox_entries{%(engagedSelector)s})" % $._config,
          },
          {
            record: "job_sink:engaged_outbox_delivered:rate5m",
            expr: "sum by (job, sink) (rate(engaged_outbox_delivered_total{%(engagedSelector)s}[5m]))" % $._config,
          },
        ],
      },
      {
        name: "engaged.engagement.rules",
        rules: [
          {
            record: "job_window:engaged_active_users:sum",
            expr: "sum by (job, window) (engaged_active_users{%(engagedSelector)s,day=\"latest_complete\"})" % $._config,
          },
          {
            record: "job:engaged_stickiness_mau_users:sum",
            expr: "sum by (job) (engaged_stickiness_mau_users{%(engagedSelector)s,day=\"latest_complete\"})" % $._config,
          },
          {
            record: "job:engaged_stickiness:ratio",
            // Stickiness = DAU / MAU of the latest complete day.
            expr: |||
              sum by (job) (engaged_stickiness_dau_users{%(engagedSelector)s,day="latest_complete"})
              /
              sum by (job) (engaged_stickiness_mau_users{%(engagedSelector)s,day="latest_complete"})
            ||| % $._config,
          },
          {
            record: "job_day_n:engaged_retention_cohort_users:sum",
            // Day-N retention of the most recent complete cohort for N (cohort day = latest complete
            // day - N), and the same figure over the 28 cohorts before it (trailing 4-week average).
            expr: "sum by (job, day_n) (engaged_retention_cohort_users{%(engagedSelector)s})" % $._config,
          },
          {
            record: "job_day_n:engaged_retention:ratio",
            expr: |||
              sum by (job, day_n) (engaged_retention_retained_users{%(engagedSelector)s})
              /
              sum by (job, day_n) (engaged_retention_cohort_users{%(engagedSelector)s})
            ||| % $._config,
          },
          {
            record: "job_day_n:engaged_retention_trailing:ratio",
            expr: |||
              sum by (job, day_n) (engaged_retention_trailing_retained_users{%(engagedSelector)s})
              /
              sum by (job, day_n) (engaged_retention_trailing_cohort_users{%(engagedSelector)s})
            ||| % $._config,
          },
          {
            record: "job_day_n:engaged_retention_unbounded:ratio",
            // Unbounded retention: users of the same cohorts active on their day N or any later day.
            expr: |||
              sum by (job, day_n) (engaged_retention_unbounded_retained_users{%(engagedSelector)s})
              /
              sum by (job, day_n) (engaged_retention_cohort_users{%(engagedSelector)s})
            ||| % $._config,
          },
          {
            record: "job_day_n:engaged_retention_trailing_unbounded:ratio",
            expr: |||
              sum by (job, day_n) (engaged_retention_trailing_unbounded_retained_users{%(engagedSelector)s})
              /
              sum by (job, day_n) (engaged_retention_trailing_cohort_users{%(engagedSelector)s})
            ||| % $._config,
          },
          {
            record: "job:engaged_aha_reach:ratio",
            expr: "sum by (job) (engaged_aha_reached_users{%(engagedSelector)s}) / sum by (job) (engaged_aha_cohort_users{%(engagedSelector)s})" % $._config,
          },
          {
            record: "job:engaged_nps_30d:score",
            // NPS over the 30 days ending on the latest complete day, in points (-100..100).
            expr: |||
              100 * (
                sum by (job) (engaged_nps_promoters{%(engagedSelector)s,day="latest_complete",window="30d"})
                - sum by (job) (engaged_nps_detractors{%(engagedSelector)s,day="latest_complete",window="30d"})
              )
              /
              sum by (job) (engaged_nps_responses{%(engagedSelector)s,day="latest_complete",window="30d"})
            ||| % $._config,
          },
          {
            record: "job:engaged_risk_scored_users:sum",
            // Share of scored users whose churn-risk score is at or above risk.threshold.
            expr: "sum by (job) (engaged_risk_scored_users{%(engagedSelector)s})" % $._config,
          },
          {
            record: "job:engaged_risk_at_risk:ratio",
            expr: "sum by (job) (engaged_risk_at_risk_users{%(engagedSelector)s}) / sum by (job) (engaged_risk_scored_users{%(engagedSelector)s})" % $._config,
          },
        ],
      },
      {
        name: "engaged.mentor.rules",
        rules: [
          {
            record: "job_kind:engaged_nudges_opened:ratio_rate1d",
            // Open rate = opened / sent; 7-day return rate = returns / opened, per nudge kind, over a
            // day of deliveries.
            expr: |||
              sum by (job, kind) (rate(engaged_nudges_opened_total{%(engagedSelector)s}[1d]))
              /
              sum by (job, kind) (rate(engaged_nudges_total{%(engagedSelector)s,outcome="sent"}[1d]))
            ||| % $._config,
          },
          {
            record: "job_kind:engaged_nudge_returns:ratio_rate1d",
            expr: |||
              sum by (job, kind) (rate(engaged_nudge_returns_total{%(engagedSelector)s}[1d]))
              /
              sum by (job, kind) (rate(engaged_nudges_opened_total{%(engagedSelector)s}[1d]))
            ||| % $._config,
          },
          {
            record: "job_program_arm_window:engaged_program_retention:ratio",
            // D7/D30 retention of the users who entered the mentoring program, per arm.
            expr: |||
              sum by (job, program, arm, window) (engaged_program_retained_users{%(engagedSelector)s})
              /
              sum by (job, program, arm, window) (engaged_program_entered_users{%(engagedSelector)s})
            ||| % $._config,
          },
          {
            record: "job_program_window:engaged_program_retention:uplift",
            // Holdout uplift: treated minus holdout retention (a share: 0.05 = 5 percentage points).
            expr: |||
              sum without (arm) (job_program_arm_window:engaged_program_retention:ratio{arm="treated"})
              - sum without (arm) (job_program_arm_window:engaged_program_retention:ratio{arm="holdout"})
            |||,
          },
          {
            record: "job:engaged_mentor_sla_breaches:rate6h",
            // Mentor first-response SLA: matches whose SLA ran out without a first message, against
            // all first-response outcomes (breaches + first responses) over 6 hours.
            expr: "sum by (job) (rate(engaged_mentor_sla_breaches_total{%(engagedSelector)s}[6h]))" % $._config,
          },
          {
            record: "job:engaged_mentor_first_responses:rate6h",
            expr: "sum by (job) (rate(engaged_mentor_first_response_seconds_count{%(engagedSelector)s}[6h]))" % $._config,
          },
          {
            record: "job:engaged_mentor_sla_breach:ratio_rate6h",
            expr: |||
              sum by (job) (rate(engaged_mentor_sla_breaches_total{%(engagedSelector)s}[6h]))
              /
              (
                sum by (job) (rate(engaged_mentor_sla_breaches_total{%(engagedSelector)s}[6h]))
                + sum by (job) (rate(engaged_mentor_first_response_seconds_count{%(engagedSelector)s}[6h]))
              )
            ||| % $._config,
          },
          {
            record: "job_quantile:engaged_mentor_first_response_seconds:histogram_quantile",
            expr: "histogram_quantile(0.9, sum by (job, le) (rate(engaged_mentor_first_response_seconds_bucket{%(engagedSelector)s}[6h])))" % $._config,
            labels: {"quantile": "0.9"},
          },
        ],
      },
    ],
  },
}
