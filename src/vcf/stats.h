// VcfStats: bcftools-style summary statistics of one VCF/BCF file (`vcf-agent stats`).
//
// ComputeStats() streams the input once and returns every number `bcftools stats` 1.16 prints for
// a single file (sections SN, TSTV, SiS, AF, QUAL, IDD, ST, DP, PSC, PSI, HWE), with the same
// counting rules: per-allele types from htslib's bcf_get_variant_type(), allele frequencies from
// INFO/AN+AC or (with samples) the genotypes, the same AF, QUAL and depth bins, and the same
// arithmetic precision, so the text rendering (stats_format.h) equals bcftools' line for line.
// The result holds final values (ratios and percentages already computed) and no formatting, so
// a report, the REST API or an agent tool can use it directly. The counting itself is
// StatsCollector (stats_collector.h).
//
// Memory is bounded by the number of samples and bins, never by the number of records.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "util/status.h"

namespace vcfagent::vcf {

struct StatsOptions {
  enum class Samples {
    kNone,  // site statistics only (bcftools stats without -s)
    kAll,   // every sample (-s -)
    kList,  // the samples named in `sample_names`, in that order (-s LIST / -S FILE)
  };
  Samples samples = Samples::kNone;
  // For kList: the names; names missing from the header are skipped with a warning.
  std::vector<std::string> sample_names;
  // Extra BGZF decompression threads; a negative value picks a default (one, the second core).
  int threads = -1;
};

// SN: counts of records and of records containing each variant type (a record with a SNP and an
// indel counts in both).
struct StatsSummary {
  int64_t samples = 0;  // samples in the header
  uint64_t records = 0;
  uint64_t no_alts = 0;
  uint64_t snps = 0;
  uint64_t mnps = 0;
  uint64_t indels = 0;
  uint64_t others = 0;
  uint64_t multiallelic_sites = 0;
  uint64_t multiallelic_snp_sites = 0;
};

// TSTV: over all ALT alleles, and over first ALT alleles only. Ratios are 0 when tv is 0.
struct StatsTsTv {
  uint64_t ts = 0;
  uint64_t tv = 0;
  double ts_tv = 0;
  uint64_t ts_1st_alt = 0;
  uint64_t tv_1st_alt = 0;
  double ts_tv_1st_alt = 0;
};

// One row of SiS (allele count 1) or AF (by non-reference allele frequency).
struct StatsAlleleFrequencyBin {
  double allele_frequency = 0;  // bin start; SiS rows use the allele count 1 instead
  uint64_t snps = 0;
  uint64_t transitions = 0;
  uint64_t transversions = 0;
  uint64_t indels = 0;
  uint64_t repeat_consistent = 0;
  uint64_t repeat_inconsistent = 0;
  uint64_t not_applicable = 0;
};

// QUAL: SNP counts are for the first ALT allele; indel counts are per record.
struct StatsQualityBin {
  std::optional<double> quality;  // bin start (QUAL rounded down to 0.1); none for missing/negative
  uint64_t snps = 0;
  uint64_t transitions = 0;
  uint64_t transversions = 0;
  uint64_t indels = 0;
};

// IDD: one row per indel length (deletions negative, lengths beyond 60 are clipped to 60).
struct StatsIndelLength {
  int length = 0;
  uint64_t sites = 0;
  uint64_t genotypes = 0;           // heterozygous genotypes with FORMAT/AD at this length
  std::optional<double> mean_vaf;  // mean AD-based allele fraction of those genotypes
};

// ST: the twelve single-base substitutions, in bcftools' order (A>C, A>G, A>T, C>A, ...).
struct StatsSubstitution {
  char ref = 'A';
  char alt = 'C';
  uint64_t count = 0;
};

// DP: genotype depths (FORMAT/DP, or the sum of FORMAT/AD) and site depths (INFO/DP).
struct StatsDepthBin {
  enum class Kind { kBelow, kValue, kAbove };  // "<0", a depth, ">500"
  Kind kind = Kind::kValue;
  int depth = 0;
  uint64_t genotypes = 0;
  double genotypes_percent = 0;
  uint64_t sites = 0;
  double sites_percent = 0;
};

// PSC and PSI: one per selected sample, in selection order.
struct StatsSample {
  std::string name;
  uint64_t ref_hom = 0;
  uint64_t non_ref_hom = 0;
  uint64_t hets = 0;
  uint64_t transitions = 0;
  uint64_t transversions = 0;
  uint64_t indels = 0;
  double average_depth = 0;
  uint64_t singletons = 0;
  uint64_t hap_ref = 0;
  uint64_t hap_alt = 0;
  uint64_t missing = 0;
  // PSI (frameshift columns are always 0: no --exons support)
  uint64_t ins_hets = 0;
  uint64_t del_hets = 0;
  uint64_t ins_alt_homs = 0;
  uint64_t del_alt_homs = 0;
};

// HWE: distribution of the fraction of heterozygous genotypes, by first-ALT allele frequency.
struct StatsHweBin {
  double allele_frequency = 0;
  uint64_t observations = 0;
  double percentile_25 = 0;
  double median = 0;
  double percentile_75 = 0;
};

struct VcfStats {
  std::string input;              // the input as given ("-" for standard input)
  bool with_samples = false;      // per-sample sections were requested
  std::vector<std::string> warnings;  // e.g. requested samples missing from the header
  StatsSummary summary;
  StatsTsTv tstv;
  StatsAlleleFrequencyBin singletons;
  std::vector<StatsAlleleFrequencyBin> allele_frequency;  // non-empty bins only
  std::vector<StatsQualityBin> quality;                   // non-empty bins only
  std::vector<StatsIndelLength> indel_lengths;            // deletions first, then insertions
  std::array<StatsSubstitution, 12> substitutions{};
  std::vector<StatsDepthBin> depth;                       // non-empty bins only
  std::vector<StatsSample> samples;                       // empty without samples
  std::vector<StatsHweBin> hwe;                           // empty without samples
};

// Streams `path` (VCF, bgzipped VCF, BCF or "-") and computes its statistics. Errors carry the
// file and line of the offending record.
Result<VcfStats> ComputeStats(const std::string& path, const StatsOptions& options);

}  // namespace vcfagent::vcf
