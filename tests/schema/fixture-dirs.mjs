// The fixture layout both schema validators check: root/valid/*.json must be accepted and
// root/invalid/*.json rejected. An empty or missing directory is a failure.
import { readFileSync, readdirSync } from "node:fs";
import path from "node:path";

// Runs check(bytes) (null: valid, else a reason) on every fixture, tells `verdict(rel, isValid)`
// each outcome and `report(line)` each disagreement; returns { passed, failed }.
export function checkFixtureDirs(root, check, report, verdict = () => {}) {
  let passed = 0;
  let failed = 0;
  for (const [dir, wantValid] of [
    ["valid", true],
    ["invalid", false],
  ]) {
    let files = [];
    try {
      files = readdirSync(path.join(root, dir)).filter((f) => f.endsWith(".json")).sort();
    } catch (e) {
      report(`FAIL ${dir}/: ${e.message}`);
    }
    if (files.length === 0) {
      report(`FAIL ${dir}/: no fixtures`);
      failed++;
    }
    for (const f of files) {
      const rel = `${dir}/${f}`;
      const problem = check(readFileSync(path.join(root, dir, f)));
      verdict(rel, problem === null);
      if ((problem === null) === wantValid) {
        passed++;
      } else {
        failed++;
        report(wantValid ? `FAIL ${rel}: rejected: ${problem}` : `FAIL ${rel}: accepted`);
      }
    }
  }
  return { passed, failed };
}
