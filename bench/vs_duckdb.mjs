// DuckDB's side of bench/vs_duckdb.sh: the daily and retention tables of an NDJSON file in one
// process, read the way an analyst would (read_json with the columns the tables need) and
// computed with the oracle's definitions (tests/oracle/tables-sql.mjs).
// Usage: node vs_duckdb.mjs EVENTS.ndjson TIMEZONE OUT_DIR   (writes daily.csv, retention.csv)
import { writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const [input, tz, outDir] = process.argv.slice(2);
if (!input || !tz || !outDir) {
  console.error("usage: node vs_duckdb.mjs EVENTS.ndjson TIMEZONE OUT_DIR");
  process.exit(2);
}
// DuckDB as installed for the oracle tests (tests/oracle: npm install).
const oracle = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../tests/oracle");
const require = createRequire(path.join(oracle, "package.json"));
const { DuckDBInstance } = await import(pathToFileURL(require.resolve("@duckdb/node-api")).href);
const { tableSql } = await import(pathToFileURL(path.join(oracle, "tables-sql.mjs")).href);

const q = (s) => `'${s.replaceAll("'", "''")}'`;
const db = await (await DuckDBInstance.create(":memory:")).connect();
await db.run(`SET TimeZone = ${q(tz)}`);
await db.run(`CREATE TABLE ev AS SELECT user_id, type,
  epoch_ms(TRY_CAST(ts AS TIMESTAMPTZ)) AS ts_ms
  FROM read_json(${q(input)}, format = 'newline_delimited', ignore_errors = true,
                 columns = {user_id: 'VARCHAR', type: 'VARCHAR', ts: 'VARCHAR'})
  WHERE user_id IS NOT NULL AND ts IS NOT NULL`);
// Activity as engaged's default activity.event_types: every type but user_deleted, nudge_opened
// and tick.
await db.run(`CREATE TABLE act AS SELECT DISTINCT user_id,
  CAST(timezone(${q(tz)}, make_timestamptz(ts_ms * 1000)) AS DATE) AS day
  FROM ev WHERE ts_ms IS NOT NULL AND type NOT IN ('user_deleted', 'nudge_opened', 'tick')`);
await db.run(`CREATE TABLE coh AS SELECT user_id, min(day) AS c FROM act GROUP BY user_id`);
for (const table of ["daily", "retention"]) {
  const { header, sql } = tableSql(table, tz);
  const reader = await db.runAndReadAll(sql);
  let out = header;
  for (const [row] of reader.getRows()) out += row + "\n";
  writeFileSync(path.join(outDir, `${table}.csv`), out);
}
