"""Acceptance: replaying the same log gives the same nudges, byte for byte: twice with the same
settings, with one worker or three instead of two (partitions are independent and the program
stage merges their records in a fixed order), and from stdin. The state is identical too."""
import os
import sys

import harness as h

work = h.init(sys.argv)
events = os.path.join(work, "events.ndjson")
h.engaged("loadgen", "--users", 4000, "--days", 45, "--end", "2026-06-30", "--seed", 11,
          "--late-fraction", 0.03, "-o", events)
runs = []
for name, threads, stdin in (("first", 2, False), ("second", 2, False), ("one worker", 1, False),
                             ("three workers", 3, False), ("stdin", 2, True)):
    state, nudges = os.path.join(work, f"state-{len(runs)}"), os.path.join(work, f"n{len(runs)}")
    with open(events) as f:
        h.engaged("replay", "-i", "-" if stdin else events, "--state", state, "--threads", threads,
                  "--nudges", nudges, stdin=f if stdin else None)
    runs.append((name, state, open(nudges).read()))
decided = runs[0][2].splitlines()
kinds = {}
for line in decided:
    kind = line.split('"kind":"', 1)[1].split('"', 1)[0]
    kinds[kind] = kinds.get(kind, 0) + 1
h.log(f"{len(decided)} nudges: {kinds}")
assert len(kinds) >= 3 and '"holdout":true' in runs[0][2], "the log must exercise the engine"
for name, state, nudges in runs[1:]:
    h.expect_equal(f"nudges of the {name} replay", nudges, runs[0][2])
    h.expect_equal(f"state of the {name} replay", h.state_dump(state), h.state_dump(runs[0][1]))
    h.expect_equal(f"uplift of the {name} replay", h.report(state, "uplift"),
                   h.report(runs[0][1], "uplift"))
print("1 passed, 0 failed")
