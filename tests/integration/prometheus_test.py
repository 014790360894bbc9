"""Acceptance: a real Prometheus (Debian's `prometheus`) scrapes `engaged run` during a run;
the gauges read back through its HTTP API equal the report, the exposition passes
`promtool check metrics`, and SIGTERM ends the run cleanly."""
import datetime as dt
import json
import os
import signal
import subprocess
import sys
import time
import urllib.parse
import urllib.error
import urllib.request

import harness as h

work = h.init(sys.argv)
gen = ["--users", 3000, "--days", 35, "--end", "2026-06-30", "--seed", 3]
events = os.path.join(work, "events.ndjson")
h.engaged("loadgen", *gen, "-o", events)
total = sum(1 for _ in open(events))

metrics_port, prom_port = h.free_port(), h.free_port()
prom = h.start_prometheus(work, metrics_port, prom_port)


def query(expr):
    url = f"http://127.0.0.1:{prom_port}/api/v1/query?" + urllib.parse.urlencode({"query": expr})
    with urllib.request.urlopen(url, timeout=5) as r:
        body = json.load(r)
    assert body["status"] == "success", body
    return {json.dumps(s["metric"], sort_keys=True): float(s["value"][1]) for s in body["data"]["result"]}


def scalar(expr):
    res = query(expr)
    assert len(res) == 1, (expr, res)
    return next(iter(res.values()))


def check_gauges(body):
    lint = subprocess.run(["promtool", "check", "metrics"], input=body, capture_output=True)
    assert lint.returncode == 0 and not lint.stdout.strip() and not lint.stderr.strip(), \
        lint.stdout.decode() + lint.stderr.decode()
    h.log("ok: promtool check metrics reports nothing")

    # The gauges Prometheus holds equal the report of the final state.
    daily = {r.split(",")[0]: list(map(int, r.split(",")[1:]))
             for r in h.report(state, "daily").splitlines()[1:]}
    last, prev = sorted(daily)[-1], sorted(daily)[-2]
    for day, row in (("current", daily[last]), ("latest_complete", daily[prev])):
        for window, idx in (("1d", 0), ("7d", 1), ("30d", 2)):
            got = scalar(f'engaged_active_users{{day="{day}",window="{window}"}}')
            assert got == row[idx], (day, window, got, row[idx])
        for name, idx in (("new", 3), ("returning", 4), ("resurrecting", 5), ("dormant", 6)):
            got = scalar(f'engaged_lifecycle_users{{day="{day}",state="{name}"}}')
            assert got == row[idx], (day, name, got, row[idx])
        assert scalar(f'engaged_stickiness_dau_users{{day="{day}"}}') == row[0], day
        assert scalar(f'engaged_stickiness_mau_users{{day="{day}"}}') == row[2]
    retention = {}
    for r in h.report(state, "retention").splitlines()[1:]:
        c, size, n, kept = r.split(",")
        retention[(c, int(n))] = (int(size), int(kept))
    def cohort_figures(cohort, n):
        size = retention.get((cohort, 0), (0, 0))[0]
        return size, retention.get((cohort, n), (size, 0))[1]

    for n in (1, 7, 14, 30):
        latest = dt.date.fromisoformat(prev) - dt.timedelta(days=n)
        size, kept = cohort_figures(latest.isoformat(), n)
        assert scalar(f'engaged_retention_cohort_users{{day_n="{n}"}}') == size, n
        assert scalar(f'engaged_retention_retained_users{{day_n="{n}"}}') == kept, n
        trailing = [cohort_figures((latest - dt.timedelta(days=k)).isoformat(), n) for k in range(1, 29)]
        assert scalar(f'engaged_retention_trailing_cohort_users{{day_n="{n}"}}') == sum(s for s, _ in trailing)
        assert scalar(f'engaged_retention_trailing_retained_users{{day_n="{n}"}}') == sum(k for _, k in trailing)
    sessions = {r.split(",")[0]: list(map(int, r.split(",")[1:]))
                for r in h.report(state, "sessions").splitlines()[1:]}
    for day, row in (("current", sessions[last]), ("latest_complete", sessions[prev])):
        assert scalar(f'engaged_day_sessions{{day="{day}"}}') == row[0]
        assert scalar(f'engaged_day_session_actions{{day="{day}"}}') == row[1]
        assert scalar(f'engaged_day_session_duration_seconds{{day="{day}"}}') == row[2] / 1000
        assert scalar(f'sum(engaged_day_session_length_sessions{{day="{day}"}})') == row[0]
    nps = {r.split(",")[0]: list(map(int, r.split(",")[1:])) for r in h.report(state, "nps").splitlines()[1:]}
    for day, key in (("current", last), ("latest_complete", prev)):
        row = nps.get(key, [0] * 8)
        for window, off in (("1d", 0), ("30d", 4)):
            sel = f'{{day="{day}",window="{window}"}}'
            assert scalar(f"engaged_nps_responses{sel}") == row[off + 0], (day, window)
            assert scalar(f"engaged_nps_promoters{sel}") == row[off + 1], (day, window)
            assert scalar(f"engaged_nps_detractors{sel}") == row[off + 3], (day, window)
    def table(name):
        return {r.split(",")[0]: r.split(",")[1:] for r in h.report(state, name).splitlines()[1:]}
    # A processor's own gauge (processors/first_week/): the cohort of the current day - 7.
    week = table("first-week").get((dt.date.fromisoformat(last) - dt.timedelta(days=7)).isoformat())
    assert week, "the first-week report has no row for the newest complete cohort"
    for k in range(1, 8):
        got = scalar(f'engaged_first_week_active_users{{days="{k}"}}')
        assert got == int(week[k]), (k, got, week)  # week[0] is the cohort size
    sticky, streaks, support = table("stickiness"), table("streaks"), table("support")
    for day, key in (("current", last), ("latest_complete", prev)):
        for k in (1, 7):
            got = scalar(f'engaged_stickiness_distribution_users{{day="{day}",window="7d",days="{k}"}}')
            assert got == int(sticky[key][3 + k]), (day, k, got)
        assert scalar(f'sum(engaged_stickiness_distribution_users{{day="{day}",window="30d"}})') == daily[key][2]
        assert scalar(f'engaged_check_in_users{{day="{day}"}}') == int(streaks.get(key, ["0"])[0])
        assert scalar(f'engaged_long_streak_users{{day="{day}"}}') == int(streaks.get(key, ["0", "0"])[1])
        assert scalar(f'engaged_support_tickets{{day="{day}"}}') == int(support.get(key, ["0"])[0])
        paying = {r.split(",")[4] for r in h.report(state, "revenue").splitlines()[1:] if r.startswith(key)}
        assert scalar(f'engaged_paying_users{{day="{day}"}}') == int(paying.pop() if paying else 0)
        assert scalar(f'sum(engaged_segment_active_users{{dimension="platform",day="{day}",window="1d"}})') \
            == daily[key][0]
    # The score distribution is a histogram: 11 le buckets, never decreasing, +Inf (and le="1",
    # since scores are at most 1) and _count holding every scored user.
    scored = scalar("engaged_risk_scored_users")
    assert scalar("engaged_risk_score_count") == scored
    cumulative = {json.loads(key)["le"]: v for key, v in query("engaged_risk_score_bucket").items()}
    bounds = [f"{i / 10:.1f}" for i in range(1, 10)] + ["1", "+Inf"]
    assert sorted(cumulative) == sorted(bounds), cumulative
    values = [cumulative[b] for b in bounds]
    assert values == sorted(values) and values[-1] == values[-2] == scored > 0, (values, scored)
    median = scalar("histogram_quantile(0.5, sum by (le) (engaged_risk_score_bucket))")
    assert 0 <= median <= 1, median
    h.log(f"ok: risk score histogram: {scored:.0f} scored users, median score {median:.3f}")
    assert len(query("engaged_consumer_lag_messages")) == 6, query("engaged_consumer_lag_messages")
    got = scalar("sum(engaged_events_processed_total) + sum(engaged_events_rejected_total)")
    assert got == total, (got, total)
    assert scalar("sum(engaged_event_end_to_end_latency_seconds_count)") > 0
    assert scalar("engaged_checkpoint_duration_seconds_count") > 0
    assert scalar("engaged_state_live_data_bytes") > 0
    h.log("ok: stickiness distribution, streak, support, paying-user and segment gauges match too")
    h.log(f"ok: gauges read back from Prometheus equal the report ({last}: dau {daily[last][0]})")


