// GeneIntervals: gene names by genomic interval, loaded from BED, GFF3 or GTF, for assigning
// genes to variants that carry no functional annotation.
//
// Contract:
// - Load() picks the format from the extension (.bed, .gff3, .gff, .gtf, each optionally .gz;
//   gzip and BGZF both work) and refuses anything else. Errors name "file:line" and the column.
// - BED: chrom, start (0-based), end (exclusive), name in column 4. GFF3: features of type gene
//   (also ncRNA_gene, pseudogene), named by Name=, else gene_name=, else ID= (a "gene:" prefix
//   dropped). GTF: features "gene", named by gene_name, else gene_id; a GTF without gene lines
//   (transcript/exon only) gets each gene's span from all its features.
// - Overlapping() takes a 1-based inclusive interval and returns the distinct names of the genes
//   that overlap it, in order of gene start. Chromosome names match with or without "chr"
//   ("chr1" = "1", "chrM" = "M" = "MT"). Returned views live as long as the GeneIntervals.
// - Per chromosome the intervals are sorted by start with a running maximum of ends, so a lookup
//   is a binary search plus a short backward scan; immutable and thread-safe after Load().
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "util/status.h"

namespace vcfagent::store {

enum class GeneFileFormat { kBed, kGff3, kGtf };

// The format an annotation path's extension names, or a Usage error naming the accepted ones.
Result<GeneFileFormat> GeneFileFormatOf(const std::string& path);

class GeneIntervals {
 public:
  static Result<GeneIntervals> Load(const std::string& path);

  std::vector<std::string_view> Overlapping(std::string_view chrom, int64_t start1,
                                            int64_t end1) const;

  size_t size() const { return gene_count_; }
  GeneFileFormat format() const { return format_; }

 private:
  struct Interval {
    int64_t start1;
    int64_t end1;
    int64_t max_end1;  // largest end1 among this interval and all before it
    uint32_t name;     // index into names_
  };
  // Adds one gene; used by the loaders before Finish().
  void Add(std::string_view chrom, int64_t start1, int64_t end1, std::string_view name);
  void Finish();

  GeneFileFormat format_ = GeneFileFormat::kBed;
  std::vector<std::string> names_;
  std::unordered_map<std::string, uint32_t> name_index_;
  // Lets find() take a string_view, so a lookup allocates nothing.
  struct StringHash {
    using is_transparent = void;
    size_t operator()(std::string_view text) const { return std::hash<std::string_view>{}(text); }
  };
  std::unordered_map<std::string, std::vector<Interval>, StringHash, std::equal_to<>>
      by_chrom_;  // key: ChromKey(chrom)
  size_t gene_count_ = 0;

  friend class GeneFileLoader;
};

}  // namespace vcfagent::store
