#!/usr/bin/env bash
# The variant store benchmark, side by side with bcftools in the same run.
#
#   bench/store.sh [--quick]
#
# On the engine benchmark's generated sets (bench/data/, shared with bench/run.sh: 1,000,000 sites
# without samples; 100,000 sites x 100 samples), measures:
#   - ingest wall time (hyperfine, fresh store each run, --no-index) against `bcftools view -Ob`
#     of the same file, and the similarity index build on its own;
#   - peak RSS of ingest with and without the index build (/usr/bin/time);
#   - store size (database, and index) against the BCF;
#   - in-process query latency percentiles (vcf-agent-store-bench): region of 1 Mb, carriers of a
#     variant, variants of a sample in a gene (genes from a generated BED: 30 kb every 100 kb),
#     shared variants of two samples, co-occurrence, all-pairs kinship, similar k=10, and the
#     index's recall@10 against exact search.
# Writes the section between <!-- store:begin --> and <!-- store:end --> of bench/RESULTS.md
# (bench/out/RESULTS.md with --quick); bench/run.sh keeps that section when it rewrites the file.
set -euo pipefail
cd "$(dirname "$0")/.."

quick=0
for arg in "$@"; do
  case "$arg" in
    --quick) quick=1 ;;
    -h|--help) sed -n '2,19p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "bench/store.sh: unknown argument '$arg' (usage: bench/store.sh [--quick])" >&2; exit 2 ;;
  esac
done
die() { echo "bench/store.sh: $*" >&2; exit 1; }
for tool in cmake ninja bcftools bgzip tabix hyperfine jq /usr/bin/time sha256sum; do
  command -v "$tool" >/dev/null || die "'$tool' is missing (scripts/setup.sh installs it)"
done
if [ "$quick" -eq 1 ]; then
  SITES_ONLY=20000; GT_SITES=5000; GT_SAMPLES=20; runs=200; results_md=bench/out/RESULTS.md
else
  SITES_ONLY=1000000; GT_SITES=100000; GT_SAMPLES=100; runs=1000; results_md=bench/RESULTS.md
fi
threads=$(nproc)
data=bench/data
out=bench/out/store
mkdir -p "$data" "$out"

echo "== build (build-bench/, release flags)"
cmake -S . -B build-bench -G Ninja -DVCFAGENT_BENCH=ON -DVCFAGENT_TESTS=OFF >/dev/null
cmake --build build-bench -j "$threads" --target vcf-agent-gen vcf-agent vcf-agent-store-bench
gen=build-bench/bench/vcf-agent-gen
agent=build-bench/vcf-agent
store_bench=build-bench/bench/vcf-agent-store-bench

echo "== data (bench/data/)"
source bench/datasets.sh
sites=$(make_dataset sites "--sites" "$SITES_ONLY" --samples 0 --seed 42)
gt=$(make_dataset gt "--sites" "$GT_SITES" --samples "$GT_SAMPLES" --seed 42)
genes="$out/genes.bed"
bcftools view -h "$gt.vcf.gz" | awk -F'[=,>]' '/^##contig=<ID=/ {
    for (start = 0; start + 30000 <= $5; start += 100000) printf "%s\t%d\t%d\tG_%s_%d\n", $3, start, start + 30000, $3, start / 100000
  }' >"$genes"

rows=()
add_row() { rows+=("$1"); }
seconds_of() { jq -r '.results[0].mean' "$1"; }

