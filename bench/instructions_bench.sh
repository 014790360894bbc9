#!/usr/bin/env bash
# Instructions of a replay, counted by callgrind: the worker thread's count repeats exactly, where
# wall time on a shared 2-core machine does not (runs of one build differ by up to 30 %), so a change
# of a few percent can be judged. (The whole run's varies: the program stage runs a pass every
# 200 ms of wall time, each writing the stage's changed keys, so their number follows the build
# and the machine's load: 19 and 22 for two builds, 74 for one of them beside a CI run. It is
# printed.) A `replay` (one worker) of a loadgen file (7.2 k users, 60 days: 489 k events) with a
# checkpoint every 65,536 events (about as many events per user per checkpoint as the 1 s
# checkpoints of `replay_bench.sh`'s file; a multiple of the 8,192 lines between `replay`'s checks,
# so builds from before ae1499e, which checked every 65,536 lines, checkpoint at the same events).
# Prints the whole run's instructions, the worker thread's, the worker's main parts, and RocksDB's
# memtable inserts (in the worker's checkpoints and the program stage's writes: about 38 key
# comparisons each in RocksDB 7.8, see docs/performance.md); with BASE, the same for that build, the
# change, and whether both wrote the same nudges and report tables byte for byte.
# Cache misses are not in these counts: `perf record` on the full-size benches shows those.
# Needs valgrind, and builds without -DENGAGED_MARCH=native (valgrind cannot run AVX-512): e.g.
#   cmake -S . -B build-cg -DCMAKE_BUILD_TYPE=RelWithDebInfo && cmake --build build-cg --target engaged
# THREADS=2 replays with two workers and the reader thread that routes lines for them
# (app/replay_lines.h): the worker figures are then both workers' sums.
# Usage: [BIN=build/engaged] [BASE=other/engaged] [CHECKPOINT_EVENTS=65536] [THREADS=1] \
#   bench/instructions_bench.sh [users] [days]
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${BIN:-build/engaged}
USERS=${1:-7200}
DAYS=${2:-60}
if ! command -v valgrind >/dev/null; then
  echo "instructions_bench: valgrind is not installed (scripts/install-deps.sh --with-tests)" >&2
  exit 2
fi
WORK=$(mktemp -d /tmp/engaged-instructions.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
"$BIN" loadgen --users "$USERS" --days "$DAYS" --end 2026-06-30 --seed 1 --invalid-rate 0 \
  --epoch-ms-share 0 -o "$WORK/events.ndjson" 2>/dev/null
echo "$(wc -l <"$WORK/events.ndjson") events, $USERS users, $DAYS days"

count() {  # count NAME BINARY: runs the replay under callgrind, prints its figures
  local name=$1 bin=$2
  "$bin" --version | sed "s/^/$name: /"
  valgrind --tool=callgrind --callgrind-out-file="$WORK/$name.cg" "$bin" replay \
    -i "$WORK/events.ndjson" --state "$WORK/$name.state" --threads "${THREADS:-1}" \
    --set state.checkpoint_interval_ms=86400000 \
    --set "state.checkpoint_max_events=${CHECKPOINT_EVENTS:-65536}" \
    --nudges "$WORK/$name.nudges" >"$WORK/$name.log" 2>&1
  callgrind_annotate --inclusive=yes --threshold=100 "$WORK/$name.cg" >"$WORK/$name.txt" 2>/dev/null
  # The program stage's passes: the call count on the edge from replay() to ProgramFeed::pass.
  callgrind_annotate --inclusive=yes --threshold=100 --tree=caller "$WORK/$name.cg" 2>/dev/null |
    grep -B1 '\*  .*ProgramFeed::pass(' | sed -n 's/.*< .*replay(.*(\([0-9]*\)x).*/\1/p' \
      >"$WORK/$name.passes" || true
  python3 - "$name" "$WORK/$name.txt" <<'PY'
import re, sys
name, path = sys.argv[1], sys.argv[2]
# Inclusive counts by function; a function inlined into several files is listed once per file:
# its largest count is the function's.
parts = [("worker", r"\(anonymous namespace\)::replay_partitions\("),
         ("decoding", r"engaged::EventDecoder::decode\("),
         ("the other processors", r"engaged::StreamTask::process\(engaged::PartitionState&"),
         ("activity and dedupe", r"engaged::ActivityProcessor::process\("),
         ("timers and punctuation", r"engaged::StreamTask::advance\("),
         ("user cache lookups", r"engaged::PartitionState::user\("),
         ("checkpoints", r"engaged::Pipeline::checkpoint\("),
         ("program stage", r"\(anonymous namespace\)::ProgramFeed::pass\(")]
# RocksDB's memtable inserts, in the worker's checkpoints and the program stage's writes alike.
memtable = r"rocksdb::MemTable::Add\("
total, found = None, {}
for line in open(path):
    m = re.match(r"\s*([\d,]+) \([ \d.]+%\)\s+(\S.*)", line)
    if not m:
        continue
    n, what = int(m.group(1).replace(",", "")), m.group(2)
    if what.startswith("PROGRAM TOTALS"):
        total = n
    if what.startswith("=>"):
        continue
    for part, pattern in parts + [("memtable", memtable)]:
        if re.search(pattern, what):
            found[part] = max(found.get(part, 0), n)
worker = found.get("worker", 0)
print(f"{name}: {total:,} instructions in all, {worker:,} in the worker thread")
passes = open(path[:-len(".txt")] + ".passes").read().strip() or "?"
for part, _ in parts[1:]:
    n = found.get(part, 0)
    more = f"; passes: {passes}" if part == "program stage" else ""
    print(f"{name}:   {part} {n:,} ({100 * n / worker:.1f} % of the worker{more})")
n = found.get("memtable", 0)
print(f"{name}: RocksDB memtable inserts, worker and program stage: {n:,} ({100 * n / total:.1f} % of all)")
with open(path + ".sum", "w") as f:
    f.write(f"{total} {worker}\n")
PY
}

count this "$BIN"
if [ -n "${BASE:-}" ]; then
  count base "$BASE"
  read -r T1 W1 <"$WORK/this.txt.sum"
  read -r T0 W0 <"$WORK/base.txt.sum"
  python3 -c "import sys; t1,w1,t0,w0=map(int,sys.argv[1:]); \
print(f'this against base: {100*(t1-t0)/t0:+.1f} % in all, {100*(w1-w0)/w0:+.1f} % in the worker')" \
    "$T1" "$W1" "$T0" "$W0"
  same=yes
  cmp -s "$WORK/this.nudges" "$WORK/base.nudges" || same=no
  for table in daily retention sessions stickiness segments risk summary; do
    "$BIN" report "$table" --state "$WORK/this.state" >"$WORK/this.$table" 2>&1
    "$BASE" report "$table" --state "$WORK/base.state" >"$WORK/base.$table" 2>&1
    cmp -s "$WORK/this.$table" "$WORK/base.$table" || same="no ($table differs)"
  done
  echo "same nudges and reports: $same ($(wc -l <"$WORK/this.nudges") nudges)"
fi
