#!/usr/bin/env bash
# Replay throughput with durable state: a 5 M-event loadgen file through `engaged replay`.
# Prints events/s (wall), events/s per core (CPU time), peak RSS.
# Usage: [THREADS=2] bench/replay_bench.sh [users]
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=build/engaged
USERS=${1:-72000}
WORK=$(mktemp -d /tmp/engaged-bench.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
$BIN loadgen --users "$USERS" --days 60 --end 2026-06-30 --seed 1 -o "$WORK/events.ndjson" 2>/dev/null
EVENTS=$(wc -l < "$WORK/events.ndjson")
sync  # the input's writeback is loadgen's cost, not replay's
/usr/bin/time -f "%e %U %S %M" -o "$WORK/time" \
  $BIN replay -i "$WORK/events.ndjson" --state "$WORK/state" --threads "${THREADS:-2}" 2>/dev/null
read -r WALL USER SYS RSS_KB < "$WORK/time"
python3 - "$EVENTS" "$WALL" "$USER" "$SYS" "$RSS_KB" <<'PY'
import sys
events, wall, user, sys_, rss = int(sys.argv[1]), *map(float, sys.argv[2:5]), int(sys.argv[5])
print(f"replay: {events} events in {wall:.2f} s wall = {events / wall:,.0f} events/s; "
      f"{events / (user + sys_):,.0f} events/s per core (cpu {user + sys_:.2f} s); "
      f"peak RSS {rss / 1024:.0f} MiB")
PY
du -sh "$WORK/state" | awk '{print "state on disk: " $1}'
