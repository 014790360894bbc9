"""The daily and retention tables of `engaged replay` equal, cell for cell, those DuckDB computes
from the same NDJSON (tests/oracle/tables.mjs), in several time zones, with 5 % of events
delivered out of order within the allowed lateness and some invalid messages mixed in."""
import os
import subprocess
import sys

import harness as h

work = h.init(sys.argv)
oracle = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "oracle", "tables.mjs")
events = os.path.join(work, "events.ndjson")
h.engaged("loadgen", "--users", 3000, "--days", 45, "--end", "2026-03-31", "--seed", 21,
          "--late-fraction", 0.05, "--invalid-rate", 0.003, "-o", events)
# 2026-03-29 is a daylight-saving switch in Europe; Kolkata has a half-hour offset.
for tz in ("UTC", "America/New_York", "Asia/Kolkata", "Europe/Berlin"):
    state = os.path.join(work, f"state-{tz.replace('/', '_')}")
    h.engaged("replay", "-i", events, "--state", state, "--set", f"processing.timezone={tz}")
    for table in ("daily", "retention"):
        want = subprocess.run(["node", oracle, events, tz, table], capture_output=True, text=True,
                              check=True).stdout
        h.expect_equal(f"{table} in {tz} vs DuckDB", h.report(state, table), want)
print("1 passed, 0 failed")
