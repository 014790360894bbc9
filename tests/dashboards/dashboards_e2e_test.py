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
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "tests", "integration"))
import harness as h  # noqa: E402

RULE_FILES = [os.path.join(ROOT, "dashboards", "prometheus", f)
              for f in ("engaged-recording-rules.yaml", "engaged-alerts.yaml")]
DASHBOARDS = sorted(glob.glob(os.path.join(ROOT, "dashboards", "grafana", "*.json")))
RATE_INTERVAL = "30s"


def main():
    work = h.init(sys.argv)
    gen = ["--users", 3000, "--days", 35, "--end", "2026-06-30", "--seed", 3]
    events = os.path.join(work, "events.ndjson")
    h.engaged("loadgen", *gen, "-o", events)
    total = sum(1 for _ in open(events))
    # Every topic the binary is configured with (input, dead letters, and whatever sinks it has).
    topics = sorted({v for k, v in (line.split("=", 1) for line in h.engaged("config").splitlines()
                                    if "=" in line) if k.endswith("topic") and v})

    metrics_port, prom_port = h.free_port(), h.free_port()
    with open(os.path.join(work, "prometheus.yml"), "w") as f:
        f.write(f"""global:
  scrape_interval: 1s
  evaluation_interval: 1s
rule_files: {json.dumps(RULE_FILES)}
scrape_configs:
  - job_name: engaged
    static_configs:
      - targets: ['127.0.0.1:{metrics_port}']
""")
    prom = subprocess.Popen(["prometheus", f"--config.file={work}/prometheus.yml",
                             f"--storage.tsdb.path={work}/tsdb",
                             f"--web.listen-address=127.0.0.1:{prom_port}"],
                            stdout=subprocess.DEVNULL, stderr=open(os.path.join(work, "prometheus.log"), "w"))
    api = f"http://127.0.0.1:{prom_port}/api/v1"

    def get(path, **params):
        url = f"{api}/{path}?" + urllib.parse.urlencode(params, doseq=True)
        try:
            with urllib.request.urlopen(url, timeout=10) as r:
                return json.load(r)
        except urllib.error.HTTPError as e:  # 400 on a bad query: the body says why
            return json.load(e)

    def scalar(expr):
        res = get("query", query=expr).get("data", {}).get("result", [])
        return float(res[0]["value"][1]) if res else None

    state = os.path.join(work, "state")
    failures, checked = [], 0
    try:
        wait_for(lambda: urllib.request.urlopen(f"http://127.0.0.1:{prom_port}/-/ready", timeout=1), 30,
                 "prometheus ready")
        with h.embedded_cluster(work, topics=",".join(topics)) as bootstrap:
            run = subprocess.Popen([h.ENGAGED, *h.run_args(bootstrap, state, metrics=f"127.0.0.1:{metrics_port}",
                                                            extra=["--set", "state.checkpoint_interval_ms=300"])],
                                   stdout=subprocess.DEVNULL, stderr=open(os.path.join(work, "run.log"), "w"))
            h.children.append(run)
            wait_for(lambda: scalar('up{job="engaged"}') == 1, 30, "first scrape of engaged")
            start = time.time()
            h.log(f"streaming {total} events into topics {topics}")
            producer = subprocess.Popen([h.ENGAGED, "loadgen", *map(str, gen), "--brokers", bootstrap,
                                         "--rate", "6000"], stderr=subprocess.DEVNULL)
            h.children.append(producer)
            assert producer.wait(timeout=120) == 0, "loadgen failed"
            wait_for(lambda: scalar('sum(engaged_events_consumed_total{job="engaged"})') == total and
                     scalar('sum(engaged_consumer_lag_messages{job="engaged"})') == 0, 60, "all events consumed")
            time.sleep(3)  # a few more scrapes and rule evaluations
            end = time.time()
            h.log(f"ingested in {end - start:.0f} s; evaluating the dashboards")

            subst = {"job": ".*", "instance": ".*", "dimension": ".*", "segment": ".*", "kind": ".*",
                     "__rate_interval": RATE_INTERVAL, "__interval": "5s",
                     "__range": f"{int(end - start) + 5}s", "__range_s": str(int(end - start) + 5)}
            for path in DASHBOARDS:
                board = json.load(open(path))
                name = os.path.basename(path)
                for var in board["templating"]["list"]:
                    if var["type"] != "query":
                        continue
                    checked += 1
                    err = check_variable(get, expand(var["definition"], subst))
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
            loaded = [r for g in groups for r in g["rules"]]
            assert len({g["file"] for g in groups}) == len(RULE_FILES), [g["file"] for g in groups]
            for rule in loaded:
                checked += 1
                label = rule.get("name")
                if rule.get("health") != "ok":
                    failures.append(f"rule {label}: health {rule.get('health')}: {rule.get('lastError')}")
                    continue
                if rule["type"] == "recording":
                    sel = rule["name"] + "{" + ",".join(f'{k}="{v}"' for k, v in rule.get("labels", {}).items()) + "}"
                    err = check_result(get("query_range", query=sel, start=start, end=end, step=2), False)
                    if err:
                        failures.append(f"recording rule {sel}: {err}\n    {rule['query']}")
            firing = [a["labels"]["alertname"] for a in get("alerts")["data"]["alerts"]]
            h.log(f"alerts pending or firing on this healthy run: {firing or 'none'}")
            run.terminate()
            run.wait(timeout=30)
    finally:
        h.stop_children()
        prom.terminate()
        prom.wait(timeout=10)
    for f in failures:
        print(f"FAIL {f}")
    print(f"{checked - len(failures)} passed, {len(failures)} failed")
    sys.exit(1 if failures else 0)


def wait_for(cond, seconds, what):
    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            if cond():
                return
        except (OSError, AssertionError, KeyError, IndexError, TypeError):
            pass
        time.sleep(0.5)
    raise TimeoutError(f"timed out waiting for {what}")


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
