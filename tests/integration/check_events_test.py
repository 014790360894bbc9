#!/usr/bin/env python3
"""`engaged check-events` on the contract's fixtures (tests/fixtures/events): every valid one
accepted, every invalid one rejected with the reason its file name starts with, on the line it
is on; keyed lines whose key is not the user_id are key_mismatch; exit 0 only when all pass."""
import os
import subprocess
import sys
import tempfile

import harness as h

h.ENGAGED = sys.argv[1]
root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fixtures", "events")


def one_line_fixtures(kind):
    """(file, bytes) of the fixtures that fit on one NDJSON line (no newline inside)."""
    out = []
    for name in sorted(os.listdir(os.path.join(root, kind))):
        data = open(os.path.join(root, kind, name), "rb").read().rstrip(b"\n")
        if name.endswith(".json") and b"\n" not in data and len(data) < 60000:
            out.append((name, data))
    return out


valid, invalid = one_line_fixtures("valid"), one_line_fixtures("invalid")
assert len(valid) >= 10 and len(invalid) >= 40, (len(valid), len(invalid))
with tempfile.TemporaryDirectory() as work:
    sample = os.path.join(work, "sample.ndjson")
    expected = {}
    with open(sample, "wb") as f:
        for n, (name, data) in enumerate(valid + invalid, start=1):
            f.write(data + b"\n")
            if (name, data) in invalid:
                expected[n] = name.split("--")[0]
    res = subprocess.run([h.ENGAGED, "check-events", sample, "--max-shown", "1000"],
                         capture_output=True, text=True)
    assert res.returncode == 1, (res.returncode, res.stderr)
    got = {}
    for line in res.stdout.splitlines():
        if line.startswith("line "):
            where, reason = line.split(": ", 2)[:2]
            got[int(where[len("line "):])] = reason.split(" (")[0]
    wrong = {n: (expected.get(n), got.get(n)) for n in set(expected) | set(got)
             if expected.get(n) != got.get(n)}
    assert not wrong, f"line: (fixture's reason, check-events' reason): {wrong}"
    total = len(valid) + len(invalid)
    assert f"{total} lines: {len(valid)} accepted, {len(invalid)} rejected" in res.stdout, res.stdout

    # The valid ones alone pass; keyed, a key that is not the user_id is key_mismatch.
    with open(sample, "wb") as f:
        for _, data in valid:
            f.write(data + b"\n")
    assert subprocess.run([h.ENGAGED, "check-events", sample], capture_output=True).returncode == 0
    keyed = os.path.join(work, "keyed.tsv")
    with open(keyed, "w") as f:
        f.write('u1\t{"event_id":"e1","user_id":"u1","type":"check_in","ts":"2026-03-01T10:00:00Z"}\n')
        f.write('u2\t{"event_id":"e2","user_id":"u1","type":"check_in","ts":"2026-03-01T10:00:00Z"}\n')
    res = subprocess.run([h.ENGAGED, "check-events", "--keyed", keyed], capture_output=True,
                         text=True)
    assert res.returncode == 1 and res.stdout.startswith("line 2: key_mismatch"), res.stdout
h.log(f"check-events: {len(valid)} valid and {len(invalid)} invalid fixtures, each as expected")
print("1 passed, 0 failed")
