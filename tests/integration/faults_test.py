"""Acceptance of the hardening issue, one case per finding (the argument after the binary picks
it): `engaged run` under faults ends the same way every time (the error logged, exit code non-zero,
never a hang, abort or "stopped cleanly" after a failure) and resumes exactly afterwards.

  error_path  changelog produces fail (the mock's error injection): exit 1, then an exact resume
  transient   a broker down and up, the group coordinator moving, retriable produce errors:
              `run` rides them out; state and nudges exact
  poison      a legal ~1 MB message rejected as too_large: its dead letter is produced truncated
  disk_full   a small tmpfs as state.dir fills up: exit 1, then an exact resume with more room
  brokers     no broker at start; the broker dies mid-run; SIGTERM after it died
  corruption  a flipped SST block and a damaged WAL: clear errors, never an empty state
  manifest    a state of 6 partitions replayed as 12; another time zone; older states
              (tests/fixtures: format 1, format 2 with stored program envelopes, and the state
              of 20bfce2) read and continued by this binary
  http        idle and slow clients do not starve /metrics; the bearer token guards /v1/users;
              /readyz 503 while every broker is down, 200 again after; build and process metrics
  settings    unknown log levels and bad settings are refused with the setting named; JSON logs
              stay one valid object per line; ENGAGED_LOG_LEVEL; --version; reports keep the
              state's labels (other segment settings refused), refuse ranges they cannot honour
"""
import contextlib
import datetime
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tarfile
import threading
import time
import urllib.error
import urllib.request

import harness as h

work = h.init(sys.argv)
case = sys.argv[2]
GEN = ["--users", 1500, "--days", 20, "--end", "2026-06-30", "--seed", 11]


@contextlib.contextmanager
def fault_cluster(partitions=6, events=None):
    """`engaged kafka --fault-commands`, with `events` (a keyed file) produced into it if given:
    yields (bootstrap, command, proc) where command(line) injects a fault (see
    EmbeddedCluster::command) and proc.kill() stops the cluster like a crash."""
    bfile = os.path.join(work, f"bootstrap-{time.monotonic_ns()}")
    proc = subprocess.Popen([h.ENGAGED, "kafka", "--partitions", str(partitions), "--bootstrap-file",
                             bfile, "--group", "engaged-test", "--fault-commands"],
                            stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                            stderr=open(os.path.join(work, "kafka.log"), "a"), text=True)
    h.children.append(proc)
    for _ in range(200):
        if os.path.exists(bfile):
            break
        time.sleep(0.05)

    def command(line):
        proc.stdin.write(line + "\n")
        proc.stdin.flush()

    try:
        bootstrap = open(bfile).read().strip()
        if events:
            produce(bootstrap, events)
        yield bootstrap, command, proc
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def produce(bootstrap, events_file):
    with open(events_file) as f:
        subprocess.run(["kcat", "-P", "-b", bootstrap, "-t", "app.events", "-K", "\t", "-z", "lz4",
                        "-X", "message.max.bytes=2000000"], stdin=f, check=True)


def start_run(bootstrap, state, log_name, extra=(), idle_exit_ms=None):
    args = [h.ENGAGED, *h.run_args(bootstrap, state, extra=list(extra))]
    if idle_exit_ms:
        args += ["--idle-exit-ms", str(idle_exit_ms)]
    log = open(os.path.join(work, log_name), "w")
    p = subprocess.Popen(args, stdout=log, stderr=log)
    h.children.append(p)
    return p, os.path.join(work, log_name)


def finish(p, timeout):
    try:
        return p.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        p.kill()
        raise AssertionError(f"engaged run did not end within {timeout} s (a hang)")


def text(path):
    return open(path, errors="replace").read()


def assert_failed_cleanly(rc, log, code=1):
    out = text(log)
    assert rc == code, f"exit code {rc}, wanted {code}:\n{out[-3000:]}"
    assert "run failed:" in out, out[-3000:]
    for bad in ("stopped cleanly", "terminate called", "Segmentation", "AddressSanitizer"):
        assert bad not in out, f"{bad!r} in the log:\n{out[-3000:]}"


