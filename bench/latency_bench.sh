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
# input was produced, the cluster's and engaged's by 4 s of input, the latency by when the
# nudge left (growing: engaged fell behind, or the cluster did), and the latency by hop: the
# program topic is read back too, and each latency is split where the last input partition's
# watermark reached the nudge's time (input hop, then program hop).
# Usage: [BIN=build/engaged] bench/latency_bench.sh [rate] [users]   (defaults 100000/s, 25000 users: ~1.7 M events)
# LOADGEN_ARGS: more loadgen options, e.g. "--set kafka.linger.ms=40" (its producer's default is
# 10 ms; larger batches cost the embedded cluster less, and add their wait to the latency).
# `run` settings: RUN_ARGS, by default the low-latency client settings of docs/deploy.md
# (kafka.fetch.wait.max.ms=1, kafka.linger.ms=1); RUN_ARGS= gives engaged's defaults, and e.g.
# RUN_ARGS="--set processing.send_outputs=after_commit" the nudges sent only after commits.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${BIN:-build/engaged}  # BIN=... measures another build
"$BIN" --version  # the figures depend on it: -DENGAGED_MARCH=native for the fastest
RATE=${1:-100000}
USERS=${2:-25000}
RUN_ARGS=${RUN_ARGS---set kafka.fetch.wait.max.ms=1 --set kafka.linger.ms=1}
echo "run settings: ${RUN_ARGS:-(defaults)}"
WORK=$(mktemp -d /tmp/engaged-lbench.XXXXXX)
CLUSTER= RUN= SAMPLER=
trap 'kill $CLUSTER $RUN $SAMPLER 2>/dev/null || true; rm -rf "$WORK"' EXIT
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
# Each process's CPU seconds, once a second, for the by-4-s figures below.
(while sleep 1; do echo "$(date +%s.%N) $(cpu_s $CLUSTER) $(cpu_s $RUN)" || break; done) \
  > "$WORK/cpu.samples" 2>/dev/null &
SAMPLER=$!
/usr/bin/time -f "%U %S" -o "$WORK/loadgen.time" $BIN loadgen --users "$USERS" --days 60 \
  --end 2026-06-30 --seed 1 --brokers "$B" --rate "$RATE" ${LOADGEN_ARGS:-} 2>/dev/null
PRODUCED=$(date +%s.%N)
kill $SAMPLER 2>/dev/null || true
# While the input was produced, on this machine's $(nproc) cores: at 100 k events/s the three
# processes together may leave engaged too little CPU to keep up, and then latency grows.
awk -v c0="$CLUSTER_CPU0" -v c1="$(cpu_s $CLUSTER)" -v r0="$RUN_CPU0" -v r1="$(cpu_s $RUN)" \
  -v s="$START" -v e="$PRODUCED" -v n="$(nproc)" '{
  printf "cpu while producing (%.1f s, %d cores): engaged run %.1f s, cluster %.1f s, loadgen %.1f s\n",
    e - s, n, r1 - r0, c1 - c0, $1 + $2 }' "$WORK/loadgen.time"
# The embedded cluster answers a fetch with one batch per partition, found by walking the
# partition's batches from the oldest (librdkafka 2.0's mock: rdkafka_mock.c), so its CPU grows
# with the log at a constant input rate; a real broker's does not.
awk -v s="$START" -v c0="$CLUSTER_CPU0" -v r0="$RUN_CPU0" '
  { k = int(($1 - s) / 4); t[k] = $1; c[k] = $2; r[k] = $3; if (k > n) n = k }
  END {
    pt = s; pc = c0; pr = r0
    for (k = 0; k <= n; k++) if (k in t && t[k] - pt >= 2) {
      cl = cl sprintf(" %.2f", (c[k] - pc) / (t[k] - pt))
      rl = rl sprintf(" %.2f", (r[k] - pr) / (t[k] - pt))
      pt = t[k]; pc = c[k]; pr = r[k]
    }
    print "cpu by 4 s of input, in cores: cluster" cl ", engaged run" rl }' "$WORK/cpu.samples"
wait $RUN || { tail -5 "$WORK/run.log"; exit 1; }
RUN=
read_topic() {
  kcat -C -b "$B" -t "$1" -e -q -f '%T %s\n' > "$WORK/$1"
}
read_topic app.events
read_topic app.nudges
kcat -C -b "$B" -t engaged.program -e -q -f '%T|%k|%S|%s\n' > "$WORK/program"  # binary values
python3 bench/latency_bench.py "$WORK/app.events" "$WORK/app.nudges" "$START" "$PRODUCED" "$RATE" \
  "$WORK/program"
