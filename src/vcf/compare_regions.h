// CompareRegions: the `-r REGION` restriction of `vcf-agent compare`.
//
// Accepts bcftools/tabix region syntax: "chr", "chr:pos", "chr:beg-end", "chr:beg-" (1-based,
// inclusive), several per argument separated by commas. A record is kept when it overlaps a
// region (POS..POS+len(REF)-1 meets beg..end), which is `bcftools isec -r`'s default
// (--regions-overlap 1). Regions of one contig are merged, so no record is counted twice.
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "util/status.h"

namespace vcfagent::vcf {

class CompareRegions {
 public:
  // Parses the arguments of -r; an empty list means "everything".
  static Result<CompareRegions> Parse(const std::vector<std::string>& args);

  bool empty() const { return by_contig_.empty(); }
  // `beg`, `end` are 0-based inclusive coordinates of the record.
  bool Overlaps(const std::string& contig, int64_t beg, int64_t end) const;

 private:
  // Sorted, merged, 0-based inclusive intervals per contig.
  std::unordered_map<std::string, std::vector<std::pair<int64_t, int64_t>>> by_contig_;
};

}  // namespace vcfagent::vcf
