#!/usr/bin/env bash
# Installs a locked npm package's dependencies with `npm ci`, only when they are missing or the
# lock file (or Node's version) changed since the last install: a no-op that takes milliseconds
# when installed. Used by scripts/setup.sh for every npm package of the project.
#   scripts/npm-ci.sh DIR     (DIR holds package.json and package-lock.json)
set -euo pipefail
dir="${1:?usage: scripts/npm-ci.sh DIR}"
[ -f "$dir/package-lock.json" ] || { echo "npm-ci: $dir/package-lock.json: no such file" >&2; exit 2; }
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  echo "npm-ci: node and npm are required (Node.js 20.19 or later)" >&2
  exit 1
fi
stamp="$dir/node_modules/.vcf-agent-installed"
want="$(node --version) $(sha256sum "$dir/package-lock.json" | cut -d' ' -f1)"
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
  exit 0
fi
echo "setup: npm ci in $dir" >&2
(cd "$dir" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
printf '%s\n' "$want" > "$stamp"
