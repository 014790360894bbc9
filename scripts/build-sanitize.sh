#!/usr/bin/env bash
# Builds build-sanitize: clang, -O1 -g, AddressSanitizer + UndefinedBehaviorSanitizer + libFuzzer
# instrumentation (CMake option ENGAGED_SANITIZE): the engaged binary, the unit tests and the
# fuzz harnesses. Used by scripts/sanitize.sh and scripts/fuzz.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
CC=clang CXX=clang++ cmake -S . -B build-sanitize -DENGAGED_SANITIZE=ON \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g" >/dev/null
cmake --build build-sanitize -j"$(nproc)" --target engaged unit_tests decoder_fuzz timestamp_fuzz \
  settings_fuzz http_fuzz
