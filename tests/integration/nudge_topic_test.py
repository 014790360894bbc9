"""Acceptance (issue 4): what `engaged run` writes to the nudges topic of the embedded cluster,
read back by kcat (an external client), is the nudge.v1 contract and the same nudges as
`engaged replay` of the same log.

1. The schema itself: tests/schema/nudge-fixtures valid/ are accepted and invalid/ rejected.
2. A loadgen population is produced with kcat, `engaged run` consumes it until idle, and kcat
   reads app.nudges with keys. Then:
   - every message validates against schemas/nudge.v1.schema.json (ajv, 2020-12);
   - the key is recipient_user_id; nudge ids are unique;
   - what the schema cannot say: deliver_at >= decided_at, equal on holdouts and sales leads;
     the subject is not the recipient; reasons by decreasing contribution, features once;
   - the sorted messages are byte-identical to the sorted lines of `engaged replay --nudges`;
   - there is at least one mentor_match, mentor_reminder and sales_lead, and one holdout.

Usage: nudge_topic_test.py path/to/engaged. Needs node (tests/schema/node_modules) and kcat."""
import collections
import json
import os
import subprocess
import sys

sys.dont_write_bytecode = True
import harness as h  # noqa: E402

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
VALIDATOR = os.path.join(ROOT, "tests", "schema", "validate-nudges.mjs")
NODE = os.environ.get("NODE", "node")  # CTest passes the node it found
TOPIC = "app.nudges"  # the default nudges.topic; the embedded cluster always creates it

work = h.init(sys.argv)
failures = []


def check(cond, what):
    if not cond:
        failures.append(what)
        print(f"FAIL {what}", flush=True)


# 1. The schema against hand-written documents.
res = subprocess.run([NODE, VALIDATOR, "--fixtures"], capture_output=True, text=True)
print(res.stdout, end="", flush=True)
check(res.returncode == 0, f"nudge fixtures: {res.stderr.strip() or res.stdout.strip().splitlines()[-1:]}")

# 2. The topic.
events = os.path.join(work, "events.tsv")
h.engaged("loadgen", "--users", 3000, "--days", 45, "--end", "2026-06-30", "--seed", 42, "--keyed",
          "-o", events)
h.log(f"{sum(1 for _ in open(events))} messages")
with h.embedded_cluster(work) as bootstrap:
    subprocess.run(["kcat", "-P", "-b", bootstrap, "-t", "app.events", "-K", "\t", "-z", "lz4",
                    "-l", events], check=True)
    h.log("produced; engaged run")
    h.engaged(*h.run_args(bootstrap, os.path.join(work, "run-state")), "--idle-exit-ms", 2500)
    # Keys and values are UTF-8 JSON-escaped text: neither contains a tab or a newline.
    out = subprocess.run(["kcat", "-C", "-b", bootstrap, "-t", TOPIC, "-e", "-q", "-f", "%k\t%s\n"],
                         capture_output=True, text=True, check=True).stdout
messages = [line.split("\t", 1) for line in out.splitlines() if line]
values = [v for _, v in messages]
h.log(f"{len(messages)} messages on {TOPIC}")

res = subprocess.run([NODE, VALIDATOR], input="\n".join(values) + "\n", capture_output=True,
                     text=True)
print(res.stdout, end="", flush=True)
check(res.returncode == 0, f"schema: {res.stdout.strip().splitlines()[-1:]} {res.stderr.strip()}")

nudges = []
for key, value in messages:
    try:
        nudges.append((key, json.loads(value)))
    except ValueError as e:
        check(False, f"not JSON ({e}): {value[:200]}")
bad_keys = [(k, n.get("recipient_user_id")) for k, n in nudges if k != n.get("recipient_user_id")]
check(not bad_keys, f"{len(bad_keys)} keys differ from recipient_user_id, e.g. {bad_keys[:3]}")
ids = collections.Counter(n.get("nudge_id") for _, n in nudges)
dups = [i for i, c in ids.items() if c > 1]
check(not dups, f"{len(dups)} nudge ids appear more than once, e.g. {dups[:3]}")

semantic = []
for _, n in nudges:
    nid, decided, deliver = n.get("nudge_id"), n.get("decided_at", ""), n.get("deliver_at", "")
    # Same fixed-width UTC form (the schema checks it): string order is time order.
    if deliver < decided:
        semantic.append(f"{nid}: deliver_at {deliver} before decided_at {decided}")
    if (n.get("holdout") or n.get("kind") == "sales_lead") and deliver != decided:
        semantic.append(f"{nid}: a holdout or sales lead deferred to {deliver}")
    if n.get("subject_user_id") == n.get("recipient_user_id"):
        semantic.append(f"{nid}: about its own recipient")
    reasons = n.get("reasons", [])
    contributions = [r.get("contribution", 0) for r in reasons]
    if contributions != sorted(contributions, reverse=True):
        semantic.append(f"{nid}: reasons not by decreasing contribution")
    if len({r.get("feature") for r in reasons}) != len(reasons):
        semantic.append(f"{nid}: a reason twice")
for s in semantic[:20]:
    print(f"  {s}")
check(not semantic, f"{len(semantic)} nudges break rules the schema cannot express")

# The same log through replay: the same decisions, byte for byte.
replayed = os.path.join(work, "replay-nudges.ndjson")
h.engaged("replay", "--keyed", "--input", events, "--state", os.path.join(work, "replay-state"),
          "--nudges", replayed)
want = sorted(line for line in open(replayed).read().splitlines() if line)
got = sorted(values)
if got != want:
    only_run, only_replay = sorted(set(got) - set(want)), sorted(set(want) - set(got))
    for line in only_run[:5]:
        print(f"  only in {TOPIC}: {line}")
    for line in only_replay[:5]:
        print(f"  only in replay: {line}")
    check(False, f"{TOPIC} ({len(got)}) differs from replay --nudges ({len(want)}): "
                 f"{len(only_run)} only in the topic, {len(only_replay)} only in replay")
else:
    h.log(f"ok: {TOPIC} equals replay --nudges ({len(want)} lines)")

counts = collections.Counter((n.get("kind"), n.get("recipient_role"), n.get("holdout")) for _, n in nudges)
for (kind, role, holdout), c in sorted(counts.items(), key=str):
    print(f"  {kind:16} {role:7} holdout={str(holdout).lower():5} {c}")
kinds = collections.Counter(n.get("kind") for _, n in nudges)
for kind in ("mentor_match", "mentor_reminder", "sales_lead"):
    check(kinds[kind] > 0, f"no {kind} nudge")
check(any(n.get("holdout") is True for _, n in nudges), "no holdout nudge")
print(f"{len(nudges)} nudges: " + ", ".join(f"{k} {c}" for k, c in sorted(kinds.items())) +
      f"; holdout {sum(n.get('holdout') is True for _, n in nudges)}")
print(f"{'0 passed, 1 failed' if failures else '1 passed, 0 failed'}")
sys.exit(1 if failures else 0)
