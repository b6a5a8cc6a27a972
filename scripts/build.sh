#!/usr/bin/env bash
# Configures and builds one flavour of vcf-agent: release (default), asan or fuzz.
#   scripts/build.sh [release|asan|fuzz]   -> build/, build-asan/, build-fuzz/
#   VCFAGENT_ASAN_TESTS_EXCLUDE=REGEX  test folders (relative to tests/) the asan flavour leaves out
#                                      (default below; empty builds them all)
set -euo pipefail
cd "$(dirname "$0")/.."
flavour="${1:-release}"
targets=()
case "$flavour" in
  release) dir=build; flags=() ;;
  # -O1: sanitizer reports stay exact and the tests run about twice as fast as at -O0.
  # The sanitizer flavour builds the tests of parsing, validation, the store, the server and the
  # CLI; it leaves out the AI (agent, providers, report), observability/operations and benchmark
  # folders, whose code the release flavour tests and which ASan would only make slower.
  asan)    dir=build-asan; flags=(-DVCFAGENT_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug
                                  "-DCMAKE_CXX_FLAGS_DEBUG=-g -O1" "-DCMAKE_C_FLAGS_DEBUG=-g -O1"
                                  "-DVCFAGENT_TESTS_EXCLUDE=${VCFAGENT_ASAN_TESTS_EXCLUDE-(unit|e2e|corpus)/ai|(unit|e2e)/obs|e2e/ops|unit/bench}") ;;
  # Only the fuzz targets and the layers they link (util, obs, vcf, store).
  fuzz)    dir=build-fuzz; targets=(--target fuzzers)
           flags=(-DVCFAGENT_FUZZ=ON -DVCFAGENT_TESTS=OFF -DCMAKE_BUILD_TYPE=RelWithDebInfo
                  -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++) ;;
  *) echo "usage: scripts/build.sh [release|asan|fuzz]" >&2; exit 2 ;;
esac
# ccache (when installed) shares objects between checkouts of the project: paths below the
# checkout are hashed relative to it, and the build directory is not hashed (-g records it).
export CCACHE_BASEDIR="${CCACHE_BASEDIR:-$PWD}" CCACHE_NOHASHDIR="${CCACHE_NOHASHDIR:-1}"
cmake -S . -B "$dir" -G Ninja "${flags[@]}" >/dev/null
cmake --build "$dir" -j "$(nproc)" "${targets[@]}"
