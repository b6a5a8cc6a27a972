// Region and RegionSet: genomic intervals in the htslib/bcftools conventions.
//
// A Region is a contig name and a 0-based half-open interval [begin, end); end is kRegionEnd for
// "to the end of the contig". ParseRegionList() reads the bcftools -r syntax: comma-separated items
// `chr1`, `chr1:100`, `chr1:100-200`, `chr1:100-`, and braced names `{chr:1}:100-200` for contigs
// whose names contain ':' or ','. Without braces the name ends at the first ':' as in bcftools; when
// the caller knows the file's contigs, an unbraced name that is a whole contig (`HLA-A*01:01`) is
// taken as such, as htslib does. LoadRegionsFile() reads -R files: `.bed`/`.bed.gz` are 0-based
// half-open, anything else is bcftools' 1-based CHROM POS [END].
//
// A record overlaps a region as in tabix/bcftools: its span is [pos, pos + rlen) (htslib's rlen
// covers REF and INFO/END). RegionSet merges overlapping intervals per contig and answers overlap
// queries in O(log n). Malformed regions are Usage errors (exit 2) naming the item and what was
// expected; an unreadable file is an I/O error. A region list given as text is at most
// kMaxRegionListBytes (util/text_limits.h).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "util/status.h"

namespace vcfagent::vcf {

inline constexpr int64_t kRegionEnd = (int64_t{INT32_MAX} << 32) | INT32_MAX;  // HTS_POS_MAX

struct Region {
  std::string contig;
  int64_t begin = 0;        // 0-based, inclusive
  int64_t end = kRegionEnd;  // 0-based, exclusive

  bool operator==(const Region&) const = default;
};

// "chr1:101-200" (1-based inclusive), "chr1" for a whole contig, braces when the name needs them.
std::string FormatRegion(const Region& region);

// Tells whether a contig name exists in the input; used to resolve names containing ':'.
using ContigLookup = std::function<bool(std::string_view)>;

// Parses a bcftools-style region list ("chr1:100-200,chr2"). Errors are Usage errors.
Result<std::vector<Region>> ParseRegionList(std::string_view text,
                                            const ContigLookup& is_contig = nullptr);

// Reads a regions file (plain or gzip). `.bed`/`.bed.gz`: CHROM BEG END, 0-based half-open;
// otherwise CHROM POS [END], 1-based inclusive. '#' lines and blank lines are skipped.
Result<std::vector<Region>> LoadRegionsFile(const std::string& path);

// Merged intervals per contig with overlap queries.
class RegionSet {
 public:
  struct Interval {
    int64_t begin;
    int64_t end;
  };

  RegionSet() = default;
  explicit RegionSet(const std::vector<Region>& regions) { Add(regions); }

  void Add(const Region& region);
  void Add(const std::vector<Region>& regions);

  bool empty() const { return by_contig_.empty(); }
  // Contig names, sorted by name (callers order them by the file).
  std::vector<std::string> contigs() const;
  // Sorted, disjoint, non-adjacent intervals of `contig`; nullptr when it has none.
  const std::vector<Interval>* IntervalsOf(std::string_view contig) const;

  // Does [begin, end) overlap any interval of `contig`?
  bool Overlaps(std::string_view contig, int64_t begin, int64_t end) const;
  // The same on a contig's intervals, for callers that cache IntervalsOf().
  static bool Overlaps(const std::vector<Interval>& intervals, int64_t begin, int64_t end);
  // Index of the first interval whose end is past `pos`, or intervals.size().
  static size_t FirstEndingAfter(const std::vector<Interval>& intervals, int64_t pos);

 private:
  void Normalize(std::vector<Interval>& intervals);
  std::map<std::string, std::vector<Interval>, std::less<>> by_contig_;
};

// Parses the arguments of repeated -r options into one set; errors are prefixed with "-r".
Result<RegionSet> ParseRegionArguments(const std::vector<std::string>& lists,
                                       const ContigLookup& is_contig = nullptr);

}  // namespace vcfagent::vcf
