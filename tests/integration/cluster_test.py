"""Acceptance: state follows its partitions. The embedded cluster runs in its own process; the
load generator streams a population into it while three `engaged run` instances share one
consumer group, each with its own state directory and warm standby copies of the others'
partitions (state.standby_replicas=2), and 1, 2 and 3 stream threads (processing.threads): the
partitions a rebalance brings are shared among an instance's threads. Mid-stream the instance running the program stage is
killed with SIGKILL and restarted (the program stage moves, and the partitions it had are
restored from the survivors' standby copies: only the tail), and another is stopped, its state
directory deleted, and started again (a new node, restored from the changelogs).

At the end:
- `engaged restore` of the changelogs, then `report daily|retention|risk`, equal `engaged replay`
  of the same events byte for byte, and so does the restored state dump (positions aside);
- every nudge id the replay decides is on app.nudges, and no other;
- the sum of the three instances' product gauges, scraped by a real Prometheus, equals the
  restored report for the latest complete day;
- GET /v1/users/{id} asked of an instance that does not own the user answers (by redirecting
  to the owner) exactly what the owner answers;
- no changelog partition lost its head to the embedded cluster's log limit."""
import atexit
import json
import os
import re
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import zlib

import harness as h

work = h.init(sys.argv)
atexit.register(h.stop_children)  # also when an assertion fails half-way
GROUP = "engaged-test"
PARTITIONS = 6
gen = ["--users", 3000, "--days", 30, "--end", "2026-06-30", "--seed", 11, "--late-fraction", 0.03]
events = os.path.join(work, "events.tsv")
h.engaged("loadgen", "--keyed", *gen, "-o", events)
total = sum(1 for _ in open(events))
h.log(f"{total} messages")

prom_port = h.free_port()
ports = [h.free_port() for _ in range(3)]
with open(os.path.join(work, "prometheus.yml"), "w") as f:
    f.write("global:\n  scrape_interval: 1s\nscrape_configs:\n  - job_name: engaged\n"
            "    static_configs:\n      - targets: [" +
            ", ".join(f"'127.0.0.1:{p}'" for p in ports) + "]\n")
