// Relatedness and sex inference on real data against independent answers:
//   * the GIAB Ashkenazi trio (slivar's tests/ashk-trio.vcf.gz and the bundled 1,000-record
//     slice): the pedigree says HG002 is the child of HG003 and HG004, so both parent-child pairs
//     must be called parent-child and the parents unrelated; every pair's counts and kinship must
//     equal an awk computation over `bcftools view -m2 -M2 -v snps | bcftools query` (written from
//     the KING paper's formula, sharing no code with the library);
//   * bcftools' vcf2sex test file: the sexes bcftools' own test expects (vcf2sex.out).
#include <cmath>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "store/graph/relatedness.h"
#include "support/king_oracle.h"
#include "support/test_support.h"
#include "unit/store/graph/vcf_graph_loader.h"

namespace vcfagent::store {
namespace {

using testing::CorpusPath;
using testing::ExamplePath;
using testing::LoadVcfIntoGraph;

struct PedChild {
  std::string child, father, mother;
};

std::vector<PedChild> ReadTrios(const std::string& ped) {
  std::ifstream in(ped);
  std::vector<PedChild> out;
  std::string family, id, father, mother, sex, pheno;
  while (in >> family >> id >> father >> mother >> sex >> pheno) {
    if (father != "0" && mother != "0") out.push_back({id, father, mother});
  }
  return out;
}

CohortGraph Load(const std::string& vcf) {
  CohortGraph::Builder builder;
  EXPECT_TRUE(LoadVcfIntoGraph(vcf, builder));
  auto g = builder.Build();
  EXPECT_TRUE(g.ok()) << g.status().message();
  return std::move(g).value();
}

const KinshipEstimate* FindPair(const std::vector<KinshipEstimate>& all, const CohortGraph& g,
                                const std::string& a, const std::string& b) {
  const auto sa = g.FindSample(a), sb = g.FindSample(b);
  if (!sa || !sb) return nullptr;
  const uint32_t lo = std::min(*sa, *sb), hi = std::max(*sa, *sb);
  for (const auto& e : all) {
    if (e.sample1 == lo && e.sample2 == hi) return &e;
  }
  return nullptr;
}

void CheckTrio(const std::string& vcf, const std::string& ped) {
  SCOPED_TRACE(vcf);
  const CohortGraph g = Load(vcf);
  ASSERT_EQ(g.num_samples(), 3u);
  auto kinship = ComputeKinship(g);
  ASSERT_TRUE(kinship.ok()) << kinship.status().message();
  ASSERT_EQ(kinship->size(), 3u);

  const std::vector<testing::KingPair> oracle = testing::KingOracle(vcf);
  ASSERT_EQ(oracle.size(), 3u);
  for (size_t k = 0; k < 3; ++k) {
    const KinshipEstimate& e = (*kinship)[k];
    const testing::KingPair& o = oracle[k];
    SCOPED_TRACE(g.sample_name(e.sample1) + "-" + g.sample_name(e.sample2));
    EXPECT_EQ(e.sample1, o.i);
    EXPECT_EQ(e.sample2, o.j);
    EXPECT_EQ(e.n_sites, o.n);
    EXPECT_EQ(e.hethet, o.hethet);
    EXPECT_EQ(e.ibs0, o.ibs0);
    EXPECT_EQ(e.het1, o.het1);
    EXPECT_EQ(e.het2, o.het2);
    EXPECT_NEAR(e.kinship, o.kinship, 1e-9);
  }

  const auto trios = ReadTrios(ped);
  ASSERT_EQ(trios.size(), 1u);
  const PedChild& t = trios[0];
  for (const std::string& parent : {t.father, t.mother}) {
    const KinshipEstimate* e = FindPair(*kinship, g, t.child, parent);
    ASSERT_NE(e, nullptr) << parent;
    EXPECT_EQ(e->relationship, Relationship::kParentChild)
        << t.child << "-" << parent << " kinship " << e->kinship << " ibs0 " << e->ibs0_fraction;
  }
  const KinshipEstimate* parents = FindPair(*kinship, g, t.father, t.mother);
  ASSERT_NE(parents, nullptr);
  EXPECT_EQ(parents->relationship, Relationship::kUnrelated) << "kinship " << parents->kinship;

  // The relations become graph edges: the child's neighbourhood reaches both parents.
  CohortGraph with_edges = Load(vcf);
  ASSERT_TRUE(with_edges.SetRelations(RelatedPairs(*kinship)).ok());
  EXPECT_EQ(with_edges.relations().size(), 2u);
}

TEST(GraphRelatednessCorpusTest, AshkenaziTrioFull) {
  CheckTrio(CorpusPath("slivar/tests/ashk-trio.vcf.gz"), CorpusPath("slivar/tests/ashk-trio.ped"));
}

TEST(GraphRelatednessCorpusTest, AshkenaziTrioBundledSlice) {
  CheckTrio(ExamplePath("giab-ashk-trio-slice.vcf.gz"), ExamplePath("giab-ashk-trio.ped"));
}

TEST(GraphRelatednessCorpusTest, TrioHasNoChrXSoSexIsUnknown) {
  const CohortGraph g = Load(CorpusPath("slivar/tests/ashk-trio.vcf.gz"));
  auto report = InferSex(g, {}, {{"HG002", Sex::kMale}, {"HG003", Sex::kMale}, {"HG004", Sex::kFemale}});
  ASSERT_TRUE(report.ok()) << report.status().message();
  EXPECT_EQ(report->chrx_sites, 0);
  EXPECT_EQ(report->mismatches, 0u);
  for (const auto& call : report->calls) EXPECT_EQ(call.inferred, Sex::kUnknown);
}

TEST(GraphRelatednessCorpusTest, SexMatchesBcftoolsVcf2sexExpectation) {
  // bcftools' test of its vcf2sex plugin: the male is haploid on chrX outside the GRCh37 PARs
  // (one het just outside PAR2 as noise), the female diploid het everywhere; vcf2sex.out holds
  // the sexes bcftools expects. 12 non-PAR sites, hence the lowered minimum.
  const std::string dir = CorpusPath("bcftools/test/");
  std::map<std::string, Sex> expected;
  {
    std::ifstream in(dir + "vcf2sex.out");
    std::string name, sex;
    while (in >> name >> sex) expected[name] = ParseSex(sex);
  }
  ASSERT_EQ(expected.size(), 2u);
  const CohortGraph g = Load(dir + "vcf2sex.vcf");
  SexOptions options;
  options.build = GenomeBuild::kGrch37;
  options.min_sites = 5;
  auto report = InferSex(g, options, expected);
  ASSERT_TRUE(report.ok()) << report.status().message();
  EXPECT_EQ(report->chrx_sites, 12);
  EXPECT_EQ(report->mismatches, 0u);
  EXPECT_TRUE(report->expected_not_in_cohort.empty());
  for (const auto& call : report->calls) {
    SCOPED_TRACE(g.sample_name(call.sample));
    EXPECT_EQ(call.inferred, expected.at(g.sample_name(call.sample))) << "het ratio " << call.het_ratio;
  }
  // A PED that swaps them is reported as two mismatches.
  auto swapped = InferSex(g, options, {{"MALE", Sex::kFemale}, {"FEMALE", Sex::kMale}});
  ASSERT_TRUE(swapped.ok());
  EXPECT_EQ(swapped->mismatches, 2u);
}

}  // namespace
}  // namespace vcfagent::store
