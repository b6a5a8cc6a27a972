// Pieces of the report facts with answers worked out by hand: robust z-scores, the rare
// loss-of-function rule and its AF sources, list caps, and bounded genotype-site thinning.
#include <cmath>
#include <string>

#include <gtest/gtest.h>

#include "ai/report/cohort_scan.h"
#include "ai/report/qc_facts.h"
#include "ai/report/report_facts.h"
#include "support/test_support.h"

namespace vcfagent::ai::report {
namespace {

using testing::TempDir;
using testing::WriteFile;

TEST(ReportFactsTest, ModifiedZScoresUseTheMedianAndMad) {
  // median 3, |deviations| 2 1 0 1 97 -> MAD 1; z = 0.6745 (x - 3) / 1.
  const auto z = ModifiedZScores({1, 2, 3, 4, 100});
  EXPECT_NEAR(z[0], -1.349, 1e-3);
  EXPECT_NEAR(z[2], 0, 1e-12);
  EXPECT_NEAR(z[4], 65.4265, 1e-3);
  // MAD 0 (most values equal): the mean absolute deviation x 1.253314 scales instead.
  const auto flat = ModifiedZScores({5, 5, 5, 5, 10});
  EXPECT_NEAR(flat[4], 5 / (1.253314 * 1.0), 1e-6);  // mean |dev| = 5/5 = 1
  const auto same = ModifiedZScores({2, 2, 2});
  EXPECT_EQ(same, (std::vector<double>{0, 0, 0}));
  EXPECT_TRUE(std::isnan(ModifiedZScores({1, std::nan(""), 3})[1]));
}

constexpr const char* kHeader =
    "##fileformat=VCFv4.2\n"
    "##contig=<ID=1,length=248956422>\n##contig=<ID=X,length=156040895>\n"
    "##INFO=<ID=AF,Number=A,Type=Float,Description=\"Allele frequency\">\n"
    "##INFO=<ID=AC,Number=A,Type=Integer,Description=\"Allele count\">\n"
    "##INFO=<ID=AN,Number=1,Type=Integer,Description=\"Allele number\">\n"
    "##INFO=<ID=CSQ,Number=.,Type=String,Description=\"Consequence annotations from Ensembl VEP. Format: Allele|Consequence|IMPACT|SYMBOL\">\n"
    "##FORMAT=<ID=GT,Number=1,Type=String,Description=\"Genotype\">\n"
    "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tA\tB\tC\n";

TEST(ReportFactsTest, RareLossOfFunctionStatesItsFrequencySource) {
  TempDir dir;
  const std::string vcf = dir.File("lof.vcf");
  WriteFile(vcf, std::string(kHeader) +
                     // INFO/AF 0.001: rare.
                     "1\t100\t.\tC\tT\t50\tPASS\tAF=0.001;CSQ=T|stop_gained|HIGH|GENE1\tGT\t0/1\t0/0\t0/0\n"
                     // AC/AN = 1/200: rare by AC/AN.
                     "1\t200\t.\tG\tGA\t50\tPASS\tAC=1;AN=200;CSQ=GA|frameshift_variant|HIGH|GENE2\tGT\t0/0\t1/1\t0/0\n"
                     // AF 0.2: LoF but common.
                     "1\t300\t.\tA\tG\t50\tPASS\tAF=0.2;CSQ=G|splice_donor_variant|HIGH|GENE3\tGT\t0/1\t0/1\t0/0\n"
                     // No INFO frequency: from the 6 called alleles, 1/6, not rare.
                     "1\t400\t.\tA\tC\t50\tPASS\tCSQ=C|start_lost|HIGH|GENE4\tGT\t0/1\t0/0\t0/0\n"
                     // Missense: moderate, not LoF, not high impact.
                     "1\t500\t.\tA\tT\t50\tPASS\tAF=0.0001;CSQ=T|missense_variant|MODERATE|GENE5\tGT\t0/1\t0/0\t0/0\n");
  ScanLimits limits;
  auto scan = ScanCohort(vcf, limits);
  ASSERT_TRUE(scan.ok()) << scan.status().message();
  EXPECT_EQ(scan->consequence_tag, "CSQ");
  EXPECT_EQ(scan->high_impact.total, 4u);
  ASSERT_EQ(scan->rare_lof.total, 2u);
  EXPECT_EQ(scan->rare_lof.items[0].gene, "GENE1");
  EXPECT_EQ(scan->rare_lof.items[0].af_source, "INFO/AF");
  EXPECT_EQ(scan->rare_lof.items[0].carrier_count, 1u);
  EXPECT_EQ(scan->rare_lof.items[0].carriers[0].sample, "A");
  EXPECT_EQ(scan->rare_lof.items[1].gene, "GENE2");
  EXPECT_EQ(scan->rare_lof.items[1].af_source, "INFO/AC/AN");
  EXPECT_DOUBLE_EQ(*scan->rare_lof.items[1].af, 0.005);
  EXPECT_EQ(scan->rare_lof.items[1].carriers[0].zygosity, "hom-alt");
  EXPECT_EQ(scan->high_impact.items[3].af_source, "genotypes");
  EXPECT_NEAR(*scan->high_impact.items[3].af, 1.0 / 6, 1e-12);

  // Caps: one listed per list, the rest counted.
  limits.max_listed = 1;
  limits.max_carriers = 0;
  auto capped = ScanCohort(vcf, limits);
  ASSERT_TRUE(capped.ok());
  EXPECT_EQ(capped->high_impact.items.size(), 1u);
  EXPECT_EQ(capped->high_impact.total, 4u);
  EXPECT_EQ(capped->high_impact.items[0].carrier_count, 1u);
  EXPECT_TRUE(capped->high_impact.items[0].carriers.empty());
  const auto facts = NotableVariantFacts(*capped, limits);
  EXPECT_EQ(facts["high_impact"]["left_out"], 3);
}

TEST(ReportFactsTest, GenotypeSitesAreThinnedDeterministicallyWithinTheLimit) {
  TempDir dir;
  const std::string vcf = dir.File("sites.vcf");
  std::string text = kHeader;
  for (int i = 1; i <= 100; ++i) text += "1\t" + std::to_string(i * 10) + "\t.\tA\tG\t50\tPASS\t.\tGT\t0/1\t1/1\t0/0\n";
  // chrX: PAR1 (GRCh38 X:10001-2781479) is skipped; two sites outside it are kept.
  text += "X\t20000\t.\tA\tG\t50\tPASS\t.\tGT\t0/1\t1\t0/0\n";
  text += "X\t3000000\t.\tA\tG\t50\tPASS\t.\tGT\t0/1\t1\t0/0\n";
  text += "X\t3000100\t.\tA\tG\t50\tPASS\t.\tGT\t1/1\t0\t0/1\n";
  WriteFile(vcf, text);
  ScanLimits limits;
  limits.max_autosomal_sites = 30;
  auto scan = ScanCohort(vcf, limits);
  ASSERT_TRUE(scan.ok()) << scan.status().message();
  EXPECT_EQ(scan->autosomal_candidates, 100u);
  // 100 candidates, limit 30: every 4th (25 sites) after two halvings.
  EXPECT_EQ(scan->autosomal_thinning_level, 2);
  EXPECT_EQ(scan->autosomal_kept(), 25u);
  EXPECT_EQ(scan->build_evidence, "contig 1 length 248956422 (GRCh38)");
  EXPECT_EQ(scan->chrx_candidates, 2u);
  EXPECT_EQ(scan->chrx_kept(), 2u);
  auto graph = scan->BuildGraph();
  ASSERT_TRUE(graph.ok()) << graph.status().message();
  EXPECT_EQ(graph->num_variants(), 27u);
  EXPECT_EQ(graph->variant(0).pos, 10);
  EXPECT_EQ(graph->variant(1).pos, 50);
  // Sample C is hom-ref at every autosomal site (implied, not stored): its one call is a chrX het.
  EXPECT_EQ(graph->sample_call_variants(*graph->FindSample("C")).size(), 1u);
}

}  // namespace
}  // namespace vcfagent::ai::report
