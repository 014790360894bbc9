#!/usr/bin/env bash
# Kafka-path throughput: the embedded cluster in its own process, a loadgen population produced
# into it first (kept under the mock's per-partition retention), then `engaged run` consuming it
# alone. REPEAT times with the changelog on and REPEAT times with it off (state.changelog=false),
# alternating, each on a fresh cluster (runs must not share the program topic) and state.
# Prints, per run: events/s from first to last message, events/s per core of engaged, peak RSS,
# the CPU the cluster process used meanwhile, and what went to the changelog.
# Usage: bench/kafka_bench.sh [users]   (default 25000 users: ~1.7 M events over 24 partitions)
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${BIN:-build/engaged}  # BIN=... measures another build
"$BIN" --version  # the figures depend on it: -DENGAGED_MARCH=native for the fastest
USERS=${1:-25000}
REPEAT=${REPEAT:-3}
WORK=$(mktemp -d /tmp/engaged-kbench.XXXXXX)
CLUSTER=
trap 'kill $CLUSTER 2>/dev/null || true; rm -rf "$WORK"' EXIT
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
for i in $(seq "$REPEAT"); do for mode in on off; do
  rm -f "$WORK/bootstrap"
  $BIN kafka --partitions 24 --bootstrap-file "$WORK/bootstrap" --group bench >/dev/null 2>&1 &
  CLUSTER=$!
  while [ ! -s "$WORK/bootstrap" ]; do sleep 0.1; done
  B=$(cat "$WORK/bootstrap")
  $BIN loadgen --users "$USERS" --days 60 --end 2026-06-30 --seed 1 --brokers "$B" 2>/dev/null
  BEFORE=$(cpu_ticks $CLUSTER)
  CHANGELOG=true; [ "$mode" = off ] && CHANGELOG=false
  /usr/bin/time -f "%e %U %S %M" -o "$WORK/time" $BIN run --brokers "$B" \
    --set state.dir="$WORK/state-$mode-$i" --set kafka.group.id=bench \
    --set metrics.listen= --set state.changelog=$CHANGELOG \
    --idle-exit-ms 2000 ${RUN_ARGS:-} 2> "$WORK/run.log" || { tail -5 "$WORK/run.log"; exit 1; }
  AFTER=$(cpu_ticks $CLUSTER)
  kill $CLUSTER; wait $CLUSTER 2>/dev/null || true
  rm -rf "$WORK/state-$mode-$i"
  if grep -q "never seen" "$WORK/run.log"; then echo "data lost upstream:"; grep "never seen" "$WORK/run.log" | head -3; fi
  read -r WALL USER SYS RSS_KB < "$WORK/time"
  RATE=$(grep -o "[0-9]* events/s from first to last input" "$WORK/run.log" | grep -o "^[0-9]*")
  CONSUMED=$(grep -o "stopped cleanly: [0-9]*" "$WORK/run.log" | grep -o "[0-9]*$")
  WRITTEN=$(grep -o "changelog: .*" "$WORK/run.log" | tail -1 || true)
  python3 - "$i" "$CONSUMED" "$RATE" "$USER" "$SYS" "$RSS_KB" "$((AFTER - BEFORE))" "$(getconf CLK_TCK)" "$mode" "$WRITTEN" <<'PY'
import sys
i, events, rate = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
user, sys_, rss, ticks, hz = float(sys.argv[4]), float(sys.argv[5]), int(sys.argv[6]), int(sys.argv[7]), int(sys.argv[8])
mode, written = sys.argv[9], sys.argv[10]
print(f"run {i}, changelog {mode}: {events} events, {rate:,} events/s first to last message; "
      f"{events / (user + sys_):,.0f} events/s per core of engaged (cpu {user + sys_:.2f} s incl. "
      f"group join); peak RSS {rss / 1024:.0f} MiB; cluster process cpu {ticks / hz:.2f} s"
      + (f"; {written}" if written else ""))
PY
done; done
