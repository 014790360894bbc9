// Checks every event fixture against schemas/app-event.v1.schema.json.
// valid/*.json must be accepted, invalid/*.json rejected. A file over 65536 bytes is rejected
// (the limit is enforced outside the schema), as is a file JSON.parse rejects.
// Usage: node validate-fixtures.mjs [fixtures-root]   (default: ../fixtures/events)
import { readFileSync, readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import path from "node:path";
import Ajv2020 from "ajv/dist/2020.js";
import addFormats from "ajv-formats";

const MAX_EVENT_BYTES = 65536;
const here = path.dirname(fileURLToPath(import.meta.url));
const schemaPath = path.resolve(here, "../../schemas/app-event.v1.schema.json");
const root = path.resolve(process.argv[2] ?? path.join(here, "../fixtures/events"));

// strictRequired is off only because Ajv checks `required` inside allOf/if/then against that
// subschema alone; the per-type required fields are all declared in the top-level `properties`.
const ajv = new Ajv2020({ strict: true, strictRequired: false });
addFormats(ajv);
const validate = ajv.compile(JSON.parse(readFileSync(schemaPath, "utf8")));

// Returns null if the message is a valid event, else a short reason.
function check(bytes) {
  if (bytes.length > MAX_EVENT_BYTES) return `over ${MAX_EVENT_BYTES} bytes`;
  let value;
  try {
    value = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes));
  } catch (e) {
    return `not JSON: ${e.message}`;
  }
  if (validate(value)) return null;
  return ajv.errorsText(validate.errors);
}

let passed = 0;
let failed = 0;
for (const [dir, wantValid] of [["valid", true], ["invalid", false]]) {
  const files = readdirSync(path.join(root, dir)).filter((f) => f.endsWith(".json")).sort();
  if (files.length === 0) {
    console.log(`FAIL ${dir}/: no fixtures`);
    failed++;
  }
  for (const f of files) {
    const problem = check(readFileSync(path.join(root, dir, f)));
    if ((problem === null) === wantValid) {
      passed++;
    } else {
      failed++;
      console.log(
        wantValid ? `FAIL ${dir}/${f}: rejected: ${problem}` : `FAIL ${dir}/${f}: accepted`,
      );
    }
  }
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
