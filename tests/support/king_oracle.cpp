#include "support/king_oracle.h"

#include <sstream>

#include <gtest/gtest.h>

#include "support/test_support.h"

namespace vcfagent::testing {
namespace {

// Per pair "i j n hethet ibs0 het_i het_j kinship".
constexpr const char* kKingAwk = R"AWK(
function code(g,   a, n) {
  if (g ~ /\./) return -1
  n = split(g, a, /[\/|]/)
  if (n == 1) return a[1] == "0" ? 0 : 2
  return (a[1] != "0") + (a[2] != "0")
}
{
  ns = NF; if ($NF == "") ns--
  for (i = 1; i <= ns; i++) c[i] = code($i)
  for (i = 1; i <= ns; i++) for (j = i + 1; j <= ns; j++) {
    if (c[i] < 0 || c[j] < 0) continue
    k = i "," j; n[k]++
    if (c[i] == 1 && c[j] == 1) hh[k]++
    if ((c[i] == 0 && c[j] == 2) || (c[i] == 2 && c[j] == 0)) z[k]++
    if (c[i] == 1) h1[k]++
    if (c[j] == 1) h2[k]++
  }
  total = ns
}
END {
  for (i = 1; i <= total; i++) for (j = i + 1; j <= total; j++) {
    k = i "," j; m = h1[k] < h2[k] ? h1[k] : h2[k]
    printf "%d %d %d %d %d %d %d %.12f\n", i - 1, j - 1, n[k], hh[k] + 0, z[k] + 0, h1[k] + 0, h2[k] + 0, (2 * hh[k] - 4 * z[k] - h1[k] - h2[k] + 2 * m) / (4 * m)
  }
}
)AWK";

}  // namespace

std::vector<KingPair> KingOracle(const std::string& vcf) {
  const auto r = RunProgram(
      "sh", {"-c",
             "bcftools view -m2 -M2 -v snps \"$0\" | bcftools query -f '[%GT\\t]\\n' | awk -F'\\t' \"$1\"",
             vcf, kKingAwk});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  std::vector<KingPair> out;
  std::istringstream in(r.out);
  KingPair p;
  while (in >> p.i >> p.j >> p.n >> p.hethet >> p.ibs0 >> p.het1 >> p.het2 >> p.kinship) out.push_back(p);
  return out;
}

}  // namespace vcfagent::testing
