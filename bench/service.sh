#!/usr/bin/env bash
# The REST service under load: `vcf-agent serve` on loopback, driven by wrk.
#
#   bench/service.sh [--quick]
#
# Builds the release binary (build-bench/), loads the generated 100,000 sites x 100 samples set
# (bench/data/, shared with the other benchmarks; --quick: 5,000 x 20) into a fresh store with its
# similarity index, starts the service (rate limits off, logs at warn) and measures with wrk
# (1 thread: on 2 cores a second wrk thread competes with the service it measures; one thread
# drives more requests per second and measures the service, not the load generator):
#   1. GET /health, 64 connections, 30 s: throughput and p99 (target: p99 under 5 ms);
#   2. the mixed read workload (bench/wrk/mixed.lua: variants by 1 Mb region, carriers of a
#      variant, similar k=10, with the API key), 16 connections, 30 s: throughput, p99, non-2xx
#      (must be 0);
#   3. the same while an ingest job loads another generated file into the store;
#   4. a soak: the mixed workload for 10 minutes (--quick: 1 minute; SOAK_SECONDS overrides),
#      with the service's RSS (/proc/PID/status) sampled every 10 s: growth is judged from the
#      end of the first minute (caches filled) to the end.
# Writes the section between <!-- service:begin --> and <!-- service:end --> of bench/RESULTS.md
# (bench/out/RESULTS.md with --quick). Exits 1 if a run had non-2xx answers or socket errors.
# VCFAGENT=/path/to/vcf-agent benchmarks that build instead of building one (it should be a
# release build: RelWithDebInfo, no sanitizers).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
source bench/lib.sh
bench_init bench/service.sh 20 "$@"
require_tools cmake ninja bcftools bgzip tabix jq wrk curl sha256sum
if [ "$quick" -eq 1 ]; then
  GT_SITES=5000; GT_SAMPLES=20; INGEST_SITES=5000; phase_seconds=10; soak_seconds=${SOAK_SECONDS:-60}
else
  GT_SITES=100000; GT_SAMPLES=100; INGEST_SITES=50000; phase_seconds=30; soak_seconds=${SOAK_SECONDS:-600}
fi
mixed_connections=16
out=bench/out/service
mkdir -p "$out"

if [ -n "${VCFAGENT:-}" ]; then
  build_bench vcf-agent-gen
  agent=$VCFAGENT
else
  build_bench vcf-agent-gen vcf-agent
  agent=build-bench/vcf-agent
fi
gen=build-bench/bench/vcf-agent-gen
[ -x "$agent" ] || die "no vcf-agent binary at $agent"

echo "== data (bench/data/)"
source bench/datasets.sh
gt=$(make_dataset gt "--sites" "$GT_SITES" --samples "$GT_SAMPLES" --seed 42)
# Another cohort's file for the ingest that runs under load (other sites, same samples).
more=$(make_dataset gt-more "--sites" "$INGEST_SITES" --samples "$GT_SAMPLES" --seed 43)

echo "== store ($GT_SITES x $GT_SAMPLES, with the similarity index)"
store="$out/store"
rm -rf "$store"
start=$SECONDS
"$agent" ingest "$gt.vcf.gz" --db "$store" >/dev/null
echo "   ingested in $((SECONDS - start)) s"

# Variant ids for the workload: every k-th biallelic record, about 2,000 of them.
ids="$out/variant-ids.txt"
bcftools view -m2 -M2 "$gt.vcf.gz" | bcftools query -f '%CHROM:%POS:%REF:%ALT\n' |
  awk -v n="$GT_SITES" 'BEGIN { k = int(n / 2000); if (k < 1) k = 1 } NR % k == 0' >"$ids"
[ -s "$ids" ] || die "no variant ids in $ids"

echo "== service"
cat >"$out/config.yml" <<YAML
# bench/service.sh: no per-key rate limit (one key drives all the load), and no cap on the
# connections of one address (wrk's 64 connections and Prometheus all come from 127.0.0.1)
server:
  rate_limit_per_second: 0
  max_connections_per_client: 0
YAML
rm -f "$out/api-keys"
"$agent" serve --port 0 --db "$store" --config "$out/config.yml" --api-keys "$out/api-keys" \
  --data-dir "$root/$data" --log-level warn >"$out/serve.out" 2>"$out/serve.log" &
pid=$!
trap 'kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true' EXIT
for _ in $(seq 1 300); do
  grep -q "listening on" "$out/serve.out" && break
  kill -0 "$pid" 2>/dev/null || { cat "$out/serve.log" >&2; die "vcf-agent serve exited"; }
  sleep 0.1
