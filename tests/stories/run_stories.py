#!/usr/bin/env python3
"""Story tests: scripted users in, the exact nudge sequence out (tests as data).

A story file (tests/stories/*.story) holds:
    # comments            what the story is about and why each nudge must (not) happen
    set KEY=VALUE         an engaged setting for this story (repeatable)
    ticks 1h              optional: a `tick` on every partition every hour of the story, so
                          decisions fall exactly on the hour their timer is due
    close TIME            a `tick` on every partition at TIME: the story's end of time
    events:               then one contract-v1 event per line (keyed by user_id)
    nudges:               then the expected nudges, one per line, in decision order:
      DECIDED_AT KIND to=RECIPIENT (ROLE) about=SUBJECT|- deliver@DELIVER_AT|holdout NUDGE_ID

Usage: run_stories.py ENGAGED --via replay|kafka [STORY...]  (default: every story here)
Each story runs on its own: replay into a fresh state, or a fresh embedded cluster + `engaged
run`. Nudges are compared per recipient, in order (the nudges topic keeps order per key only);
`--print` shows what a story produces instead, for writing a new one."""
import json
import os
import subprocess
import sys
import tempfile
import zlib

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "integration"))
import harness  # noqa: E402

PARTITIONS = 6
HERE = os.path.dirname(os.path.abspath(__file__))


def parse_time(text):
    return harness.event_time_ms(text)


def tick_key(partition):
    """A key librdkafka's default partitioner (crc32) sends to `partition`; as sinks/tick.cc."""
    n = 0
    while True:
        key = f"~tick-{partition}-{n}"
        if zlib.crc32(key.encode()) % PARTITIONS == partition:
            return key
        n += 1


def tick_line(partition, ms):
    key = tick_key(partition)
    return ms, key, json.dumps({"event_id": f"tick-{ms}", "user_id": key, "type": "tick", "ts": ms},
                               separators=(",", ":"))


def load(path):
    story = {"settings": [], "ticks": None, "close": None, "events": [], "nudges": []}
    section = None
    for raw in open(path, encoding="utf-8"):
        line = raw.rstrip("\n")
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if line in ("events:", "nudges:"):
            section = line[:-1]
        elif section == "events":
            ev = json.loads(line)
            story["events"].append((parse_time(ev["ts"]), ev["user_id"], line))
        elif section == "nudges":
            story["nudges"].append(" ".join(line.split()))
        elif line.startswith("set "):
            story["settings"].append(line[4:].strip())
        elif line.startswith("ticks "):
            assert line.split()[1] == "1h", "only hourly ticks are supported"
            story["ticks"] = 3600000
        elif line.startswith("close "):
            story["close"] = parse_time(line.split()[1])
        else:
            raise ValueError(f"{path}: cannot read {line!r}")
    assert story["close"], f"{path}: a story needs `close TIME`"
    return story


def input_lines(story):
    """Events and ticks in time order (ticks first at equal times), as key<TAB>json."""
    lines = [(ms, 1, i, key, text) for i, (ms, key, text) in enumerate(story["events"])]
    ticks = set()
    if story["ticks"]:
        start = min(ms for ms, _, _ in story["events"]) // story["ticks"] * story["ticks"]
        ticks.update(range(start, story["close"], story["ticks"]))
    ticks.add(story["close"])
    for ms in sorted(ticks):
        for p in range(PARTITIONS):
            t_ms, key, text = tick_line(p, ms)
            lines.append((t_ms, 0, p, key, text))
    lines.sort()
    return [f"{key}\t{text}" for _, _, _, key, text in lines]


def describe(n):
    target = "holdout" if n["holdout"] else f"deliver@{n['deliver_at']}"
    return (f"{n['decided_at']} {n['kind']} to={n['recipient_user_id']} ({n['recipient_role']}) "
            f"about={n.get('subject_user_id', '-')} {target} {n['nudge_id']}")


def by_recipient(lines):
    out = {}
    for line in lines:
        recipient = line.split()[2][3:]
        out.setdefault(recipient, []).append(line)
    return out


def settings_args(story):
    return [arg for s in story["settings"] for arg in ("--set", s)]


def via_replay(story, work):
    events = os.path.join(work, "events.tsv")
    with open(events, "w") as f:
        f.write("\n".join(input_lines(story)) + "\n")
    nudges = os.path.join(work, "nudges.ndjson")
    harness.engaged("replay", "--input", events, "--keyed", "--partitions", PARTITIONS,
                    "--state", os.path.join(work, "state"), "--nudges", nudges,
                    *settings_args(story))
    return [describe(json.loads(l)) for l in open(nudges)]


def via_kafka(story, work):
    events = os.path.join(work, "events.tsv")
    with open(events, "w") as f:
        f.write("\n".join(input_lines(story)) + "\n")
    with harness.embedded_cluster(work, partitions=PARTITIONS) as bootstrap:
        subprocess.run(["kcat", "-P", "-b", bootstrap, "-t", "app.events", "-K", "\t", "-l",
                        events], check=True)
        harness.engaged(*harness.run_args(bootstrap, os.path.join(work, "state"),
                                          extra=["--idle-exit-ms", "4000", *settings_args(story)]))
        out = subprocess.run(["kcat", "-C", "-b", bootstrap, "-t", "app.nudges", "-e", "-q",
                              "-f", "%k\t%s\n"], check=True, capture_output=True, text=True).stdout
    lines = []
    for row in out.splitlines():
        key, value = row.split("\t", 1)
        n = json.loads(value)
        assert key == n["recipient_user_id"], f"key {key} is not the recipient of {value}"
        lines.append(describe(n))
    return lines


def main():
    args = sys.argv[1:]
    engaged = args.pop(0)
    harness.init([None, engaged])
    via = args[args.index("--via") + 1]
    show = "--print" in args
    stories = [a for a in args if a.endswith(".story")] or sorted(
        os.path.join(HERE, f) for f in os.listdir(HERE) if f.endswith(".story"))
    failed = 0
    for path in stories:
        story = load(path)
        work = tempfile.mkdtemp(prefix="engaged-story-")
        got = (via_replay if via == "replay" else via_kafka)(story, work)
        name = os.path.basename(path)
        if show:
            print(f"== {name}\n" + "\n".join(got))
            continue
        if by_recipient(got) == by_recipient(story["nudges"]):
            harness.log(f"ok   {name} via {via}: {len(got)} nudges")
        else:
            failed += 1
            harness.log(f"FAIL {name} via {via}\n  expected:\n    " +
                        "\n    ".join(story["nudges"]) + "\n  got:\n    " + "\n    ".join(got))
    harness.stop_children()
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
