# Shared by the bench/*.sh scripts: argument parsing, tool checks, the release build, and writing
# a script's section of bench/RESULTS.md. Source it from the checkout's root:
#
#   source bench/lib.sh
#   bench_init bench/x.sh 14 "$@"        # name for messages; -h prints lines 2..14 of the script
#   require_tools cmake ninja jq ...
#   build_bench vcf-agent vcf-agent-gen  # build-bench/, release flags, -DVCFAGENT_BENCH=ON
#   write_section x "$section_file"      # between <!-- x:begin --> and <!-- x:end -->
#
# bench_init sets: quick (0/1), threads, data (bench/data, the cached data sets of
# bench/datasets.sh) and results_md (bench/RESULTS.md, or bench/out/RESULTS.md with --quick:
# tiny sets say little, so they never overwrite the real results).

bench_name=bench

die() { echo "$bench_name: $*" >&2; exit 1; }

# bench_init NAME HELP_LAST_LINE ARGS...: accepts --quick and -h/--help only.
bench_init() {
  bench_name=$1
  local help_last=$2 script=$1 arg
  shift 2
  quick=0
  for arg in "$@"; do
    case "$arg" in
      --quick) quick=1 ;;
      -h|--help) sed -n "2,${help_last}p" "$script" | sed 's/^# \{0,1\}//'; exit 0 ;;
      *) echo "$bench_name: unknown argument '$arg' (usage: $bench_name [--quick])" >&2; exit 2 ;;
    esac
  done
  threads=$(nproc)
  data=bench/data
  if [ "$quick" -eq 1 ]; then results_md=bench/out/RESULTS.md; else results_md=bench/RESULTS.md; fi
  mkdir -p "$data" "$(dirname "$results_md")"
}

require_tools() {
  local tool
  for tool in "$@"; do
    command -v "$tool" >/dev/null || die "'$tool' is missing (scripts/setup.sh installs it)"
  done
}

# build_bench TARGET...: the release build in build-bench/ shared by every benchmark.
build_bench() {
  echo "== build (build-bench/, release flags)"
  cmake -S . -B build-bench -G Ninja -DVCFAGENT_BENCH=ON -DVCFAGENT_TESTS=OFF >/dev/null
  cmake --build build-bench -j "$threads" --target "$@"
}

# write_section NAME FILE: replaces the <!-- NAME:begin --> ... <!-- NAME:end --> block of
# $results_md with FILE (which holds both markers), or appends it; the rest of the file stays.
write_section() {
  local name=$1 section=$2
  touch "$results_md"
  if grep -q "<!-- $name:begin -->" "$results_md"; then
    awk -v section="$section" -v begin="<!-- $name:begin -->" -v end="<!-- $name:end -->" '
      index($0, begin) { while ((getline line < section) > 0) print line; skip = 1; next }
      index($0, end) { skip = 0; next }
      !skip { print }' "$results_md" >"$results_md.tmp"
  else
    { cat "$results_md"; [ -s "$results_md" ] && echo; cat "$section"; } >"$results_md.tmp"
  fi
  mv "$results_md.tmp" "$results_md"
}

# source_revision: the short commit, marked when the tree has uncommitted changes.
source_revision() {
  local revision
  revision=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
  git diff --quiet HEAD 2>/dev/null || revision+=" with uncommitted changes"
  echo "$revision"
}
