#!/usr/bin/env bash
# The README's second command: installs what the tests need (Debian packages, the npm test tools
# in tests/schema and tests/oracle), builds in Release and runs the whole suite with CTest.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh --with-tests
for dir in tests/schema tests/oracle; do  # ajv; DuckDB as an independent oracle
  (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
done
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j"$(nproc)"
ctest --test-dir build --output-on-failure -j2 "$@"
