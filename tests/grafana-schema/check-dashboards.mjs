// Type-checks every dashboard in dashboards/grafana/ against the types Grafana publishes in
// @grafana/schema: the dashboard model, and each panel's options and field config by panel type.
//
// @grafana/schema ships TypeScript types, not a JSON Schema, so each dashboard becomes a
// TypeScript module, `<the JSON> satisfies EngagedDashboard`, and `tsc` checks it. Object
// literals get excess-property checks, so a misspelt or unknown field fails as well as a wrong
// type. Grafana's string enums are loosened to their values (a JSON file holds "background",
// not BigValueColorMode.Background); everything else is Grafana's type as published.
//
// Usage: node check-dashboards.mjs [dashboard.json ...]   (default: every dashboards/grafana/*.json)
//        node check-dashboards.mjs --reject bad.json ...   (each file must fail the check on its own:
//                                                          shows that the check can fail)
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const dashboardsDir = resolve(here, '../../dashboards/grafana');
const reject = process.argv[2] === '--reject';
const args = process.argv.slice(reject ? 3 : 2);
const files = args.length > 0
  ? args.map((f) => resolve(f))
  : readdirSync(dashboardsDir).filter((f) => f.endsWith('.json')).sort().map((f) => join(dashboardsDir, f));
if (files.length === 0) {
  console.error(`no dashboards found in ${dashboardsDir}`);
  process.exit(2);
}

const panelCfg = (kind, name) => `@grafana/schema/dist/esm/raw/composable/${kind}/panelcfg/x/${name}PanelCfg_types.gen`;
const prelude = `
import type { Dashboard, Panel, RowPanel } from '@grafana/schema';
import type * as timeseries from '${panelCfg('timeseries', 'TimeSeries')}';
import type * as stat from '${panelCfg('stat', 'Stat')}';
import type * as bargauge from '${panelCfg('bargauge', 'BarGauge')}';

// A string enum as the strings a JSON file holds; objects and arrays recursively.
type Json<T> = T extends string ? \`\${T}\`
  : T extends number | boolean | null | undefined ? T
  : T extends Array<infer U> ? Array<Json<U>>
  : T extends object ? { [K in keyof T]: Json<T[K]> }
  : T;
type Typed<Kind extends string, Options, Custom> =
  Omit<Panel<Options, Custom>, 'type' | 'options'> & { type: Kind; options?: Options };
// Every panel type the dashboards use; a new one has to be added here with its types.
type EngagedPanel =
  | Typed<'timeseries', timeseries.Options, timeseries.FieldConfig>
  | Typed<'stat', stat.Options, Record<string, unknown>>
  | Typed<'bargauge', bargauge.Options, Record<string, unknown>>
  | (RowPanel & { type: 'row' });
type EngagedDashboard = Json<Omit<Dashboard, 'panels'> & { panels: EngagedPanel[] }>;
`;

// Type-checks the files together; returns tsc's messages naming the dashboards, or '' when they pass.
function typeCheck(files) {
  const work = mkdtempSync(join(here, '.check-'));
  try {
    const modules = files.map((file) => {
      const json = JSON.parse(readFileSync(file, 'utf8'));
      const module = join(work, basename(file, '.json').replace(/[^A-Za-z0-9_]/g, '_') + '.ts');
      writeFileSync(module, `${prelude}\nexport const dashboard = ${JSON.stringify(json, null, 2)} satisfies EngagedDashboard;\n`);
      return module;
    });
    const tsc = join(here, 'node_modules/typescript/bin/tsc');
    try {
      execFileSync(process.execPath, [tsc, '--noEmit', '--strict', '--target', 'es2022', '--module', 'esnext',
        '--moduleResolution', 'bundler', '--skipLibCheck', '--pretty', 'false', ...modules], { cwd: here, stdio: 'pipe' });
      return '';
    } catch (e) {
      let out = `${e.stdout}${e.stderr}`.trim() || String(e);
      for (const [i, m] of modules.entries()) out = out.split(m.slice(here.length + 1)).join(basename(files[i]));
      return out;
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

const version = JSON.parse(readFileSync(join(here, 'node_modules/@grafana/schema/package.json'), 'utf8')).version;
if (reject) {
  let accepted = 0;
  for (const file of files) {
    const errors = typeCheck([file]);
    if (errors) console.log(`rejected as it should be: ${basename(file)}\n  ${errors.split('\n')[0]}`);
    else { console.error(`FAIL: ${basename(file)} passed the check, but it is not a valid dashboard`); accepted++; }
  }
  process.exit(accepted ? 1 : 0);
}
const errors = typeCheck(files);
if (errors) {
  console.error(errors);
  console.error(`FAIL: the dashboards do not match @grafana/schema ${version}'s types (see above)`);
  process.exit(1);
}
console.log(`ok: ${files.length} dashboards match @grafana/schema ${version}: ${files.map((f) => basename(f)).join(', ')}`);
