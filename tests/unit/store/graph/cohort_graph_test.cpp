// CohortGraph queries on a hand-built cohort small enough that every answer is obvious.
//
// Samples A, B, C were genotyped together (group 0); D alone (group 1). Variants on chr1,
// added out of genomic order:
//   v0 chr1:100 SNV       gene 10  HIGH      AF 0.001   A het, B hom-alt, C missing
//   v1 chr1:200-205 DEL   gene 10  MODERATE  AF 0.2     A het, C het
//   v2 chr1:300 SNV       gene 20  LOW       AF unknown B het, C hom-alt
//   v3 chr1:50 SNV        no gene  MODIFIER  AF 0.5     A hom-alt, B het, C het
//   v4 chr1:1000 SNV      gene 20  HIGH      AF 0.0001  D het (group 1)
// Genomic order: v3, v0, v1, v2, v4.
#include "store/graph/cohort_graph.h"

#include <cmath>
#include <limits>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace vcfagent::store {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

constexpr uint32_t A = 0, B = 1, C = 2, D = 3;
constexpr float kNoAf = std::numeric_limits<float>::quiet_NaN();

GraphVariant Var(int64_t id, int64_t pos, int64_t end, uint32_t gene, VariantClass cls, Impact impact,
                 float af, uint32_t group) {
  GraphVariant v;
  v.variant_id = id;
  v.chrom_id = 0;
  v.pos = pos;
  v.end = end;
  v.gene_id = gene;
  v.variant_class = cls;
  v.impact = impact;
  v.af = af;
  v.biallelic_snv = cls == VariantClass::kSnv;
  v.group = group;
  return v;
}

CohortGraph::Builder SmallCohort() {
  CohortGraph::Builder b;
  for (const char* name : {"A", "B", "C", "D"}) b.AddSample(name);
  b.AddSampleGroup({A, B, C});
  b.AddSampleGroup({D});
  b.SetChromNames({"chr1"});
  b.SetGeneName(10, "GENE10");
  b.AddVariant(Var(100, 100, 100, 10, VariantClass::kSnv, Impact::kHigh, 0.001f, 0));
  b.AddVariant(Var(101, 200, 205, 10, VariantClass::kDeletion, Impact::kModerate, 0.2f, 0));
  b.AddVariant(Var(102, 300, 300, 20, VariantClass::kSnv, Impact::kLow, kNoAf, 0));
  b.AddVariant(Var(103, 50, 50, kNoGene, VariantClass::kSnv, Impact::kModifier, 0.5f, 0));
  b.AddVariant(Var(104, 1000, 1000, 20, VariantClass::kSnv, Impact::kHigh, 0.0001f, 1));
  // Calls in a scrambled order, with a hom-ref call that must be dropped.
  b.AddCall(3, C, Zygosity::kHet);
  b.AddCall(0, B, Zygosity::kHomAlt, 99, 30);
  b.AddCall(0, A, Zygosity::kHet, 45, 20);
  b.AddCall(1, C, Zygosity::kHet);
  b.AddCall(0, C, Zygosity::kMissing);
  b.AddCall(2, B, Zygosity::kHet);
  b.AddCall(1, A, Zygosity::kHet);
  b.AddCall(2, C, Zygosity::kHomAlt);
  b.AddCall(3, A, Zygosity::kHomAlt);
  b.AddCall(3, B, Zygosity::kHet);
  b.AddCall(4, D, Zygosity::kHet);
  b.AddCall(4, D, Zygosity::kHomRef);
  return b;
}

CohortGraph Built() {
  auto g = SmallCohort().Build();
  EXPECT_TRUE(g.ok()) << g.status().message();
  return std::move(g).value();
}

std::vector<uint32_t> Variants(const std::vector<SampleCall>& calls) {
  std::vector<uint32_t> out;
  for (const auto& c : calls) out.push_back(c.variant);
  return out;
}

