#!/usr/bin/env bash
# A fuzzing campaign: every libFuzzer harness (tests/fuzz) for SECONDS each (default 3600), one
# per core at a time, corpora kept in fuzz-corpus/<target> between campaigns. Prints runs,
# failures (crashes, leaks, out-of-memory, timeouts) and corpus size per harness; their inputs
# land in fuzz-corpus/<target>-{crash,leak,oom,timeout}-*. Inputs libFuzzer merely found slow
# (fuzz-corpus/<target>-slow-unit-*, often a starved core) are counted apart.
# Usage: [FUZZ_JOBS=N] scripts/fuzz.sh [SECONDS] [TARGET...]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-3600}
shift || true
targets=("$@")
((${#targets[@]})) || targets=(decoder timestamp settings http)
scripts/build-sanitize.sh
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
run() {
  local t=$1 corpus=fuzz-corpus/$1
  mkdir -p "$corpus"
  cp -n tests/fuzz/seeds/"$t"/* "$corpus"/
  build-sanitize/"${t}"_fuzz -max_total_time="$seconds" -max_len=65536 -print_final_stats=1 \
    -artifact_prefix="fuzz-corpus/$t-" "$corpus" 2>"fuzz-corpus/$t.log" || true
  local failures slow
  failures=$(find fuzz-corpus -maxdepth 1 \( -name "$t-crash-*" -o -name "$t-leak-*" \
    -o -name "$t-oom-*" -o -name "$t-timeout-*" \) | wc -l)
  slow=$(find fuzz-corpus -maxdepth 1 -name "$t-slow-unit-*" | wc -l)
  echo "$t: $(grep -o 'stat::number_of_executed_units: *[0-9]*' "fuzz-corpus/$t.log" | grep -o '[0-9]*$') runs in ${seconds} s, $failures failures ($slow slow inputs), corpus $(ls "$corpus" | wc -l) inputs"
}
jobs=${FUZZ_JOBS:-$(nproc)}  # FUZZ_JOBS: harnesses at once
for t in "${targets[@]}"; do
  while (($(jobs -r | wc -l) >= jobs)); do sleep 1; done
  run "$t" &
done
wait
