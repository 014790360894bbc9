// The engaged monitoring mixin: recording rules, alerts and Grafana dashboards, with the
// settings of config.libsonnet (the job selector and the runbook URL). Render it with
// dashboards/render.sh.
(import 'config.libsonnet') +
(import 'rules.libsonnet') +
(import 'alerts.libsonnet') +
(import 'dashboards.libsonnet')
