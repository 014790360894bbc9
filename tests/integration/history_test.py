"""Acceptance: a replayed history in Prometheus, as docs/deploy.md describes it.

`engaged report history` writes the day figures of a replayed state as OpenMetrics, `promtool
tsdb create-blocks-from openmetrics` turns them into TSDB blocks, and Debian's Prometheus, started
on those blocks, answers for every past day exactly what `engaged report daily` and `report
retention` say: the same series a live run exports (day="latest_complete"), with job and
instance labels, and no gap between samples. Label values are escaped."""
import datetime as dt
import json
import os
import subprocess
import sys
import time
import urllib.parse
import urllib.request

import harness as h

work = h.init(sys.argv)
events, state, om = (os.path.join(work, n) for n in ("events.ndjson", "state", "history.om"))
h.engaged("loadgen", "--users", 1500, "--days", 24, "--end", "2026-06-30", "--seed", 5, "-o", events)
h.engaged("replay", "-i", events, "--state", state)
with open(om, "w") as f:
    f.write(h.engaged("report", "history", "--state", state))
h.log(f"history: {os.path.getsize(om) / 1e6:.1f} MB of OpenMetrics")

daily = {r.split(",")[0]: list(map(int, r.split(",")[1:]))
         for r in h.report(state, "daily").splitlines()[1:]}
retention = {}
for r in h.report(state, "retention").splitlines()[1:]:
    c, size, n, kept = r.split(",")
    retention[(c, int(n))] = (int(size), int(kept))
complete = sorted(daily)[:-1]  # the newest day is the state's current, incomplete one

# Label values are escaped as OpenMetrics wants them.
odd = h.engaged("report", "history", "--state", state, "--from", complete[-1], "--to", complete[-1],
                "--job", 'a"b', "--instance", "c\\d\ne")
first = next(l for l in odd.splitlines() if not l.startswith("#"))
assert 'instance="c\\\\d\\ne",job="a\\"b"' in first, first
assert odd.endswith("# EOF\n")
h.log("ok: label values escaped")

blocks = os.path.join(work, "tsdb")
began = time.monotonic()
subprocess.run(["promtool", "tsdb", "create-blocks-from", "openmetrics", "-q", om, blocks], check=True)
h.log(f"promtool made the blocks in {time.monotonic() - began:.1f} s")
prom_port = h.free_port()
with open(os.path.join(work, "prometheus.yml"), "w") as f:
    f.write("global:\n  scrape_interval: 1m\n")
prom = subprocess.Popen(["prometheus", f"--config.file={work}/prometheus.yml",
                         f"--storage.tsdb.path={blocks}", "--storage.tsdb.retention.time=100y",
                         f"--web.listen-address=127.0.0.1:{prom_port}"],
                        stdout=subprocess.DEVNULL, stderr=open(os.path.join(work, "prometheus.log"), "w"))
h.children.append(prom)


def api(path, **params):
    url = f"http://127.0.0.1:{prom_port}/api/v1/{path}?" + urllib.parse.urlencode(params)
    with urllib.request.urlopen(url, timeout=10) as r:
        body = json.load(r)
    assert body["status"] == "success", body
    return body["data"]["result"]


for _ in range(100):
    try:
        urllib.request.urlopen(f"http://127.0.0.1:{prom_port}/-/ready", timeout=1)
        break
    except OSError:
        time.sleep(0.2)


def at(day, hours):
    """Unix time `hours` into the day after `day` (when `day` was the latest complete one)."""
    return (dt.date.fromisoformat(day) - dt.date(1970, 1, 1)).days * 86400 + 86400 + hours * 3600


def value(expr, t):
    res = api("query", query=expr, time=t)
    assert len(res) == 1, (expr, t, res)
    return float(res[0]["value"][1])


sel = 'job="engaged",instance="backfill",day="latest_complete"'
checked = 0
for day in complete:
    row = daily[day]
    if row[0] == 0:
        continue
    for hours in (0, 12.5, 23.9):
        t = at(day, hours)
        for window, idx in (("1d", 0), ("7d", 1), ("30d", 2)):
            got = value(f'engaged_active_users{{{sel},window="{window}"}}', t)
            assert got == row[idx], (day, hours, window, got, row[idx])
        for name, idx in (("new", 3), ("returning", 4), ("resurrecting", 5), ("dormant", 6)):
            assert value(f'engaged_lifecycle_users{{{sel},state="{name}"}}', t) == row[idx], (day, name)
        for n in (1, 7, 14):
            cohort = (dt.date.fromisoformat(day) - dt.timedelta(days=n)).isoformat()
            size = retention.get((cohort, 0), (0, 0))[0]
            kept = retention.get((cohort, n), (size, 0))[1]
            labels = f'{{job="engaged",instance="backfill",day_n="{n}"}}'
            assert value("engaged_retention_cohort_users" + labels, t) == size, (day, n)
            assert value("engaged_retention_retained_users" + labels, t) == kept, (day, n)
    checked += 1
# The dashboards' stickiness, on the history: DAU / MAU of each day.
day = complete[-1]
got = value(f"sum(engaged_stickiness_dau_users{{{sel}}}) / sum(engaged_stickiness_mau_users{{{sel}}})",
            at(day, 6))
assert abs(got - daily[day][0] / daily[day][2]) < 1e-12, (got, daily[day])
# No gaps: a range query every 10 minutes over the whole history finds a value at every step.
start, end = at(complete[0], 0), at(complete[-1], 23.9)
res = api("query_range", query=f'engaged_active_users{{{sel},window="1d"}}', start=start, end=end,
          step=600)
points = len(res[0]["values"])
assert points == (end - start) // 600 + 1, (points, start, end)
h.log(f"ok: Prometheus answers the report's figures for {checked} past days at 3 times of each, "
      f"and {points} points every 10 minutes without a gap")
prom.terminate()
prom.wait()
print("1 passed, 0 failed")
