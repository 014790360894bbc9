#!/usr/bin/env bash
# The README's second command: installs what the tests need (Debian packages, the npm test tools
# in tests/schema), builds in Release and runs the whole suite with CTest.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh --with-tests
(cd tests/schema && npm ci --no-audit --no-fund --loglevel=error)
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j"$(nproc)"
ctest --test-dir build --output-on-failure -j2 "$@"