def replay_reports(events_file):
    state = os.path.join(work, f"replay-{time.monotonic_ns()}")
    h.engaged("replay", "--keyed", "-i", events_file, "--state", state)
    return {t: h.report(state, t) for t in ("daily", "retention", "rejections")}


def expect_reports(state, want, what):
    for table, expected in want.items():
        h.expect_equal(f"{table} {what}", h.report(state, table), expected)


def keyed_events(name="events.tsv", gen=GEN):
    path = os.path.join(work, name)
    h.engaged("loadgen", "--keyed", *gen, "-o", path)
    return path


# --- finding 1: an exception inside the run loop ----------------------------------------------
def error_path():
    events = keyed_events()
    want = replay_reports(events)
    state = os.path.join(work, "state")
    with fault_cluster(events=events) as (bootstrap, command, _):
        p, log = start_run(bootstrap, state, "run1.log",
                           ["--set", "state.checkpoint_interval_ms=200"])
        time.sleep(8)  # joined, restored, processing
        # TOPIC_AUTHORIZATION_FAILED (29) is not retriable: whichever producer sends first (the
        # changelog's, the outbox's or the dead letters') fails, and the run ends naming it and
        # the broker's error.
        command("errors 0 400 29")
        assert_failed_cleanly(finish(p, 60), log)
        failed = [l for l in text(log).splitlines() if "run failed:" in l]
        assert any(any(w in l for w in ("changelog", "outbox", "dead letter"))
                   and "authorization failed" in l
                   for l in failed), failed
        command("clear 0")
        p, log = start_run(bootstrap, state, "run2.log", idle_exit_ms=3000)
        assert finish(p, 120) == 0, text(log)[-3000:]
    expect_reports(state, want, "after a failed run and a restart")


# --- transient broker trouble ------------------------------------------------------------------
def transient():
    events = keyed_events()
    state = os.path.join(work, "state")
    replay_state = os.path.join(work, "replay")
    replay_nudges = os.path.join(work, "nudges.ndjson")
    h.engaged("replay", "--keyed", "-i", events, "--state", replay_state, "--nudges", replay_nudges)
    with fault_cluster() as (bootstrap, command, _):
        p, log = start_run(bootstrap, state, "run.log",
                           ["--set", "state.checkpoint_interval_ms=200"], idle_exit_ms=5000)
        time.sleep(6)
        producer = subprocess.Popen(["kcat", "-P", "-b", bootstrap, "-t", "app.events", "-K", "\t",
                                     "-z", "lz4"], stdin=open(events))
        for line in ("coordinator group engaged-test 2", "down 1", "errors 0 20 7",
                     "errors 1 10 6", "up 1", "coordinator group engaged-test 3"):
            time.sleep(2)
            command(line)  # 7 REQUEST_TIMED_OUT (Produce), 6 NOT_LEADER (Fetch): retriable
        assert producer.wait(timeout=120) == 0
        rc = finish(p, 180)
        assert rc == 0, text(log)[-3000:]
        topic = subprocess.run(["kcat", "-C", "-b", bootstrap, "-t", "app.nudges", "-e", "-q"],
                               check=True, capture_output=True, text=True).stdout.splitlines()
    for table in ("daily", "retention", "rejections"):
        h.expect_equal(f"{table} through broker trouble", h.report(state, table),
                       h.report(replay_state, table))
    h.expect_equal("state dump through broker trouble", h.comparable_dump(state),
                   h.comparable_dump(replay_state))
    decided = [l.rstrip("\n") for l in open(replay_nudges)]
    assert decided and set(decided) == set(topic), (len(decided), len(set(topic)))
    h.log(f"{len(decided)} nudges decided, all on the topic ({len(topic) - len(set(topic))} re-sent)")


