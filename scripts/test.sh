#!/usr/bin/env bash
# The whole test suite: set up, build the release and the sanitizer (ASan+UBSan) flavours, run
# every test in the release flavour and the parsing, validation, store, server and CLI tests in the
# sanitizer flavour (scripts/build.sh says which folders it leaves out), then run the fuzzers for a
# bounded time. Exits non-zero on any failure. Prints each phase's wall time at the end.
#   FUZZ_SECONDS=N  seconds per fuzz target (default 45; 0 skips fuzzing)
#   CTEST_JOBS=N    tests run at once (default: the number of cores)
set -euo pipefail
cd "$(dirname "$0")/.."
jobs="${CTEST_JOBS:-$(nproc)}"
logs=$(mktemp -d)
trap 'rm -rf "$logs"' EXIT

phases=()
phase() {  # $1 name, then the command; records the command's wall time
  local name=$1 start=$SECONDS
  shift
  "$@"
  phases+=("$(printf '%-16s %5d s' "$name" $((SECONDS - start)))")
}
run_ctest() {  # $1 build dir, $2 timeout per test
  (cd "$1" && ctest --output-on-failure -j "$jobs" --timeout "$2") 2>&1 | tee "$logs/$1.log"
  return "${PIPESTATUS[0]}"
}
count() {  # total tests from a ctest log
  sed -n 's/.*tests failed out of \([0-9]*\).*/\1/p' "$logs/$1.log" | tail -1
}

phase setup scripts/setup.sh

echo "== release build"
phase "release build" scripts/build.sh release
phase "release ctest" run_ctest build 900

echo "== sanitizer build (ASan + UBSan)"
phase "asan build" scripts/build.sh asan
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
phase "asan ctest" run_ctest build-asan 1800

fuzzed=0
if [ "${FUZZ_SECONDS:-45}" != 0 ] && ls tests/fuzz/*_fuzz.cpp >/dev/null 2>&1; then
  echo "== fuzzing (bounded)"
  phase "fuzz build" scripts/build.sh fuzz
  phase "fuzz run" scripts/fuzz.sh "${FUZZ_SECONDS:-45}"
  fuzzed=$(ls tests/fuzz/*_fuzz.cpp | wc -l)
fi
total=$(( $(count build) + $(count build-asan) + fuzzed ))
echo "== phase times (wall):"
printf '   %s\n' "${phases[@]}"
printf '   %-16s %5d s\n' total "$SECONDS"
echo "== release: $(count build) tests, sanitizer: $(count build-asan) tests, fuzz targets: $fuzzed"
echo "suite: $total passed, 0 failed"
