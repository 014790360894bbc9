// The Grafana dashboards of engaged, as the mixin's grafanaDashboards. They are written by
// dashboards/generate.py (panels, queries, layout); the mixin only applies
// _config.engagedSelector to the job and instance variables, through which every panel query
// selects its series (job=~"$job",instance=~"$instance").
local files = {
  'engaged-overview.json': import '../grafana/engaged-overview.json',
  'engaged-retention.json': import '../grafana/engaged-retention.json',
  'engaged-mentor.json': import '../grafana/engaged-mentor.json',
  'engaged-pipeline.json': import '../grafana/engaged-pipeline.json',
};
// generate.py writes the variables with the default selector; this is the text it writes.
local defaultSelector = 'job="engaged"';
{
  grafanaDashboards+:: {
    [name]: files[name] {
      templating+: {
        list: [
          if v.type == 'query'
          then v { query: std.strReplace(v.query, '{' + defaultSelector, '{' + $._config.engagedSelector) }
          else v
          for v in super.list
        ],
      },
    }
    for name in std.objectFields(files)
  },
}