# --- finding 2: a poison message ---------------------------------------------------------------
def poison():
    events = keyed_events()
    lines = open(events).read().splitlines(keepends=True)
    user = lines[0].split("\t", 1)[0]
    big = '{"event_id":"big","user_id":"%s","type":"action","name":"x","ts":"2026-06-10T10:00:00Z","props":{"pad":"%s"}}' % (
        user, "x" * 999_000)
    poisoned = os.path.join(work, "poisoned.tsv")
    with open(poisoned, "w") as f:
        f.writelines(lines[:100])
        f.write(f"{user}\t{big}\n")
        f.writelines(lines[100:])
    want = replay_reports(poisoned)
    state = os.path.join(work, "state")
    with fault_cluster() as (bootstrap, _, _proc):
        produce(bootstrap, poisoned)
        p, log = start_run(bootstrap, state, "run.log", idle_exit_ms=3000)
        assert finish(p, 120) == 0, text(log)[-3000:]
        letters = subprocess.run(["kcat", "-C", "-b", bootstrap, "-t", "app.events.dlq", "-e", "-q",
                                  "-f", "%h\t%S\n"], capture_output=True, text=True,
                                 check=True).stdout.splitlines()
    truncated = [l for l in letters if "engaged.truncated=true" in l]
    assert len(truncated) == 1, letters[:5]
    headers, size = truncated[0].rsplit("\t", 1)
    assert "engaged.reason=too_large" in headers, headers
    assert f"engaged.original.size={len(big)}" in headers, headers
    assert "engaged.original.xxh64=" in headers, headers
    assert int(size) < len(big), size
    expect_reports(state, want, "with a poison message")
    h.log(f"the {len(big)}-byte message became a {size}-byte dead letter; the pipeline went on")


# --- finding 3: a full disk --------------------------------------------------------------------
def disk_full():
    mount = os.path.join(work, "tmpfs")
    os.makedirs(mount)
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=3m", "tmpfs", mount],
                      capture_output=True).returncode != 0:
        print("SKIPPED: cannot mount a tmpfs here (needs root and CAP_SYS_ADMIN)")
        return
    try:
        events = keyed_events(gen=["--users", 4000, "--days", 30, "--end", "2026-06-30",
                                   "--seed", 12])
        want = replay_reports(events)
        state = os.path.join(mount, "state")
        with fault_cluster(events=events) as (bootstrap, _, _proc):
            p, log = start_run(bootstrap, state, "run1.log", idle_exit_ms=3000)
            rc = finish(p, 120)
            assert_failed_cleanly(rc, log)
            assert "No space left" in text(log) or "space" in text(log), text(log)[-2000:]
            subprocess.run(["mount", "-o", "remount,size=512m", mount], check=True)
            p, log = start_run(bootstrap, state, "run2.log", idle_exit_ms=3000)
            assert finish(p, 120) == 0, text(log)[-3000:]
        expect_reports(state, want, "after a full disk and a resume")

        # replay --nudges: a failed final flush must not leave nudges in the file, or the rerun
        # that resumes would append them a second time.
        shutil.rmtree(state)
        subprocess.run(["mount", "-o", "remount,size=1m", mount], check=True)
        ref_nudges = os.path.join(work, "ref-nudges.ndjson")
        h.engaged("replay", "--keyed", "-i", events, "--state", os.path.join(work, "ref"),
                  "--nudges", ref_nudges)
        nudges = os.path.join(work, "nudges.ndjson")
        replay = [h.ENGAGED, "replay", "--keyed", "-i", events, "--state",
                  os.path.join(mount, "replay"), "--nudges", nudges]
        res = subprocess.run(replay, capture_output=True, text=True, timeout=120)
        assert res.returncode == 1 and "space" in res.stderr, (res.returncode, res.stderr[-2000:])
        assert not os.path.exists(nudges) or os.path.getsize(nudges) == 0, "nudges written early"
        subprocess.run(["mount", "-o", "remount,size=512m", mount], check=True)
        subprocess.run(replay, check=True, capture_output=True, timeout=120)
        h.expect_equal("nudges after a full disk and a rerun", open(nudges).read(),
                       open(ref_nudges).read())
    finally:
        subprocess.run(["umount", "-l", mount])


