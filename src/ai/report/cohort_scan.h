// CohortScan: the analyze report's own streaming pass over a VCF/BCF file. It collects what
// ComputeStats and ValidateFile do not: notable variants with their carriers, and the genotypes
// that relatedness and sex inference need, in bounded memory.
//
// Contract:
// - Notable variants, per ALT allele (multiallelics split):
//   * ClinVar: INFO/CLNSIG whose class (store::ClinicalSignificanceClass) is pathogenic or
//     likely-pathogenic. CLNSIG with Number=A is read per ALT; otherwise it applies to every ALT.
//   * High impact: the most severe consequence of the allele (CSQ, ANN or BCSQ, read with
//     store::ConsequenceParser) has impact HIGH.
//   * Rare loss of function: a loss-of-function term (kLossOfFunctionTerms) among the allele's
//     most severe consequence and an allele frequency below `rare_af`. The frequency comes from
//     INFO/AF, else INFO/AC / INFO/AN, else the called genotypes of the file; `af_source` says
//     which. Alleles without any frequency are counted (lof_af_unknown), not listed.
//   Each list keeps its first `max_listed` entries in file order; `total` counts them all.
//   Carriers (het or hom-alt for that ALT) are listed up to `max_carriers`, all are counted.
// - Genotype sites: biallelic SNVs (one ALT, an SNV) with genotypes, on autosomes (for kinship)
//   and on chrX outside the pseudo-autosomal regions (for sex). At most `max_autosomal_sites` and
//   `max_chrx_sites` sites and `max_calls` stored calls (het, hom-alt or missing; hom-ref is
//   implied as in store::CohortGraph) are kept: when a limit is hit, every other kept site is
//   dropped and from then on only every 2^k-th candidate is kept (k = thinning_level), so the
//   subset is deterministic and spread evenly along the file. Autosomal sites are not collected
//   when the file has more than `max_kinship_samples` samples (the all-pairs cost is quadratic).
// - The genome build (for chrX's PARs) comes from the header: contig lengths of chr1/chrX, then
//   assembly or ##reference names; GRCh38 is assumed when there is no evidence (build_evidence
//   says which).
// - Errors: an unreadable input is an I/O Status; a record htslib cannot parse is InvalidInput
//   naming file and line. Ctrl-C returns Cancelled.
#pragma once

#include <htslib/vcf.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "store/graph/cohort_graph.h"
#include "store/graph/relatedness.h"
#include "util/status.h"

namespace vcfagent::ai::report {

// Sequence Ontology terms counted as loss of function (the LOFTEE / gnomAD set plus
// transcript_ablation): stop_gained, frameshift_variant, splice_acceptor_variant,
// splice_donor_variant, start_lost, transcript_ablation.
extern const std::vector<std::string> kLossOfFunctionTerms;

struct ScanLimits {
  size_t max_listed = 50;    // per notable-variant list
  size_t max_carriers = 10;  // sample names listed per variant
  double rare_af = 0.01;
  size_t max_autosomal_sites = 200000;
  size_t max_chrx_sites = 50000;
  size_t max_calls = 5000000;  // ~20 bytes each once in the graph
  size_t max_kinship_samples = 1000;
  int threads = 0;  // extra BGZF decompression threads
};

struct Carrier {
  std::string sample;
  std::string zygosity;  // "het" or "hom-alt"
};

struct NotableVariant {
  std::string chrom;
  int64_t pos = 0;
  std::string ref;
  std::string alt;
  std::string gene;
  std::string consequence;   // most severe term, "" without annotation
  std::string impact;        // "HIGH", "MODERATE", ... or "" without annotation
  std::string clinvar_class; // "pathogenic", "likely-pathogenic", ... or "" without CLNSIG
  std::string clnsig;        // the CLNSIG text as written
  std::optional<double> af;
  std::string af_source;     // "INFO/AF", "INFO/AC/AN", "genotypes" or ""
  uint64_t carrier_count = 0;
  std::vector<Carrier> carriers;  // the first max_carriers
};

struct NotableList {
  uint64_t total = 0;
  std::vector<NotableVariant> items;
};

struct CohortScan {
  std::vector<std::string> samples;
  uint64_t records = 0;
  std::string consequence_tag;  // "CSQ", "ANN", "BCSQ" or "" when the file has none
  bool has_clnsig = false;
  NotableList clinvar;
  NotableList high_impact;
  NotableList rare_lof;
  uint64_t lof_af_unknown = 0;

  store::GenomeBuild build = store::GenomeBuild::kGrch38;
  std::string build_evidence;

  // Genotype sites (see the contract). Candidates are all qualifying sites seen; kept are those
  // that survived thinning.
  bool autosomal_collected = false;
  uint64_t autosomal_candidates = 0;
  uint64_t chrx_candidates = 0;
  int autosomal_thinning_level = 0;
  int chrx_thinning_level = 0;
  size_t autosomal_kept() const { return autosomal_.site_chrom.size(); }
  size_t chrx_kept() const { return chrx_.site_chrom.size(); }

  // A CohortGraph over the kept sites (one sample group), chromosome names set so relatedness.h
  // tells autosomes from chrX.
  Result<store::CohortGraph> BuildGraph() const;

  // Bounded site storage; public for the scanner, not for callers.
  struct SiteSet {
    std::vector<uint32_t> site_chrom;
    std::vector<int64_t> site_pos;
    std::vector<uint64_t> site_candidate;  // index among candidates, for thinning
    std::vector<uint64_t> call_offsets{0};  // site -> calls
    std::vector<uint32_t> calls;            // sample << 2 | zygosity
    void Thin(int level);
  };
  SiteSet autosomal_;
  SiteSet chrx_;
  std::vector<std::string> chrom_names_;
};

Result<CohortScan> ScanCohort(const std::string& path, const ScanLimits& limits = {});

// The same scan fed record by record by a caller that reads the file itself (analyze reads it once
// for every section of its report). `header` must outlive the scanner and be the one the records
// were read with; limits.threads is not used.
class CohortScanner {
 public:
  CohortScanner(bcf_hdr_t* header, const ScanLimits& limits);
  ~CohortScanner();
  CohortScanner(const CohortScanner&) = delete;
  CohortScanner& operator=(const CohortScanner&) = delete;

  // Scans one record (errors as ScanCohort's, without a location).
  Status Add(bcf1_t* record);
  // The scan, after the last record; call once.
  CohortScan Finish();

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace vcfagent::ai::report