TEST(CohortGraphTest, CountsAndGenotypedMembership) {
  const CohortGraph g = Built();
  EXPECT_EQ(g.num_samples(), 4u);
  EXPECT_EQ(g.num_variants(), 5u);
  EXPECT_EQ(g.num_calls(), 11u);  // the hom-ref call was dropped
  EXPECT_TRUE(g.IsGenotyped(A, 0));
  EXPECT_FALSE(g.IsGenotyped(D, 0));
  EXPECT_TRUE(g.IsGenotyped(D, 4));
  EXPECT_EQ(g.FindSample("C"), C);
  EXPECT_FALSE(g.FindSample("E").has_value());
  EXPECT_EQ(g.CarrierCount(0), 2u);
  EXPECT_EQ(g.CarrierCount(3), 3u);
}

TEST(CohortGraphTest, CarriersBySampleWithAndWithoutMissing) {
  const CohortGraph g = Built();
  const auto carriers = g.Carriers(0);
  ASSERT_EQ(carriers.size(), 2u);
  EXPECT_EQ(carriers[0].sample, A);
  EXPECT_EQ(carriers[0].zygosity, Zygosity::kHet);
  EXPECT_EQ(carriers[0].gq, 45);
  EXPECT_EQ(carriers[0].dp, 20);
  EXPECT_EQ(carriers[1].sample, B);
  EXPECT_EQ(carriers[1].zygosity, Zygosity::kHomAlt);
  const auto all = g.Carriers(0, /*include_missing=*/true);
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all[2].sample, C);
  EXPECT_EQ(all[2].zygosity, Zygosity::kMissing);
  EXPECT_EQ(all[2].gq, -1);
  EXPECT_THAT(g.Carriers(99), IsEmpty());
}

TEST(CohortGraphTest, SampleVariantsInGenomicOrderWithFilters) {
  const CohortGraph g = Built();
  EXPECT_THAT(Variants(g.SampleVariants(A, {}).calls), ElementsAre(3, 0, 1));

  SampleVariantsQuery in_gene;
  in_gene.genes = {10};
  EXPECT_THAT(Variants(g.SampleVariants(A, in_gene).calls), ElementsAre(0, 1));
  in_gene.genes = {20, 10};
  EXPECT_THAT(Variants(g.SampleVariants(C, in_gene).calls), ElementsAre(1, 2));

  SampleVariantsQuery region;
  region.region = GraphRegion{0, 201, 250};  // inside the deletion 200-205, which starts before
  EXPECT_THAT(Variants(g.SampleVariants(A, region).calls), ElementsAre(1));
  region.region = GraphRegion{0, 206, 1000};
  EXPECT_THAT(g.SampleVariants(A, region).calls, IsEmpty());
  region.region = GraphRegion{1, 1, 1000};  // another chromosome
  EXPECT_THAT(g.SampleVariants(A, region).calls, IsEmpty());

  SampleVariantsQuery hom_alt_only;
  hom_alt_only.het = false;
  EXPECT_THAT(Variants(g.SampleVariants(A, hom_alt_only).calls), ElementsAre(3));

  SampleVariantsQuery with_missing;
  with_missing.missing = true;
  EXPECT_THAT(Variants(g.SampleVariants(C, with_missing).calls), ElementsAre(3, 0, 1, 2));
  EXPECT_THAT(Variants(g.SampleVariants(C, {}).calls), ElementsAre(3, 1, 2));

  SampleVariantsQuery limited;
  limited.limit = 2;
  const auto r = g.SampleVariants(A, limited);
  EXPECT_THAT(Variants(r.calls), ElementsAre(3, 0));
  EXPECT_EQ(r.total, 3u);

  SampleVariantsQuery gene_and_region;
  gene_and_region.genes = {10};
  gene_and_region.region = GraphRegion{0, 1, 150};
  EXPECT_THAT(Variants(g.SampleVariants(A, gene_and_region).calls), ElementsAre(0));
}