# --- finding 4: broker trouble -----------------------------------------------------------------
def brokers():
    # Nobody listens on this port: a clear error in bounded time.
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        dead = f"127.0.0.1:{s.getsockname()[1]}"
    start = time.monotonic()
    p, log = start_run(dead, os.path.join(work, "state0"), "unreachable.log", idle_exit_ms=1000)
    rc = finish(p, 60)
    assert rc != 0 and "broker" in text(log), (rc, text(log)[-2000:])
    h.log(f"no broker at start: exit {rc} after {time.monotonic() - start:.1f} s")

    events = keyed_events()
    timeout = ["--set", "input.unreachable_timeout=5s"]
    with fault_cluster(events=events) as (bootstrap, _, kafka):
        p, log = start_run(bootstrap, os.path.join(work, "state1"), "died.log", timeout,
                           idle_exit_ms=60000)
        time.sleep(8)
        kafka.kill()  # the broker dies mid-run
        start = time.monotonic()
        assert_failed_cleanly(finish(p, 90), log, code=2)
        h.log(f"the broker died: exit 2 after {time.monotonic() - start:.1f} s")
    with fault_cluster(events=events) as (bootstrap, _, kafka):
        p, log = start_run(bootstrap, os.path.join(work, "state2"), "sigterm.log",
                           ["--set", "state.shutdown_timeout=5s"])
        time.sleep(8)
        kafka.kill()
        time.sleep(1)
        start = time.monotonic()
        p.send_signal(signal.SIGTERM)
        rc = finish(p, 60)
        took = time.monotonic() - start
        assert rc in (0, 3), (rc, text(log)[-2000:])
        assert rc == 3 or "stopped cleanly" in text(log), text(log)[-2000:]
        h.log(f"SIGTERM after the broker died: exit {rc} after {took:.1f} s")
    # Stopped while joined but never assigned (every SyncGroup, API 14, answered
    # REBALANCE_IN_PROGRESS, 27): librdkafka 2.0.2 asserted in its destroy (librdkafka#4312).
    with fault_cluster() as (bootstrap, command, _):
        command("errors 14 100000 27")
        p, log = start_run(bootstrap, os.path.join(work, "state3"), "never-assigned.log")
        time.sleep(6)
        p.send_signal(signal.SIGTERM)
        rc = finish(p, 60)
        out = text(log)
        assert rc == 0 and "stopped cleanly" in out and "assigned " not in out, (rc, out[-2000:])
        h.log("SIGTERM before the first assignment: exit 0")


