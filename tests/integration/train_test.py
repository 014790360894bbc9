"""Acceptance for `engaged train`: observations at the users' own ages and weekly, labels from
the days after (or from a labels file), left out when the log does not cover them; refusals of a
fit set with one outcome and of a bad labels file; a written model that `replay` and
`report risk` use, the same bytes on a second run, refused with other risk.actions."""
import csv
import json
import os
import subprocess
import sys
from datetime import date, timedelta

import harness as h

work = h.init(sys.argv)
day0 = date(2026, 3, 1)


def iso(day):
    return (day0 + timedelta(days=day)).isoformat()


# stay: active every day 0..39; leave: days 0..9; late: days 20..27. The log ends on day 39.
# In time order, as a topic holds them: train observes each day when the next one starts.
lines = []
for user, days in (("stay", range(0, 40)), ("leave", range(0, 10)), ("late", range(20, 28))):
    for d in days:
        lines.append(json.dumps({"event_id": f"{user}-{d}", "user_id": user, "type": "action",
                                 "name": "open_lesson", "ts": f"{iso(d)}T12:00:00Z"}))
lines.sort(key=lambda line: json.loads(line)["ts"])
log = os.path.join(work, "scripted.ndjson")
open(log, "w").write("\n".join(lines) + "\n")


def train(*args):
    return subprocess.run([h.ENGAGED, "train", *map(str, args)], capture_output=True, text=True)


def examples(*args):
    out = os.path.join(work, "examples.csv")
    res = train("-i", log, "--examples-out", out, *args)
    rows = list(csv.DictReader(open(out)))
    return res, sorted((r["kind"], r["day"], r["churned"]) for r in rows)


def expect_rows(name, got, want):
    h.expect_equal(name, "".join(f"{r}\n" for r in got), "".join(f"{r}\n" for r in want))


# Label: no activity in the next 7 days. Observations on day 34 (weekly: (34 - 0) % 7 == 6)
# need days 35..41, which the log does not have: left out (one per user).
res, got = examples("--label-after-days", 7)
expect_rows("observations", got, sorted([
    ("age 7", iso(7), "0"), ("age 14", iso(14), "0"), ("age 21", iso(21), "0"),
    ("age 28", iso(28), "0"),                                   # stay
    ("age 7", iso(7), "0"), ("age 14", iso(14), "1"), ("age 21", iso(21), "1"),
    ("age 28", iso(28), "1"),                                   # leave: silent after day 9
    ("age 7", iso(27), "1"),                                    # late: silent after day 27
]))
assert "9 observations" in res.stdout and "3 left out" in res.stdout, res.stdout

# External labels: as of a day, or as of the end of the log.
labels = os.path.join(work, "labels.csv")
open(labels, "w").write(f"user_id,label,as_of\nstay,0,{iso(10)}\nleave,1\n")
_, got = examples("--labels", labels)
expect_rows("labelled", got, sorted([("label", iso(10), "0"), ("label", iso(39), "1")]))

# Refusals: one outcome only; a malformed labels file names the line.
open(labels, "w").write("stay,0\nleave,0\nlate,0\n")
res, _ = examples("--labels", labels)
assert res.returncode != 0 and "both outcomes are needed" in res.stderr, res.stderr
open(labels, "w").write("stay,0\nleave,yes\n")
res = train("-i", log, "--labels", labels)
assert res.returncode != 0 and "line 2" in res.stderr, res.stderr

# --state keeps the replayed state, but never reuses (or clears) a directory that holds one.
kept = os.path.join(work, "kept")
res = train("-i", log, "--state", kept, "--label-after-days", 7)
assert os.path.isdir(kept) and "9 observations" in res.stdout, res.stdout + res.stderr
res = train("-i", log, "--state", kept, "--label-after-days", 7)
assert res.returncode != 0 and "is not empty" in res.stderr, res.stderr
assert os.listdir(kept), "train cleared a directory it was given"

# A loadgen log: the model file is deterministic and is what replay and report risk use.
gen = os.path.join(work, "gen.ndjson")
h.engaged("loadgen", "--users", 2000, "--days", 45, "--end", "2026-03-31", "--seed", 5, "-o", gen)
models = []
for i in range(2):
    model = os.path.join(work, f"model{i}.yaml")
    out = h.engaged("train", "-i", gen, "-o", model)
    assert "later days, other users" in out, out
    models.append(open(model).read())
assert models[0] == models[1], "train is not deterministic"
assert models[0].count("weight:") == 30 and "format: 3" in models[0], models[0]
# The fit set's users by age band (7 rows of 31 counts) are the percentile feature's reference.
assert "  ages_from: [0, 7, 14, 21, 28, 56, 91]" in models[0], models[0]
assert models[0].count("\n    - [") == 7, models[0]
examples = os.path.join(work, "examples.csv")
h.engaged("train", "-i", gen, "--examples-out", examples)
percentiles = [float(r["activity_percentile_at_age"]) for r in csv.DictReader(open(examples))]
assert all(0 <= p <= 1 for p in percentiles) and len(set(percentiles)) > 10, percentiles[:20]
state = os.path.join(work, "state")
h.engaged("replay", "-i", gen, "--state", state, "--set", f"risk.model={model}")
rows = list(csv.DictReader(h.engaged("report", "risk", "--state", state, "--set",
                                      f"risk.model={model}").splitlines()))
assert rows and rows[0]["reason1"] and rows[0]["why"], rows[:3]
evaluated = h.engaged("train", "-i", gen, "--evaluate", model)
assert "  all " in evaluated, evaluated
# A model that weighs action counts runs only with the risk.actions it was trained with.
counted = os.path.join(work, "counted.yaml")
h.engaged("train", "-i", gen, "-o", counted, "--set", "risk.actions=complete_lesson,search")
assert 'actions: ["complete_lesson", "search"]' in open(counted).read()
res = subprocess.run([h.ENGAGED, "replay", "-i", gen, "--state", os.path.join(work, "other"),
                      "--set", f"risk.model={counted}", "--set", "risk.actions=search"],
                     capture_output=True, text=True)
assert res.returncode != 0 and "risk.actions=complete_lesson,search" in res.stderr, res.stderr
h.log("train: observations, labels, refusals and the model file as expected")