prom = subprocess.Popen(["prometheus", f"--config.file={work}/prometheus.yml",
                         f"--storage.tsdb.path={work}/tsdb",
                         f"--web.listen-address=127.0.0.1:{prom_port}"],
                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
h.children.append(prom)


def get(url):
    """(status, body) of a GET, following redirects."""
    try:
        with urllib.request.urlopen(url, timeout=10) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()


def metrics(i):
    status, body = get(f"http://127.0.0.1:{ports[i]}/metrics")
    assert status == 200
    out = {}
    for line in body.splitlines():
        if line and not line.startswith("#"):
            name, value = line.rsplit(" ", 1)
            out[name] = float(value)
    return out


def query(expr):
    url = f"http://127.0.0.1:{prom_port}/api/v1/query?" + urllib.parse.urlencode({"query": expr})
    with urllib.request.urlopen(url, timeout=5) as r:
        body = json.load(r)
    assert body["status"] == "success", body
    return body["data"]["result"]


def scalar(expr):
    res = query(expr)
    assert len(res) == 1, (expr, res)
    return float(res[0]["value"][1])


states = [os.path.join(work, f"state{i}") for i in range(3)]
logs = [os.path.join(work, f"run{i}.log") for i in range(3)]
runs = [None, None, None]
starts = [0, 0, 0]


def start(i, bootstrap):
    starts[i] += 1
    log = open(f"{logs[i]}.{starts[i]}", "w")
    runs[i] = subprocess.Popen(
        [h.ENGAGED, *h.run_args(bootstrap, states[i], group=GROUP, metrics=f"127.0.0.1:{ports[i]}",
                                extra=["--set", f"processing.threads={i + 1}",
                                       "--set", "state.checkpoint_interval_ms=200",
                                       "--set", "state.changelog_materialize_interval=5s",
                                       "--set", "state.standby_replicas=2"])],
        stderr=log)
    h.children.append(runs[i])


def log_text(i):
    return "".join(open(f"{logs[i]}.{n}").read() for n in range(1, starts[i] + 1))


def program_owner():
    """The instance whose latest run started the program stage most recently."""
    best = None
    for i in range(3):
        if runs[i] and runs[i].poll() is None:
            text = open(f"{logs[i]}.{starts[i]}").read()
            at = text.rfind("program stage: merging")
            revoked = text.rfind("partition(s) of engaged.program")
            if at >= 0 and revoked < at:
                best = i
    return best


def settled():
    """Every partition owned by exactly one running instance with no lag, nothing in flight."""
    lag, owned = 0, 0
    for i in range(3):
        try:
            m = metrics(i)
        except OSError:  # starting
            return False
        owned += m.get("engaged_assigned_partitions", 0)
        lag += sum(v for k, v in m.items() if k.startswith("engaged_consumer_lag_messages"))
        if any(v for k, v in m.items() if k.startswith("engaged_outbox_entries")):
            return False
        if m.get("engaged_restoring_partitions", 0):
            return False
    return owned == PARTITIONS and lag == 0


with h.embedded_cluster(work, partitions=PARTITIONS, groups=(GROUP,)) as bootstrap:
    producer = subprocess.Popen([h.ENGAGED, "loadgen", *map(str, gen), "--brokers", bootstrap,
                                 "--rate", str(total // 50)], stderr=subprocess.DEVNULL)
    for i in range(3):
        start(i, bootstrap)
    time.sleep(14)
    victim = program_owner()
    assert victim is not None, "no instance runs the program stage"
    h.log(f"kill -9 instance {victim} (it runs the program stage)")
    killed_at = time.strftime("%Y-%m-%d %H:%M:%S")
    survivor_logs = [f"{logs[i]}.{starts[i]}" for i in range(3) if i != victim]
    runs[victim].send_signal(signal.SIGKILL)
    runs[victim].wait()
    deadline = time.time() + 60
    while program_owner() is None:  # the others notice after session.timeout.ms, then take over
        assert time.time() < deadline, "nobody took the program stage over"
        time.sleep(0.5)
    h.log(f"the program stage moved to instance {program_owner()}")
    start(victim, bootstrap)
    time.sleep(8)
    other = (victim + 1) % 3
    h.log(f"stop instance {other}, delete its state directory, start it again (a new node)")
    runs[other].send_signal(signal.SIGTERM)
    assert runs[other].wait(timeout=60) == 0, "SIGTERM must end a run cleanly"
    subprocess.run(["rm", "-rf", states[other]], check=True)
    start(other, bootstrap)
    producer.wait()
    deadline = time.time() + 120
    while not settled():
        assert time.time() < deadline, "the instances did not catch up"
        time.sleep(1)
    time.sleep(3)  # a few checkpoints (gauges) and scrapes more
    assert settled()
    # The survivors took the victim's partitions over from their standby copies: every restore
    # they ran after the kill started past the beginning of its changelog.
    takeovers = []
    for path in survivor_logs:
        for line in open(path):
            m = re.search(r"^\[(\S+ \S+)\].*restoring (\d+) records \(offsets (\d+)\.\.(\d+)\)", line)
            if m and m.group(1)[:19] >= killed_at:
                takeovers.append((int(m.group(3)), int(m.group(4))))
    h.log(f"restores after the kill (from..to): {takeovers}")
    assert takeovers, "the survivors restored nothing after the kill"
    assert all(start > 0 for start, _ in takeovers), "a takeover restored from scratch"
    owners = [i for i in range(3) if "program stage: merging" in log_text(i)]
    h.log(f"the program stage ran on instances {owners}")
    assert len(owners) >= 2, "the program stage must have changed owner"
    restored = [i for i in range(3) if "restored" in log_text(i) and " records (" in log_text(i)]
    h.log(f"instances that restored partitions from the changelog: {restored}")
    assert other in restored, "the new node must have restored its partitions"

    # GET /v1/users/{id} of a mentee, asked of every instance: one owns their partition, the
    # others redirect there; all answer the same.
    replay_state = os.path.join(work, "replay")
    replay_nudges = os.path.join(work, "nudges.ndjson")
    h.engaged("replay", "--keyed", "-i", events, "--state", replay_state, "--nudges", replay_nudges)
    decided = [l.rstrip("\n") for l in open(replay_nudges)]
    mentee = next(json.loads(n)["recipient_user_id"] for n in decided
                  if '"recipient_role":"mentee"' in n and '"holdout":false' in n)
    answers = [get(f"http://127.0.0.1:{p}/v1/users/{urllib.parse.quote(mentee)}") for p in ports]
    assert all(a == answers[0] for a in answers), answers
    status, body = answers[0]
    assert status == 200, answers[0]
    user = json.loads(body)
    assert user["user_id"] == mentee and user["partition"] == zlib.crc32(mentee.encode()) % 6
    assert user["mentor"] and user["last_nudges"], body
    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    opener = urllib.request.build_opener(NoRedirect)
    redirects = 0
    for p in ports:
        try:
            opener.open(f"http://127.0.0.1:{p}/v1/users/{urllib.parse.quote(mentee)}", timeout=5)
        except urllib.error.HTTPError as e:
            assert e.code == 307 and e.headers["Location"].endswith(f"/v1/users/{mentee}"), e
            redirects += 1
    assert redirects == 2, f"{redirects} instances redirected, expected the 2 non-owners"
    h.log(f"ok: /v1/users/{mentee} answered alike by all three instances (2 redirected)")
    assert get(f"http://127.0.0.1:{ports[0]}/v1/users/nobody-at-all")[0] == 404

    # The product gauges of the three instances add up to the cluster's figures.
    day_start = {scalar(f'engaged_current_day_start_timestamp_seconds{{instance="127.0.0.1:{p}"}}')
                 for p in ports}
    assert len(day_start) == 1, f"instances disagree on the current day: {day_start}"
    sums = {}
    for name, expr in (("dau", 'engaged_active_users{day="latest_complete",window="1d"}'),
                       ("wau", 'engaged_active_users{day="latest_complete",window="7d"}'),
                       ("mau", 'engaged_active_users{day="latest_complete",window="30d"}'),
                       ("new", 'engaged_lifecycle_users{day="latest_complete",state="new"}'),
                       ("returning", 'engaged_lifecycle_users{day="latest_complete",state="returning"}'),
                       ("resurrecting", 'engaged_lifecycle_users{day="latest_complete",state="resurrecting"}'),
                       ("dormant", 'engaged_lifecycle_users{day="latest_complete",state="dormant"}'),
                       ("sessions", 'engaged_day_sessions{day="latest_complete"}')):
        res = query(expr)
        assert res, expr
        sums[name] = sum(float(r["value"][1]) for r in res)

    for i in range(3):
        runs[i].send_signal(signal.SIGTERM)
    for i in range(3):
        assert runs[i].wait(timeout=60) == 0
    topic = subprocess.run(["kcat", "-C", "-b", bootstrap, "-t", "app.nudges", "-e", "-q"],
                           check=True, capture_output=True, text=True).stdout.splitlines()
    for p in range(PARTITIONS):
        first = subprocess.run(["kcat", "-C", "-b", bootstrap, "-t", f"{GROUP}-changelog", "-p",
                                str(p), "-o", "beginning", "-c", "1", "-e", "-q", "-f", "%o\n"],
                               check=True, capture_output=True, text=True).stdout.strip()
        assert first == "0", f"the embedded cluster dropped the head of changelog[{p}] (now {first})"
    cluster_state = os.path.join(work, "restored")
    out = subprocess.run([h.ENGAGED, "restore", "--brokers", bootstrap, "--group", GROUP,
                          "--state", cluster_state], check=True, capture_output=True, text=True)
    h.log(out.stderr.strip().splitlines()[-1])

sent = set(topic)
missing = [n for n in decided if n not in sent]
unexpected = sent - set(decided)
h.log(f"{len(decided)} nudges decided; {len(topic)} messages on app.nudges")
assert decided and not missing, f"{len(missing)} decided nudges missing, e.g. {missing[:1]}"
assert not unexpected, f"{len(unexpected)} nudges nobody decided, e.g. {list(unexpected)[:1]}"
for table in ("daily", "retention", "risk"):
    h.expect_equal(f"{table} of the restored cluster vs the replay",
                   h.report(cluster_state, table), h.report(replay_state, table))
h.expect_equal("state dump of the restored cluster vs the replay",
               h.comparable_dump(cluster_state), h.comparable_dump(replay_state))
daily = {r.split(",")[0]: list(map(int, r.split(",")[1:]))
         for r in h.report(cluster_state, "daily").splitlines()[1:]}
latest_complete = sorted(daily)[-2]
sessions = {r.split(",")[0]: int(r.split(",")[1])
            for r in h.report(cluster_state, "sessions").splitlines()[1:]}
want = dict(zip(("dau", "wau", "mau", "new", "returning", "resurrecting", "dormant"),
                daily[latest_complete]))
want["sessions"] = sessions.get(latest_complete, 0)
assert sums == want, f"sum of the instances' gauges {sums} != restored report {want}"
h.log(f"ok: the three instances' gauges for {latest_complete} add up to the restored report")

# Each instance's own directory reports only the partitions it owned last: copies it released
# (to the new node, to the restarted victim) and standby copies are not counted, so the three
# directories' daily tables add up to the cluster's, with nobody counted twice.
per_instance = {}
for state in states:
    for r in h.report(state, "daily").splitlines()[1:]:
        day, *counts = r.split(",")
        per_instance[day] = [a + int(b) for a, b in zip(per_instance.get(day, [0] * 7), counts)]
for day, row in daily.items():
    assert per_instance.get(day) == row, (day, per_instance.get(day), row)
h.log("ok: the instances' own reports add up to the cluster's (released copies not counted)")
prom.terminate()
print("1 passed, 0 failed")