# --- finding 5: a damaged store ----------------------------------------------------------------
def corruption():
    events = keyed_events()
    want = replay_reports(events)
    state = os.path.join(work, "state")
    with fault_cluster(events=events) as (bootstrap, _, _proc):
        p, log = start_run(bootstrap, state, "run.log",
                           ["--set", "state.changelog=false"], idle_exit_ms=3000)
        assert finish(p, 120) == 0, text(log)[-3000:]
    # A clean stop leaves the state in SST files, not only in the WAL.
    ssts = [f for f in os.listdir(state) if f.endswith(".sst")]
    wal = sum(os.path.getsize(os.path.join(state, f)) for f in os.listdir(state)
              if f.endswith(".log") and f != "LOG")
    assert ssts and wal < 4096, (ssts, wal)
    expect_reports(state, want, "before damage")

    damaged = os.path.join(work, "damaged-sst")
    shutil.copytree(state, damaged)
    biggest = max((os.path.join(damaged, f) for f in ssts), key=os.path.getsize)
    with open(biggest, "r+b") as f:
        f.seek(os.path.getsize(biggest) // 3)
        f.write(b"\xff" * 64)
    res = subprocess.run([h.ENGAGED, "state", "dump", "--state", damaged], capture_output=True,
                         text=True, timeout=60)  # reads every record
    assert res.returncode == 1 and "damaged" in res.stderr, (res.returncode, res.stderr[-2000:])

    # A WAL flipped in the middle: refused, never read as an empty (or older) state.
    walled = os.path.join(work, "damaged-wal")
    shutil.copytree(state, walled)
    with fault_cluster(events=events) as (bootstrap, _, _proc):
        p, log = start_run(bootstrap, walled, "wal.log", ["--set", "state.changelog=false",
                                                          "--set", "input.topic=app.events"])
        time.sleep(6)
        p.send_signal(signal.SIGKILL)
        p.wait()
    logs = [os.path.join(walled, f) for f in os.listdir(walled)
            if f.endswith(".log") and f != "LOG" and os.path.getsize(os.path.join(walled, f)) > 0]
    if not logs:
        h.log("no WAL left to damage (everything was flushed); WAL case skipped")
    else:
        wal_file = max(logs, key=os.path.getsize)
        with open(wal_file, "r+b") as f:
            f.seek(100)
            f.write(b"\x00\xff" * 32)
        res = subprocess.run([h.ENGAGED, "state", "dump", "--state", walled], capture_output=True,
                             text=True, timeout=60)
        assert res.returncode == 1 and "damaged" in res.stderr, (res.returncode,
                                                                 res.stderr[-2000:])
    h.log("a damaged SST and a damaged WAL are refused with a clear error")


# --- finding 6: the state's identity -----------------------------------------------------------
def manifest():
    events = keyed_events()
    state = os.path.join(work, "state")
    h.engaged("replay", "--keyed", "-i", events, "--state", state, "--partitions", 6)
    res = subprocess.run([h.ENGAGED, "replay", "--keyed", "-i", events, "--state", state,
                          "--partitions", "12"], capture_output=True, text=True)
    assert res.returncode == 1 and "input.partitions=6" in res.stderr, res.stderr[-2000:]
    res = subprocess.run([h.ENGAGED, "replay", "--keyed", "-i", events, "--state", state,
                          "--set", "processing.timezone=Europe/Berlin"], capture_output=True,
                         text=True)
    assert res.returncode == 1 and "processing.timezone=UTC" in res.stderr, res.stderr[-2000:]

    # The previous release's state (format 1, made by tests/fixtures/make-state-format1.sh).
    fixtures = os.path.join(os.path.dirname(__file__), "..", "fixtures")
    old = os.path.join(work, "format1")
    with tarfile.open(os.path.join(fixtures, "state-format1.tar.gz")) as t:
        t.extractall(old)
    old_state = os.path.join(old, "state")
    for table in ("daily", "retention", "rejections"):
        h.expect_equal(f"format-1 state, {table}", h.report(old_state, table),
                       open(os.path.join(old, f"{table}.csv")).read())
    # ... and goes on: the whole input replayed into it (the first half is skipped by offset, as
    # already applied) equals one replay of everything by this binary.
    both = os.path.join(work, "both.ndjson")
    with open(both, "w") as f:
        for part in ("events-1.ndjson", "events-2.ndjson"):
            f.write(open(os.path.join(old, part)).read())
    h.engaged("replay", "-i", both, "--state", old_state)
    whole = os.path.join(work, "whole")
    h.engaged("replay", "-i", both, "--state", whole)
    for table in ("daily", "retention", "rejections"):
        h.expect_equal(f"format-1 state continued, {table}", h.report(old_state, table),
                       h.report(whole, table))

    # Older releases' states go on with this binary (tests/fixtures/make-state-previous.sh):
    # 1598ac8, whose program stage stored the envelopes pending in its merge (this binary reads
    # them again instead), 20bfce2, the last commit before the processor runtime and the
    # registered stores, f018d18, the last of state format 2 (values without a version,
    # upgraded in place when the state is opened), and 6890dc7, whose user records (version 5)
    # hold their event ids and sessions by 128-bit keys. The nudges of the first half and of the
    # continuation are a replay's of all, and so is the state, byte for byte.
    for name in ("stored-envelopes", "20bfce2", "f018d18", "6890dc7"):
        old = os.path.join(work, name)
        with tarfile.open(os.path.join(fixtures, f"state-{name}.tar.gz")) as t:
            t.extractall(old)
        old_state = os.path.join(old, "state")
        if name == "stored-envelopes":
            envelope = "program 7ffffff0" + b"E".hex()
            stored = [l for l in h.state_dump(old_state).splitlines() if l.startswith(envelope)]
            assert stored, "the fixture holds no stored envelope: it tests nothing"
        both = os.path.join(work, f"both-{name}.ndjson")
        first_half = open(os.path.join(old, "events-1.ndjson")).read()
        with open(both, "w") as f:
            f.write(first_half)
            if name == "6890dc7":
                # Producer retries of the first half's last events: the continued state must
                # drop them by the ids its version 5 records hold, as one replay of all does.
                f.write("".join(first_half.splitlines(keepends=True)[-200:]))
            f.write(open(os.path.join(old, "events-2.ndjson")).read())
        # The first three were scored with the previous releases' built-in weights: a model
        # file of format 1 with those weights scores exactly as they did. 6890dc7 had today's.
        model = [] if name == "6890dc7" else [
            "--set", "risk.model=" + os.path.join(fixtures, "risk-model-previous.yaml")]
        continued = os.path.join(old, "nudges-2.ndjson")
        h.engaged("replay", "-i", both, "--state", old_state, "--nudges", continued, *model)
        whole = os.path.join(work, f"whole-{name}")
        whole_nudges = os.path.join(work, f"whole-{name}.ndjson")
        h.engaged("replay", "-i", both, "--state", whole, "--nudges", whole_nudges, *model)
        first = text(os.path.join(old, "nudges-1.ndjson"))
        assert first, f"the {name} fixture decided no nudge in its first half: it tests little"
        h.expect_equal(f"{name}: nudges of the first half and the continuation",
                       first + text(continued), text(whole_nudges))

        # Registered stores (family `stores`) came after the first two fixtures: there the
        # continued state has them only from the continuation on, and says so; the rest equals
        # the replay of all.
        stores_added = name in ("stored-envelopes", "20bfce2")
        def without_stores(dump):
            return "\n".join(l for l in dump.splitlines()
                             if not (stores_added and l.startswith("stores ")))
        h.expect_equal(f"{name}: state continued", without_stores(h.comparable_dump(old_state)),
                       without_stores(h.comparable_dump(whole)))
        note = "was added to this state after it had data"
        res = subprocess.run([h.ENGAGED, "report", "first-week", "--state", old_state],
                             capture_output=True, text=True)
        assert res.returncode == 0 and (note in res.stderr) == stores_added, res.stderr[-2000:]
        res = subprocess.run([h.ENGAGED, "report", "first-week", "--state", whole],
                             capture_output=True, text=True)
        assert res.returncode == 0 and note not in res.stderr, res.stderr[-2000:]


# --- finding 8: HTTP ---------------------------------------------------------------------------
def get_json(url):
    """(status, parsed body) of a GET, errors included."""
    try:
        with urllib.request.urlopen(url, timeout=5) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read())


