#!/usr/bin/env bash
# Configures and builds one flavour of vcf-agent: release (default), asan or fuzz.
#   scripts/build.sh [release|asan|fuzz]   -> build/, build-asan/, build-fuzz/
set -euo pipefail
cd "$(dirname "$0")/.."
flavour="${1:-release}"
case "$flavour" in
  release) dir=build; flags=() ;;
  # -O1: sanitizer reports stay exact and the tests run about twice as fast as at -O0.
  asan)    dir=build-asan; flags=(-DVCFAGENT_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug
                                  "-DCMAKE_CXX_FLAGS_DEBUG=-g -O1" "-DCMAKE_C_FLAGS_DEBUG=-g -O1") ;;
  fuzz)    dir=build-fuzz; flags=(-DVCFAGENT_FUZZ=ON -DVCFAGENT_TESTS=OFF -DCMAKE_BUILD_TYPE=RelWithDebInfo
                                  -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++) ;;
  *) echo "usage: scripts/build.sh [release|asan|fuzz]" >&2; exit 2 ;;
esac
# ccache (when installed) shares objects between checkouts of the project: paths below the
# checkout are hashed relative to it, and the build directory is not hashed (-g records it).
export CCACHE_BASEDIR="${CCACHE_BASEDIR:-$PWD}" CCACHE_NOHASHDIR="${CCACHE_NOHASHDIR:-1}"
cmake -S . -B "$dir" -G Ninja "${flags[@]}" >/dev/null
cmake --build "$dir" -j "$(nproc)"
