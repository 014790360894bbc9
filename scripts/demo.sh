#!/usr/bin/env bash
# The README's first command: installs the Debian packages engaged needs, builds in Release and
# runs the demo (embedded Kafka + load generator + pipeline + /metrics, ending with the report).
# Extra arguments go to `engaged demo` (try --help).
set -euo pipefail
cd "$(dirname "$0")/.."
for arg in "$@"; do
  if [ "$arg" = -h ] || [ "$arg" = --help ]; then
    # Help without installing or building anything.
    echo "usage: scripts/demo.sh [engaged demo options]"
    echo "Installs the Debian packages engaged needs (apt-get), builds build/engaged in Release"
    echo "and runs 'engaged demo' with the options given."
    if [ -x build/engaged ]; then
      echo
      build/engaged demo --help
    else
      echo "(build/engaged is not built yet: its options are shown once it is)"
    fi
    exit 0
  fi
done
scripts/install-deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j"$(nproc)" --target engaged
exec build/engaged demo "$@"