def wait_ready(base, want, timeout):
    """Polls /readyz until its status is `want`; returns the last answer."""
    deadline = time.monotonic() + timeout
    while True:
        status, body = get_json(base + "/readyz")
        if status == want or time.monotonic() > deadline:
            return status, body
        time.sleep(0.5)


def http():
    port = h.free_port()
    events = keyed_events()
    with fault_cluster(events=events) as (bootstrap, command, _proc):
        p, log = start_run(bootstrap, os.path.join(work, "state"), "run.log",
                           ["--set", "metrics.listen=127.0.0.1:%d" % port,
                            "--set", "metrics.token=s3cret",
                            "--set", "kafka.statistics.interval.ms=1000"])
        base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                urllib.request.urlopen(base + "/metrics", timeout=2).read()
                break
            except OSError:
                time.sleep(0.2)
        # 40 idle connections and 16 clients sending their headers a byte a second.
        idle = [socket.create_connection(("127.0.0.1", port)) for _ in range(40)]
        stop = threading.Event()

        def slow_client():
            with socket.create_connection(("127.0.0.1", port)) as s:
                for ch in b"GET /metrics HTTP/1.1\r\nHost: x\r\n":
                    if stop.is_set():
                        return
                    try:
                        s.send(bytes([ch]))
                    except OSError:
                        return
                    time.sleep(1)

        slow = [threading.Thread(target=slow_client) for _ in range(16)]
        for t in slow:
            t.start()
        time.sleep(1)
        body = urllib.request.urlopen(base + "/metrics", timeout=10).read().decode()
        assert "engaged_events_consumed_total" in body
        # 300 concurrent scrapes: none is reset.
        failures = []

        def scrape():
            try:
                urllib.request.urlopen(base + "/metrics", timeout=20).read()
            except Exception as e:  # noqa: BLE001 (any failure counts)
                failures.append(repr(e))

        burst = [threading.Thread(target=scrape) for _ in range(300)]
        for t in burst:
            t.start()
        for t in burst:
            t.join()
        stop.set()
        for s in idle:
            s.close()
        assert not failures, f"{len(failures)} of 300 scrapes failed, e.g. {failures[:3]}"
        # The token: /v1/users needs it, /metrics does not (metrics.token_for_metrics=false).
        try:
            urllib.request.urlopen(base + "/v1/users/u1", timeout=5)
            raise AssertionError("/v1/users answered without the token")
        except urllib.error.HTTPError as e:
            assert e.code == 401 and e.headers["WWW-Authenticate"] == "Bearer", e.code
        req = urllib.request.Request(base + "/v1/users/nobody",
                                     headers={"Authorization": "Bearer s3cret"})
        try:
            urllib.request.urlopen(req, timeout=5)
        except urllib.error.HTTPError as e:
            assert e.code in (404, 503), e.code  # past the token: the lookup's own answer

        # The probes need no token. Ready once assigned, restored and checkpointing; not ready
        # while no broker answers, ready again once they do (after the group gave the
        # partitions back and their state was restored).
        assert get_json(base + "/healthz") == (200, {"status": "alive"})
        status, body = wait_ready(base, 200, 60)
        assert status == 200 and body["ready"] and body["failing"] == [], body
        for broker in (1, 2, 3):
            command(f"down {broker}")
        status, body = wait_ready(base, 503, 30)
        assert status == 503 and body["kafka_reachable"] is False, body
        assert "no Kafka broker answers" in body["failing"], body
        assert get_json(base + "/healthz")[0] == 200  # alive all the same
        probe = [h.ENGAGED, "probe", "--set", f"metrics.listen=127.0.0.1:{port}"]
        assert subprocess.run(probe, capture_output=True).returncode == 1
        for broker in (1, 2, 3):
            command(f"up {broker}")
        status, body = wait_ready(base, 200, 60)
        assert status == 200 and body["kafka_reachable"] is True, body
        assert subprocess.run(probe, capture_output=True).returncode == 0  # the HEALTHCHECK
        # The build and the process, as every Prometheus client exports them.
        metrics = urllib.request.urlopen(base + "/metrics", timeout=10).read().decode()
        version = subprocess.run([h.ENGAGED, "--version"], capture_output=True, text=True)
        assert version.returncode == 0, version.stderr
        number = version.stdout.split()[1]
        assert f'version="{number}"' in metrics and "engaged_build_info{" in metrics, metrics[:500]
        for name in ("process_cpu_seconds_total", "process_resident_memory_bytes",
                     "process_start_time_seconds", "process_open_fds", "process_max_fds"):
            value = [ln for ln in metrics.splitlines() if ln.startswith(name + " ")]
            assert value and float(value[0].split()[1]) > 0, (name, value)
        # RocksDB keeping up (published at each checkpoint): no stall in this small run.
        for name in ("engaged_rocksdb_write_stopped", "engaged_rocksdb_pending_compaction_bytes",
                     "engaged_rocksdb_delayed_write_rate_bytes_per_second"):
            assert f"\n{name} " in metrics, name
        assert "\nengaged_rocksdb_write_stopped 0\n" in metrics, metrics[:300]
        # librdkafka's statistics: the consumer's round trip to each of the 3 brokers.
        rtts = [ln for ln in metrics.splitlines()
                if ln.startswith('engaged_kafka_broker_rtt_seconds{') and 'client="consumer"' in ln]
        assert len(rtts) == 3 and all(float(ln.split()[1]) >= 0 for ln in rtts), rtts
        assert 'engaged_kafka_client_queued_messages{client="producer"}' in metrics
        p.send_signal(signal.SIGTERM)
        assert finish(p, 60) == 0
    h.log("/metrics answered beside 40 idle and 16 slow clients; 300 concurrent scrapes, 0 failed; "
          "/readyz 503 while the brokers were down, 200 once they answered")


