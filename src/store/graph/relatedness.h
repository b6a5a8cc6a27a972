// Relatedness and sex checks over a CohortGraph: KING-robust kinship for sample pairs and sex
// inference from chrX heterozygosity.
//
// Kinship (Manichaikul et al. 2010, Bioinformatics 26:2867, the between-family "robust"
// estimator, the one plink2 --make-king-table reports). Over the biallelic SNVs where both samples
// have a called genotype (hom-ref, het or hom-alt; missing and not-genotyped sites are skipped):
//   N_het_i, N_het_j  hets of each sample at those sites
//   N_hethet          sites where both are het
//   N_ibs0            sites where one is hom-ref and the other hom-alt (opposite homozygotes)
//   m = min(N_het_i, N_het_j)
//   kinship = (N_hethet - 2 N_ibs0) / (2 m) + 1/2 - (N_het_i + N_het_j) / (4 m)
// which is 0.5 for duplicates, ~0.25 first degree, ~0.125 second, ~0.0625 third, <= 0 unrelated.
// Relationship: > 0.354 duplicate; > 0.177 first degree; > 0.0884 second; > 0.0442 third; else
// unrelated (KING's 2^-1.5, 2^-2.5, 2^-3.5, 2^-4.5). First degree splits by the IBS0 fraction
// N_ibs0 / n_sites: a parent and child share an allele IBD at every site, so they have (barring
// genotype errors) no opposite homozygotes; full siblings have about a quarter of an unrelated
// pair's IBS0. Fewer than min_sites shared sites, or fewer than min_het_sites hets in either sample,
// gives kUnknown and a NaN kinship.
// When the graph has chromosome names, only autosomes are used (not X, Y, M/MT, with or without
// "chr"); without names every chromosome is used.
//
// Sex (het ratio on chrX outside the pseudo-autosomal regions of the chosen build, biallelic
// SNVs): het_ratio = het / (het + hom-alt) over the sample's called non-PAR chrX sites. A male
// (one X) has almost no real hets there; a female has a het:hom-alt mix. Male when
// het_ratio <= male_max_het_ratio, female when >= female_min_het_ratio, unknown in between or with
// fewer than min_sites het + hom-alt sites. PARs (1-based, inclusive):
//   GRCh37 X:60001-2699520 and X:154931044-155260560
//   GRCh38 X:10001-2781479 and X:155701383-156030895
//
// Both are bit-parallel: each sample's genotypes become bitsets over the sites, and each pair
// costs a few AND + popcount passes over 64-bit words.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "store/annotation/pedigree.h"
#include "store/graph/cohort_graph.h"
#include "util/status.h"

namespace vcfagent::store {

struct KinshipOptions {
  // First-degree pairs with an IBS0 fraction below this are parent-child, else full siblings.
  // Our default, halfway between 0 and a typical full-sibling fraction (~0.02 at variant sites).
  double parent_child_max_ibs0 = 0.01;
  int64_t min_sites = 100;
  // The fewer hets of the two samples at those sites must reach this: kinship from a handful of
  // hets (rare-variant slices) is noise, and noise would be called "related".
  int64_t min_het_sites = 100;
  bool progress = true;  // a progress line on a terminal (util/progress.h); Ctrl-C cancels
};

struct KinshipEstimate {
  uint32_t sample1 = 0;  // sample1 < sample2
  uint32_t sample2 = 0;
  int64_t n_sites = 0;  // biallelic SNVs both called
  int64_t hethet = 0;
  int64_t ibs0 = 0;
  int64_t het1 = 0;  // hets of sample1 at those sites
  int64_t het2 = 0;
  double ibs0_fraction = 0;
  double kinship = 0;  // NaN when unknown
  Relationship relationship = Relationship::kUnknown;
};

// The relationship KING's thresholds give for a kinship and IBS0 fraction.
Relationship ClassifyRelationship(double kinship, double ibs0_fraction,
                                  const KinshipOptions& options = {});

// All pairs of `samples` (empty: every sample), ordered by (sample1, sample2). Cancelled status
// when the user interrupts (CancelRequested()).
Result<std::vector<KinshipEstimate>> ComputeKinship(const CohortGraph& graph,
                                                    const std::vector<uint32_t>& samples = {},
                                                    const KinshipOptions& options = {});

// Sample-sample edges for CohortGraph::SetRelations: the pairs at third degree or closer.
std::vector<SampleRelation> RelatedPairs(const std::vector<KinshipEstimate>& estimates);

// Sex and ParseSex are the pedigree's (store/annotation/pedigree.h).

enum class GenomeBuild : uint8_t { kGrch37, kGrch38 };

struct SexOptions {
  GenomeBuild build = GenomeBuild::kGrch38;
  int64_t min_sites = 20;  // het + hom-alt sites needed for a call
  double male_max_het_ratio = 0.2;
  double female_min_het_ratio = 0.3;
};

struct SexCall {
  uint32_t sample = 0;
  int64_t sites = 0;  // called non-PAR chrX biallelic SNVs (hom-ref included)
  int64_t het = 0;
  int64_t hom_alt = 0;
  double het_ratio = 0;  // NaN without het or hom-alt sites
  Sex inferred = Sex::kUnknown;
  Sex expected = Sex::kUnknown;  // from the given map; kUnknown when not given
  bool mismatch = false;         // both known and different
};

struct SexReport {
  std::vector<SexCall> calls;  // one per sample, by sample index
  size_t mismatches = 0;
  std::vector<std::string> expected_not_in_cohort;  // names in the map that are not samples
  int64_t chrx_sites = 0;  // non-PAR chrX biallelic SNVs in the graph
};

// Usage error when the graph has no chromosome names (chrX cannot be recognised).
Result<SexReport> InferSex(const CohortGraph& graph, const SexOptions& options = {},
                           const std::map<std::string, Sex>& expected = {});

// Whether `pos` (1-based) on chrX is in a pseudo-autosomal region of `build`.
bool InChrXPar(int64_t pos, GenomeBuild build);

}  // namespace vcfagent::store
