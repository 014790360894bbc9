#!/usr/bin/env bash
# Kafka-path throughput: the embedded cluster in its own process, a loadgen population produced
# into it first (kept under the mock's per-partition retention), then `engaged run` consuming it
# alone. Prints events/s from first to last message, events/s per core and peak RSS of engaged.
# Usage: bench/kafka_bench.sh [users]   (default ~1.8 M events over 24 partitions)
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=build/engaged
USERS=${1:-25000}
WORK=$(mktemp -d /tmp/engaged-kbench.XXXXXX)
$BIN kafka --partitions 24 --bootstrap-file "$WORK/bootstrap" >/dev/null 2>&1 &
CLUSTER=$!
trap 'kill $CLUSTER 2>/dev/null; rm -rf "$WORK"' EXIT
while [ ! -s "$WORK/bootstrap" ]; do sleep 0.1; done
B=$(cat "$WORK/bootstrap")
$BIN loadgen --users "$USERS" --days 60 --end 2026-06-30 --seed 1 --brokers "$B" 2>&1 | tail -1
/usr/bin/time -f "%e %U %S %M" -o "$WORK/time" $BIN run --brokers "$B" \
  --set state.dir="$WORK/state" --set metrics.listen= --idle-exit-ms 2000 ${RUN_ARGS:-} 2> "$WORK/run.log"
grep -E "never seen" "$WORK/run.log" | head -3 || true
grep -o "stopped cleanly.*" "$WORK/run.log"
read -r WALL USER SYS RSS_KB < "$WORK/time"
CONSUMED=$(grep -o "stopped cleanly: [0-9]*" "$WORK/run.log" | grep -o "[0-9]*$")
python3 - "$CONSUMED" "$USER" "$SYS" "$RSS_KB" <<'PY'
import sys
events, user, sys_, rss = int(sys.argv[1]), float(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4])
print(f"kafka path: {events / (user + sys_):,.0f} events/s per core of engaged "
      f"(cpu {user + sys_:.2f} s incl. group join and idle exit); peak RSS {rss / 1024:.0f} MiB")
PY
