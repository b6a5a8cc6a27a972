#!/usr/bin/env bash
# The main job on the bundled examples: set up, build, then analyze the GIAB trio slice (validation,
# QC, sex, relatedness, notable variants, plots) into an HTML report, validate and analyze a real
# 1000 Genomes slice, and load the trio into a variant store (in a temporary directory) to query it
# (examples/README.md says where the data comes from). The reports stay in example-output/.
#
# With an AI provider configured (OPENAI_API_KEY, ANTHROPIC_API_KEY or OLLAMA_HOST; see
# docs/configuration.md) the trio report also gets an AI interpretation and the agent answers a
# question about the store; without one, both say so and everything else is the same.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/build.sh release >/dev/null
trio=examples/giab-ashk-trio-slice.vcf.gz
ped=examples/giab-ashk-trio.ped
kg=examples/1kg-chr22-slice.vcf.gz
out=example-output
mkdir -p "$out"
store=$(mktemp -d)
trap 'rm -rf "$store"' EXIT
ai=()
if [ -n "${OPENAI_API_KEY:-}${OPENAI_API_KEY_FILE:-}${ANTHROPIC_API_KEY:-}${ANTHROPIC_API_KEY_FILE:-}${OLLAMA_HOST:-}${VCF_AGENT_PROVIDER:-}" ]; then
  ai=(--ai)
fi
set -x
build/vcf-agent analyze "$trio" --ped "$ped" "${ai[@]}" -o "$out/trio-report.html"
build/vcf-agent analyze "$trio" --ped "$ped" -o "$out/trio-report.md"
sed -n '/^## Overview/,/^## Validation/p' "$out/trio-report.md"
build/vcf-agent validate "$kg"
build/vcf-agent analyze "$kg" -o "$out/1kg-report.html"
build/vcf-agent ingest "$trio" --ped "$ped" --db "$store/trio"
build/vcf-agent variants --db "$store/trio" -w 'impact >= MODERATE && cohort_af < 0.2' -n 10
build/vcf-agent graph relatedness --db "$store/trio"
if [ ${#ai[@]} -gt 0 ]; then
  build/vcf-agent ask --db "$store/trio" "Which samples carry a HIGH-impact variant, and are any of them related?"
fi
{ set +x; } 2>/dev/null
echo "reports: $out/trio-report.html, $out/1kg-report.html (self-contained HTML with plots)"
