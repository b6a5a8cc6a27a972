// AlleleAnnotator: INFO fields of an annotation VCF (ClinVar by default) looked up by allele, for
// attaching clinical significance and similar facts to the store's alleles at ingest.
//
// Contract:
// - Open() reads the whole annotation VCF once through vcf::VariantReader (VCF, gzip, BGZF or
//   BCF), splits multiallelic records, and keeps only the requested INFO fields. Fields with
//   Number=A (or R) keep the value of each ALT (or of REF and that ALT, REF's first). A Flag
//   present is "1"; a missing value is left out.
// - An allele's key is chrom (with or without "chr"; chrM = MT), pos, ref, alt in minimal
//   representation: the shared suffix, then the shared prefix trimmed (at least one base kept in
//   each allele), pos moved right by the prefix. Differently padded spellings of the same
//   variant therefore match ("100 ATT A" = "100 ATTG AG"). Symbolic alleles match as written;
//   '*' and missing ALTs are not stored. Case-insensitive. The first record of a key wins.
// - Memory: one compact 40-byte entry per allele plus its alleles' bases; every field value is
//   stored once however many alleles share it (ClinVar's significances, review statuses and
//   disease names repeat). See docs/annotations.md for measured figures.
// - Immutable and thread-safe after Open().
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "util/status.h"

namespace vcfagent::store {

// ClinVar's fields attached when the caller names none.
inline const std::vector<std::string> kDefaultClinVarFields = {"CLNSIG", "CLNREVSTAT", "CLNDN",
                                                               "GENEINFO"};

// One allele in minimal representation (see the contract above); bases upper-cased.
struct MinimalAllele {
  int64_t pos = 0;
  std::string ref;
  std::string alt;
};
MinimalAllele MinimalRepresentation(int64_t pos, std::string_view ref, std::string_view alt);

// The fields of one matched allele, in the order they were requested.
using AnnotationFields = std::vector<std::pair<std::string, std::string>>;

class AlleleAnnotator {
 public:
  static Result<AlleleAnnotator> Open(const std::string& vcf_path,
                                      std::vector<std::string> fields = {});

  // The requested fields present for this allele (possibly none), or nullopt when the annotation
  // VCF has no such allele. Returned by value: values are stored deduplicated, not as pairs.
  std::optional<AnnotationFields> Lookup(std::string_view chrom, int64_t pos, std::string_view ref,
                                         std::string_view alt) const;

  // The annotation's name for provenance: the file name without directory and .vcf/.bcf/.gz
  // ("clinvar_20191007").
  std::string_view source_name() const { return source_name_; }
  const std::vector<std::string>& fields() const { return fields_; }
  size_t allele_count() const { return entries_.size(); }
  // Approximate heap bytes held, for the documentation and for a memory budget check.
  size_t MemoryBytes() const;

 private:
  struct Entry {
    int64_t pos;
    uint32_t chrom;
    uint32_t alleles;  // offset of ref then alt in alleles_
    uint32_t ref_len;
    uint32_t alt_len;
    uint32_t values;  // offset of this entry's fields_.size() value ids in value_ids_
    uint32_t order;   // input order, so the first record of a key wins after sorting
  };
  static constexpr uint32_t kNoValue = UINT32_MAX;

  std::string_view Ref(const Entry& e) const {
    return std::string_view(alleles_).substr(e.alleles, e.ref_len);
  }
  std::string_view Alt(const Entry& e) const {
    return std::string_view(alleles_).substr(e.alleles + e.ref_len, e.alt_len);
  }
  uint32_t InternValue(std::string_view value);
  Status AddAllele(std::string_view chrom, int64_t pos, std::string_view ref, std::string_view alt,
                   const std::vector<std::optional<std::string>>& values);
  void Finish();

  std::string source_name_;
  std::vector<std::string> fields_;
  std::vector<std::string> chrom_names_;
  std::unordered_map<std::string, uint32_t> chrom_ids_;  // key: ChromKey(chrom)
  std::vector<Entry> entries_;
  std::string alleles_;
  std::vector<uint32_t> value_ids_;
  std::vector<std::string> values_;
  std::unordered_map<std::string, uint32_t> value_index_;  // only while loading

  friend class AnnotationVcfLoader;
};

// The class of a ClinVar CLNSIG value: "pathogenic", "likely-pathogenic", "uncertain",
// "likely-benign", "benign", "conflicting" or "other". Combined values take their first
// recognised part ("Pathogenic/Likely_pathogenic" -> pathogenic, "Benign/Likely_benign" ->
// benign, "risk_factor|Likely_pathogenic" -> likely-pathogenic); modifiers such as
// ",_low_penetrance" are ignored.
std::string ClinicalSignificanceClass(std::string_view clnsig);

}  // namespace vcfagent::store
