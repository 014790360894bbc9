"""The stack the dashboards are tested and rendered on: the embedded cluster, the load generator
streaming into it, `engaged run` serving /metrics on loopback, and Debian's `prometheus`
scraping it every second with the rules of dashboards/prometheus loaded. Everything listens on
127.0.0.1 and stops when the `with` block ends.

Used by tests/dashboards/dashboards_e2e_test.py and scripts/render-dashboards.py."""
import contextlib
import json
import os
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
def running_stack(work, gen, rate, settle_s=3, produce_timeout_s=600):
    """Streams `engaged loadgen gen...` at `rate` messages/s through the stack. Yields
    (prometheus, start, end): the API, and the wall-clock interval from the first message to
    the moment everything was consumed (plus `settle_s` more seconds of scrapes). The stack
    keeps running inside the block, so queries see live targets."""
    events = os.path.join(work, "events.ndjson")
    h.engaged("loadgen", *gen, "-o", events)
    total = sum(1 for _ in open(events))
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
    prom_log = open(os.path.join(work, "prometheus.log"), "w")
    prom = subprocess.Popen(["prometheus", f"--config.file={work}/prometheus.yml",
                             f"--storage.tsdb.path={work}/tsdb",
                             f"--web.listen-address=127.0.0.1:{prom_port}"],
                            stdout=subprocess.DEVNULL, stderr=prom_log)
    p = Prometheus(prom_port)
    state = os.path.join(work, "state")
    try:
        wait_for(lambda: urllib.request.urlopen(f"http://127.0.0.1:{prom_port}/-/ready", timeout=1), 30,
                 "prometheus ready")
        # The topics the other integration tests use (harness default), created the same way.
        with h.embedded_cluster(work) as bootstrap:
            run = subprocess.Popen([h.ENGAGED, *h.run_args(bootstrap, state, metrics=f"127.0.0.1:{metrics_port}",
                                                            extra=["--set", "state.checkpoint_interval_ms=300"])],
                                   stdout=subprocess.DEVNULL, stderr=open(os.path.join(work, "run.log"), "w"))
            h.children.append(run)
            wait_for(lambda: p.scalar('up{job="engaged"}') == 1, 30, "first scrape of engaged")
            start = time.time()
            h.log(f"streaming {total} events at {rate}/s")
            producer = subprocess.Popen([h.ENGAGED, "loadgen", *map(str, gen), "--brokers", bootstrap,
                                         "--rate", str(rate)], stderr=subprocess.DEVNULL)
            h.children.append(producer)
            assert producer.wait(timeout=produce_timeout_s) == 0, "loadgen failed"
            wait_for(lambda: p.scalar('sum(engaged_events_consumed_total{job="engaged"})') == total and
                     p.scalar('sum(engaged_consumer_lag_messages{job="engaged"})') == 0, 60,
                     "all events consumed")
            time.sleep(settle_s)  # a few more scrapes and rule evaluations
            end = time.time()
            h.log(f"ingested in {end - start:.0f} s")
            yield p, start, end
            run.terminate()
            run.wait(timeout=30)
    finally:
        h.stop_children()
        prom.terminate()
        prom.wait(timeout=10)
