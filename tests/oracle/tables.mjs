// Independent oracle: recomputes engaged's report tables from NDJSON with DuckDB (SQL straight
// from the definitions in docs/metrics.md), sharing no code with the C++ pipeline.
// Usage: node tables.mjs EVENTS.ndjson TIMEZONE TABLE [TYPES [EXCLUDED_ACTIONS]]
// TABLE: daily | retention | retention-unbounded | retention-weekly | retention-weekly-unbounded
// | retention-signup | sessions | nps | revenue
// -> CSV on stdout, in the exact format of `engaged report <table> --format csv`. TYPES and
// EXCLUDED_ACTIONS are comma lists, as the settings activity.event_types and
// activity.excluded_action_names (default: every type but user_deleted, no exclusions).
import { DuckDBInstance } from "@duckdb/node-api";

import { tableSql } from "./tables-sql.mjs";

const [input, tz, table, typesArg = "all", excludedArg = ""] = process.argv.slice(2);
const TABLES = ["daily", "retention", "retention-unbounded", "retention-weekly",
  "retention-weekly-unbounded", "retention-signup", "sessions", "nps", "revenue"];
if (!input || !tz || !TABLES.includes(table)) {
  console.error(`usage: node tables.mjs EVENTS.ndjson TIMEZONE ${TABLES.join("|")}`);
  process.exit(2);
}
const q = (s) => `'${s.replaceAll("'", "''")}'`;
const TYPES = ["signup", "session_start", "session_end", "action", "purchase", "check_in",
  "referral", "feedback", "support_ticket", "support_reply", "mentor_opt_in", "mentor_opt_out",
  "mentor_message", "mentor_report", "nudge_opened", "user_deleted", "user_blocked", "mentor_rating"];
// RFC 3339 with a mandatory offset (what the contract accepts).
const RFC3339 = "^\\d{4}-\\d{2}-\\d{2}[Tt]\\d{2}:\\d{2}:\\d{2}(\\.\\d{1,9})?([Zz]|[+-]\\d{2}:\\d{2})$";

const db = await (await DuckDBInstance.create(":memory:")).connect();
const run = (sql) => db.run(sql);
await run(`CREATE TABLE raw AS SELECT line FROM read_csv(${q(input)}, columns={'line': 'VARCHAR'},
  delim=chr(1), quote='', escape='', header=false, auto_detect=false)`);
// Keyed lines ("key<TAB>json") carry the JSON after the tab.
await run(`CREATE TABLE docs AS SELECT CAST(m AS JSON) AS j FROM (
  SELECT CASE WHEN contains(line, chr(9)) THEN split_part(line, chr(9), 2) ELSE line END AS m
  FROM raw) WHERE json_valid(m)`);
await run(`CREATE TABLE ev AS SELECT json_extract_string(j, '$.user_id') AS user_id, json_extract_string(j, '$.type') AS type,
  json_extract_string(j, '$.name') AS name, json_extract_string(j, '$.session_id') AS session_id,
  TRY_CAST(json_extract_string(j, '$.score') AS INTEGER) AS score,
  TRY_CAST(json_extract_string(j, '$.amount') AS DECIMAL(18, 6)) AS amount,
  json_extract_string(j, '$.currency') AS currency,
  CASE WHEN json_type(json_extract(j, '$.ts')) = 'VARCHAR'
       THEN epoch_ms(TRY_CAST(replace(replace(json_extract_string(j, '$.ts'), 't', 'T'), 'z', 'Z') AS TIMESTAMPTZ))
       ELSE TRY_CAST(json_extract_string(j, '$.ts') AS BIGINT) END AS ts_ms
  FROM docs
  WHERE json_type(j) = 'OBJECT'
    AND json_type(json_extract(j, '$.event_id')) = 'VARCHAR' AND length(json_extract_string(j, '$.event_id')) BETWEEN 1 AND 128
    AND json_type(json_extract(j, '$.user_id')) = 'VARCHAR' AND length(json_extract_string(j, '$.user_id')) BETWEEN 1 AND 128
    AND json_extract_string(j, '$.type') IN (${TYPES.map(q).join(",")})
    AND ((json_type(json_extract(j, '$.ts')) IN ('BIGINT', 'UBIGINT')
          AND TRY_CAST(json_extract_string(j, '$.ts') AS BIGINT) BETWEEN 946684800000 AND 4102444800000)
         OR (json_type(json_extract(j, '$.ts')) = 'VARCHAR' AND regexp_full_match(json_extract_string(j, '$.ts'), ${q(RFC3339)})))`);
await run(`SET TimeZone = ${q(tz)}`);
const list = (text) => text.split(",").map((x) => x.trim()).filter(Boolean);
const activeTypes = typesArg === "all" ? TYPES.filter((t) => t !== "user_deleted" && t !== "nudge_opened") : list(typesArg);
const excluded = list(excludedArg);
const activeFilter = `type IN (${activeTypes.map(q).join(",")})` +
  (excluded.length ? ` AND NOT (type = 'action' AND name IN (${excluded.map(q).join(",")}))` : "");
// The local calendar day of each event in the requested zone.
await run(`CREATE TABLE act AS SELECT DISTINCT user_id,
  CAST(timezone(${q(tz)}, make_timestamptz(ts_ms * 1000)) AS DATE) AS day
  FROM ev WHERE ${activeFilter}`);
await run(`CREATE TABLE coh AS SELECT user_id, min(day) AS c FROM act GROUP BY user_id`);

const { header, sql } = tableSql(table, tz);
process.stdout.write(header);
const reader = await db.runAndReadAll(sql);
let out = "";
for (const [row] of reader.getRows()) out += row + "\n";
process.stdout.write(out);
