#!/usr/bin/env bash
# Event -> nudge latency through Kafka at a sustained input rate: the embedded cluster in its own
# process, `engaged run` already in the group, then the loadgen population produced at RATE
# messages/s. Afterwards the input and nudges topics are read back with their Kafka timestamps
# and bench/latency_bench.py prints p50/p99/p999 of (a nudge's produce time) - (the produce time
# of the first input event whose event time reached the nudge's deliver_at, which is its
# decided_at unless quiet hours deferred it): the time from the event that made the nudge due to
# the nudge leaving engaged, checkpoint pacing, the program topic and the merge's watermarks
# included. The acknowledgement follows within the
# producer's linger.ms (10 ms by default). Also printed: the CPU each process used while the
# input was produced, and the latency by when the nudge left (growing: engaged fell behind).
# Usage: [BIN=build/engaged] bench/latency_bench.sh [rate] [users]   (defaults 100000/s, 25000 users: ~1.7 M events)
# `run` settings: RUN_ARGS, by default the low-latency client settings of docs/deploy.md
# (kafka.fetch.wait.max.ms=5, kafka.linger.ms=1); RUN_ARGS= gives engaged's defaults, and e.g.
# RUN_ARGS="--set processing.send_outputs=after_commit" the nudges sent only after commits.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${BIN:-build/engaged}  # BIN=... measures another build
"$BIN" --version  # the figures depend on it: -DENGAGED_MARCH=native for the fastest
RATE=${1:-100000}
USERS=${2:-25000}
RUN_ARGS=${RUN_ARGS---set kafka.fetch.wait.max.ms=5 --set kafka.linger.ms=1}
echo "run settings: ${RUN_ARGS:-(defaults)}"
WORK=$(mktemp -d /tmp/engaged-lbench.XXXXXX)
CLUSTER= RUN=
trap 'kill $CLUSTER $RUN 2>/dev/null || true; rm -rf "$WORK"' EXIT
$BIN kafka --partitions 24 --bootstrap-file "$WORK/bootstrap" --group bench >/dev/null 2>&1 &
CLUSTER=$!
while [ ! -s "$WORK/bootstrap" ]; do sleep 0.1; done
B=$(cat "$WORK/bootstrap")
$BIN run --brokers "$B" --set state.dir="$WORK/state" --set kafka.group.id=bench \
  --set metrics.listen= --idle-exit-ms 5000 ${RUN_ARGS:-} 2> "$WORK/run.log" &
RUN=$!
# Joined once it reports its stream threads and the group assigned it the partitions.
for _ in $(seq 100); do grep -q "program stage: merging" "$WORK/run.log" && break; sleep 0.2; done
# CPU seconds a process has used so far (utime + stime from /proc/PID/stat).
cpu_s() { awk -v hz="$(getconf CLK_TCK)" '{print ($14 + $15) / hz}' "/proc/$1/stat"; }
CLUSTER_CPU0=$(cpu_s $CLUSTER) RUN_CPU0=$(cpu_s $RUN)
START=$(date +%s.%N)
/usr/bin/time -f "%U %S" -o "$WORK/loadgen.time" $BIN loadgen --users "$USERS" --days 60 \
  --end 2026-06-30 --seed 1 --brokers "$B" --rate "$RATE" 2>/dev/null
PRODUCED=$(date +%s.%N)
# While the input was produced, on this machine's $(nproc) cores: at 100 k events/s the three
# processes together may leave engaged too little CPU to keep up, and then latency grows.
awk -v c0="$CLUSTER_CPU0" -v c1="$(cpu_s $CLUSTER)" -v r0="$RUN_CPU0" -v r1="$(cpu_s $RUN)" \
  -v s="$START" -v e="$PRODUCED" -v n="$(nproc)" '{
  printf "cpu while producing (%.1f s, %d cores): engaged run %.1f s, cluster %.1f s, loadgen %.1f s\n",
    e - s, n, r1 - r0, c1 - c0, $1 + $2 }' "$WORK/loadgen.time"
wait $RUN || { tail -5 "$WORK/run.log"; exit 1; }
RUN=
read_topic() {
  kcat -C -b "$B" -t "$1" -e -q -f '%T %s\n' > "$WORK/$1"
}
read_topic app.events
read_topic app.nudges
python3 bench/latency_bench.py "$WORK/app.events" "$WORK/app.nudges" "$START" "$PRODUCED" "$RATE"
