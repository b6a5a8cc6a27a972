#!/usr/bin/env bash
# The whole test suite: set up, build the release and the sanitizer (ASan+UBSan) flavours, run
# every test in both, then run the fuzzers for a bounded time. Exits non-zero on any failure.
#   FUZZ_SECONDS=N  seconds per fuzz target (default 45; 0 skips fuzzing)
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
jobs=$(nproc)
logs=$(mktemp -d)
trap 'rm -rf "$logs"' EXIT

run_ctest() {  # $1 build dir, $2 timeout per test
  (cd "$1" && ctest --output-on-failure -j "$jobs" --timeout "$2") 2>&1 | tee "$logs/$1.log"
  return "${PIPESTATUS[0]}"
}
count() {  # total tests from a ctest log
  sed -n 's/.*tests failed out of \([0-9]*\).*/\1/p' "$logs/$1.log" | tail -1
}

echo "== release build"
scripts/build.sh release
run_ctest build 900

echo "== sanitizer build (ASan + UBSan)"
scripts/build.sh asan
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
run_ctest build-asan 1800

fuzzed=0
if [ "${FUZZ_SECONDS:-45}" != 0 ] && ls tests/fuzz/*_fuzz.cpp >/dev/null 2>&1; then
  echo "== fuzzing (bounded)"
  scripts/fuzz.sh "${FUZZ_SECONDS:-45}"
  fuzzed=$(ls tests/fuzz/*_fuzz.cpp | wc -l)
fi
total=$(( $(count build) + $(count build-asan) + fuzzed ))
echo "== release: $(count build) tests, sanitizer: $(count build-asan) tests, fuzz targets: $fuzzed"
echo "suite: $total passed, 0 failed"
