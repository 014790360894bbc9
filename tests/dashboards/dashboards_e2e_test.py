"""End to end: every expression of every dashboard panel, every template variable and every rule
returns data from a real Prometheus scraping a real run.

The embedded cluster runs in its own process, the load generator streams a synthetic population
into it, `engaged run` consumes it and serves /metrics on loopback, and Debian's `prometheus`
scrapes it every second with the recording and alerting rules of dashboards/prometheus loaded.
Then, through the Prometheus HTTP API:
- each panel target is evaluated as Grafana would (range query over the run, or instant query for
  instant targets) with the template variables substituted ($job, $instance, ... -> .*,
  $__rate_interval -> 30s, $__range -> the run's length): the query must be valid and return at
  least one series with a finite value; percentages must lie within [-1, 1];
- each query variable (label_values) must list at least one value;
- each rule must be loaded and healthy, and each recording rule's series must exist.

Usage: dashboards_e2e_test.py path/to/engaged. Prints one line per failing expression.
"""
import glob
import json
import math
import os
import re
import sys

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import stack  # noqa: E402
from stack import h  # noqa: E402

DASHBOARDS = sorted(glob.glob(os.path.join(stack.ROOT, "dashboards", "grafana", "*.json")))
RATE_INTERVAL = "30s"


def main():
    work = h.init(sys.argv)
    # 45 days: long enough for D30 figures (retention, the program's 30-day window).
    gen = ["--users", 3000, "--days", 45, "--end", "2026-06-30", "--seed", 3]
    failures, checked = [], 0
    with stack.running_stack(work, gen, rate=4000) as (prom, start, end):
        get = prom.get
        h.log("evaluating the dashboards")
        span = f"{int(end - start) + 5}s"
        subst = {"job": ".*", "instance": ".*", "dimension": ".*", "segment": ".*", "kind": ".*",
                 "__rate_interval": RATE_INTERVAL, "__interval": "5s",
                 "__range": span, "__range_s": span[:-1]}
        for path in DASHBOARDS:
            board = json.load(open(path))
            name = os.path.basename(path)
            for var in board["templating"]["list"]:
                if var["type"] != "query":
                    continue
                checked += 1
                err = check_variable(get, expand(var["query"], subst))
                if err:
                    failures.append(f"{name} variable ${var['name']}: {err}")
            for panel, target in panel_targets(board["panels"]):
                checked += 1
                expr = expand(target["expr"], subst)
                if target.get("instant"):
                    body = get("query", query=expr, time=end)
                else:
                    body = get("query_range", query=expr, start=start, end=end, step=2)
                percent = panel.get("fieldConfig", {}).get("defaults", {}).get("unit") == "percentunit"
                err = check_result(body, percent)
                if err:
                    failures.append(f"{name} panel {panel['id']} \"{panel['title']}\" {target['refId']}: "
                                    f"{err}\n    {expr}")

        # Rules: loaded, healthy, and every recording rule has produced its series.
        groups = get("rules")["data"]["groups"]
        assert len({g["file"] for g in groups}) == len(stack.RULE_FILES), [g["file"] for g in groups]
        for rule in (r for g in groups for r in g["rules"]):
            checked += 1
            if rule.get("health") != "ok":
                failures.append(f"rule {rule.get('name')}: health {rule.get('health')}: {rule.get('lastError')}")
                continue
            if rule["type"] == "recording":
                sel = rule["name"] + "{" + ",".join(f'{k}="{v}"' for k, v in rule.get("labels", {}).items()) + "}"
                err = check_result(get("query_range", query=sel, start=start, end=end, step=2), False)
                if err:
                    failures.append(f"recording rule {sel}: {err}\n    {rule['query']}")
        firing = [a["labels"]["alertname"] for a in get("alerts")["data"]["alerts"]]
        h.log(f"alerts pending or firing on this healthy run: {firing or 'none'}")
    for f in failures:
        print(f"FAIL {f}")
    print(f"{checked - len(failures)} passed, {len(failures)} failed")
    sys.exit(1 if failures else 0)


def expand(expr, subst):
    """Grafana's variable syntaxes: $name, ${name} and ${name:format} (formats ignored)."""
    def repl(mo):
        name = mo.group(1) or mo.group(2)
        if name not in subst:
            raise KeyError(f"unknown template variable ${name} in {expr}")
        return subst[name]
    return re.sub(r"\$\{(\w+)(?::\w+)?\}|\$(\w+)", repl, expr)


def panel_targets(panels):
    for p in panels:
        yield from panel_targets(p.get("panels", []))  # collapsed rows nest their panels
        for t in p.get("targets", []):
            yield p, t


def check_result(body, percent):
    if body.get("status") != "success":
        return f"{body.get('errorType')}: {body.get('error')}"
    result = body["data"]["result"]
    if not result:
        return "no data"
    values = []
    for series in result:
        samples = series.get("values") or [series["value"]]
        values += [float(v) for _, v in samples]
    finite = [v for v in values if math.isfinite(v)]
    if not finite:
        return f"no finite value ({len(result)} series of NaN/Inf)"
    if percent and not all(-1.0001 <= v <= 1.0001 for v in finite):
        return f"a percentage outside [-1, 1]: {max(finite, key=abs)}"
    return None


def check_variable(get, definition):
    mo = re.fullmatch(r"label_values\((.*),\s*(\w+)\)", definition.strip())
    if not mo:
        return f"not a label_values(selector, label) query: {definition}"
    body = get(f"label/{mo.group(2)}/values", **{"match[]": mo.group(1)})
    if body.get("status") != "success":
        return f"{body.get('errorType')}: {body.get('error')}"
    return None if body["data"] else f"no values for {definition}"


if __name__ == "__main__":
    main()
