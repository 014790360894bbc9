// Checks every event fixture against schemas/app-event.v1.schema.json.
// valid/*.json must be accepted, invalid/*.json rejected. A file over 65536 bytes is rejected
// (the limit is enforced outside the schema), as is a file that is not UTF-8 or that JSON.parse
// rejects; everything else is decided by the schema.
//
// Usage: node validate-fixtures.mjs [--list] [fixtures-root]   (default: ../fixtures/events)
//   default   prints every disagreement, then `N passed, M failed`; exits 1 if M > 0.
//   --list    prints `valid <relative path>` or `invalid <relative path>` per fixture (the
//             verdict of the checks above, paths relative to fixtures-root, e.g.
//             `invalid invalid/too_large--long-props-string.json`), sorted; disagreements with
//             the fixture's directory go to stderr and make the exit status 1.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import path from "node:path";
import Ajv2020 from "ajv/dist/2020.js";
import addFormats from "ajv-formats";

import { checkFixtureDirs } from "./fixture-dirs.mjs";

const MAX_EVENT_BYTES = 65536;
const here = path.dirname(fileURLToPath(import.meta.url));
const schemaPath = path.resolve(here, "../../schemas/app-event.v1.schema.json");

const args = process.argv.slice(2);
const listMode = args.includes("--list");
const positional = args.filter((a) => a !== "--list");
if (positional.length > 1 || positional.some((a) => a.startsWith("--"))) {
  console.error("usage: node validate-fixtures.mjs [--list] [fixtures-root]");
  process.exit(2);
}
const root = path.resolve(positional[0] ?? path.join(here, "../fixtures/events"));

// Strict mode is on. strictRequired alone is off: Ajv checks a `required` inside allOf/if/then
// against that subschema's own `properties`, but the per-type required fields are declared once,
// in the top-level `properties`.
const ajv = new Ajv2020({ strict: true, strictRequired: false });
addFormats(ajv);
const validate = ajv.compile(JSON.parse(readFileSync(schemaPath, "utf8")));

// Returns null if the message is a valid event, else a short reason.
function check(bytes) {
  if (bytes.length > MAX_EVENT_BYTES) return `${bytes.length} bytes, over ${MAX_EVENT_BYTES}`;
  let value;
  try {
    value = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes));
  } catch (e) {
    return `not JSON: ${e.message}`;
  }
  if (validate(value)) return null;
  return ajv.errorsText(validate.errors);
}

const report = (line) => (listMode ? console.error(line) : console.log(line));
const { passed, failed } = checkFixtureDirs(root, check, report, (rel, isValid) => {
  if (listMode) console.log(`${isValid ? "valid" : "invalid"} ${rel}`);
});
if (!listMode) console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
