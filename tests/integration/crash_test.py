"""Acceptance: with the embedded cluster in its own process, `engaged run` is killed with
SIGKILL mid-stream at several points while the load generator is producing, restarted each
time, and the final report and state equal those of an uninterrupted replay of the same data."""
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

replay_state = os.path.join(work, "replay-state")
h.engaged("replay", "--keyed", "-i", events, "--state", replay_state)
for table in ("daily", "retention", "rejections"):
    h.expect_equal(f"{table} after {kills} kills vs uninterrupted",
                   h.report(state, table), h.report(replay_state, table))
h.expect_equal("state dump", h.state_dump(state), h.state_dump(replay_state))
print("1 passed, 0 failed")
