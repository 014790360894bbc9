#!/usr/bin/env python3
"""The producer examples (examples/python, examples/node) against the embedded cluster: each
produces its events, `engaged run` consumes them with the partitioner that example's client
uses, and every event is applied: no rejection, the expected users, sessions and revenue."""
import json
import os
import subprocess
import sys

import harness as h

work = h.init(sys.argv)
ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
USERS = 24  # each: 5 events, and a purchase for every 4th


def run_example(name, command, partitioner):
    with h.embedded_cluster(work, groups=(name,)) as bootstrap:
        res = subprocess.run([*command, "--bootstrap", bootstrap, "--users", str(USERS)],
                             capture_output=True, text=True, timeout=120)
        assert res.returncode == 0, (name, res.stdout, res.stderr)
        produced = int(res.stdout.split()[1])
        assert produced == USERS * 5 + USERS // 4, res.stdout
        state = os.path.join(work, name)
        h.engaged(*h.run_args(bootstrap, state, group=name,
                              extra=["--set", f"input.partitioner={partitioner}",
                                     "--idle-exit-ms", "3000"]), timeout=120)
    summary = json.loads(h.engaged("report", "summary", "--state", state, "--format", "json"))
    assert summary["messages"] == produced and summary["rejections"] == {}, summary
    assert summary["days"][-1]["new"] + sum(d["new"] for d in summary["days"][:-1]) == USERS, summary
    sessions = h.engaged("report", "sessions", "--state", state).splitlines()
    assert sum(int(row.split(",")[1]) for row in sessions[1:]) == USERS, sessions
    h.log(f"{name}: {produced} events produced, all applied ({partitioner})")


run_example("python", ["/usr/bin/python3", os.path.join(ROOT, "examples/python/produce_events.py")],
            "consistent_random")
run_example("node", ["node", os.path.join(ROOT, "examples/node/produce-events.mjs")],
            "murmur2_random")
h.stop_children()
print("1 passed, 0 failed")