def check_user_endpoint(bootstrap):
    """GET /v1/users/{id} on the metrics listener: 404 for strangers; a mentee's risk, reasons,
    mentor and nudges as JSON, agreeing with the nudges topic."""
    base = f"http://127.0.0.1:{metrics_port}/v1/users/"
    try:
        urllib.request.urlopen(base + "no-such-user", timeout=5)
        raise AssertionError("an unknown user must be 404")
    except urllib.error.HTTPError as e:
        assert e.code == 404, e.code
    topic = subprocess.run(["kcat", "-C", "-b", bootstrap, "-t", "app.nudges", "-e", "-q"],
                           check=True, capture_output=True, text=True).stdout.splitlines()
    matches = [json.loads(l) for l in topic if '"recipient_role":"mentee"' in l
               and '"holdout":false' in l]
    assert matches, "the run must have matched a mentee"
    n = matches[-1]
    user = json.loads(urllib.request.urlopen(base + n["recipient_user_id"], timeout=5).read())
    assert user["user_id"] == n["recipient_user_id"], user
    assert 0 <= user["risk"]["score"] <= 1 and user["risk"]["reasons"], user["risk"]
    assert user["program"]["arm"] == "treated", user["program"]
    assert n["nudge_id"] in [x["nudge_id"] for x in user["last_nudges"]], user["last_nudges"]
    h.log(f"ok: /v1/users/{user['user_id']}: risk {user['risk']['score']}, mentor "
          f"{user['mentor']}, {len(user['last_nudges'])} nudges")


state = os.path.join(work, "state")
try:
    with h.embedded_cluster(work) as bootstrap:
        producer = subprocess.Popen([h.ENGAGED, "loadgen", *map(str, gen), "--brokers", bootstrap,
                                     "--rate", "25000"], stderr=subprocess.DEVNULL)
        run = subprocess.Popen([h.ENGAGED, *h.run_args(bootstrap, state, metrics=f"127.0.0.1:{metrics_port}",
                                                        extra=["--set", "state.checkpoint_interval_ms=300"])],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        h.children.append(run)
        producer.wait()
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                if scalar('sum(engaged_events_consumed_total{job="engaged"})') == total and \
                        scalar('sum(engaged_consumer_lag_messages{job="engaged"})') == 0:
                    break
            except (AssertionError, OSError):
                pass
            time.sleep(1)
        time.sleep(2.5)  # a few more scrapes after the last checkpoint
        body = urllib.request.urlopen(f"http://127.0.0.1:{metrics_port}/metrics", timeout=5).read()
        check_gauges(body)  # while the target is up: a stopped target's series go stale
        check_user_endpoint(bootstrap)
        run.send_signal(signal.SIGTERM)
        assert run.wait(timeout=30) == 0, "SIGTERM must flush and exit 0"
finally:
    h.stop_children()
    prom.terminate()
    prom.wait(timeout=10)
print("1 passed, 0 failed")