# --- finding 10: settings ----------------------------------------------------------------------
def settings():
    ok = subprocess.run([h.ENGAGED, "--log-level", "WARN", "config"], capture_output=True,
                        text=True)
    assert ok.returncode == 0, ok.stderr
    bad = subprocess.run([h.ENGAGED, "--log-level", "loud", "config"], capture_output=True,
                         text=True)
    assert bad.returncode != 0 and "loud" in bad.stderr, bad.stderr
    res = subprocess.run([h.ENGAGED, "config", "--set", "state.checkpoint_interval_ms=abc"],
                         capture_output=True, text=True)
    assert res.returncode == 1 and "state.checkpoint_interval_ms" in res.stderr, res.stderr

    # JSON logs (--log-format or ENGAGED_LOG_FORMAT): one object per line, even for a message
    # quoting a value with quotes, a backslash and a newline; ENGAGED_LOG_LEVEL filters.
    bad_value = 'a"b\\c\nd'
    env = dict(os.environ, ENGAGED_LOG_FORMAT="json", TZ="America/New_York")
    res = subprocess.run([h.ENGAGED, "config", "--set", f"state.checkpoint_interval_ms={bad_value}"],
                         capture_output=True, text=True, env=env)
    lines = res.stderr.splitlines()
    assert res.returncode == 1 and len(lines) == 1, res.stderr
    entry = json.loads(lines[0])
    assert entry["level"] == "error" and bad_value in entry["message"], entry
    assert entry["time"].endswith("Z") and entry["logger"] == "engaged", entry
    logged = datetime.datetime.fromisoformat(entry["time"].replace("Z", "+00:00"))
    skew = abs((datetime.datetime.now(datetime.timezone.utc) - logged).total_seconds())
    assert skew < 60, f"the log's time is not UTC in another zone: {entry['time']}"
    quiet = subprocess.run([h.ENGAGED, "config", "--set", "state.checkpoint_interval_ms=abc"],
                           capture_output=True, text=True,
                           env=dict(os.environ, ENGAGED_LOG_LEVEL="critical"))
    assert quiet.returncode == 1 and quiet.stderr == "", quiet.stderr
    # Reports label rows with the settings the state was built with: left out, the state's are
    # used; set to something else, the report is refused with the setting named.
    events = os.path.join(work, "segments.ndjson")
    with open(events, "w") as f:
        for n, (user, platform) in enumerate([("a", "ios"), ("b", "android"), ("c", "web")]):
            f.write(json.dumps({"event_id": f"s{n}", "user_id": user, "type": "signup",
                                "ts": f"2026-03-0{n + 1}T10:00:00Z",
                                "props": {"platform": platform}}) + "\n")
            f.write(json.dumps({"event_id": f"a{n}", "user_id": user, "type": "action",
                                "ts": f"2026-03-0{n + 1}T10:05:00Z",
                                "props": {"name": "open_lesson"}}) + "\n")
    state = os.path.join(work, "segments-state")
    built = ["--set", "segments.platform=web,ios"]
    h.engaged("replay", "-i", events, "--state", state, *built)
    own = h.engaged("report", "segments", "--state", state, *built)
    assert h.engaged("report", "segments", "--state", state) == own, own
    assert "platform,web," in own and "platform,ios," in own, own
    res = subprocess.run([h.ENGAGED, "report", "segments", "--state", state, "--set",
                          "segments.platform=ios,web"], capture_output=True, text=True)
    assert res.returncode == 1 and "segments.platform" in res.stderr and "web,ios" in res.stderr, \
        res.stderr
    # A reversed range, and a range a table cannot honour, are refused; summary's JSON is JSON.
    for args, says in ((["daily", "--from", "2026-03-03", "--to", "2026-03-01"], "is after"),
                       (["risk", "--from", "2026-03-01"], "do not apply")):
        res = subprocess.run([h.ENGAGED, "report", *args, "--state", state], capture_output=True,
                             text=True)
        assert res.returncode == 1 and says in res.stderr, (args, res.stderr)
    # The 30-day stickiness windows reach past the last event day; the rows stop at it.
    stickiness = h.engaged("report", "stickiness", "--state", state).splitlines()
    assert stickiness[-1].startswith("2026-03-03,") and len(stickiness) == 4, stickiness
    summary = json.loads(h.engaged("report", "summary", "--state", state, "--format", "json"))
    assert summary["through"] == "2026-03-03" and summary["days"][0]["dau"] == 1, summary

    version = subprocess.run([h.ENGAGED, "--version"], capture_output=True, text=True)
    assert version.returncode == 0 and version.stdout.startswith("engaged "), version
    assert "simdjson" in version.stdout and "commit" in version.stdout, version.stdout


try:
    {"error_path": error_path, "transient": transient, "poison": poison, "disk_full": disk_full, "brokers": brokers,
     "corruption": corruption, "manifest": manifest, "http": http,
     "settings": settings}[case]()
finally:
    h.stop_children()
print("1 passed, 0 failed")
