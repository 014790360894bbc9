#!/usr/bin/env python3
"""Figure stories: events in, a report table out, compared byte for byte (tests as data, in the
manner of DuckDB's sqllogictest).

A figure file (tests/figures/*.figure) holds:
    # comments            what the story checks and why each value is what it is
    set KEY=VALUE         an engaged setting (repeatable)
    events:               then one contract-v1 event per line, in input order
    report NAME [ARG...]: then the exact CSV `engaged report NAME ARG...` must print
                          (repeatable; each section ends at the next section)

Usage: run_figures.py ENGAGED [FIGURE...]  (default: every figure file here). Each file is
replayed into a fresh state (6 partitions, keyed by user_id, the input order kept within a
user); `--print` prints the reports instead, for writing a new file."""
import json
import os
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "integration"))
import harness  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))


def load(path):
    story = {"settings": [], "events": [], "reports": []}
    section = None
    for raw in open(path, encoding="utf-8"):
        line = raw.rstrip("\n")
        if line.startswith("#") or (not line.strip() and section != "report"):
            continue
        if line == "events:":
            section = "events"
        elif line.startswith("report ") and line.endswith(":"):
            section = "report"
            story["reports"].append((line[len("report "):-1].split(), []))
        elif section is None and line.startswith("set "):
            story["settings"].append(line[4:])
        elif section == "events":
            event = json.loads(line)
            story["events"].append(f"{event['user_id']}\t{line}")
        elif section == "report":
            story["reports"][-1][1].append(line)
        else:
            raise ValueError(f"{path}: unexpected line {line!r}")
    return story


def run(path, print_only):
    story = load(path)
    with tempfile.TemporaryDirectory(prefix="engaged-figure-") as work:
        events = os.path.join(work, "events.tsv")
        with open(events, "w") as f:
            f.write("\n".join(story["events"]) + "\n")
        state = os.path.join(work, "state")
        settings = [arg for s in story["settings"] for arg in ("--set", s)]
        harness.engaged("replay", "--input", events, "--keyed", "--partitions", 6, "--state",
                        state, *settings)
        failures = 0
        for args, expected in story["reports"]:
            got = harness.engaged("report", *args, "--state", state, *settings)
            want = "\n".join(l for l in expected if l.strip()) + "\n"
            if print_only:
                print(f"report {' '.join(args)}:\n{got}")
            elif got != want:
                failures += 1
                print(f"FAIL {os.path.basename(path)}: report {' '.join(args)}\n"
                      f"--- expected\n{want}--- got\n{got}")
        return failures


def main():
    args = sys.argv[1:]
    print_only = "--print" in args
    args = [a for a in args if a != "--print"]
    harness.ENGAGED = args[0]
    paths = args[1:] or sorted(os.path.join(HERE, f) for f in os.listdir(HERE)
                               if f.endswith(".figure"))
    failures = sum(run(p, print_only) for p in paths)
    print(f"{len(paths)} figure files, {failures} failing reports")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
