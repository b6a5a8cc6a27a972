// An independent oracle for KING-robust kinship: an awk computation over
// `bcftools view -m2 -M2 -v snps | bcftools query -f '[%GT\t]\n'`, written from the KING paper's
// formula and sharing no code with the library. Used by the relatedness corpus tests of the graph
// and of analyze.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace vcfagent::testing {

// One sample pair (0-based sample columns i < j) over the biallelic SNVs both have called.
struct KingPair {
  uint32_t i, j;
  int64_t n, hethet, ibs0, het1, het2;
  double kinship;
};

// Every pair of the file's samples, in (i, j) order; a failed pipeline is a test failure.
std::vector<KingPair> KingOracle(const std::string& vcf);

}  // namespace vcfagent::testing
