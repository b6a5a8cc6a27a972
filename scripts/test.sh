#!/usr/bin/env bash
# The whole test suite: set up, build the release and the sanitizer (ASan+UBSan) flavours, run
# every test in both, then run the fuzzer for a bounded time. Exits non-zero on any failure.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
jobs=$(nproc)

echo "== release build"
scripts/build.sh release
(cd build && ctest --output-on-failure -j "$jobs" --timeout 900)

echo "== sanitizer build (ASan + UBSan)"
scripts/build.sh asan
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
(cd build-asan && ctest --output-on-failure -j "$jobs" --timeout 1800)

if [ -d tests/fuzz ] && ls tests/fuzz/*.cpp >/dev/null 2>&1; then
  echo "== fuzzing (bounded)"
  scripts/fuzz.sh "${FUZZ_SECONDS:-60}"
fi
echo "== all tests passed"
