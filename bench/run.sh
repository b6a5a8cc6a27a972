#!/usr/bin/env bash
# The benchmark: vcf-agent against bcftools 1.16, side by side in one run, reported as ratios.
#
#   bench/run.sh [--quick]
#
# 1. Builds vcf-agent and the data generator vcf-agent-gen (release flags, -DVCFAGENT_BENCH=ON) in
#    build-bench/.
# 2. Generates the data sets into bench/data/ (cached by a hash of the generator's sources, the
#    parameters and this script's data recipe): 1,000,000 sites without samples; 100,000 sites x
#    100 samples (GT:DP:GQ) and a perturbed copy of it; 10,000 sites x 2,504 samples. Each as
#    bgzipped VCF + tabix index and as BCF + CSI index. --quick uses tiny sets (seconds).
# 3. Checks every command once (exit status as expected, non-empty output) and stops naming the
#    command if one fails; then times each pair with hyperfine (warmup 1, min-runs 3), measures
#    peak RSS with /usr/bin/time, and writes:
#      bench/out/results.json   every hyperfine result, tagged with "benchmark" and "tool"
#      bench/out/rss.tsv        peak RSS per command and data set
#      bench/RESULTS.md         command, date, machine, versions, the ratio and RSS tables
#                               (--quick writes bench/out/RESULTS.md instead: tiny sets say little)
# Set VCFAGENT=/path/to/vcf-agent to benchmark another build instead of building one.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

source bench/lib.sh
bench_init bench/run.sh 19 "$@"
require_tools cmake ninja bcftools bgzip tabix hyperfine jq /usr/bin/time sha256sum

if [ "$quick" -eq 1 ]; then
  SITES_ONLY=20000; GT_SITES=5000; GT_SAMPLES=20; WIDE_SITES=300; WIDE_SAMPLES=500
else
  SITES_ONLY=1000000; GT_SITES=100000; GT_SAMPLES=100; WIDE_SITES=10000; WIDE_SAMPLES=2504
fi
out=bench/out
mkdir -p "$out/json" "$out/check"

# ---- 1. build ----------------------------------------------------------------------------------
build_bench vcf-agent-gen $([ -z "${VCFAGENT:-}" ] && echo vcf-agent)
gen=build-bench/bench/vcf-agent-gen
agent=${VCFAGENT:-build-bench/vcf-agent}
[ -x "$agent" ] || die "no vcf-agent binary at $agent"

# ---- 2. data -----------------------------------------------------------------------------------
source bench/datasets.sh

echo "== data (bench/data/)"
sites=$(make_dataset sites "--sites" "$SITES_ONLY" --samples 0 --seed 42)
gt=$(make_dataset gt "--sites" "$GT_SITES" --samples "$GT_SAMPLES" --seed 42)
gt_b=$(make_dataset gt-perturbed "--sites" "$GT_SITES" --samples "$GT_SAMPLES" --seed 42 \
  --perturb-seed 2 --perturb-frac 0.05)
wide=$(make_dataset wide "--sites" "$WIDE_SITES" --samples "$WIDE_SAMPLES" --seed 7)

# 100 non-overlapping 1 Mb regions, evenly spaced over the contigs in proportion to their length.
regions="$data/regions100.tsv"
bcftools view -h "$sites.vcf.gz" | awk -F'[=,>]' '/^##contig=<ID=/ { name[n] = $3; len[n] = $5; total += $5; n++ }
  END {
    left = 100
    for (i = 0; i < n; i++) {
      k = (i == n - 1) ? left : int(100 * len[i] / total + 0.5)
      if (k > left) k = left
      left -= k
      for (j = 1; j <= k; j++) {
        start = int(len[i] * j / (k + 1)) - 500000
        printf "%s\t%d\t%d\n", name[i], start, start + 999999
      }
    }
  }' >"$regions"
[ "$(wc -l <"$regions")" -eq 100 ] || die "expected 100 regions in $regions"
region="chr7:50000000-51000000"

# ---- 3. check, time, measure -------------------------------------------------------------------
# run_check LABEL EXPECTED-EXIT OUTPUT-MUST-BE-NON-EMPTY(0/1) COMMAND...: runs once, stops on failure.
run_check() {
  local label=$1 expected=$2 need_output=$3; shift 3
  local stdout="$out/check/$label.out" stderr="$out/check/$label.err" status=0
  "$@" >"$stdout" 2>"$stderr" || status=$?
  if [ "$status" -ne "$expected" ]; then
    echo "bench: '$label' failed: exit $status, expected $expected: $*" >&2
    head -n 5 "$stderr" >&2
    exit 1
  fi
  if [ "$need_output" -eq 1 ] && [ ! -s "$stdout" ]; then
    die "'$label' printed nothing: $*"
  fi
}

q() { printf '%q ' "$@"; }  # a command as one quoted string (hyperfine -N splits it like a shell)

