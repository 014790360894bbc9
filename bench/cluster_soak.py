#!/usr/bin/env python3
"""Soak of state that follows partitions (not in CI: it runs for minutes). The embedded cluster in
its own process, a population streamed into it slowly, N `engaged run` instances in one group,
and every few seconds a random fault: `kill -9` of an instance (restarted on its own disk), or a
move (an instance stopped or killed, its state directory deleted, started again as a new node).
At the end the changelogs are restored and compared with a replay of the same events, and every
nudge the replay decides must be on app.nudges.

Prints the kills, moves, restores (count, records/s, MiB/s) and the comparison.
Usage: bench/cluster_soak.py [--kills 20] [--moves 5] [--instances 3] [--users 3000] [--days 30]
                             [--partitions 6] [--seed 1] [--set KEY=VALUE ...] [--engaged build/engaged]
The hardening issue's soak (100 kills, 20 moves, about 2 M events; ~40 min):
  bench/cluster_soak.py --kills 100 --moves 20 --users 48000 --partitions 96 \
      --set state.changelog_compression=zstd
The embedded cluster keeps ~5 MiB / ~100 k batches per partition and never compacts, so every
changelog record ever written stays until that limit drops the oldest: the input partitions'
changelogs need enough partitions to share the load (2 M events lost the head of one after
~850 k events on 24 partitions), and the program stage's is one partition whatever --partitions
says: about 11 MB before compression at 2 M events, 4.6 MB with zstd (estimated from 124 k
events), close to the limit even now that its pending envelopes are read again from the program
topic instead of stored. The instances report a dropped head and this script
stops on it; a real, compacting cluster (docker/docker-compose.yml) has no such limit."""
import argparse
import atexit
import os
import random
import re
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "tests", "integration"))
import harness as h  # noqa: E402

ap = argparse.ArgumentParser()
ap.add_argument("--kills", type=int, default=20)
ap.add_argument("--moves", type=int, default=5)
ap.add_argument("--instances", type=int, default=3)
ap.add_argument("--users", type=int, default=3000)
ap.add_argument("--days", type=int, default=30)
ap.add_argument("--partitions", type=int, default=6)
ap.add_argument("--seed", type=int, default=1)
ap.add_argument("--set", action="append", default=[], help="a setting for every instance")
ap.add_argument("--engaged", default=os.path.join(os.path.dirname(__file__), "..", "build", "engaged"))
args = ap.parse_args()
work = h.init([sys.argv[0], args.engaged])
atexit.register(h.stop_children)
rng = random.Random(args.seed)
GROUP = "engaged-soak"
gen = ["--users", args.users, "--days", args.days, "--end", "2026-06-30", "--seed", args.seed,
       "--late-fraction", 0.03]
events = os.path.join(work, "events.tsv")
h.engaged("loadgen", "--keyed", *gen, "-o", events)
total = sum(1 for _ in open(events))
faults = args.kills + args.moves
duration = 20 + faults * 16  # each fault costs a session timeout and a rebalance or two
h.log(f"{total} messages over ~{duration} s; {args.instances} instances; "
      f"{args.kills} kills and {args.moves} moves to come; work dir {work}")

n = args.instances
states = [os.path.join(work, f"state{i}") for i in range(n)]
runs, logs, starts = [None] * n, [], [0] * n


def start(i, bootstrap):
    starts[i] += 1
    path = os.path.join(work, f"run{i}.{starts[i]}.log")
    logs.append(path)
    settings = ["state.checkpoint_interval_ms=250", *args.set]
    runs[i] = subprocess.Popen([h.ENGAGED, *h.run_args(bootstrap, states[i], group=GROUP, extra=[
        x for kv in settings for x in ("--set", kv)])], stderr=open(path, "w"))
    h.children.append(runs[i])