for set in sites gt; do
  prefix=${!set}
  db="$out/db-$set"
  extra=()
  [ "$set" = gt ] && extra=(--genes "$genes")
  echo "== ingest $set"
  hyperfine --warmup 0 --runs 3 --export-json "$out/ingest-$set.json" \
    --prepare "rm -rf $db" -n "vcf-agent ingest --no-index" "$agent ingest $prefix.vcf.gz --db $db --no-index ${extra[*]}" \
    --prepare "rm -f $out/x.bcf" -n "bcftools view -Ob" "bcftools view -Ob -o $out/x.bcf $prefix.vcf.gz" >/dev/null
  ours=$(jq -r '.results[0].mean' "$out/ingest-$set.json")
  theirs=$(jq -r '.results[1].mean' "$out/ingest-$set.json")
  hyperfine --warmup 0 --runs 1 --export-json "$out/index-$set.json" --prepare "rm -rf $db/similarity" \
    -n "vcf-agent index" "$agent index --db $db" >/dev/null
  index_s=$(seconds_of "$out/index-$set.json")
  rm -rf "$db"
  rss_ingest=$(/usr/bin/time -f %M "$agent" ingest "$prefix.vcf.gz" --db "$db" --no-index "${extra[@]}" 2>&1 >/dev/null | tail -n 1)
  rss_index=$(/usr/bin/time -f %M "$agent" index --db "$db" 2>&1 >/dev/null | tail -n 1)
  rm -rf "$db.default"
  rss_default=$(/usr/bin/time -f %M "$agent" ingest "$prefix.vcf.gz" --db "$db.default" "${extra[@]}" 2>&1 >/dev/null | tail -n 1)
  rm -rf "$db.default"
  rss_bcftools=$(/usr/bin/time -f %M bcftools view -Ob -o "$out/x.bcf" "$prefix.vcf.gz" 2>&1 >/dev/null | tail -n 1)
  db_bytes=$(stat -c %s "$db/store.sqlite")
  index_bytes=$(cat "$db"/similarity/* | wc -c)
  bcf_bytes=$(stat -c %s "$prefix.bcf")
  add_row "$(awk -v s="$set" -v o="$ours" -v t="$theirs" -v i="$index_s" -v ri="$rss_ingest" -v rx="$rss_index" -v rd="$rss_default" -v rb="$rss_bcftools" \
    -v d="$db_bytes" -v x="$index_bytes" -v b="$bcf_bytes" 'BEGIN {
      printf "| %s | %.2f s | %.2f s | **%.2f** | %.1f s | %.0f / %.0f / %.0f MiB | %.0f MiB | %.1f MiB (**%.2fx**) | %.1f MiB (%.2fx with index) | %.1f MiB |",
        s, o, t, o / t, i, ri / 1024, rx / 1024, rd / 1024, rb / 1024, d / 1048576, d / b, x / 1048576, (d + x) / b, b / 1048576 }')"
done

echo "== query latency (vcf-agent-store-bench, $runs runs each)"
latency_gt=$("$store_bench" --db "$out/db-gt" --runs "$runs" 2>"$out/latency-gt.log")
cat "$out/latency-gt.log"
latency_sites=$("$store_bench" --db "$out/db-sites" --runs "$runs" --queries region,similar 2>"$out/latency-sites.log")
cat "$out/latency-sites.log"

section=$(mktemp)
{
  echo "<!-- store:begin -->"
  echo "## Variant store (bench/store.sh)"
  echo
  echo "Generated by \`bench/store.sh$([ "$quick" -eq 1 ] && echo " --quick")\` on $(date -u '+%Y-%m-%d %H:%M UTC'), source $(git rev-parse --short HEAD 2>/dev/null || echo unknown)."
  echo "sites = $SITES_ONLY sites without samples; gt = $GT_SITES sites x $GT_SAMPLES samples (GT:DP:GQ), ingested with \`--genes\` (generated BED)."
  echo "Ingest is timed with \`--no-index\` against \`bcftools view -Ob\` (hyperfine, 3 runs, fresh store each run); the"
  echo "similarity index build (\`vcf-agent index\`) is timed on its own. Sizes: store.sqlite after ingest; index = similarity/."
  echo
  echo "| set | ingest | bcftools view -Ob | ratio | index build | peak RSS: ingest --no-index / index / ingest with index | bcftools RSS | store.sqlite (vs BCF) | index | BCF |"
  echo "|---|---|---|---|---|---|---|---|---|---|"
  printf '%s\n' "${rows[@]}"
  echo
  echo "In-process latency, gt store ($(grep -o '^graph: .*' "$out/latency-gt.log" || true); $(grep -o 'similarity recall.*' "$out/latency-gt.log" || true)):"
  echo
  echo "$latency_gt"
  echo
  echo "sites store ($(grep -o 'region: .*' "$out/latency-sites.log" || true); $(grep -o 'similarity recall.*' "$out/latency-sites.log" || true); index $(grep -o 'vectors [a-z]* in [0-9.]* s' "$out/latency-sites.log" || true)):"
  echo
  echo "$latency_sites"
  echo "<!-- store:end -->"
} >"$section"
if [ -f "$results_md" ] && grep -q '<!-- store:begin -->' "$results_md"; then
  awk -v section="$section" '
    /<!-- store:begin -->/ { while ((getline line < section) > 0) print line; skip = 1; next }
    /<!-- store:end -->/ { skip = 0; next }
    !skip { print }' "$results_md" >"$results_md.tmp"
else
  { [ -f "$results_md" ] && cat "$results_md" && echo; cat "$section"; } >"$results_md.tmp"
fi
mv "$results_md.tmp" "$results_md"
rm -f "$section"
sed -n '/<!-- store:begin -->/,/<!-- store:end -->/p' "$results_md"