done
url=$(sed -n 's/.*listening on \(http[s]*:\/\/[^ ]*\).*/\1/p' "$out/serve.out")
key=$(sed -n 's/^  \(vca_[A-Za-z0-9_-]*\)$/\1/p' "$out/serve.out")
[ -n "$url" ] && [ -n "$key" ] || die "no URL or admin key in $out/serve.out"
echo "   $url (pid $pid)"
export VCFAGENT_API_KEY=$key VCFAGENT_BENCH_IDS=$root/$ids VCFAGENT_WRK_DIR=$root/bench/wrk

# api METHOD PATH [BODY]: the body of a 2xx answer; dies naming the request otherwise.
api() {
  local method=$1 path=$2 body=${3:-} status
  status=$(curl -s -o "$out/last.json" -w '%{http_code}' -X "$method" -H "Authorization: Bearer $key" \
    ${body:+-H "Content-Type: application/json" --data "$body"} "$url$path")
  [[ "$status" == 2* ]] || die "$method $path answered $status: $(head -c 500 "$out/last.json")"
  cat "$out/last.json"
}
first=$(head -n 1 "$ids")
api GET "/api/v1/variants?limit=50&region=$(cut -d: -f1 <<<"$first"):1-1000000" >/dev/null
api GET "/api/v1/graph/carriers?variant=$first" >/dev/null
api POST /api/v1/similar "{\"variant\": \"$first\", \"k\": 10}" >/dev/null  # also builds the in-memory index

rss_kib() { awk '/^VmRSS:/ { print $2 }' "/proc/$pid/status"; }
declare -A result
# run_wrk NAME CONNECTIONS SECONDS SCRIPT: keeps wrk's report lines as result[NAME.key].
run_wrk() {
  local name=$1 connections=$2 seconds=$3 script=$4
  echo "== wrk $name: $connections connections, ${seconds} s"
  wrk -t 1 -c "$connections" -d "${seconds}s" --timeout 10s -s "bench/wrk/$script" "$url" | tee "$out/wrk-$name.txt"
  while read -r k v; do result[$name.$k]=$v; done < <(grep -E '^(requests|rps|p50_ms|p90_ms|p99_ms|max_ms|non_2xx|socket_errors) ' "$out/wrk-$name.txt")
}

load_before=$(cut -d' ' -f1 /proc/loadavg)
run_wrk health 64 "$phase_seconds" health.lua
run_wrk mixed "$mixed_connections" "$phase_seconds" mixed.lua

job=$(api POST /api/v1/ingest "{\"files\": [{\"path\": \"$root/$more.vcf.gz\"}]}" | jq -r '.id // .job.id')
[ -n "$job" ] && [ "$job" != null ] || die "the ingest job was not accepted"
run_wrk mixed-ingest "$mixed_connections" "$phase_seconds" mixed.lua
ingest_state=$(api GET "/api/v1/jobs/$job" | jq -r '.state')
ingest_during="$ingest_state at the end of the run"
for _ in $(seq 1 3600); do
  ingest_state=$(api GET "/api/v1/jobs/$job" | jq -r '.state')
  [ "$ingest_state" = queued ] || [ "$ingest_state" = running ] || break
  sleep 1
done
[ "$ingest_state" = succeeded ] || die "the ingest job ended $ingest_state: $(cat "$out/last.json")"
ingest_seconds=$(jq -r '.result.seconds // empty' "$out/last.json")

# RSS every 10 s during the soak: growth is judged after the first minute, when the caches (graph,
# index, SQLite pages, malloc arenas of the worker threads) have been filled by the workload.
rss_before=$(rss_kib)
rss_samples="$out/soak-rss.tsv"
heap_kib() { curl -s "$url/metrics" | awk '/^vcfagent_heap_allocated_bytes / { printf "%d", $2 / 1024 }'; }
( t=0; while kill -0 "$pid" 2>/dev/null && [ "$t" -le "$soak_seconds" ]; do
    printf '%d\t%s\t%s\n' "$t" "$(rss_kib)" "$(heap_kib)"; sleep 10; t=$((t + 10)); done ) >"$rss_samples" &
