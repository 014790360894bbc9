"""The stack the dashboards are tested and rendered on: the embedded cluster, the load generator
streaming into it, `engaged run` serving /metrics on loopback, and Debian's `prometheus`
scraping it every second with the rules of dashboards/prometheus loaded. Everything listens on
127.0.0.1 and stops when the `with` block ends.

A reactor plays the app's users: it follows the nudges topic and answers some nudges with the
events the app would send (docs/nudges.md), so the mentor panels (first response, open and return
rates) have data.

Used by tests/dashboards/dashboards_e2e_test.py and scripts/render-dashboards.py."""
import collections
import contextlib
import datetime as dt
import json
import math
import os
import random
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "tests", "integration"))
import harness as h  # noqa: E402

RULE_FILES = [os.path.join(ROOT, "dashboards", "prometheus", f)
              for f in ("engaged-recording-rules.yaml", "engaged-alerts.yaml")]


class Prometheus:
    def __init__(self, port):
        self.api = f"http://127.0.0.1:{port}/api/v1"
        self.port = port

    def get(self, path, **params):
        url = f"{self.api}/{path}?" + urllib.parse.urlencode(params, doseq=True)
        try:
            with urllib.request.urlopen(url, timeout=30) as r:
                return json.load(r)
        except urllib.error.HTTPError as e:  # 400 on a bad query: the body says why
            return json.load(e)

    def scalar(self, expr):
        res = self.get("query", query=expr).get("data", {}).get("result", [])
        return float(res[0]["value"][1]) if res else None


