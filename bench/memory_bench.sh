#!/usr/bin/env bash
# Memory against users (issue 13, target 5): `replay` of a few days of a loadgen population of
# each size, with state.memory_budget as given, printing events/s and peak RSS, and RSS over the
# budget. The sizes are user counts (10000000 needs about 6 GB of disk for its file).
# Usage: [BIN=build/engaged] [BUDGET=1073741824] [DAYS=3] [THREADS=2] bench/memory_bench.sh [users...]
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${BIN:-build/engaged}
"$BIN" --version  # the figures depend on it: -DENGAGED_MARCH=native for the fastest
BUDGET=${BUDGET:-1073741824}
DAYS=${DAYS:-3}
WORK=$(mktemp -d /tmp/engaged-memory.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
for USERS in "${@:-100000 1000000}"; do
  $BIN loadgen --users "$USERS" --days "$DAYS" --end 2026-06-30 --seed 1 -o "$WORK/events.ndjson" \
    2>/dev/null
  EVENTS=$(wc -l <"$WORK/events.ndjson")
  sync
  rm -rf "$WORK/state"
  /usr/bin/time -f "%e %U %S %M" -o "$WORK/time" $BIN replay -i "$WORK/events.ndjson" \
    --state "$WORK/state" --threads "${THREADS:-2}" --set "state.memory_budget=$BUDGET" 2>/dev/null
  read -r WALL USER SYS RSS_KB <"$WORK/time"
  python3 - "$USERS" "$EVENTS" "$WALL" "$USER" "$SYS" "$RSS_KB" "$BUDGET" <<'PY'
import sys
users, events = int(sys.argv[1]), int(sys.argv[2])
wall, user, sys_ = map(float, sys.argv[3:6])
rss, budget = int(sys.argv[6]) * 1024, int(sys.argv[7])
print(f"{users:,} users, {events:,} events: {events / wall:,.0f} events/s "
      f"({events / (user + sys_):,.0f} per core); peak RSS {rss / 2**20:,.0f} MiB = "
      f"{rss / budget:.2f} x the budget of {budget / 2**20:,.0f} MiB")
PY
  rm -f "$WORK/events.ndjson"
done
