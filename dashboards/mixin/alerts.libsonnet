// Alerting rules of engaged, in the monitoring-mixins style: CamelCase names prefixed Engaged,
// labels.severity (critical = page, warning = ticket / next working hours), annotations summary,
// description and runbook_url (_config.runbookURLPattern with the alert name in lower case: a
// section of docs/runbooks.md, whose heading is the alert name).
//
// The alerts read the recording rules of rules.libsonnet, so load both. Every alert has a unit
// test that fires it and one that keeps it quiet on healthy data
// (dashboards/prometheus/tests/*_test.yaml, run by `promtool test rules` in CTest, with the
// default selector and with another one).
{
  prometheusAlerts+:: {
    groups+: [
      {
        name: "engaged.product.alerts",
        rules: [
          {
            alert: "EngagedRetentionDrop",
            // The latest complete cohort retains clearly worse than the 28 cohorts before it: at
            // least 10 % less (relative) AND more than 3 standard errors of a binomial proportion
            // below the trailing average, so small cohorts do not page on noise.
            expr: |||
              (
                job_day_n:engaged_retention:ratio
                  < 0.9 * job_day_n:engaged_retention_trailing:ratio
              )
              and
              (
                job_day_n:engaged_retention:ratio
                  < job_day_n:engaged_retention_trailing:ratio
                    - 3 * sqrt(
                        job_day_n:engaged_retention_trailing:ratio
                        * (1 - job_day_n:engaged_retention_trailing:ratio)
                        / job_day_n:engaged_retention_cohort_users:sum
                      )
              )
            |||,
            'for': "1h",
            labels: {"severity": "warning"},
            annotations: {
              summary: "Day-N retention of the latest cohort dropped below its trailing 4-week average.",
              description: std.join(' ', [
                "D{{ $labels.day_n }} retention of the latest complete cohort of {{ $labels.job }} is",
                "{{ $value | humanizePercentage }}, against {{ with printf",
                "\"job_day_n:engaged_retention_trailing:ratio{job=%q,day_n=%q}\" $labels.job",
                "$labels.day_n | query }}{{ . | first | value | humanizePercentage }}{{ end }} for",
                "the 28 cohorts before it.",
              ]),
              runbook_url: $._config.runbookURLPattern % "engagedretentiondrop",
            },
          },
          {
            alert: "EngagedStickinessDrop",
            // DAU/MAU of the latest complete day is 20 % (relative) below the same weekday a week
            // earlier (same weekday: DAU has a weekly rhythm).
            expr: |||
              (
                job:engaged_stickiness:ratio
                  < 0.8 * (job:engaged_stickiness:ratio offset 1w)
              )
              and
              job:engaged_stickiness_mau_users:sum >= 100
            |||,
            'for': "2h",
            labels: {"severity": "warning"},
            annotations: {
              summary: "Stickiness (DAU/MAU) dropped by more than 20 % week over week.",
              description: std.join(' ', [
                "Stickiness of {{ $labels.job }} is {{ $value | humanizePercentage }}, against {{",
                "with printf \"job:engaged_stickiness:ratio{job=%q} offset 1w\" $labels.job | query",
                "}}{{ . | first | value | humanizePercentage }}{{ end }} on the same weekday a week",
                "ago.",
              ]),
              runbook_url: $._config.runbookURLPattern % "engagedstickinessdrop",
            },
          },
          {
            alert: "EngagedChurnRiskShareSpike",
            // The share of users at risk is 1.5 times its average over the week that ended a day ago,
            // and at least 5 percentage points above it.
            expr: |||
              (
                job:engaged_risk_at_risk:ratio
                  > 1.5 * avg_over_time(job:engaged_risk_at_risk:ratio[1w] offset 1d)
              )
              and
              (
                job:engaged_risk_at_risk:ratio
                  - avg_over_time(job:engaged_risk_at_risk:ratio[1w] offset 1d)
                  > 0.05
              )
              and
              job:engaged_risk_scored_users:sum >= 100
            |||,
            'for': "1h",
            labels: {"severity": "warning"},
            annotations: {
              summary: "The share of users at churn risk spiked.",
              description: std.join(' ', [
                "{{ $value | humanizePercentage }} of the scored users of {{ $labels.job }} are at or",
                "above the risk threshold, against {{ with printf",
                "\"avg_over_time(job:engaged_risk_at_risk:ratio{job=%q}[1w] offset 1d)\" $labels.job |",
                "query }}{{ . | first | value | humanizePercentage }}{{ end }} on average over the",
                "previous week.",
              ]),
              runbook_url: $._config.runbookURLPattern % "engagedchurnrisksharespike",
            },
          },
          {
            alert: "EngagedMentorFirstResponseSLABreached",
            // Over 6 hours, more than 10 % of the matches whose first-response clock ended did so by
            // breaching the mentor SLA (default 24 h of event time), and at least 3 breaches, so one
            // slow mentor on a quiet night does not page.
            expr: |||
              (job:engaged_mentor_sla_breach:ratio_rate6h > 0.1)
              and
              (job:engaged_mentor_sla_breaches:rate6h * 6 * 3600 >= 3)
            |||,
            'for': "30m",
            labels: {"severity": "warning"},
            annotations: {
              summary: "Mentors miss the first-response SLA for too many mentees.",
              description: std.join(' ', [
                "{{ $value | humanizePercentage }} of the first-response outcomes of {{ $labels.job",
                "}} in the last 6 hours were SLA breaches (a reminder went out, or the mentee was",
                "re-matched).",
              ]),
              runbook_url: $._config.runbookURLPattern % "engagedmentorfirstresponseslabreached",
            },
          },
        ],
      },
      {
        name: "engaged.pipeline.alerts",
        rules: [
          {
            alert: "EngagedAbsent",
            expr: "absent(up{%(engagedSelector)s} == 1)" % $._config,
            'for': "5m",
            labels: {"severity": "critical"},
            annotations: {
              summary: "No engaged instance is up.",
              description: std.join(' ', [
                "Prometheus has not scraped a healthy engaged target (%s) for 5 minutes:" % $._config.engagedSelector,
                "no events are being processed and every engagement figure is frozen.",
              ]),
              runbook_url: $._config.runbookURLPattern % "engagedabsent",
            },
          },
          {
            alert: "EngagedKafkaUnreachable",
            // An instance's consumer reports every broker down, and no probe got an answer since.
            // After input.unreachable_timeout (2 min) the instance exits with code 2.
            expr: "min by (job, instance) (engaged_kafka_reachable{%(engagedSelector)s}) == 0" % $._config,
            'for': "1m",
            labels: {"severity": "critical"},
            annotations: {
              summary: "An engaged instance cannot reach Kafka.",
              description: std.join(' ', [
                "{{ $labels.instance }} of {{ $labels.job }} has reached no Kafka broker for more",
                "than a minute: it processes nothing, and stops (exit code 2) after",
                "input.unreachable_timeout.",
              ]),
              runbook_url: $._config.runbookURLPattern % "engagedkafkaunreachable",
            },
          },
          {
            alert: "EngagedDeadLetterRateHigh",
            expr: |||
              (job:engaged_events_rejected:ratio_rate5m > 0.01)
              and
              (job:engaged_events_rejected:rate5m > 1)
            |||,
            'for': "15m",
            labels: {"severity": "warning"},
            annotations: {
              summary: "More than 1 % of the input goes to the dead-letter topic.",
              description: std.join(' ', [
                "{{ $value | humanizePercentage }} of the messages {{ $labels.job }} consumed in the",
                "last 5 minutes were rejected and sent to the dead-letter topic.",
              ]),
              runbook_url: $._config.runbookURLPattern % "engageddeadletterratehigh",
            },
          },
          {
            alert: "EngagedConsumerLagGrowing",
            // Behind by more than 1000 messages and falling further behind for 15 minutes.
            expr: |||
              (job:engaged_consumer_lag_messages:sum > 1000)
              and
              (deriv(job:engaged_consumer_lag_messages:sum[15m]) > 0)
            |||,
            'for': "15m",
            labels: {"severity": "warning"},
            annotations: {
              summary: "engaged is falling behind its input topic.",
              description: std.join(' ', [
                "The consumer group of {{ $labels.job }} is {{ $value | humanize }} messages behind",
                "and the lag has been growing for 15 minutes.",
              ]),
              runbook_url: $._config.runbookURLPattern % "engagedconsumerlaggrowing",
            },
          },
          {
            alert: "EngagedPipelineStalled",
            // Messages are waiting but nothing has been consumed for 10 minutes (a hung process
            // keeps its last lag: only the consumed counter shows it).
            expr: |||
              (sum by (job) (rate(engaged_events_consumed_total{%(engagedSelector)s}[10m])) == 0)
              and
              (job:engaged_consumer_lag_messages:sum > 0)
            ||| % $._config,
            'for': "10m",
            labels: {"severity": "critical"},
            annotations: {
              summary: "engaged consumes nothing although messages are waiting.",
              description: std.join(' ', [
                "{{ $labels.job }} has consumed no message for 10 minutes while its consumer group is",
                "behind.",
              ]),
              runbook_url: $._config.runbookURLPattern % "engagedpipelinestalled",
            },
          },
          {
            alert: "EngagedEndToEndLatencyHigh",
            expr: "job_quantile:engaged_event_end_to_end_latency_seconds:histogram_quantile{quantile=\"0.99\"} > 30",
            'for': "15m",
            labels: {"severity": "warning"},
            annotations: {
              summary: "Events take more than 30 s from Kafka to the state.",
              description: std.join(' ', [
                "The 99th percentile of the time from an event's Kafka timestamp to it being applied",
                "by {{ $labels.job }} is {{ $value | humanizeDuration }}.",
              ]),
              runbook_url: $._config.runbookURLPattern % "engagedendtoendlatencyhigh",
            },
          },
          {
            alert: "EngagedOutboxNotDraining",
            // Decided nudges or program records wait in the outbox and nothing was delivered to
            // that sink for 15 minutes (the producer cannot reach Kafka, or the topic is missing).
            expr: |||
              (job_sink:engaged_outbox_entries:sum > 0)
              unless on (job, sink)
              (job_sink:engaged_outbox_delivered:rate5m > 0)
            |||,
            'for': "15m",
            labels: {"severity": "warning"},
            annotations: {
              summary: "The {{ $labels.sink }} outbox is not draining.",
              description: std.join(' ', [
                "{{ $value | humanize }} {{ $labels.sink }} entries of {{ $labels.job }} wait in the",
                "outbox and none has been delivered for 15 minutes.",
              ]),
              runbook_url: $._config.runbookURLPattern % "engagedoutboxnotdraining",
            },
          },
        ],
      },
    ],
  },
}
