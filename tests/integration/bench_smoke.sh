#!/usr/bin/env bash
# The benchmark scripts at a CI size: each still runs end to end against this build and prints
# its figures (bench/ runs them full size; the README and docs/performance.md quote those). The
# figures are not checked against targets: timing goals are measured, never asserted.
# Usage: tests/integration/bench_smoke.sh ENGAGED_BINARY
set -euo pipefail
export BIN=$1
cd "$(dirname "$0")/../.."
expect() {  # expect NAME PATTERN OUTPUT
  if ! grep -Eq "$2" <<<"$3"; then
    printf '%s printed no line matching /%s/:\n%s\n' "$1" "$2" "$3" >&2
    exit 1
  fi
}
out=$(REPEAT=1 bench/replay_bench.sh 1000 2>&1)
expect replay_bench "^replay run 1: [0-9]+ events in .* events/s per core .* peak RSS [0-9]+ MiB" "$out"
out=$(REPEAT=1 bench/kafka_bench.sh 1000 2>&1)
expect kafka_bench "^run 1, changelog on: [0-9]+ events, [0-9,]+ events/s" "$out"
expect kafka_bench "^run 1, changelog off: [0-9]+ events, [0-9,]+ events/s" "$out"
out=$(bench/latency_bench.sh 20000 1000 2>&1)
expect latency_bench "^cpu while producing \([0-9.]+ s, [0-9]+ cores\): engaged run [0-9.]+ s" "$out"
expect latency_bench "^cpu by 4 s of input, in cores: cluster( [0-9.]+)+, engaged run( [0-9.]+)+$" "$out"
expect latency_bench "^event -> nudge latency over [1-9][0-9,]* nudges: p50 [0-9]+ ms, p99 [0-9]+ ms" "$out"
expect latency_bench "^ +[0-9]+-[0-9]+ +[0-9,]+ nudges, p50" "$out"
expect latency_bench "^  program \(that watermark -> nudge\): p50 [0-9]+ ms, p90 [0-9]+ ms, p99" "$out"
# valgrind runs portable builds only (no AVX-512): CI's; a -DENGAGED_MARCH=native build skips it.
if "$BIN" --version | grep -q ", native;"; then
  echo "instructions_bench not run: valgrind cannot run a -DENGAGED_MARCH=native build"
else
  out=$(BASE=$BIN bench/instructions_bench.sh 200 7 2>&1)
  expect instructions_bench "^this: [0-9,]+ instructions in all, [0-9,]+ in the worker thread$" "$out"
  expect instructions_bench "^this:   decoding [0-9,]+ \([0-9.]+ % of the worker\)$" "$out"
  expect instructions_bench "^this:   program stage [0-9,]+ \([0-9.]+ % of the worker; passes: [0-9]+\)$" "$out"
  expect instructions_bench "^this: RocksDB memtable inserts, worker and program stage: [0-9,]+ \([0-9.]+ % of all\)$" "$out"
  expect instructions_bench "^this against base: [-+][0-9.]+ % in all" "$out"
  expect instructions_bench "^same nudges and reports: yes" "$out"
fi
echo "replay, kafka, latency and instructions benches ran"
