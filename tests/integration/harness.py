"""Process-level test harness: the embedded cluster in its own process, engaged subcommands,
free loopback ports, and an independent oracle for the spine's report tables.

The oracle re-derives the tables from the NDJSON with plain Python sets, straight from the
definitions in the issue/docs, sharing no code with the C++ processors."""
import contextlib
import datetime as dt
import json
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time

ENGAGED = None  # set by init()
children = []   # processes to kill if a test fails half-way


def stop_children():
    for p in children:
        if p.poll() is None:
            p.kill()
            p.wait()


def init(argv):
    global ENGAGED
    ENGAGED = os.path.abspath(argv[1]) if len(argv) > 1 else os.path.abspath("build/engaged")
    return tempfile.mkdtemp(prefix="engaged-it-")


def log(msg):
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", flush=True)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def engaged(*args, check=True, **kw):
    cmd = [ENGAGED, *map(str, args)]
    res = subprocess.run(cmd, capture_output=True, text=True, **kw)
    if check and res.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed ({res.returncode}):\n{res.stderr[-4000:]}")
    return res.stdout


@contextlib.contextmanager
def embedded_cluster(workdir, partitions=6, topics="app.events,app.events.dlq",
                     groups=("engaged-test",)):
    """`engaged kafka` in its own process, with the changelog and members topics of `groups`;
    yields the bootstrap address."""
    bfile = os.path.join(workdir, f"bootstrap-{time.monotonic_ns()}")
    group_args = [a for g in groups for a in ("--group", g)]
    proc = subprocess.Popen([ENGAGED, "kafka", "--partitions", str(partitions), "--topics", topics,
                             "--bootstrap-file", bfile, *group_args],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(100):
            if os.path.exists(bfile):
                break
            time.sleep(0.05)
        with open(bfile) as f:
            yield f.read().strip()
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


def run_args(bootstrap, state, group="engaged-test", metrics="", extra=()):
    return ["run", "--brokers", bootstrap, "--set", f"state.dir={state}",
            "--set", f"metrics.listen={metrics}", "--set", f"kafka.group.id={group}",
            "--set", "kafka.session.timeout.ms=6000", "--set", "kafka.heartbeat.interval.ms=500",
            *extra]


def report(state, table, fmt="csv"):
    return engaged("report", table, "--state", state, "--format", fmt)


def state_dump(state):
    return engaged("state", "dump", "--state", state)


def comparable_dump(state):
    """The state dump without what only one side keeps: the position on the program topic (the
    program stage reads that topic in `run`; replay feeds it the partitions' outboxes), the
    program records still pending in the merge (`run` reads them again from the program topic;
    replay keeps them in the partitions' outboxes, sink 00) and the changelog positions (family
    `changelog`, local to each copy). Replays compared with it must drain their nudges
    (`--nudges`), as `run` produces and removes them."""
    skip = ("program 7ffffff0" + b"O".hex() + " ", "changelog ")

    def pending_program_record(line):  # outbox value: version 02 | sink | ...
        family, _key, value = line.split(" ")
        return family == "outbox" and value.startswith("0200")
    return "\n".join(l for l in state_dump(state).splitlines()
                     if not l.startswith(skip) and not pending_program_record(l))


def stored_offset(value):
    """The next input offset an `offsets` value of a state dump holds (version 01 | int64 LE)."""
    raw = bytes.fromhex(value)
    assert raw[0] == 1 and len(raw) == 9, f"not an offsets record of version 1: {value}"
    return int.from_bytes(raw[1:], "little", signed=True)


def applied_offsets(state):
    """Sum over partitions of the next offset stored in the state (messages checkpointed)."""
    total = 0
    for line in state_dump(state).splitlines():
        cf, _key, value = line.split(" ")
        if cf == "offsets":
            total += stored_offset(value)
    return total


def start_prometheus(work, metrics_port, prom_port, rule_files=()):
    """Debian's Prometheus, scraping `engaged` on metrics_port every second (and evaluating
    rule_files), serving on prom_port; its log goes to work/prometheus.log."""
    with open(os.path.join(work, "prometheus.yml"), "w") as f:
        f.write(f"""global:
  scrape_interval: 1s
  evaluation_interval: 1s
rule_files: {json.dumps(list(rule_files))}
scrape_configs:
  - job_name: engaged
    static_configs:
      - targets: ['127.0.0.1:{metrics_port}']
""")
    return subprocess.Popen(["prometheus", f"--config.file={work}/prometheus.yml",
                             f"--storage.tsdb.path={work}/tsdb",
                             f"--web.listen-address=127.0.0.1:{prom_port}"],
                            stdout=subprocess.DEVNULL,
                            stderr=open(os.path.join(work, "prometheus.log"), "w"))


# ---- oracle -----------------------------------------------------------------------------------

TYPES = {"signup", "session_start", "session_end", "action", "purchase", "check_in", "referral",
         "feedback", "support_ticket", "support_reply", "mentor_opt_in", "mentor_opt_out",
         "mentor_message", "mentor_report", "nudge_opened", "user_deleted", "user_blocked",
         "mentor_rating"}
RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})$")