sampler=$!
run_wrk soak "$mixed_connections" "$soak_seconds" mixed.lua
rss_after=$(rss_kib)
kill "$sampler" 2>/dev/null || true
wait "$sampler" 2>/dev/null || true
rss_minute=$(awk '$1 >= 60 { print $2; exit }' "$rss_samples")
rss_minute=${rss_minute:-$rss_before}
heap_minute=$(awk '$1 >= 60 { print $3; exit }' "$rss_samples")
heap_end=$(heap_kib)
hwm=$(awk '/^VmHWM:/ { print $2 }' "/proc/$pid/status")
load_after=$(cut -d' ' -f1 /proc/loadavg)
kill -TERM "$pid"
wait "$pid" || true
trap - EXIT

bad=0
for name in health mixed mixed-ingest soak; do
  if [ "${result[$name.non_2xx]:-1}" != 0 ] || [ "${result[$name.socket_errors]:-1}" != 0 ]; then bad=1; fi
done

row() {  # row NAME DESCRIPTION
  awk -v d="$2" -v r="${result[$1.rps]}" -v n="${result[$1.requests]}" -v p50="${result[$1.p50_ms]}" \
    -v p90="${result[$1.p90_ms]}" -v p99="${result[$1.p99_ms]}" -v m="${result[$1.max_ms]}" \
    -v b="${result[$1.non_2xx]}" -v e="${result[$1.socket_errors]}" \
    'BEGIN { printf "| %s | %d | %.0f | %.2f | %.2f | **%.2f** | %.1f | %d | %d |\n", d, n, r, p50, p90, p99, m, b, e }'
}
section=$(mktemp)
{
  echo "<!-- service:begin -->"
  echo "## The REST service under load (bench/service.sh)"
  echo
  echo "Generated by \`${VCFAGENT:+VCFAGENT=$VCFAGENT }bench/service.sh$([ "$quick" -eq 1 ] && echo " --quick")\` on $(date -u '+%Y-%m-%d %H:%M UTC'), source $(source_revision), $(nproc) cores"
  echo "shared by the service and wrk ($(wrk --version 2>&1 | head -n 1 | cut -d' ' -f1-2), 1 thread, loopback). Store: $GT_SITES sites x $GT_SAMPLES samples"
  echo "with its similarity index; rate limits off; logs at warn. Mixed = 50% variants in a 1 Mb region (limit 50),"
  echo "30% carriers of a variant, 20% similar k=10, over $(wc -l <"$ids") variant ids, with the API key."
  echo "Load average (1 min): $load_before before the runs, $load_after after."
  echo
  echo "| run | requests | req/s | p50 ms | p90 ms | p99 ms | max ms | non-2xx | socket errors |"
  echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|"
  row health "GET /health, 64 connections, ${phase_seconds} s (target p99 < 5 ms)"
  row mixed "mixed reads, $mixed_connections connections, ${phase_seconds} s"
  row mixed-ingest "mixed reads during an ingest job ($INGEST_SITES x $GT_SAMPLES; $ingest_during), ${phase_seconds} s"
  row soak "soak: mixed reads, $mixed_connections connections, ${soak_seconds} s"
  echo
  awk -v b="$rss_before" -v m="$rss_minute" -v a="$rss_after" -v h="$hwm" -v s="$soak_seconds" -v i="$(awk -v x="${ingest_seconds:-}" 'BEGIN { if (x == "") print "?"; else printf "%.2f", x }')" 'BEGIN {
    printf "Service RSS over the %d s soak: %.1f MiB before, %.1f MiB after the first minute, %.1f MiB at the end (%+.1f MiB since the first minute); peak %.1f MiB. The ingest job took %s s.\n",
      s, b / 1024, m / 1024, a / 1024, (a - m) / 1024, h / 1024, i }'
  echo
  awk -v m="${heap_minute:-0}" -v a="${heap_end:-0}" 'BEGIN {
    printf "C heap in use (vcfagent_heap_allocated_bytes): %.1f MiB after the first minute, %.1f MiB at the end (%+.1f MiB).\n",
      m / 1024, a / 1024, (a - m) / 1024 }'
  echo
  echo "RSS samples (MiB, every 10 s of the soak): $(awk '{ printf "%s%.0f", (NR > 1 ? " " : ""), $2 / 1024 }' "$rss_samples")"
  echo
  echo "Heap in use samples (MiB): $(awk '{ printf "%s%.0f", (NR > 1 ? " " : ""), $3 / 1024 }' "$rss_samples")"
  echo "<!-- service:end -->"
} >"$section"
write_section service "$section"
rm -f "$section"
sed -n '/<!-- service:begin -->/,/<!-- service:end -->/p' "$results_md"
[ "$bad" -eq 0 ] || die "some requests failed (non-2xx or socket errors above)"
