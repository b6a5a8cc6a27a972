#!/usr/bin/env bash
# Configures and builds one flavour of vcf-agent: release (default), asan, or only asan's fuzz targets.
#   scripts/build.sh [release|asan|fuzz]   -> build/, build-asan/, build-asan/ (target fuzzers)
#   VCFAGENT_ASAN_TESTS_EXCLUDE=REGEX  test folders (relative to tests/) the asan flavour leaves out
#                                      (default below; empty builds them all)
set -euo pipefail
cd "$(dirname "$0")/.."
flavour="${1:-release}"
targets=()
sanitized=(-DVCFAGENT_SANITIZE=ON -DVCFAGENT_FUZZ=ON -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++
           -DCMAKE_BUILD_TYPE=Debug "-DCMAKE_CXX_FLAGS_DEBUG=-g -O1" "-DCMAKE_C_FLAGS_DEBUG=-g -O1"
           "-DVCFAGENT_TESTS_EXCLUDE=${VCFAGENT_ASAN_TESTS_EXCLUDE-(unit|e2e|corpus)/ai|(unit|e2e)/obs|e2e/ops|unit/bench}")
case "$flavour" in
  release) dir=build; flags=() ;;
  # The sanitizer flavour (clang, ASan + UBSan, -O1: reports stay exact and the tests run about
  # twice as fast as at -O0) builds the tests of parsing, validation, the store, the server and the
  # CLI, and the libFuzzer targets, over one compilation of the library. It leaves out the tests of
  # the AI (agent, providers, report), observability/operations and benchmark folders, whose code
  # the release flavour tests and which ASan would only make slower.
  asan)    dir=build-asan; flags=("${sanitized[@]}") ;;
  # Only the fuzz targets of the sanitizer flavour and the layers they link (util, obs, vcf, store).
  fuzz)    dir=build-asan; flags=("${sanitized[@]}"); targets=(--target fuzzers) ;;
  *) echo "usage: scripts/build.sh [release|asan|fuzz]" >&2; exit 2 ;;
esac
# ccache (when installed) shares objects between checkouts of the project: paths below the
# checkout are hashed relative to it, and the build directory is not hashed (-g records it).
export CCACHE_BASEDIR="${CCACHE_BASEDIR:-$PWD}" CCACHE_NOHASHDIR="${CCACHE_NOHASHDIR:-1}"
cmake -S . -B "$dir" -G Ninja "${flags[@]}" >/dev/null
cmake --build "$dir" -j "$(nproc)" "${targets[@]}"
