#!/usr/bin/env bash
# Builds and runs every test: once as shipped (RelWithDebInfo), once under
# AddressSanitizer + UndefinedBehaviorSanitizer. `--quick` skips the second.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/deps.sh --test

# wrangler, for the D1 end-to-end tests, where npm can fetch it. Optional on a
# developer's machine; CI sets SCHEMA_REQUIRE_D1=1 and fails without it.
if [ -n "${SCHEMA_REQUIRE_D1:-}" ] && ! command -v npm > /dev/null; then ./scripts/deps.sh --npm; fi
if command -v npm > /dev/null && [ ! -x .d1/node_modules/.bin/wrangler ]; then
  mkdir -p .d1
  (cd .d1 && npm install --no-audit --no-fund --silent wrangler@4 > /dev/null 2>&1) \
    || echo "npm could not install wrangler: the D1 end-to-end tests are skipped"
fi
if [ -n "${SCHEMA_REQUIRE_D1:-}" ] && [ ! -x .d1/node_modules/.bin/wrangler ]; then
  echo "SCHEMA_REQUIRE_D1 is set but wrangler could not be installed"; exit 1
fi

jobs=$(nproc)
run() {
  local dir=$1; shift
  cmake -S . -B "$dir" -G Ninja "$@" >/dev/null
  cmake --build "$dir" -j "$jobs"
  ctest --test-dir "$dir" -j "$jobs" --output-on-failure
}

run build -DCMAKE_BUILD_TYPE=RelWithDebInfo
# CI (SCHEMA_CHECK_PACKAGE=1): the .deb, installed with apt-get and run.
if [ -n "${SCHEMA_CHECK_PACKAGE:-}" ]; then SCHEMA_BUILD_DIR=build ./scripts/package.sh --check; fi
if [ "${1:-}" != "--quick" ]; then
  ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
    LSAN_OPTIONS="suppressions=$PWD/tests/lsan.supp:print_suppressions=0" \
    run build-sanitize -DCMAKE_BUILD_TYPE=Debug -DSCHEMA_SANITIZE=ON
fi
echo "all tests passed"
