"""Acceptance: a known event set produced through the embedded Kafka by kcat (an external
client) and consumed by `engaged run` gives the same report as `engaged replay` of the same
file, both equal to tables computed independently here, and byte-identical state; `run` with 2 and
4 stream threads (processing.threads) gives the same state, nudges and dead letters as with 1, and
so does `run` sending its outputs only after each commit (processing.send_outputs=after_commit)
instead of as soon as decided."""
import os
import subprocess
import sys

import harness as h

work = h.init(sys.argv)
events = os.path.join(work, "events.tsv")
h.engaged("loadgen", "--keyed", "--users", 1500, "--days", 40, "--end", "2026-06-30", "--seed", 11,
          "--late-fraction", 0.05, "--invalid-rate", 0.003, "-o", events)
lines = open(events).read().splitlines()
# Producer retries: every 97th message is sent again 50 messages later.
resent = [i for i in range(0, len(lines) - 50, 97)]
for i in reversed(resent):
    lines.insert(i + 50, lines[i])
with open(events, "w") as f:
    f.write("\n".join(lines) + "\n")
h.log(f"{len(lines)} messages, {len(resent)} of them sent twice")

def run_through_kafka(threads, send_outputs="on_decision"):
    """A fresh embedded cluster; kcat produces the file, `engaged run` with `threads` stream
    threads consumes it. Returns the state directory, the dead letters and the nudges topic."""
    with h.embedded_cluster(work) as bootstrap:
        # kcat produces with librdkafka's default partitioner, keyed by user id.
        subprocess.run(["kcat", "-P", "-b", bootstrap, "-t", "app.events", "-K", "\t", "-z", "lz4",
                        "-l", events], check=True)
        state = os.path.join(work, f"run-state-{threads}-{send_outputs}")
        h.engaged(*h.run_args(bootstrap, state,
                              extra=("--set", f"processing.threads={threads}",
                                     "--set", f"processing.send_outputs={send_outputs}")),
                  "--idle-exit-ms", 2500)
        # The dead letters reached their topic with reason headers.
        def topic(name, fmt):
            return subprocess.run(["kcat", "-C", "-b", bootstrap, "-t", name, "-e", "-q", "-f", fmt],
                                  capture_output=True, text=True, check=True).stdout
        dlq = [r for r in topic("app.events.dlq", "%h\n").splitlines() if r]
        # Each partition's nudges in their order on it.
        nudges = sorted(topic("app.nudges", "%p %o %s\n").splitlines(),
                        key=lambda r: tuple(map(int, r.split(" ")[:2])))
    return state, dlq, nudges


run_state, dlq_rows, run_nudges = run_through_kafka(1)
assert run_nudges, "the story decides no nudge: nothing to compare"
# Stream threads: each owns a share of the partitions; the bytes are the same for any count.
# Nudges sent after the commit are the same messages at the same offsets as those sent at once.
for threads, send_outputs in ((2, "on_decision"), (4, "on_decision"), (1, "after_commit")):
    state, dlq, nudges = run_through_kafka(threads, send_outputs)
    what = f"{threads} threads, {send_outputs} vs 1, on_decision"
    h.expect_equal(f"state dump, {what}", h.comparable_dump(state), h.comparable_dump(run_state))
    h.expect_equal(f"nudges, {what}", "\n".join(nudges), "\n".join(run_nudges))
    h.expect_equal(f"dead letters, {what}", "\n".join(sorted(dlq)), "\n".join(sorted(dlq_rows)))
    for table in ("daily", "retention", "summary"):
        h.expect_equal(f"report {table}, {what}", h.report(state, table),
                       h.report(run_state, table))

replay_state = os.path.join(work, "replay-state")
h.engaged("replay", "--keyed", "-i", events, "--state", replay_state, "--nudges",
          os.path.join(work, "nudges.ndjson"))

want_daily, want_retention = h.oracle_tables(lines)
h.expect_equal("run daily vs oracle", h.report(run_state, "daily"), want_daily)
h.expect_equal("run retention vs oracle", h.report(run_state, "retention"), want_retention)
h.expect_equal("replay daily vs run", h.report(replay_state, "daily"), h.report(run_state, "daily"))
h.expect_equal("replay retention vs run", h.report(replay_state, "retention"),
               h.report(run_state, "retention"))
h.expect_equal("replay json vs run json", h.report(replay_state, "daily", "json"),
               h.report(run_state, "daily", "json"))
h.expect_equal("state dump replay vs run", h.comparable_dump(replay_state),
               h.comparable_dump(run_state))

rejected = sum(int(r.split(",")[1]) for r in h.report(run_state, "rejections").splitlines()[1:])
accepted = sum(1 for _ in h.accepted_events(lines))
duplicates = h.duplicates(lines)
assert duplicates > 0
summary = h.report(run_state, "summary")
assert f"within the window): {duplicates}\n" in summary, (duplicates, summary)
assert accepted + rejected == len(lines), (accepted, rejected, len(lines))
assert rejected > 0 and len(dlq_rows) == rejected, (rejected, len(dlq_rows))
assert all("engaged.reason=" in r and "engaged.source.offset=" in r for r in dlq_rows)
h.log(f"ok: {accepted} accepted, {rejected} rejected, {len(dlq_rows)} dead letters with headers")
print("1 passed, 0 failed")
