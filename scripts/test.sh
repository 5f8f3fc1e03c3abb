#!/usr/bin/env bash
# Builds and runs every test: once as shipped (RelWithDebInfo), once under
# AddressSanitizer + UndefinedBehaviorSanitizer. `--quick` skips the second.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/deps.sh

jobs=$(nproc)
run() {
  local dir=$1; shift
  cmake -S . -B "$dir" -G Ninja "$@" >/dev/null
  cmake --build "$dir" -j "$jobs"
  ctest --test-dir "$dir" -j "$jobs" --output-on-failure
}

run build -DCMAKE_BUILD_TYPE=RelWithDebInfo
if [ "${1:-}" != "--quick" ]; then
  ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
    run build-sanitize -DCMAKE_BUILD_TYPE=Debug -DSCHEMA_SANITIZE=ON
fi
echo "all tests passed"
