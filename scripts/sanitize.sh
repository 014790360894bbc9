#!/usr/bin/env bash
# The sanitizer and fuzzing leg of the suite (scripts/test.sh runs it after CTest): one clang build
# with AddressSanitizer + UndefinedBehaviorSanitizer (and libFuzzer instrumentation) in
# build-sanitize, then
#   1. the unit tests,
#   2. a small replay, and `engaged run` through the fault test of its error path,
#   3. each libFuzzer harness (tests/fuzz) for FUZZ_SECONDS (60) from its seed corpus, as many at
#      once as there are cores (each harness is one process on one core).
# Any sanitizer report, test failure or fuzzer crash fails it. scripts/fuzz.sh runs longer
# campaigns with the same build.
set -euo pipefail
cd "$(dirname "$0")/.."
FUZZ_SECONDS=${FUZZ_SECONDS:-60}
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:strict_string_checks=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1

scripts/build-sanitize.sh

echo "== unit tests under ASan + UBSan"
build-sanitize/tests/unit_tests --gtest_brief=1

echo "== replay and run under ASan + UBSan"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
build-sanitize/engaged loadgen --users 2000 --days 30 --end 2026-06-30 --seed 3 -o "$work/events.ndjson"
build-sanitize/engaged replay -i "$work/events.ndjson" --state "$work/state" --nudges "$work/nudges.ndjson"
build-sanitize/engaged report daily --state "$work/state" >/dev/null
python3 tests/integration/faults_test.py build-sanitize/engaged error_path

echo "== libFuzzer, ${FUZZ_SECONDS} s per harness, $(nproc) at once"
fuzz() {  # one harness from its seed corpus; its log and any crash input stay in $work
  local target=$1 corpus="$work/corpus-$1"
  mkdir -p "$corpus"
  cp tests/fuzz/seeds/"$target"/* "$corpus"/
  build-sanitize/${target}_fuzz -max_total_time="$FUZZ_SECONDS" -max_len=65536 -print_final_stats=1 \
    -artifact_prefix="$work/crash-$target-" "$corpus" 2>"$work/$target.log"
}
targets=(decoder timestamp settings http)
failed=()
for ((i = 0; i < ${#targets[@]}; i += $(nproc))); do
  pids=()
  for target in "${targets[@]:i:$(nproc)}"; do
    fuzz "$target" &
    pids+=("$!:$target")
  done
  for entry in "${pids[@]}"; do
    target=${entry#*:}
    if wait "${entry%%:*}"; then
      echo "fuzz $target: $(grep -o 'stat::number_of_executed_units: *[0-9]*' "$work/$target.log" | grep -o '[0-9]*$') runs, 0 crashes, corpus $(ls "$work/corpus-$target" | wc -l) inputs"
    else
      tail -50 "$work/$target.log"
      failed+=("$target")
    fi
  done
done
if ((${#failed[@]})); then
  echo "fuzz ${failed[*]}: FAILED (crash inputs kept in $work)"
  trap - EXIT
  exit 1
fi
