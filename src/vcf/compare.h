// Compare: which sites two VCF/BCF files share, and how their genotypes agree.
//
// CompareFiles() streams both files in one merge pass (contig by contig, position by position)
// and pairs their records at each position with the record-matching rules of `bcftools isec -c
// MODE` (see site_pairing.h), optionally after normalising both files (split multiallelic
// records; with a reference, also left-align and trim indels, as `bcftools norm -m- -f`).
// It counts private and shared sites by variant class, builds a genotype confusion matrix per
// sample present in both files, computes precision/recall/F1 against a truth file, and can write
// the private and shared records as VCF/BCF.
//
// Input must be sorted: each contig in one block, positions non-decreasing, and contigs present in
// both files in the same relative order (the files may have different contigs, in any order that
// allows it; the sweep learns which contigs a file has from its index, or from a quick second
// pass over an unindexed file when the two files are on different contigs). Where the shared
// contigs come in opposite orders and both files are indexed, the rest is read contig by contig
// through the indexes (as bcftools isec reads). Violations are InvalidInput errors naming the
// file and line, and for contig orders the two contigs in conflict. Memory holds only the records
// of one position (plus the normalisation window).
#pragma once

#include <htslib/vcf.h>

#include <array>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "util/status.h"
#include "vcf/site_pairing.h"

namespace vcfagent::vcf {

enum class TruthFile { kNone, kA, kB };

struct CompareOptions {
  MatchMode match = MatchMode::kNone;
  bool normalize = false;              // split multiallelic records before matching
  std::string fasta;                   // with normalize: also left-align and trim indels
  TruthFile truth = TruthFile::kNone;  // which file is the truth set for precision/recall
  std::vector<std::string> regions;    // -r arguments; empty: whole files
  // Count a site present in only one file as "missing" in the other file's genotypes for the
  // confusion matrices (default: matrices cover shared sites only).
  bool absent_as_missing = false;
  std::string write_private_a;  // records only in A (VCF; .gz bgzip, .bcf BCF); empty: none
  std::string write_private_b;
  std::string write_shared;     // A's records of shared sites
  int threads = 0;              // BGZF decompression threads per input
  // Called for every compared site, in output order: `a` and/or `b` is the record of that file
  // (null when the site is private to the other). For callers that need the sites themselves.
  std::function<void(const bcf_hdr_t* header_a, bcf1_t* a, const bcf_hdr_t* header_b, bcf1_t* b)>
      on_site;
};

// Sites by variant class. A record is an SNV when all its ALTs are single-base substitutions,
// an indel when all its ALTs change the length, and "other" otherwise (MNPs, mixed, symbolic,
// REF-only).
struct ClassCounts {
  uint64_t snv = 0;
  uint64_t indel = 0;
  uint64_t other = 0;
  uint64_t total() const { return snv + indel + other; }
};

enum GenotypeState { kHomRef = 0, kHet = 1, kHomAlt = 2, kMissingGenotype = 3 };
inline constexpr int kGenotypeStates = 4;

struct GenotypeConfusion {
  std::string sample;
  // matrix[state in A][state in B]
  std::array<std::array<uint64_t, kGenotypeStates>, kGenotypeStates> matrix{};

  // Sites called (not missing) in both files.
  uint64_t called_in_both() const;
  // Same state in both / called in both; nullopt when nothing was called in both.
  std::optional<double> concordance() const;
  // Non-reference concordance: het/het + homalt/homalt over called-in-both sites except
  // homref/homref (GATK's non-reference sensitivity-style measure).
  std::optional<double> non_ref_concordance() const;
  void Add(const GenotypeConfusion& other);
};

struct ClassMetrics {
  uint64_t tp_truth = 0;  // shared sites, classified by the truth record
  uint64_t tp_query = 0;  // shared sites, classified by the query record
  uint64_t fp = 0;        // private to the query
  uint64_t fn = 0;        // private to the truth
  std::optional<double> precision() const;
  std::optional<double> recall() const;
  std::optional<double> f1() const;
};

struct CompareResult {
  std::string file_a, file_b;
  MatchMode match = MatchMode::kNone;
  bool normalized = false;
  bool left_aligned = false;
  bool absent_as_missing = false;
  uint64_t records_a = 0;  // records compared (after normalisation and regions)
  uint64_t records_b = 0;
  ClassCounts a_only, b_only, shared;  // shared: classified by A's record
  std::vector<GenotypeConfusion> samples;  // samples in both files, in A's order
  GenotypeConfusion all_samples;           // the sum over samples
  TruthFile truth = TruthFile::kNone;
  ClassMetrics snv, indel;
  // Conditions worth telling the user that do not make the comparison fail (e.g. no contig in
  // common, which usually means "chr1" against "1").
  std::vector<std::string> warnings;
};

Result<CompareResult> CompareFiles(const std::string& a, const std::string& b,
                                   const CompareOptions& options);

}  // namespace vcfagent::vcf
