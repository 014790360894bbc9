"""Acceptance: an idle partition's event time moves on by a `tick` that `engaged run` itself
produces into the input topic (processing.idle_tick), so the silence timers fire without any
user event, and the tick is recorded: a replay of the topic as kcat reads it gives the very same
state as the run that produced the ticks."""
import json
import os
import subprocess
import sys
import time

import harness as h

work = h.init(sys.argv)
now_ms = int(time.time() * 1000)
day = 86400000
# Two users who were active a week ago and went quiet: only event time can make them at risk.
lines = []
for user in ("quiet-ann", "quiet-bob"):
    for i, back in enumerate((9, 8, 7)):
        ev = {"event_id": f"{user}-{i}", "user_id": user, "type": "action", "name": "open_lesson",
              "ts": now_ms - back * day}
        lines.append(f"{user}\t{json.dumps(ev, separators=(',', ':'))}")
events = os.path.join(work, "events.tsv")
open(events, "w").write("\n".join(lines) + "\n")
state = os.path.join(work, "state")
with h.embedded_cluster(work) as bootstrap:
    subprocess.run(["kcat", "-P", "-b", bootstrap, "-t", "app.events", "-K", "\t", "-l", events],
                   check=True)
    h.engaged(*h.run_args(bootstrap, state, extra=["--set", "processing.idle_tick=1s",
                                                    "--idle-exit-ms", "5000"]))
    read = subprocess.run(["kcat", "-C", "-b", bootstrap, "-t", "app.events", "-e", "-q",
                           "-f", "%p\t%o\t%k\t%s\n"], check=True, capture_output=True,
                          text=True).stdout.splitlines()
# The run may produce one last tick and reach its idle exit before consuming it; a later run
# would take it. Compare with what the run consumed: each partition up to its stored offset.
consumed = {}
for line in h.state_dump(state).splitlines():
    if line.startswith("offsets "):
        _, partition, value = line.split()
        consumed[int(partition, 16)] = h.stored_offset(value)
topic = [l.split("\t", 2)[2] for l in read
         if int(l.split("\t", 2)[1]) < consumed.get(int(l.split("\t", 1)[0]), 0)]
h.log(f"{len(read) - len(topic)} message(s) produced after the run's last consumption left out")
ticks = [l for l in topic if '"type":"tick"' in l]
h.log(f"{len(topic)} messages on app.events, {len(ticks)} of them ticks")
assert ticks, "idle partitions must have been ticked"
assert all(l.split("\t", 1)[0].startswith("~tick-") for l in ticks)
risk = h.report(state, "risk").splitlines()[1:]
h.log("risk after the ticks: " + "; ".join(risk))
assert all(float(r.split(",")[1]) >= 0.5 for r in risk), "the silent users must be at risk now"
dump = os.path.join(work, "topic.tsv")
open(dump, "w").write("\n".join(topic) + "\n")
replay_state = os.path.join(work, "replay")
h.engaged("replay", "--keyed", "-i", dump, "--state", replay_state, "--nudges",
          os.path.join(work, "nudges.ndjson"))
# The run stopped while its last ticks' watermarks were still on their way to the program stage,
# which the replay (whose watermarks are the final stream times) does not wait for: the merge's
# watermarks (the merge sources' records, kind S) are the one thing that may differ; every
# decision and all other state may not.
merge = "program 7ffffff0" + b"S".hex()
h.expect_equal("state of a replay of the ticked topic",
               "\n".join(l for l in h.comparable_dump(replay_state).splitlines() if not l.startswith(merge)),
               "\n".join(l for l in h.comparable_dump(state).splitlines() if not l.startswith(merge)))
print("1 passed, 0 failed")
