#!/usr/bin/env bash
# The main job on the bundled examples: set up, build, then validate and summarise a real
# 1000 Genomes slice, and load the GIAB trio slice into a variant store (in a temporary
# directory) to query it (examples/README.md says where the data comes from).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/build.sh release >/dev/null
example=examples/1kg-chr22-slice.vcf.gz
store=$(mktemp -d)
trap 'rm -rf "$store"' EXIT
set -x
build/vcf-agent validate "$example"
build/vcf-agent stats -s - "$example" | grep -E '^(# SN|SN|# TSTV|TSTV)'
build/vcf-agent ingest examples/giab-ashk-trio-slice.vcf.gz --ped examples/giab-ashk-trio.ped --db "$store/trio"
build/vcf-agent variants --db "$store/trio" -w 'impact >= MODERATE && cohort_af < 0.2' -n 10
build/vcf-agent graph relatedness --db "$store/trio"
