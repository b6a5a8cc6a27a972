# Shared by bench/run.sh and bench/store.sh: the cached synthetic data sets in bench/data/.
# Needs: $data (folder), $gen (vcf-agent-gen), $threads.
# Bump when the steps below change what ends up in bench/data.
DATA_RECIPE=1
generator_hash=$(cat bench/gen/synthetic_vcf.h bench/gen/gen_synthetic_vcf.cpp | sha256sum | cut -c1-16)

# make_dataset NAME GENERATOR-ARGS...: prints the path prefix of the cached data set, generating
# PREFIX.vcf.gz (+ .tbi) and PREFIX.bcf (+ .csi) when missing.
make_dataset() {
  local name=$1; shift
  local key
  key=$(echo "$DATA_RECIPE $generator_hash $*" | sha256sum | cut -c1-12)
  local prefix="$data/$name-$key"
  if [ -s "$prefix.vcf.gz" ] && [ -s "$prefix.vcf.gz.tbi" ] && [ -s "$prefix.bcf" ] && [ -s "$prefix.bcf.csi" ]; then
    echo "   $name: cached ($prefix)" >&2
    echo "$prefix"
    return
  fi
  local start=$SECONDS
  rm -f "$prefix".*
  "$gen" "$@" -o "$prefix.tmp.vcf"
  local gen_seconds=$((SECONDS - start))
  bgzip -@ "$threads" -c "$prefix.tmp.vcf" >"$prefix.tmp.vcf.gz"
  rm -f "$prefix.tmp.vcf"
  tabix -p vcf "$prefix.tmp.vcf.gz"
  bcftools view --threads "$threads" -Ob -o "$prefix.tmp.bcf" "$prefix.tmp.vcf.gz"
  bcftools index "$prefix.tmp.bcf"
  # Rename indexes first, data last: a complete data file means a complete set.
  mv "$prefix.tmp.vcf.gz.tbi" "$prefix.vcf.gz.tbi"
  mv "$prefix.tmp.bcf.csi" "$prefix.bcf.csi"
  mv "$prefix.tmp.bcf" "$prefix.bcf"
  mv "$prefix.tmp.vcf.gz" "$prefix.vcf.gz"
  touch "$prefix.vcf.gz.tbi" "$prefix.bcf.csi"  # indexes must not look older than their data
  echo "   $name: generated in ${gen_seconds}s, compressed and indexed in $((SECONDS - start - gen_seconds))s ($prefix)" >&2
  echo "$prefix"
}

