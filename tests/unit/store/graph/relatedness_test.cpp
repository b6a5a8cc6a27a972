// KING-robust kinship and chrX sex inference on hand-built genotypes with obvious answers.
#include "store/graph/relatedness.h"

#include <cmath>

#include <gtest/gtest.h>

namespace vcfagent::store {
namespace {

// One group of samples; `genotypes[s][site]` is 0 hom-ref, 1 het, 2 hom-alt, -1 missing; every
// site a biallelic SNV on `chrom` at 1-based `first_pos + site * step`.
CohortGraph MakeGraph(const std::vector<std::string>& names,
                      const std::vector<std::vector<int>>& genotypes,
                      const std::vector<std::string>& chroms = {"chr1"}, uint32_t chrom = 0,
                      int64_t first_pos = 1000000, int64_t step = 100) {
  CohortGraph::Builder b;
  std::vector<uint32_t> group;
  for (const auto& n : names) group.push_back(b.AddSample(n));
  b.AddSampleGroup(group);
  b.SetChromNames(chroms);
  const size_t sites = genotypes.empty() ? 0 : genotypes[0].size();
  for (size_t site = 0; site < sites; ++site) {
    GraphVariant v;
    v.variant_id = static_cast<int64_t>(site);
    v.chrom_id = chrom;
    v.pos = v.end = first_pos + static_cast<int64_t>(site) * step;
    v.biallelic_snv = true;
    const uint32_t index = b.AddVariant(v);
    for (size_t s = 0; s < names.size(); ++s) {
      const int gt = genotypes[s][site];
      if (gt == 0) continue;
      b.AddCall(index, group[s], gt < 0 ? Zygosity::kMissing : gt == 1 ? Zygosity::kHet : Zygosity::kHomAlt);
    }
  }
  auto g = b.Build();
  EXPECT_TRUE(g.ok()) << g.status().message();
  return std::move(g).value();
}

// Repeats a pattern to `n` sites.
std::vector<int> Repeat(const std::vector<int>& pattern, size_t n) {
  std::vector<int> out(n);
  for (size_t i = 0; i < n; ++i) out[i] = pattern[i % pattern.size()];
  return out;
}

TEST(KinshipTest, DuplicatesScoreOneHalf) {
  const auto x = Repeat({0, 1, 2, 1, 0, 1}, 600);
  const CohortGraph g = MakeGraph({"x", "x2"}, {x, x});
  auto k = ComputeKinship(g);
  ASSERT_TRUE(k.ok());
  ASSERT_EQ(k->size(), 1u);
  const KinshipEstimate& e = (*k)[0];
  EXPECT_EQ(e.n_sites, 600);
  EXPECT_EQ(e.hethet, 300);
  EXPECT_EQ(e.ibs0, 0);
  EXPECT_DOUBLE_EQ(e.kinship, 0.5);
  EXPECT_EQ(e.relationship, Relationship::kDuplicate);
}

TEST(KinshipTest, CountsFollowTheFormula) {
  // Per 4 sites: x = het het hom-alt hom-ref, y = het hom-ref hom-ref hom-alt.
  // hethet 1, ibs0 2 (sites 3 and 4), het_x 2, het_y 1 -> per block
  // kinship = (1 - 4) / (2*1) + 1/2 - 3/4 = -1.75 (scaled by blocks it stays the same).
  const CohortGraph g = MakeGraph({"x", "y"}, {Repeat({1, 1, 2, 0}, 400), Repeat({1, 0, 0, 2}, 400)});
  auto k = ComputeKinship(g);
  ASSERT_TRUE(k.ok());
  const KinshipEstimate& e = (*k)[0];
  EXPECT_EQ(e.n_sites, 400);
  EXPECT_EQ(e.hethet, 100);
  EXPECT_EQ(e.ibs0, 200);
  EXPECT_EQ(e.het1, 200);
  EXPECT_EQ(e.het2, 100);
  EXPECT_DOUBLE_EQ(e.ibs0_fraction, 0.5);
  EXPECT_DOUBLE_EQ(e.kinship, (100.0 - 400.0) / 200.0 + 0.5 - 300.0 / 400.0);
  EXPECT_EQ(e.relationship, Relationship::kUnrelated);
}

TEST(KinshipTest, MissingAndAllosomesAreSkipped) {
  auto x = Repeat({0, 1, 2, 1}, 400);
  auto y = x;
  for (size_t i = 0; i < 100; ++i) y[i] = -1;  // missing in y: not a shared site
  const CohortGraph g = MakeGraph({"x", "y"}, {x, y});
  auto k = ComputeKinship(g);
  ASSERT_TRUE(k.ok());
  EXPECT_EQ((*k)[0].n_sites, 300);
  EXPECT_EQ((*k)[0].het1, 150);  // x's hets where y is called

  const CohortGraph on_x = MakeGraph({"x", "y"}, {x, x}, {"chr1", "chrX"}, 1);
  auto kx = ComputeKinship(on_x);
  ASSERT_TRUE(kx.ok());
  EXPECT_EQ((*kx)[0].n_sites, 0);
  EXPECT_EQ((*kx)[0].relationship, Relationship::kUnknown);
  EXPECT_TRUE(std::isnan((*kx)[0].kinship));
}

TEST(KinshipTest, ClassificationThresholds) {
  EXPECT_EQ(ClassifyRelationship(0.49, 0.0), Relationship::kDuplicate);
  EXPECT_EQ(ClassifyRelationship(0.25, 0.001), Relationship::kParentChild);
  EXPECT_EQ(ClassifyRelationship(0.25, 0.02), Relationship::kFullSibling);
  EXPECT_EQ(ClassifyRelationship(0.12, 0.02), Relationship::kSecondDegree);
  EXPECT_EQ(ClassifyRelationship(0.06, 0.05), Relationship::kThirdDegree);
  EXPECT_EQ(ClassifyRelationship(0.01, 0.08), Relationship::kUnrelated);
  EXPECT_EQ(ClassifyRelationship(std::nan(""), 0.08), Relationship::kUnknown);
  KinshipOptions strict;
  strict.parent_child_max_ibs0 = 0.0005;
  EXPECT_EQ(ClassifyRelationship(0.25, 0.001, strict), Relationship::kFullSibling);
}

TEST(KinshipTest, RelatedPairsKeepThirdDegreeOrCloser) {
  std::vector<KinshipEstimate> estimates(3);
  estimates[0].sample2 = 1;
  estimates[0].relationship = Relationship::kParentChild;
  estimates[0].kinship = 0.25;
  estimates[1].sample2 = 2;
  estimates[1].relationship = Relationship::kUnrelated;
  estimates[2].sample1 = 1;
  estimates[2].sample2 = 2;
  estimates[2].relationship = Relationship::kUnknown;
  const auto pairs = RelatedPairs(estimates);
  ASSERT_EQ(pairs.size(), 1u);
  EXPECT_EQ(pairs[0].relationship, Relationship::kParentChild);
}

TEST(SexTest, HetRatioOutsideParCallsSexAndReportsMismatches) {
  // 40 chrX sites at 3,000,000 + 100 k (outside both builds' PARs) plus 10 PAR1 sites.
  const size_t n = 40;
  std::vector<int> female = Repeat({1, 1, 2, 0}, n);  // het ratio 2/3
  std::vector<int> male = Repeat({2, 0, 0, 2}, n);    // no het
  male[5] = 1;                                        // one het among 20 hom-alt: ratio 1/21
  std::vector<int> sparse(n, 0);
  sparse[0] = 2;  // one informative site: unknown
  const CohortGraph g = MakeGraph({"F", "M", "S"}, {female, male, sparse}, {"chr1", "chrX"}, 1,
                                  3000000, 100);
  auto report = InferSex(g, {}, {{"F", Sex::kFemale}, {"M", Sex::kFemale}, {"Z", Sex::kMale}});
  ASSERT_TRUE(report.ok()) << report.status().message();
  ASSERT_EQ(report->calls.size(), 3u);
  EXPECT_EQ(report->chrx_sites, 40);
  EXPECT_EQ(report->calls[0].inferred, Sex::kFemale);
  EXPECT_EQ(report->calls[0].het, 20);
  EXPECT_EQ(report->calls[0].hom_alt, 10);
  EXPECT_EQ(report->calls[0].sites, 40);
  EXPECT_FALSE(report->calls[0].mismatch);
  EXPECT_EQ(report->calls[1].inferred, Sex::kMale);
  EXPECT_NEAR(report->calls[1].het_ratio, 1.0 / 21.0, 1e-12);
  EXPECT_TRUE(report->calls[1].mismatch);
  EXPECT_EQ(report->calls[2].inferred, Sex::kUnknown);
  EXPECT_EQ(report->mismatches, 1u);
  ASSERT_EQ(report->expected_not_in_cohort.size(), 1u);
  EXPECT_EQ(report->expected_not_in_cohort[0], "Z");
}

TEST(SexTest, PseudoautosomalSitesAreIgnored) {
  // Sites inside GRCh38 PAR1 (10,001-2,781,479): a male's hets there must not count.
  std::vector<int> male_par(30, 1);
  const CohortGraph g = MakeGraph({"M"}, {male_par}, {"X"}, 0, 20000, 1000);
  auto report = InferSex(g);
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report->chrx_sites, 0);
  EXPECT_EQ(report->calls[0].het, 0);
  EXPECT_EQ(report->calls[0].inferred, Sex::kUnknown);
  // Under GRCh37 (PAR1 from 60,001) all the sites (20,000-49,000) are outside the PAR.
  SexOptions grch37;
  grch37.build = GenomeBuild::kGrch37;
  report = InferSex(g, grch37);
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report->chrx_sites, 30);
  EXPECT_EQ(report->calls[0].het, 30);
  EXPECT_TRUE(InChrXPar(60001, GenomeBuild::kGrch37));
  EXPECT_FALSE(InChrXPar(60000, GenomeBuild::kGrch37));
  EXPECT_TRUE(InChrXPar(155701383, GenomeBuild::kGrch38));
  EXPECT_FALSE(InChrXPar(154931043, GenomeBuild::kGrch37));
}

TEST(SexTest, ParseSexAcceptsPedCodes) {
  EXPECT_EQ(ParseSex("1"), Sex::kMale);
  EXPECT_EQ(ParseSex("2"), Sex::kFemale);
  EXPECT_EQ(ParseSex("F"), Sex::kFemale);
  EXPECT_EQ(ParseSex("male"), Sex::kMale);
  EXPECT_EQ(ParseSex("0"), Sex::kUnknown);
  EXPECT_EQ(ParseSex("-9"), Sex::kUnknown);
}

TEST(SexTest, NeedsChromosomeNames) {
  CohortGraph::Builder b;
  b.AddSampleGroup({b.AddSample("s")});
  GraphVariant v;
  v.pos = v.end = 5;
  v.biallelic_snv = true;
  b.AddVariant(v);
  auto g = b.Build();
  ASSERT_TRUE(g.ok());
  auto report = InferSex(*g);
  ASSERT_FALSE(report.ok());
  EXPECT_EQ(report.status().kind(), ErrorKind::kUsage);
}

}  // namespace
}  // namespace vcfagent::store