TEST(CohortGraphTest, SharedCountsAndLists) {
  const CohortGraph g = Built();
  const SharedResult ab = g.Shared(A, B);
  EXPECT_EQ(ab.shared, 2u);
  EXPECT_EQ(ab.shared_same_zygosity, 0u);
  EXPECT_EQ(ab.only_first, 1u);
  EXPECT_EQ(ab.only_second, 1u);
  EXPECT_EQ(ab.only_first_other_uncalled, 0u);
  EXPECT_THAT(ab.shared_variants, ElementsAre(3, 0));
  EXPECT_THAT(ab.only_first_variants, ElementsAre(1));
  EXPECT_THAT(ab.only_second_variants, ElementsAre(2));

  const SharedResult ac = g.Shared(A, C);
  EXPECT_EQ(ac.shared, 2u);
  EXPECT_EQ(ac.shared_same_zygosity, 1u);  // v1 het in both
  EXPECT_EQ(ac.only_first, 1u);            // v0, where C is missing
  EXPECT_EQ(ac.only_first_other_uncalled, 1u);
  EXPECT_EQ(ac.only_second, 1u);
  EXPECT_EQ(ac.only_second_other_uncalled, 0u);

  const SharedResult ad = g.Shared(A, D);  // different groups: nothing is proven absent
  EXPECT_EQ(ad.shared, 0u);
  EXPECT_EQ(ad.only_first, 3u);
  EXPECT_EQ(ad.only_first_other_uncalled, 3u);
  EXPECT_EQ(ad.only_second, 1u);
  EXPECT_EQ(ad.only_second_other_uncalled, 1u);

  const SharedResult counts_only = g.Shared(A, B, /*list_limit=*/0);
  EXPECT_EQ(counts_only.shared, 2u);
  EXPECT_THAT(counts_only.shared_variants, IsEmpty());
  const SharedResult one = g.Shared(A, B, 1);
  EXPECT_THAT(one.shared_variants, ElementsAre(3));
}

TEST(CohortGraphTest, BurdenAppliesImpactAfAndClassPredicate) {
  const CohortGraph g = Built();
  QualifyingPredicate rare_high;
  rare_high.min_impact = Impact::kModerate;
  rare_high.max_af = 0.01;
  auto burden = g.Burden({10, 20}, rare_high);
  ASSERT_EQ(burden.size(), 3u);
  EXPECT_EQ(burden[0].sample, A);
  ASSERT_EQ(burden[0].genes.size(), 1u);
  EXPECT_EQ(burden[0].genes[0].gene_id, 10u);
  EXPECT_THAT(burden[0].genes[0].variants, ElementsAre(0));
  EXPECT_EQ(burden[1].sample, B);
  EXPECT_EQ(burden[1].hom_alt_variants, 1u);
  EXPECT_EQ(burden[2].sample, D);
  EXPECT_EQ(burden[2].genes[0].gene_id, 20u);
  EXPECT_THAT(burden[2].genes[0].variants, ElementsAre(4));

  QualifyingPredicate moderate;
  moderate.min_impact = Impact::kModerate;
  burden = g.Burden({}, moderate);  // every gene
  ASSERT_EQ(burden.size(), 4u);
  EXPECT_EQ(burden[0].qualifying_variants, 2u);
  EXPECT_THAT(burden[0].genes[0].variants, ElementsAre(0, 1));
  EXPECT_EQ(burden[2].sample, C);
  EXPECT_THAT(burden[2].genes[0].variants, ElementsAre(1));  // C's v0 call is missing

  QualifyingPredicate low_any_af;
  low_any_af.min_impact = Impact::kLow;
  low_any_af.max_af = 0.01;
  burden = g.Burden({20}, low_any_af);  // v2 has no AF: qualifies unless AF is required
  ASSERT_EQ(burden.size(), 3u);
  EXPECT_EQ(burden[0].sample, B);
  low_any_af.require_af = true;
  burden = g.Burden({20}, low_any_af);
  ASSERT_EQ(burden.size(), 1u);
  EXPECT_EQ(burden[0].sample, D);

  QualifyingPredicate deletions;
  deletions.class_mask = QualifyingPredicate::ClassBit(VariantClass::kDeletion);
  burden = g.Burden({10, 20}, deletions);
  ASSERT_EQ(burden.size(), 2u);
  EXPECT_THAT(burden[1].genes[0].variants, ElementsAre(1));
  EXPECT_THAT(g.Burden({77}, deletions), IsEmpty());
}

