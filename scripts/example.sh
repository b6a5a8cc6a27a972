#!/usr/bin/env bash
# The main job on the bundled example: set up, build, then validate and summarise a real
# 1000 Genomes slice (examples/README.md says where it comes from).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/build.sh release >/dev/null
example=examples/1kg-chr22-slice.vcf.gz
set -x
build/vcf-agent validate "$example"
build/vcf-agent stats -s - "$example" | grep -E '^(# SN|SN|# TSTV|TSTV)'