def event_time_ms(ts):
    """Epoch ms of a contract-v1 ts, or None. (Enough of the contract for loadgen output.)"""
    if isinstance(ts, bool):
        return None
    if isinstance(ts, int):
        return ts if 946684800000 <= ts <= 4102444800000 else None
    if not isinstance(ts, str) or not RFC3339.match(ts):
        return None
    main, frac = ts[:19], ts[19:]
    millis = 0
    if frac.startswith("."):
        digits = re.match(r"\.(\d+)", frac).group(1)
        millis = int((digits + "00")[:3])
        frac = frac[1 + len(digits):]
    try:
        t = dt.datetime.strptime(main.replace("t", "T"), "%Y-%m-%dT%H:%M:%S")
    except ValueError:
        return None
    off = 0 if frac in ("Z", "z") else (int(frac[1:3]) * 60 + int(frac[4:6])) * (1 if frac[0] == "+" else -1)
    epoch = (t - dt.datetime(1970, 1, 1)).total_seconds() - off * 60
    return int(epoch) * 1000 + millis


def accepted_events(lines):
    """(user_id, ts_ms, type) of the messages the contract accepts."""
    for user, ms, typ, _key, _event_id in accepted_messages(lines):
        yield user, ms, typ


def duplicates(lines, partitions=6, window_ms=86400000):
    """How many accepted keyed messages are duplicates by the definition in docs/metrics.md: the
    same (user_id, event_id) applied while their partition's stream time was at most the window
    behind. Partitions are librdkafka's default: crc32(key) % partitions."""
    import zlib
    stream, seen, dups = {}, {}, 0
    for user, ms, _typ, key, event_id in accepted_messages(lines):
        p = zlib.crc32(key.encode()) % partitions
        now = max(stream.get(p, ms), ms)
        if seen.get((user, event_id), now - window_ms - 1) >= now - window_ms:
            dups += 1
            continue
        stream[p] = now
        seen[(user, event_id)] = now
    return dups


def accepted_messages(lines):
    for line in lines:
        key = None
        if "\t" in line:
            key, line = line.split("\t", 1)
        if "\t" in line:
            line = line.split("\t", 1)[1]
        try:
            e = json.loads(line)
        except ValueError:
            continue
        if not isinstance(e, dict) or not isinstance(e.get("event_id"), str) or \
                not isinstance(e.get("user_id"), str) or e.get("type") not in TYPES:
            continue
        ms = event_time_ms(e.get("ts"))
        if ms is None:
            continue
        yield e["user_id"], ms, e["type"], key if key is not None else e["user_id"], e["event_id"]


def oracle_tables(lines, tz_offset_days=lambda ms: ms // 86400000):
    active = {}
    for user, ms, typ in accepted_events(lines):
        if typ in ("user_deleted", "nudge_opened", "tick"):
            continue
        active.setdefault(user, set()).add(tz_offset_days(ms))
    all_days = set().union(*active.values()) if active else set()
    first, last = min(all_days), max(all_days)
    cohort = {u: min(d) for u, d in active.items()}
    day_str = lambda d: (dt.date(1970, 1, 1) + dt.timedelta(days=d)).isoformat()
    rows = ["day,dau,wau,mau,new,returning,resurrecting,dormant"]
    for d in range(first, last + 1):
        dau = wau = mau = new = ret = res = dor = 0
        for u, days in active.items():
            on, prev = d in days, (d - 1) in days
            dau += on
            wau += any(x in days for x in range(d - 6, d + 1))
            mau += any(x in days for x in range(d - 29, d + 1))
            new += cohort[u] == d
            ret += on and prev
            res += on and not prev and cohort[u] < d
            dor += prev and not on
        rows.append(f"{day_str(d)},{dau},{wau},{mau},{new},{ret},{res},{dor}")
    daily = "\n".join(rows) + "\n"
    cells = {}
    for u, days in active.items():
        for d in days:
            cells[(cohort[u], d - cohort[u])] = cells.get((cohort[u], d - cohort[u]), 0) + 1
    rows = ["cohort_day,cohort_size,day_n,retained"]
    for (c, n) in sorted(cells):
        rows.append(f"{day_str(c)},{cells[(c, 0)]},{n},{cells[(c, n)]}")
    return daily, "\n".join(rows) + "\n"


def expect_equal(name, got, want):
    if got != want:
        import difflib
        diff = "".join(list(difflib.unified_diff(want.splitlines(True), got.splitlines(True),
                                                 "expected", "got"))[:60])
        raise AssertionError(f"{name} differs:\n{diff}")
    log(f"ok: {name} ({len(got.splitlines())} lines)")