class Reactor:
    """Plays the users of the app. Follows the nudges topic (kcat -C, streaming) and, with a fixed
    seed (each nudge's fate is drawn from seed and nudge_id, so it does not depend on arrival
    order), produces into the events topic, keyed by user_id:
    - for 70 % of the delivered mentor_match nudges to a mentor, the mentor's first message to
      the mentee (mentor_message, peer_user_id = the mentee), at deliver_at + 10 min..20 h
      (log-uniform: most mentors answer within hours, a few late);
    - for 40 % of the delivered nudges shown to users, a nudge_opened by the recipient at
      deliver_at + 1 min..6 h. Sales leads go to the sales team, not to the user: never opened.
    Holdout nudges are never delivered, so nobody reacts to them.

    One `kcat -P` per batch of reactions: a long-running `kcat -P` reads its input 128 bytes at a
    time and holds the last lines back until more input comes, which a trickle never sends."""

    MESSAGE_SHARE, MESSAGE_DELAY_S = 0.7, (600, 20 * 3600)
    OPEN_SHARE, OPEN_DELAY_S = 0.4, (60, 6 * 3600)

    def __init__(self, bootstrap, events_topic="app.events", nudges_topic="app.nudges", seed=1):
        self.bootstrap, self.events_topic, self.seed = bootstrap, events_topic, seed
        self.nudges = 0    # nudges read
        self.produced = 0  # reactions acknowledged by kcat
        self.counts = collections.Counter()
        self.last_activity = time.time()
        self.read_at = []  # (wall-clock s when read, deliver_at in epoch s) per nudge
        self._seen, self._pending, self._closing = set(), [], False
        self._cv = threading.Condition()
        self.consumer = subprocess.Popen(["kcat", "-C", "-b", bootstrap, "-t", nudges_topic, "-o", "beginning",
                                          "-u", "-q", "-X", "fetch.wait.max.ms=100", "-f", "%s\n"],
                                         stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        h.children.append(self.consumer)
        self._threads = [threading.Thread(target=f, daemon=True) for f in (self._follow, self._produce)]
        for t in self._threads:
            t.start()

    @staticmethod
    def _ms(ts):
        t = dt.datetime.strptime(ts, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=dt.timezone.utc)
        return round(t.timestamp() * 1000)

    @staticmethod
    def _ts(ms):
        t = dt.datetime.fromtimestamp(ms // 1000, dt.timezone.utc)
        return t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{ms % 1000:03d}Z"

    def reactions(self, n):
        """The events the users send in reply to nudge `n` (a dict): [(key, event)]."""
        if n.get("holdout") is not False:
            return []
        rng = random.Random(f"{self.seed}:{n['nudge_id']}")
        deliver = self._ms(n["deliver_at"])

        def delay_ms(lo_hi):
            lo, hi = map(math.log, lo_hi)
            return int(math.exp(rng.uniform(lo, hi)) * 1000)

        out = []
        if (n["kind"] == "mentor_match" and n["recipient_role"] == "mentor" and n.get("subject_user_id")
                and rng.random() < self.MESSAGE_SHARE):
            out.append({"event_id": f"reactor-msg-{n['nudge_id']}", "user_id": n["recipient_user_id"],
                        "type": "mentor_message", "ts": self._ts(deliver + delay_ms(self.MESSAGE_DELAY_S)),
                        "peer_user_id": n["subject_user_id"]})
        if n["recipient_role"] != "sales" and rng.random() < self.OPEN_SHARE:
            out.append({"event_id": f"reactor-open-{n['nudge_id']}", "user_id": n["recipient_user_id"],
                        "type": "nudge_opened", "ts": self._ts(deliver + delay_ms(self.OPEN_DELAY_S)),
                        "nudge_id": n["nudge_id"]})
        return [(e["user_id"], e) for e in out]

    def _follow(self):
        for line in self.consumer.stdout:
            try:
                n = json.loads(line)
            except ValueError:
                continue
            with self._cv:
                self.nudges += 1
                self.last_activity = time.time()
                self.read_at.append((self.last_activity, self._ms(n["deliver_at"]) / 1000))
                if n.get("nudge_id") in self._seen:  # at-least-once delivery: react once
                    continue
                self._seen.add(n.get("nudge_id"))
                for key, event in self.reactions(n):
                    self._pending.append(f"{key}\t{json.dumps(event, separators=(',', ':'))}\n")
                    self.counts[event["type"]] += 1
                self._cv.notify()

    def _produce(self):
        while True:
            with self._cv:
                self._cv.wait_for(lambda: self._pending or self._closing)
                if not self._pending:
                    return
                batch, self._pending = self._pending, []
            subprocess.run(["kcat", "-P", "-b", self.bootstrap, "-t", self.events_topic, "-K", "\t"],
                           input="".join(batch), text=True, check=True, timeout=60)
            with self._cv:
                self.produced += len(batch)
                self.last_activity = time.time()

    def idle_for(self):
        """Seconds since the last nudge was read or reaction produced (0 while some are pending)."""
        with self._cv:
            return 0.0 if self._pending else time.time() - self.last_activity

    def close(self):
        self.consumer.terminate()
        self.consumer.wait(timeout=10)
        with self._cv:
            self._closing = True
            self._cv.notify()
        for t in self._threads:
            t.join(timeout=30)


def reaction_lag(p, reactor, start, end):
    """How far the pipeline's newest event time was ahead of each nudge's deliver_at when the
    reactor read it: the event time a reaction has lost before it is even produced."""
    body = p.get("query_range", query='max(engaged_stream_time_seconds{job="engaged"})', start=start,
                 end=end, step=1)
    points = sorted((float(t), float(v)) for t, v in body["data"]["result"][0]["values"]) \
        if body.get("data", {}).get("result") else []
    lags = []
    for wall, deliver in reactor.read_at:
        before = [v for t, v in points if t <= wall]
        if before:
            lags.append((before[-1] - deliver) / 3600)
    if not lags:
        return "reaction lag: n/a"
    lags.sort()
    q = lambda f: lags[min(len(lags) - 1, int(f * len(lags)))]
    return f"stream ahead of deliver_at when a nudge was read: p50 {q(0.5):.1f} h, p90 {q(0.9):.1f} h, max {lags[-1]:.1f} h"


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


@contextlib.contextmanager
def running_stack(work, gen, rate, settle_s=3, produce_timeout_s=600, reactor_seed=1):
    """Streams `engaged loadgen gen...` at `rate` messages/s through the stack, with a Reactor
    answering the nudges. Yields (prometheus, start, end): the API, and the wall-clock interval
    from the first message to the moment everything (the load and the reactions) was consumed
    and the outbox was empty, plus `settle_s` more seconds of scrapes. The stack keeps running
    inside the block, so queries see live targets.

    The rate sets how fast event time runs: a reaction is produced about a second after its
    nudge was decided, and must arrive before the user's partition is more than
    processing.allowed_lateness (7 d) ahead of it (too_late); a mentor's answer should arrive
    before the mentee's partition passes the 24 h SLA. Keep the newest days of the load at a few
    seconds each."""
    events = os.path.join(work, "events.ndjson")
    h.engaged("loadgen", *gen, "-o", events)
    total = sum(1 for _ in open(events))
    metrics_port, prom_port = h.free_port(), h.free_port()
    prom = h.start_prometheus(work, metrics_port, prom_port, RULE_FILES)
    p = Prometheus(prom_port)
    state = os.path.join(work, "state")
    try:
        wait_for(lambda: urllib.request.urlopen(f"http://127.0.0.1:{prom_port}/-/ready", timeout=1), 30,
                 "prometheus ready")
        # The topics the other integration tests use (harness default), created the same way.
        with h.embedded_cluster(work) as bootstrap:
            run = subprocess.Popen([h.ENGAGED, *h.run_args(bootstrap, state, metrics=f"127.0.0.1:{metrics_port}",
                                                            # Short fetch waits: the program topic and the
                                                            # reactions go round trips through Kafka.
                                                            extra=["--set", "state.checkpoint_interval_ms=300",
                                                                   "--set", "kafka.fetch.wait.max.ms=100"])],
                                   stdout=subprocess.DEVNULL, stderr=open(os.path.join(work, "run.log"), "w"))
            h.children.append(run)
            wait_for(lambda: p.scalar('up{job="engaged"}') == 1, 30, "first scrape of engaged")
            start = time.time()
            h.log(f"streaming {total} events at {rate}/s")
            producer = subprocess.Popen([h.ENGAGED, "loadgen", *map(str, gen), "--brokers", bootstrap,
                                         "--rate", str(rate)], stderr=subprocess.DEVNULL)
            h.children.append(producer)
            reactor = Reactor(bootstrap, seed=reactor_seed)
            assert producer.wait(timeout=produce_timeout_s) == 0, "loadgen failed"
            h.log(f"load produced in {time.time() - start:.0f} s")

            seen = {}

            def settled():  # scrapes are 1 s apart: the reactor must have been idle for longer
                seen.update(idle_s=round(reactor.idle_for(), 1), want=total + reactor.produced,
                            consumed=p.scalar('sum(engaged_events_consumed_total{job="engaged"})'),
                            lag=p.scalar('sum(engaged_consumer_lag_messages{job="engaged"})'),
                            outbox=p.scalar('sum(engaged_outbox_entries{job="engaged"})'))
                return (seen["idle_s"] > 2.5 and seen["consumed"] == seen["want"] and seen["lag"] == 0
                        and seen["outbox"] == 0)
            try:
                wait_for(settled, 60, "all events and reactions consumed, outbox empty")
            except TimeoutError as e:
                raise TimeoutError(f"{e}: {seen}") from None
            time.sleep(settle_s)  # a few more scrapes and rule evaluations
            end = time.time()
            too_late = p.scalar('sum(engaged_events_rejected_total{job="engaged",reason="too_late"})') or 0
            h.log(f"ingested in {end - start:.0f} s; {reactor.nudges} nudges, reactions: "
                  f"{dict(reactor.counts)} ({too_late:.0f} events too late); {reaction_lag(p, reactor, start, end)}")
            yield p, start, end
            reactor.close()
            run.terminate()
            run.wait(timeout=30)
    finally:
        h.stop_children()
        prom.terminate()
        prom.wait(timeout=10)
