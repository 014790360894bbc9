"""Acceptance: with the embedded cluster in its own process, `engaged run` is killed with
SIGKILL mid-stream at several points while the load generator is producing, restarted each
time, and the final report and state equal those of an uninterrupted replay of the same data.
Every nudge the uninterrupted replay decides is on the nudges topic (a crash may re-send one with
the same id, never lose one), and nothing else is."""
import collections
import json
import os
import random
import signal
import subprocess
import sys
import time

import harness as h

work = h.init(sys.argv)
kills = int(os.environ.get("ENGAGED_CRASH_KILLS", "3"))
gen = ["--users", 6000, "--days", 30, "--end", "2026-06-30", "--seed", 5, "--late-fraction", 0.03]
events = os.path.join(work, "events.tsv")
h.engaged("loadgen", "--keyed", *gen, "-o", events)
total = sum(1 for _ in open(events))
h.log(f"{total} messages")

state = os.path.join(work, "state")
rng = random.Random(1)
with h.embedded_cluster(work) as bootstrap:
    producer = subprocess.Popen([h.ENGAGED, "loadgen", *map(str, gen), "--brokers", bootstrap,
                                 "--rate", str(total // (15 * kills))], stderr=subprocess.DEVNULL)
    args = [h.ENGAGED, *h.run_args(bootstrap, state, extra=[
        "--set", "state.checkpoint_interval_ms=100"])]
    progress = []
    for i in range(kills):
        consumer = subprocess.Popen(args, stderr=subprocess.DEVNULL)
        time.sleep(12.5 + rng.random() * 2)  # re-joining takes session.timeout.ms + a rebalance
        consumer.send_signal(signal.SIGKILL)
        consumer.wait()
        applied = h.applied_offsets(state)
        h.log(f"kill -9 #{i + 1}: {applied} of {total} messages checkpointed")
        assert 0 < applied < total, "the kill must land mid-stream"
        progress.append(applied)
    assert progress == sorted(progress), progress
    producer.wait()
    subprocess.run(args + ["--idle-exit-ms", "3000"], check=True, stderr=subprocess.DEVNULL)
    topic = subprocess.run(["kcat", "-C", "-b", bootstrap, "-t", "app.nudges", "-e", "-q"],
                           check=True, capture_output=True, text=True).stdout.splitlines()

replay_state = os.path.join(work, "replay-state")
replay_nudges = os.path.join(work, "nudges.ndjson")
h.engaged("replay", "--keyed", "-i", events, "--state", replay_state, "--nudges", replay_nudges)
decided = [l.rstrip("\n") for l in open(replay_nudges)]
sent = collections.Counter(topic)
missing = [n for n in decided if n not in sent]
unexpected = set(sent) - set(decided)
h.log(f"{len(decided)} nudges decided; on the topic: {len(topic)} messages, "
      f"{sum(c - 1 for c in sent.values())} of them re-sent after a kill")
assert decided and not missing, f"{len(missing)} decided nudges missing, e.g. {missing[:2]}"
assert not unexpected, f"{len(unexpected)} nudges nobody decided, e.g. {list(unexpected)[:2]}"
assert len({json.loads(n)["nudge_id"] for n in decided}) == len(decided), "nudge ids repeat"
for table in ("daily", "retention", "rejections"):
    h.expect_equal(f"{table} after {kills} kills vs uninterrupted",
                   h.report(state, table), h.report(replay_state, table))
h.expect_equal("state dump", h.comparable_dump(state), h.comparable_dump(replay_state))
print("1 passed, 0 failed")