TEST(CohortGraphTest, CooccurRanksBySharedThenJaccard) {
  const CohortGraph g = Built();
  CooccurResult r = g.Cooccur(3);
  EXPECT_EQ(r.query_carriers, 3u);
  EXPECT_EQ(r.total, 3u);
  ASSERT_EQ(r.hits.size(), 3u);
  for (const auto& hit : r.hits) {
    EXPECT_EQ(hit.shared_carriers, 2u);
    EXPECT_DOUBLE_EQ(hit.jaccard, 2.0 / 3.0);
  }
  EXPECT_EQ(r.hits[0].variant, 0u);  // ties in genomic order
  EXPECT_EQ(r.hits[1].variant, 1u);
  EXPECT_EQ(r.hits[2].variant, 2u);

  r = g.Cooccur(0);
  ASSERT_EQ(r.hits.size(), 3u);
  EXPECT_EQ(r.hits[0].variant, 3u);
  EXPECT_EQ(r.hits[0].carriers, 3u);
  EXPECT_DOUBLE_EQ(r.hits[0].jaccard, 2.0 / 3.0);
  EXPECT_EQ(r.hits[1].variant, 1u);
  EXPECT_DOUBLE_EQ(r.hits[1].jaccard, 1.0 / 3.0);

  r = g.Cooccur(3, /*min_shared=*/2, /*top_n=*/2);
  EXPECT_EQ(r.total, 3u);
  EXPECT_EQ(r.hits.size(), 2u);
  EXPECT_THAT(g.Cooccur(3, 3).hits, IsEmpty());
  EXPECT_THAT(g.Cooccur(4).hits, IsEmpty());  // D carries nothing else
}