kills = moves = 0
with h.embedded_cluster(work, partitions=args.partitions, groups=(GROUP,)) as bootstrap:
    producer = subprocess.Popen([h.ENGAGED, "loadgen", *map(str, gen), "--brokers", bootstrap,
                                 "--rate", str(max(1, total // duration))],
                                stderr=subprocess.DEVNULL)
    h.children.append(producer)
    for i in range(n):
        start(i, bootstrap)
    plan = ["kill"] * args.kills + ["move"] * args.moves
    rng.shuffle(plan)
    for fault in plan:
        time.sleep(rng.uniform(6, 12))
        for path in logs[-2 * n:]:
            if "its head was dropped" in open(path).read() or "were dropped" in open(path).read():
                sys.exit(f"a changelog lost its head ({path}): the embedded cluster's per-partition "
                         "limit is too small for this population; use more partitions or fewer users "
                         "(the program stage's changelog is one partition whatever their number)")
        i = rng.randrange(n)
        if fault == "kill":
            runs[i].send_signal(signal.SIGKILL)
            runs[i].wait()
            kills += 1
            h.log(f"kill -9 instance {i} ({kills} of {args.kills})")
        else:
            if rng.random() < 0.5:
                runs[i].send_signal(signal.SIGTERM)
                runs[i].wait(timeout=60)
                how = "stopped"
            else:
                runs[i].send_signal(signal.SIGKILL)
                runs[i].wait()
                how = "killed"
            subprocess.run(["rm", "-rf", states[i]], check=True)
            moves += 1
            h.log(f"move: instance {i} {how}, its disk wiped, started as a new node "
                  f"({moves} of {args.moves})")
        time.sleep(rng.uniform(0, 4))
        start(i, bootstrap)
    producer.wait()
    h.log("producer done; letting the instances catch up")
    time.sleep(30)
    for r in runs:
        r.send_signal(signal.SIGTERM)
    for r in runs:
        r.wait(timeout=120)
    topic = subprocess.run(["kcat", "-C", "-b", bootstrap, "-t", "app.nudges", "-e", "-q"],
                           check=True, capture_output=True, text=True).stdout.splitlines()
    restored_dir = os.path.join(work, "restored")
    out = subprocess.run([h.ENGAGED, "restore", "--brokers", bootstrap, "--group", GROUP,
                          "--state", restored_dir], check=True, capture_output=True, text=True)
    final_restore = out.stderr.strip().splitlines()[-1]

pattern = re.compile(r"restored (\d+) records \(([\d.]+) MiB\) in ([\d.]+) s")
restores = [tuple(map(float, m.groups())) for path in logs for m in pattern.finditer(open(path).read())]
records = sum(r for r, _, _ in restores)
mib = sum(m for _, m, _ in restores)
seconds = sum(s for _, _, s in restores)
replay_state = os.path.join(work, "replay")
replay_nudges = os.path.join(work, "nudges.ndjson")
h.engaged("replay", "--keyed", "-i", events, "--state", replay_state, "--nudges", replay_nudges,
          "--partitions", args.partitions)
decided = [l.rstrip("\n") for l in open(replay_nudges)]
sent = set(topic)
missing = [x for x in decided if x not in sent]
unexpected = sent - set(decided)
print(f"faults: {kills} kills, {moves} moves, {sum(starts)} starts of {n} instances")
print(f"restores during the run: {len(restores)} partitions, {records:.0f} records, {mib:.1f} MiB "
      f"in {seconds:.2f} s ({records / max(seconds, 1e-9):,.0f} records/s, "
      f"{mib / max(seconds, 1e-9):.1f} MiB/s)")
print(f"final engaged restore: {final_restore}")
print(f"nudges: {len(decided)} decided by the replay, {len(topic)} messages on app.nudges "
      f"({len(topic) - len(sent)} re-sent), {len(missing)} missing, {len(unexpected)} unexpected")
ok = not missing and not unexpected
for table in ("daily", "retention", "risk"):
    same = h.report(restored_dir, table) == h.report(replay_state, table)
    ok &= same
    print(f"report {table}: {'equal' if same else 'DIFFERENT'} to the replay's")
same = h.comparable_dump(restored_dir) == h.comparable_dump(replay_state)
ok &= same
print(f"state dump: {'equal' if same else 'DIFFERENT'} to the replay's")
sys.exit(0 if ok else 1)
