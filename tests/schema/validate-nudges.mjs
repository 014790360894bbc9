// Validates nudges against schemas/nudge.v1.schema.json (ajv, JSON Schema 2020-12).
//
// Usage:
//   node validate-nudges.mjs < nudges.ndjson
//       one nudge per line (what `kcat -C -t app.nudges` or `engaged replay --nudges` write;
//       empty lines are skipped). Prints `line N: <nudge_id>: <errors>` for each rejected line,
//       then `N valid, M invalid`; exits 1 if M > 0 or there was no line at all.
//   node validate-nudges.mjs --fixtures [root]     (default: ./nudge-fixtures)
//       root/valid/*.json must be accepted and root/invalid/*.json rejected; prints every
//       disagreement, then `N passed, M failed`; exits 1 if M > 0.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import path from "node:path";
import Ajv2020 from "ajv/dist/2020.js";
import addFormats from "ajv-formats";

import { checkFixtureDirs } from "./fixture-dirs.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));
const schemaPath = path.resolve(here, "../../schemas/nudge.v1.schema.json");

// As in validate-fixtures.mjs: strict, except that a `required` inside allOf/if/then names
// properties declared once at the top level.
const ajv = new Ajv2020({ strict: true, strictRequired: false, allErrors: true });
addFormats(ajv);
const validate = ajv.compile(JSON.parse(readFileSync(schemaPath, "utf8")));

// null if `text` is a valid nudge, else a short reason.
function check(text) {
  let value;
  try {
    value = JSON.parse(text);
  } catch (e) {
    return `not JSON: ${e.message}`;
  }
  if (validate(value)) return null;
  return ajv.errorsText(validate.errors);
}

const args = process.argv.slice(2);
if (args[0] === "--fixtures") {
  if (args.length > 2) {
    console.error("usage: node validate-nudges.mjs --fixtures [root]");
    process.exit(2);
  }
  const root = path.resolve(args[1] ?? path.join(here, "nudge-fixtures"));
  const { passed, failed } = checkFixtureDirs(root, (bytes) => check(bytes.toString("utf8")),
    console.log);
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(failed ? 1 : 0);
} else if (args.length > 0) {
  console.error("usage: node validate-nudges.mjs < nudges.ndjson | --fixtures [root]");
  process.exit(2);
}

const lines = readFileSync(0, "utf8").split("\n");
let valid = 0;
let invalid = 0;
lines.forEach((line, i) => {
  if (line.trim() === "") return;
  const problem = check(line);
  if (problem === null) {
    valid++;
    return;
  }
  invalid++;
  let id = "?";
  try {
    id = JSON.parse(line)?.nudge_id ?? "?";
  } catch {}
  if (invalid <= 50) console.log(`line ${i + 1}: ${id}: ${problem}`);
});
console.log(`${valid} valid, ${invalid} invalid`);
process.exit(invalid || valid === 0 ? 1 : 0);