TEST(CohortGraphTest, NeighborsBreadthFirstWithTypedEdges) {
  CohortGraph g = Built();
  auto one = g.Neighbors({NodeKind::kSample, A}, 1, 100);
  ASSERT_TRUE(one.ok());
  ASSERT_EQ(one->nodes.size(), 4u);
  EXPECT_EQ(one->nodes[0].label, "A");
  EXPECT_EQ(one->nodes[1].ref, (NodeRef{NodeKind::kVariant, 3}));
  EXPECT_EQ(one->nodes[1].label, "chr1:50");
  EXPECT_EQ(one->nodes[3].ref, (NodeRef{NodeKind::kVariant, 1}));
  ASSERT_EQ(one->edges.size(), 3u);
  EXPECT_EQ(one->edges[0].kind, EdgeKind::kCarries);
  EXPECT_EQ(one->edges[0].to, (NodeRef{NodeKind::kVariant, 0}));
  EXPECT_EQ(one->edges[0].zygosity, Zygosity::kHet);
  EXPECT_FALSE(one->truncated);

  auto two = g.Neighbors({NodeKind::kSample, A}, 2, 100);
  ASSERT_TRUE(two.ok());
  ASSERT_EQ(two->nodes.size(), 7u);
  EXPECT_EQ(two->nodes[4].ref, (NodeRef{NodeKind::kSample, B}));
  EXPECT_EQ(two->nodes[5].ref, (NodeRef{NodeKind::kSample, C}));
  EXPECT_EQ(two->nodes[6].ref, (NodeRef{NodeKind::kGene, 10}));
  EXPECT_EQ(two->nodes[6].label, "GENE10");
  EXPECT_EQ(two->nodes[6].depth, 2);
  EXPECT_EQ(two->edges.size(), 9u);  // 7 carries (missing excluded) + 2 in-gene

  auto capped = g.Neighbors({NodeKind::kSample, A}, 2, 5);
  ASSERT_TRUE(capped.ok());
  EXPECT_EQ(capped->nodes.size(), 5u);
  EXPECT_TRUE(capped->truncated);
  EXPECT_EQ(capped->nodes_cut, 2u);  // C and GENE10
  EXPECT_EQ(capped->cut_at_depth, 2);

  auto gene = g.Neighbors({NodeKind::kGene, 20}, 1, 100);
  ASSERT_TRUE(gene.ok());
  ASSERT_EQ(gene->nodes.size(), 3u);
  EXPECT_EQ(gene->nodes[0].label, "gene:20");
  EXPECT_EQ(gene->nodes[1].ref, (NodeRef{NodeKind::kVariant, 2}));

  ASSERT_TRUE(g.SetRelations({{D, A, Relationship::kParentChild, 0.25}}).ok());
  auto related = g.Neighbors({NodeKind::kSample, A}, 1, 100);
  ASSERT_TRUE(related.ok());
  EXPECT_EQ(related->nodes.back().ref, (NodeRef{NodeKind::kSample, D}));
  const GraphEdge& edge = related->edges.back();
  EXPECT_EQ(edge.kind, EdgeKind::kRelated);
  EXPECT_EQ(edge.from, (NodeRef{NodeKind::kSample, A}));
  EXPECT_EQ(edge.to, (NodeRef{NodeKind::kSample, D}));
  EXPECT_EQ(edge.relationship, Relationship::kParentChild);

  EXPECT_FALSE(g.Neighbors({NodeKind::kGene, 99}, 1, 10).ok());
  EXPECT_FALSE(g.Neighbors({NodeKind::kSample, 9}, 1, 10).ok());
  EXPECT_FALSE(g.Neighbors({NodeKind::kVariant, 9}, 1, 10).ok());
  EXPECT_FALSE(g.SetRelations({{A, A, Relationship::kDuplicate, 0.5}}).ok());
  EXPECT_FALSE(g.SetRelations({{A, 7, Relationship::kDuplicate, 0.5}}).ok());
}

TEST(CohortGraphTest, BuildRejectsInconsistentInput) {
  {
    CohortGraph::Builder b = SmallCohort();
    b.AddCall(0, D, Zygosity::kHet);  // D is not in group 0
    auto g = b.Build();
    ASSERT_FALSE(g.ok());
    EXPECT_EQ(g.status().kind(), ErrorKind::kInvalidInput);
    EXPECT_NE(g.status().message().find("'D'"), std::string::npos) << g.status().message();
  }
  {
    CohortGraph::Builder b = SmallCohort();
    b.AddCall(1, A, Zygosity::kHomAlt);  // a second call for (v1, A)
    auto g = b.Build();
    ASSERT_FALSE(g.ok());
    EXPECT_NE(g.status().message().find("two calls"), std::string::npos);
  }
  {
    CohortGraph::Builder b = SmallCohort();
    b.AddSample("A");
    EXPECT_FALSE(b.Build().ok());
  }
  {
    CohortGraph::Builder b = SmallCohort();
    b.AddVariant(Var(200, 5, 5, kNoGene, VariantClass::kSnv, Impact::kNone, kNoAf, 7));
    EXPECT_FALSE(b.Build().ok());
  }
  {
    CohortGraph::Builder b = SmallCohort();
    b.AddCall(42, A, Zygosity::kHet);
    EXPECT_FALSE(b.Build().ok());
  }
  {
    CohortGraph::Builder empty;
    auto g = empty.Build();
    ASSERT_TRUE(g.ok());
    EXPECT_EQ(g->num_variants(), 0u);
    EXPECT_THAT(g->Burden({}, {}), IsEmpty());
  }
}

}  // namespace
}  // namespace vcfagent::store
