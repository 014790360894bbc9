#!/usr/bin/env bash
# The README's second command: installs what the tests need (Debian packages, the npm test tools
# in tests/schema, tests/grafana-schema and tests/oracle, kafkajs for the Node producer example), builds in Release and runs the whole suite with CTest, then
# the sanitizer and fuzzing leg (scripts/sanitize.sh: ASan + UBSan build, unit tests, a replay and
# a failing run, 60 s per libFuzzer harness).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh --with-tests
# ajv; DuckDB as an independent oracle. `npm install` rather than `npm ci`: npm leaves
# @duckdb's per-platform optional packages out of the lock file, which makes `npm ci` refuse it.
for dir in tests/schema tests/grafana-schema tests/oracle examples/node; do
  (cd "$dir" && npm install --no-audit --no-fund --loglevel=error)
done
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j"$(nproc)"
ctest --test-dir build --output-on-failure -j2 "$@"
scripts/sanitize.sh
