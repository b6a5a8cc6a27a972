#!/usr/bin/env bash
# The variant store benchmark, side by side with bcftools in the same run.
#
#   bench/store.sh [--quick]
#
# On the engine benchmark's generated sets (bench/data/, shared with bench/run.sh: 1,000,000 sites
# without samples; 100,000 sites x 100 samples), measures:
#   - ingest wall time (hyperfine, fresh store each run) of the default `ingest` (which builds the
#     similarity index before it exits) and of `ingest --no-index`, against `bcftools view -Ob` of
#     the same file in the same hyperfine run; the similarity index build on its own;
#   - peak RSS of ingest with and without the index build (/usr/bin/time);
#   - the first `vcf-agent similar` after a default ingest against later ones (the whole command:
#     a deferred index build would show in the first);
#   - store size (database, and index) against the BCF;
#   - in-process query latency percentiles (vcf-agent-store-bench): region of 1 Mb, carriers of a
#     variant, variants of a sample in a gene (genes from a generated BED: 30 kb every 100 kb),
#     shared variants of two samples, co-occurrence, all-pairs kinship, similar k=10, and the
#     index's recall@10 against exact search.
# Writes the section between <!-- store:begin --> and <!-- store:end --> of bench/RESULTS.md
# (bench/out/RESULTS.md with --quick); bench/run.sh keeps that section when it rewrites the file.
set -euo pipefail
cd "$(dirname "$0")/.."

source bench/lib.sh
bench_init bench/store.sh 22 "$@"
require_tools cmake ninja bcftools bgzip tabix hyperfine jq /usr/bin/time sha256sum
if [ "$quick" -eq 1 ]; then
  SITES_ONLY=20000; GT_SITES=5000; GT_SAMPLES=20; runs=200
else
  SITES_ONLY=1000000; GT_SITES=100000; GT_SAMPLES=100; runs=1000
fi
out=bench/out/store
mkdir -p "$out"

build_bench vcf-agent-gen vcf-agent vcf-agent-store-bench
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
    --prepare "rm -rf $db" -n "vcf-agent ingest" "$agent ingest $prefix.vcf.gz --db $db ${extra[*]}" \
    --prepare "rm -rf $db" -n "vcf-agent ingest --no-index" "$agent ingest $prefix.vcf.gz --db $db --no-index ${extra[*]}" \
    --prepare "rm -f $out/x.bcf" -n "bcftools view -Ob" "bcftools view -Ob -o $out/x.bcf $prefix.vcf.gz" >/dev/null
  ours=$(jq -r '.results[0].mean' "$out/ingest-$set.json")
  ours_noindex=$(jq -r '.results[1].mean' "$out/ingest-$set.json")
  theirs=$(jq -r '.results[2].mean' "$out/ingest-$set.json")
  hyperfine --warmup 0 --runs 1 --export-json "$out/index-$set.json" --prepare "rm -rf $db/similarity" \
    -n "vcf-agent index" "$agent index --db $db" >/dev/null
  index_s=$(seconds_of "$out/index-$set.json")
  rm -rf "$db"
  rss_ingest=$(/usr/bin/time -f %M "$agent" ingest "$prefix.vcf.gz" --db "$db" --no-index "${extra[@]}" 2>&1 >/dev/null | tail -n 1)
  rss_index=$(/usr/bin/time -f %M "$agent" index --db "$db" 2>&1 >/dev/null | tail -n 1)
  rm -rf "$db.default"
  rss_default=$(/usr/bin/time -f %M "$agent" ingest "$prefix.vcf.gz" --db "$db.default" "${extra[@]}" 2>&1 >/dev/null | tail -n 1)
  # The first `similar` after this ingest, then later ones of the same variant (whole commands).
  first_start=$(date +%s.%N)
  "$agent" similar 12345 --db "$db.default" >/dev/null
  first_similar=$(awk -v a="$first_start" -v b="$(date +%s.%N)" 'BEGIN { print b - a }')
  hyperfine --warmup 0 --runs 5 --export-json "$out/similar-$set.json" -n "vcf-agent similar" \
    "$agent similar 12345 --db $db.default" >/dev/null
  later_similar=$(seconds_of "$out/similar-$set.json")
  rm -rf "$db.default"
  rss_bcftools=$(/usr/bin/time -f %M bcftools view -Ob -o "$out/x.bcf" "$prefix.vcf.gz" 2>&1 >/dev/null | tail -n 1)
  db_bytes=$(stat -c %s "$db/store.sqlite")
  index_bytes=$(cat "$db"/similarity/* | wc -c)
  bcf_bytes=$(stat -c %s "$prefix.bcf")
  add_row "$(awk -v s="$set" -v o="$ours" -v n="$ours_noindex" -v t="$theirs" -v i="$index_s" -v ri="$rss_ingest" -v rx="$rss_index" -v rd="$rss_default" -v rb="$rss_bcftools" \
    -v d="$db_bytes" -v x="$index_bytes" -v b="$bcf_bytes" -v f="$first_similar" -v l="$later_similar" 'BEGIN {
      printf "| %s | %.2f s (**%.2fx**) | %.2f s (%.2fx) | %.2f s | %.2f s | %.0f / %.0f / %.0f MiB | %.0f MiB | %.1f MiB (%.2fx) | %.1f MiB | **%.2fx** | %.1f MiB | %.2f / %.2f s |",
        s, o, o / t, n, n / t, t, i, rd / 1024, ri / 1024, rx / 1024, rb / 1024, d / 1048576, d / b, x / 1048576, (d + x) / b, b / 1048576, f, l }')"
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
  echo "Ingest is timed as users run it: the default \`ingest\` (the similarity index included) and \`ingest --no-index\`,"
  echo "each against \`bcftools view -Ob\` of the same file in the same hyperfine run (3 runs, fresh store each run; ratios"
  echo "in brackets). The index build (\`vcf-agent index\` after a --no-index ingest) is also timed on its own."
  echo "Sizes: store.sqlite after ingest; index = similarity/; total = both against the BCF. First/later \`similar\`: the"
  echo "whole command right after a default ingest, then the mean of 5 later runs."
  echo
  echo "| set | ingest (vs bcftools) | ingest --no-index | bcftools view -Ob | index build | peak RSS: ingest / ingest --no-index / index | bcftools RSS | store.sqlite (vs BCF) | index | store + index vs BCF | BCF | first / later similar |"
  echo "|---|---|---|---|---|---|---|---|---|---|---|---|"
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
write_section store "$section"
rm -f "$section"
sed -n '/<!-- store:begin -->/,/<!-- store:end -->/p' "$results_md"
