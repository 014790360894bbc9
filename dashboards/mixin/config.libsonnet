// The settings of the engaged monitoring mixin. Override them when importing it:
//
//   (import 'dashboards/mixin/mixin.libsonnet') + {
//     _config+:: {
//       engagedSelector: 'job="engaged-prod",namespace="growth"',
//       runbookURLPattern: 'https://wiki.example.com/engaged/runbooks#%s',
//     },
//   }
//
// dashboards/render.sh renders the mixin with an overrides file; the files committed in
// dashboards/prometheus and dashboards/grafana are the rendering with these defaults.
{
  _config+:: {
    // The label matchers that select engaged's own series: every raw engaged_* metric in the
    // recording rules and alerts, the `up` series EngagedAbsent watches, and the dashboards'
    // job and instance variables carry it. It must not be empty.
    engagedSelector: 'job="engaged"',

    // Where an alert's runbook link points: %s is the alert name in lower case, which is the
    // anchor of its section in docs/runbooks.md. Point it at wherever your copy of the
    // repository's docs is served; Alertmanager and Grafana open it as it is, so it must be
    // absolute.
    runbookURLPattern: 'https://github.com/engaged/engaged/blob/main/docs/runbooks.md#%s',
  },
}