benchmarks=()  # labels, in order
# bench_pair LABEL "VCF-AGENT COMMAND" "BCFTOOLS COMMAND"
bench_pair() {
  local label=$1 ours=$2 theirs=$3
  echo "== $label"
  hyperfine -N --warmup 1 --min-runs 3 --style basic --export-json "$out/json/$label.json" \
    -n vcf-agent "$ours" -n bcftools "$theirs"
  benchmarks+=("$label")
}

isec_dir="$out/isec"
declare -A dataset_path=([sites]="$sites" [gt]="$gt" [wide]="$wide")
declare -A dataset_desc=(
  [sites]="$SITES_ONLY sites, 0 samples"
  [gt]="$GT_SITES sites x $GT_SAMPLES samples"
  [wide]="$WIDE_SITES sites x $WIDE_SAMPLES samples")

echo "== checking every command once"
for d in sites gt wide; do
  f="${dataset_path[$d]}.vcf.gz"
  run_check "validate-$d" 0 0 "$agent" validate "$f"
  run_check "bcftools-parse-$d" 0 0 bcftools view -Ou -o /dev/null "$f"
  run_check "stats-$d" 0 1 "$agent" stats "$f"
  run_check "bcftools-stats-$d" 0 1 bcftools stats "$f"
  if [ "$d" != sites ]; then
    run_check "stats-samples-$d" 0 1 "$agent" stats -s - "$f"
    run_check "bcftools-stats-samples-$d" 0 1 bcftools stats -s - "$f"
  fi
  if [ "$d" != wide ]; then
    run_check "view-region-$d" 0 1 "$agent" view -r "$region" "$f"
    run_check "bcftools-view-region-$d" 0 1 bcftools view -r "$region" "$f"
    run_check "view-regions100-$d" 0 1 "$agent" view -R "$regions" "$f"
    run_check "bcftools-view-regions100-$d" 0 1 bcftools view -R "$regions" "$f"
  fi
done
run_check "stats-gt-bcf" 0 1 "$agent" stats "$gt.bcf"
run_check "validate-gt-bcf" 0 0 "$agent" validate "$gt.bcf"
run_check "compare-gt" 0 1 "$agent" compare "$gt.vcf.gz" "$gt_b.vcf.gz"
rm -rf "$isec_dir"
run_check "bcftools-isec-gt" 0 0 bcftools isec -p "$isec_dir" "$gt.vcf.gz" "$gt_b.vcf.gz"
[ -s "$isec_dir/0002.vcf" ] || die "bcftools isec wrote no $isec_dir/0002.vcf"

