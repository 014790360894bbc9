#!/usr/bin/env bash
# Installs the Debian packages engaged needs to build, run and test, only when some are missing.
# Everything comes from Debian's registry: no vendored copies, no downloads at build time.
set -euo pipefail

BUILD_PKGS=(build-essential cmake pkg-config librdkafka-dev librocksdb-dev libsimdjson-dev
  prometheus-cpp-dev libspdlog-dev libfmt-dev libcli11-dev libyaml-cpp-dev libxxhash-dev libabsl-dev
  libcpp-httplib-dev tzdata)
TEST_PKGS=(libgtest-dev libgmock-dev libbenchmark-dev kcat prometheus python3 nodejs npm python3-yaml prometheus-alertmanager
  python3-confluent-kafka help2man jsonnet
  nlohmann-json3-dev clang libclang-rt-14-dev valgrind)

want=("${BUILD_PKGS[@]}")
[[ "${1:-}" == "--with-tests" ]] && want+=("${TEST_PKGS[@]}")

missing=()
for p in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# node/npm may come from outside Debian on some machines; accept any working binary.
if command -v node >/dev/null && command -v npm >/dev/null; then
  missing=("${missing[@]/nodejs/}"); missing=("${missing[@]/npm/}")
fi
read -r -a missing <<<"${missing[*]}"
if ((${#missing[@]})); then
  echo "installing: ${missing[*]}"
  SUDO=""; [[ $(id -u) -ne 0 ]] && SUDO="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
