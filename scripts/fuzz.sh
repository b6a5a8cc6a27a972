#!/usr/bin/env bash
# Builds the fuzz targets of the sanitizer flavour (build-asan/, clang) and runs every fuzzer of
# tests/fuzz/ for SECONDS each (default 60), as many at once as there are cores (FUZZ_JOBS=N to change; each
# fuzzer is one process on one core), on a fresh copy of tests/fuzz/seeds/ with the
# tests/fuzz/vcf.dict dictionary. Exits 1 if any fuzzer finds a crash, a sanitizer error, a leak,
# a timeout (>10 s for one input) or an out-of-memory (>2 GiB), and prints the reproducer.
#   scripts/fuzz.sh [SECONDS]
# Reproducers are kept in build-asan/fuzz-artifacts/NAME/; rerun one with
#   build-asan/tests/fuzz/NAME -malloc_limit_mb=8192 REPRODUCER
set -euo pipefail
cd "$(dirname "$0")/.."
out=build-asan  # the sanitizer build, which holds the fuzz targets (scripts/build.sh fuzz)
seconds="${1:-60}"
if ! [[ "$seconds" =~ ^[0-9]+$ ]] || [ "$seconds" -lt 1 ]; then
  echo "usage: scripts/fuzz.sh [SECONDS]   (time per fuzzer, a positive integer)" >&2
  exit 2
fi

scripts/build.sh fuzz

work=$(mktemp -d "${TMPDIR:-/tmp}/vcfagent-fuzz.XXXXXX")
trap 'rm -rf "$work"' EXIT
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=0:allocator_may_return_null=1"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1"

failed=0
shopt -s nullglob
jobs="${FUZZ_JOBS:-$(nproc)}"
names=()
running=0
for source in tests/fuzz/*_fuzz.cpp; do
  name=$(basename "$source" .cpp)
  binary="$out/tests/fuzz/$name"
  if [ ! -x "$binary" ]; then
    echo "fuzz: $binary was not built" >&2
    failed=1
    continue
  fi
  corpus="$work/corpus-$name"
  artifacts="$out/fuzz-artifacts/$name"
  mkdir -p "$corpus"
  rm -rf "$artifacts" && mkdir -p "$artifacts"
  find tests/fuzz/seeds -type f ! -name NOTICE -exec cp {} "$corpus/" \;
  echo "== fuzz: $name for ${seconds}s on $(ls "$corpus" | wc -l) seeds"
  if [ "$running" -ge "$jobs" ]; then
    wait -n || true
    running=$((running - 1))
  fi
  # -malloc_limit_mb above the 2 GiB RSS limit: htslib's bcf_read() resizes its record buffers to
  # the lengths a BCF record declares (two 32-bit fields, grown by half again) before reading,
  # so a few bytes can ask for ~6 GiB that is never touched. Real memory growth is still caught
  # by -rss_limit_mb.
  (
    status=0
    "$binary" -max_total_time="$seconds" -rss_limit_mb=2048 -malloc_limit_mb=8192 -timeout=10 \
      -dict=tests/fuzz/vcf.dict -artifact_prefix="$artifacts/" -print_final_stats=1 \
      "$corpus" >"$work/$name.log" 2>&1 || status=$?
    echo "$status" >"$work/$name.status"
  ) &
  running=$((running + 1))
  names+=("$name")
done
wait
for name in "${names[@]}"; do
  binary="$out/tests/fuzz/$name"
  corpus="$work/corpus-$name"
  artifacts="$out/fuzz-artifacts/$name"
  log="$work/$name.log"
  status=$(cat "$work/$name.status" 2>/dev/null || echo 1)
  reproducers=("$artifacts"/*)
  if [ "$status" -ne 0 ] || [ ${#reproducers[@]} -gt 0 ]; then
    failed=1
    echo "fuzz: $name FAILED (exit $status); the end of its log:" >&2
    tail -n 60 "$log" >&2
    cp "$log" "$artifacts/fuzz.log"
    for r in "${reproducers[@]}"; do
      echo "fuzz: reproducer: $r   (rerun: $binary -malloc_limit_mb=8192 $r)" >&2
    done
    echo "fuzz: full log: $artifacts/fuzz.log" >&2
  else
    grep -E "^(Done|stat::number_of_executed_units|stat::peak_rss_mb)" "$log" || true
    echo "fuzz: $name ok, corpus grew to $(ls "$corpus" | wc -l) inputs"
  fi
done
if [ "$failed" -ne 0 ]; then
  echo "fuzz: FAILED" >&2
  exit 1
fi
echo "fuzz: all fuzzers ran ${seconds}s without findings"
