#!/usr/bin/env bash
# The README's first command: installs the Debian packages engaged needs, builds in Release and
# runs the demo (embedded Kafka + load generator + pipeline + /metrics, ending with the report).
# Extra arguments go to `engaged demo` (try --help).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j"$(nproc)" --target engaged
exec build/engaged demo "$@"
