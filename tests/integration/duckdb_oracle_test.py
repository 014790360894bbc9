"""The daily and retention tables of `engaged replay` equal, cell for cell, those DuckDB computes
from the same NDJSON (tests/oracle/tables.mjs), in several time zones, with 5 % of events
delivered out of order within the allowed lateness and some invalid messages mixed in; and
for every retention variant (on day N / unbounded, daily / weekly / signup cohorts), sessions
(from session ids and from the inactivity gap), NPS and revenue with paying users, and
under a configured activity definition (which types and action names count)."""
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
    for table, args in (("daily", []), ("retention", []),
                        ("retention-unbounded", ["--kind", "unbounded"]),
                        ("retention-weekly", ["--cohorts", "weekly"]),
                        ("retention-weekly-unbounded", ["--cohorts", "weekly", "--kind", "unbounded"]),
                        ("retention-signup", ["--cohorts", "signup"]),
                        ("sessions", []), ("nps", []), ("revenue", [])):
        want = subprocess.run(["node", oracle, events, tz, table], capture_output=True, text=True,
                              check=True).stdout
        got = h.engaged("report", table.split("-")[0], "--state", state, *args)
        h.expect_equal(f"{table} in {tz} vs DuckDB", got, want)

# A product-specific activity definition: opening the app or searching is not "active".
types, excluded = "action,purchase,check_in", "search,open_profile"
state = os.path.join(work, "state-configured")
h.engaged("replay", "-i", events, "--state", state, "--set", "processing.timezone=Europe/Berlin",
          "--set", f"activity.event_types={types}", "--set", f"activity.excluded_action_names={excluded}")
for table in ("daily", "retention"):
    want = subprocess.run(["node", oracle, events, "Europe/Berlin", table, types, excluded],
                          capture_output=True, text=True, check=True).stdout
    h.expect_equal(f"{table} with activity = {types} minus {excluded}", h.report(state, table), want)
assert h.report(state, "daily") != h.report(os.path.join(work, "state-Europe_Berlin"), "daily")
print("1 passed, 0 failed")
