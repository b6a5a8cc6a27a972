#!/usr/bin/env bash
# Installs every Debian 12 package vcf-agent needs to build, test and benchmark, then the locked
# npm packages (tools/openapi: the OpenAPI linter and response validator) with `npm ci`.
# Idempotent: it only calls apt-get when something is missing and npm when a lock file changed.
# Run as root (or with sudo available).
set -euo pipefail

PACKAGES=(
  build-essential cmake ninja-build pkg-config ccache mold clang libclang-rt-14-dev
  libhts-dev libcurl4-gnutls-dev libsqlite3-dev libhnswlib-dev sqlite3 libcpp-httplib-dev
  nlohmann-json3-dev libcli11-dev libfmt-dev libspdlog-dev libyaml-cpp-dev
  libgtest-dev libgmock-dev librapidcheck-dev libbenchmark-dev
  bcftools tabix hyperfine python3 time jq json-schema-test-suite multiqc
  libssl-dev prometheus wrk
)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}" >&2
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# Node.js 20.19+ with npm (Debian 12's nodejs is 18, too old for @redocly/cli 2).
cd "$(dirname "$0")/.."
scripts/npm-ci.sh tools/openapi