rm -f "$out"/json/*.json
for d in sites gt wide; do
  f="${dataset_path[$d]}.vcf.gz"
  bench_pair "validate-$d" "$(q "$agent" validate "$f")" "$(q bcftools view -Ou -o /dev/null "$f")"
  bench_pair "stats-$d" "$(q "$agent" stats "$f")" "$(q bcftools stats "$f")"
  if [ "$d" != sites ]; then
    bench_pair "stats-samples-$d" "$(q "$agent" stats -s - "$f")" "$(q bcftools stats -s - "$f")"
  fi
  if [ "$d" != wide ]; then
    bench_pair "view-region-$d" "$(q "$agent" view -r "$region" "$f")" "$(q bcftools view -r "$region" "$f")"
    bench_pair "view-regions100-$d" "$(q "$agent" view -R "$regions" "$f")" "$(q bcftools view -R "$regions" "$f")"
  fi
done
bench_pair "stats-gt-bcf" "$(q "$agent" stats "$gt.bcf")" "$(q bcftools stats "$gt.bcf")"
bench_pair "validate-gt-bcf" "$(q "$agent" validate "$gt.bcf")" "$(q bcftools view -Ou -o /dev/null "$gt.bcf")"
bench_pair "compare-gt" "$(q "$agent" compare "$gt.vcf.gz" "$gt_b.vcf.gz")" \
  "$(q bcftools isec -p "$isec_dir" "$gt.vcf.gz" "$gt_b.vcf.gz")"

# Peak RSS (KiB) of one run: memory must stay flat as the input grows.
peak_rss() {
  local file="$out/check/rss.txt"
  /usr/bin/time -f "%M" -o "$file" "$@" >/dev/null 2>"$out/check/rss.err" || die "failed while measuring RSS: $*"
  tail -n 1 "$file"
}
echo "== peak RSS"
printf "command\ttool\tsites\tgt\twide\n" >"$out/rss.tsv"
rss_row() {  # rss_row LABEL "DATASETS" TOOL ARGS... (each data set's .vcf.gz is appended)
  local label=$1 sets=$2 tool=$3; shift 3
  local row="$label\t$tool"
  for d in sites gt wide; do
    if [[ " $sets " == *" $d "* ]]; then
      row+="\t$(peak_rss "$tool" "$@" "${dataset_path[$d]}.vcf.gz")"
    else
      row+="\t-"
    fi
  done
  printf "%b\n" "$row" >>"$out/rss.tsv"
}
rss_row validate "sites gt wide" "$agent" validate
rss_row "stats" "sites gt wide" "$agent" stats
rss_row "stats -s -" "gt wide" "$agent" stats -s -
rss_row "view -R regions100" "sites gt wide" "$agent" view -R "$regions"
rss_row "parse (view -Ou)" "sites gt wide" bcftools view -Ou -o /dev/null
rss_row "stats -s -" "gt wide" bcftools stats -s -
printf "compare\t%s\t-\t%s\t-\n" "$agent" "$(peak_rss "$agent" compare "$gt.vcf.gz" "$gt_b.vcf.gz")" >>"$out/rss.tsv"
rm -rf "$isec_dir"
printf "isec\tbcftools\t-\t%s\t-\n" "$(peak_rss bcftools isec -p "$isec_dir" "$gt.vcf.gz" "$gt_b.vcf.gz")" >>"$out/rss.tsv"

# ---- 4. report ---------------------------------------------------------------------------------
{
  for b in "${benchmarks[@]}"; do
    jq --arg b "$b" '.results[] | . + {benchmark: $b, tool: .command}' "$out/json/$b.json"
  done
} | jq -s '{results: .}' >"$out/results.json"

ratio_table() {
  echo "| benchmark | vcf-agent mean (s) | bcftools mean (s) | ratio vcf-agent / bcftools |"
  echo "|---|---:|---:|---:|"
  local b ours theirs
  for b in "${benchmarks[@]}"; do
    ours=$(jq --arg b "$b" '.results[] | select(.benchmark == $b and .tool == "vcf-agent") | .mean' "$out/results.json")
    theirs=$(jq --arg b "$b" '.results[] | select(.benchmark == $b and .tool == "bcftools") | .mean' "$out/results.json")
    awk -v b="$b" -v o="$ours" -v t="$theirs" 'BEGIN { printf "| %s | %.3f | %.3f | %.2f |\n", b, o, t, o / t }'
  done
}
rss_table() {
  echo "| command | tool | ${dataset_desc[sites]} (MiB) | ${dataset_desc[gt]} (MiB) | ${dataset_desc[wide]} (MiB) |"
  echo "|---|---|---:|---:|---:|"
  tail -n +2 "$out/rss.tsv" | while IFS=$'\t' read -r label tool a b c; do
    mib() { [ "$1" = - ] && echo - || awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'; }
    printf "| %s | %s | %s | %s | %s |\n" "$label" "$(basename "$tool")" "$(mib "$a")" "$(mib "$b")" "$(mib "$c")"
  done
}

revision=$(source_revision)
cpu=$(lscpu 2>/dev/null | sed -n 's/^Model name: *//p' | head -n 1)
memory=$(free -g 2>/dev/null | awk '/^Mem:/ { print $2 " GiB" }')
{
  echo "# Benchmark results: vcf-agent vs bcftools"
  echo
  echo "Generated by \`${VCFAGENT:+VCFAGENT=$VCFAGENT }bench/run.sh$([ "$quick" -eq 1 ] && echo " --quick")\` on $(date -u '+%Y-%m-%d %H:%M UTC'), source $revision."
  echo "Ratios are what matters (both tools run side by side in one run on a shared machine);"
  echo "below 1 means vcf-agent is faster. See bench/README.md for what each benchmark does."
  echo
  echo "- machine: $threads CPUs ($cpu), ${memory:-? GiB} RAM, $(uname -sr)"
  echo "- vcf-agent: $("$agent" --version 2>&1 | head -n 1) ($agent), built with $("$(sed -n 's/^CMAKE_CXX_COMPILER:[A-Z]*=//p' build-bench/CMakeCache.txt)" --version | head -n 1), $(build_type=$(sed -n 's/^CMAKE_BUILD_TYPE:[A-Z]*=//p' build-bench/CMakeCache.txt); echo "${build_type:-RelWithDebInfo}")"
  echo "- $(bcftools --version | head -n 1), $(bcftools --version | sed -n 2p); $(hyperfine --version)"
  echo "- data (vcf-agent-gen, bgzip + tabix, BCF + CSI): sites = ${dataset_desc[sites]}; gt = ${dataset_desc[gt]} (GT:DP:GQ) and gt-perturbed, its copy with 5% of records dropped, changed or added; wide = ${dataset_desc[wide]}"
  echo "- regions: \`-r $region\`; regions100 = \`-R\` with 100 non-overlapping 1 Mb regions"
  echo "- hyperfine --warmup 1 --min-runs 3; raw results in bench/out/results.json"
  echo
  echo "## Wall time"
  echo
  ratio_table
  echo
  echo "## Peak resident memory (/usr/bin/time)"
  echo
  rss_table
  # The sections other benchmarks write (bench/store.sh, analyze.sh, agent.sh, service.sh): keep them.
  for section in store analyze agent service; do
    if [ -f "$results_md" ] && grep -q "<!-- $section:begin -->" "$results_md"; then
      echo
      sed -n "/<!-- $section:begin -->/,/<!-- $section:end -->/p" "$results_md"
    fi
  done
} >"$results_md.tmp"
mv "$results_md.tmp" "$results_md"
echo
cat "$results_md"
echo
echo "bench: wrote $out/results.json, $out/rss.tsv and $results_md"
