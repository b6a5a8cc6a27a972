// Variant embedding: a fixed-length vector that places variants a geneticist would call alike
// close together, computed locally and deterministically from one ALT allele's own features.
//
// Contract:
// - EmbedVariant() returns kFeatureDimension floats, each in [-1, 1] (so the index can store them
//   as int8 without clipping). Squared L2 distance is the intended metric.
// - The same features give bit-identical vectors on every run and machine: hashes are written
//   here (FNV-1a + splitmix64), never std::hash, and no floating-point step depends on the
//   platform's library beyond log/log10 of the same inputs.
// - Feature groups and their weights are the constants in embedding.cpp and docs/similarity.md;
//   changing any of them changes the space: bump kFeatureSpaceVersion so stored indexes are
//   rebuilt.
// - ExplainCloseness() gives short human reasons why two variants are close, for the CLI and the
//   agent. It reads the features, not the vectors, so its numbers are exact.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "store/variant_types.h"

namespace vcfagent::store {

// The name of the embedding space computed here, as stored with a vector index.
inline constexpr const char* kFeatureSpaceName = "features";
inline constexpr int kFeatureSpaceVersion = 1;
inline constexpr int kFeatureDimension = 48;

struct VariantFeatures {
  std::string chrom;
  int64_t pos = 0;  // 1-based
  std::string ref, alt;
  // Reference bases around pos, the variant's first REF base in the middle (index size()/2), e.g.
  // 5 bases either side; callers pad with 'N' at contig ends. Empty when no FASTA is available.
  std::string context;
  std::string gene;
  std::string consequence;  // SO term(s) as VEP/SnpEff/bcftools csq write them; '&' joins several
  Impact impact = Impact::kNone;
  // "pathogenic", "likely-pathogenic", "uncertain", "likely-benign", "benign", "conflicting",
  // "other" or "" (not assessed).
  std::string clinical_significance;
  std::optional<double> population_af;  // INFO AF or a gnomAD-like field
  std::optional<double> cohort_af;      // from the cohort's genotypes
  std::optional<double> qual;
  bool filter_pass = true;
  std::optional<double> mean_dp, mean_gq;
  std::vector<uint32_t> carrier_samples;  // sample indices carrying the allele (sorted)
  uint32_t cohort_size = 0;
};

std::vector<float> EmbedVariant(const VariantFeatures& features);

// Short reasons why `a` and `b` are alike ("same class: deletion (1 bp)", "same gene BRCA2",
// "both HIGH impact", "carried by 3 of the same 4 samples", "similar AF 0.012 vs 0.010"), most
// important first; empty when they share nothing notable.
std::vector<std::string> ExplainCloseness(const VariantFeatures& a, const VariantFeatures& b);

// The pyrimidine-centred substitution class of an SNV ("C>A", "C>G", "C>T", "T>A", "T>C", "T>G"),
// or "" when the allele is not a single-base substitution of A/C/G/T.
std::string SubstitutionClass(const std::string& ref, const std::string& alt);

// The consequence as compared: lower case, first term only, "_variant" dropped, so VEP's
// "missense_variant&splice_region_variant" and bcftools csq's "missense" are the same.
std::string NormalisedConsequence(const std::string& consequence);

}  // namespace vcfagent::store
