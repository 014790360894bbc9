"""Conventions of the Prometheus rules (dashboards/prometheus), beyond what promtool checks.

- Recording rules are named level:metric:operation, aggregate by job, and every ratio divides a
  sum by a sum (each instance exports partial sums).
- Alerts are CamelCase and start with Engaged; they have labels.severity (critical|warning|info)
  and annotations summary, description and an absolute runbook_url ending in
  docs/runbooks.md#<alert name in lower case>, and docs/runbooks.md has that section.
- Alerts use only recording rules that exist.
- Every alert has a unit test in dashboards/prometheus/tests that fires it (exp_alerts not empty)
  and a test case, named "stays quiet ...", in which it never fires.
Needs python3-yaml (Debian).
"""
import glob
import os
import re
import sys

import yaml

from verdict import verdict

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
RULES = os.path.join(ROOT, "dashboards", "prometheus")
failures = []


def fail(msg):
    failures.append(msg)


def github_anchor(heading):
    """The id GitHub gives a Markdown heading."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def main():
    records = {}
    with open(os.path.join(RULES, "engaged-recording-rules.yaml")) as f:
        for group in yaml.safe_load(f)["groups"]:
            for rule in group["rules"]:
                if "record" not in rule:
                    fail(f"recording rule file has a non-recording rule: {rule}")
                    continue
                name, expr = rule["record"], rule["expr"]
                records.setdefault(name, []).append(rule)
                if not re.fullmatch(r"[a-z][a-z0-9_]*:[a-z][a-z0-9_]*:[a-z][a-z0-9_]*", name):
                    fail(f"{name}: not level:metric:operation")
                    continue
                level, _metric, op = name.split(":")
                if not level.startswith("job"):
                    fail(f"{name}: the level must name the job label (aggregated by job)")
                if "ratio" in op:
                    num, sep, den = expr.partition("\n/\n") if "\n/\n" in expr else expr.partition(" / ")
                    if not sep or "sum" not in num or "sum" not in den:
                        fail(f"{name}: a ratio must divide a sum by a sum:\n{expr}")

    with open(os.path.join(RULES, "engaged-alerts.yaml")) as f:
        alerts = [r for g in yaml.safe_load(f)["groups"] for r in g["rules"]]
    with open(os.path.join(ROOT, "docs", "runbooks.md")) as f:
        anchors = {github_anchor(line[3:]) for line in f if line.startswith("## ")}
    names = []
    for rule in alerts:
        name = rule.get("alert")
        if not name:
            fail(f"alert file has a rule without alert: {rule}")
            continue
        names.append(name)
        if not re.fullmatch(r"Engaged(?:[A-Z][a-z0-9]*|[A-Z]+(?=[A-Z]|$))+", name):
            fail(f"{name}: not CamelCase with the Engaged prefix")
        if rule.get("labels", {}).get("severity") not in ("critical", "warning", "info"):
            fail(f"{name}: labels.severity must be critical, warning or info")
        ann = rule.get("annotations", {})
        for key in ("summary", "description", "runbook_url"):
            if not str(ann.get(key, "")).strip():
                fail(f"{name}: annotation {key} missing")
        want = f"/docs/runbooks.md#{name.lower()}"
        url = str(ann.get("runbook_url", ""))
        if not (url.startswith("https://") and url.endswith(want)):
            fail(f"{name}: runbook_url {url!r}, want an absolute URL ending in {want!r}")
        if name.lower() not in anchors:
            fail(f"{name}: docs/runbooks.md has no section '## {name}'")
        for used in re.findall(r"\b[a-z_]+:[a-z0-9_]+:[a-z0-9_]+\b", rule["expr"]):
            if used not in records:
                fail(f"{name}: uses {used}, which no recording rule defines")
    if len(set(names)) != len(names):
        fail(f"duplicate alert names: {names}")

    fires, quiet = set(), set()
    for path in sorted(glob.glob(os.path.join(RULES, "tests", "*_test.yaml"))):
        with open(path) as f:
            doc = yaml.safe_load(f)
        for test in doc.get("tests", []):
            cases = test.get("alert_rule_test", [])
            fired_here = {c["alertname"] for c in cases if c.get("exp_alerts")}
            fires |= fired_here
            if str(test.get("name", "")).startswith("stays quiet"):
                quiet |= {c["alertname"] for c in cases if not c.get("exp_alerts")} - fired_here
    for name in names:
        if name not in fires:
            fail(f"{name}: no unit test fires it")
        if name not in quiet:
            fail(f"{name}: no 'stays quiet ...' unit test keeps it quiet")
    for extra in (fires | quiet) - set(names):
        fail(f"tests name an alert that does not exist: {extra}")

    return verdict(failures, f"checked {sum(len(v) for v in records.values())} recording rules and {len(names)} alerts")


if __name__ == "__main__":
    sys.exit(main())
