// The variant embedding: what a geneticist calls alike must be close, and the vector must be
// the same on every run.
#include "store/similarity/embedding.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>

namespace vcfagent::store {
namespace {

double Distance(const VariantFeatures& a, const VariantFeatures& b) {
  const auto va = EmbedVariant(a), vb = EmbedVariant(b);
  double sum = 0;
  for (size_t i = 0; i < va.size(); ++i) sum += (va[i] - vb[i]) * (va[i] - vb[i]);
  return sum;
}

VariantFeatures Snv(const std::string& ref, const std::string& alt) {
  VariantFeatures f;
  f.chrom = "chr1";
  f.pos = 1000;
  f.ref = ref;
  f.alt = alt;
  return f;
}

TEST(EmbeddingTest, FixedDimensionWithinInt8Range) {
  VariantFeatures f = Snv("C", "T");
  f.context = "ACGTACGTACG";
  f.gene = "BRCA2";
  f.consequence = "stop_gained";
  f.impact = Impact::kHigh;
  f.clinical_significance = "pathogenic";
  f.population_af = 1e-9;
  f.cohort_af = 1.0;
  f.qual = 1e9;
  f.mean_dp = 1e6;
  f.mean_gq = 500;
  f.carrier_samples = {1, 2, 3};
  f.cohort_size = 10;
  for (const auto& features : {f, Snv("A", "<DEL>"), Snv("A", std::string(5000, 'A')), Snv("", "")}) {
    const auto v = EmbedVariant(features);
    ASSERT_EQ(v.size(), static_cast<size_t>(kFeatureDimension));
    for (float x : v) {
      EXPECT_TRUE(std::isfinite(x));
      EXPECT_GE(x, -1.0f);
      EXPECT_LE(x, 1.0f);
    }
  }
}

TEST(EmbeddingTest, DeterministicAndIndependentOfCallOrder) {
  VariantFeatures f = Snv("G", "A");
  f.gene = "TP53";
  f.carrier_samples = {4, 8, 15, 16, 23, 42};
  const auto first = EmbedVariant(f);
  EmbedVariant(Snv("A", "AT"));
  EXPECT_EQ(EmbedVariant(f), first);
}

TEST(EmbeddingTest, SubstitutionClassIsPyrimidineCentred) {
  EXPECT_EQ(SubstitutionClass("C", "T"), "C>T");
  EXPECT_EQ(SubstitutionClass("G", "A"), "C>T");
  EXPECT_EQ(SubstitutionClass("a", "c"), "T>G");
  EXPECT_EQ(SubstitutionClass("T", "A"), "T>A");
  EXPECT_EQ(SubstitutionClass("AC", "GT"), "");
  EXPECT_EQ(SubstitutionClass("N", "A"), "");
  // The reverse complement of a substitution is the same event.
  EXPECT_EQ(Distance(Snv("C", "T"), Snv("G", "A")), 0.0);
}

TEST(EmbeddingTest, TransitionCloserToTransitionThanToTransversion) {
  const auto ct = Snv("C", "T");
  EXPECT_LT(Distance(ct, Snv("T", "C")), Distance(ct, Snv("C", "A")));
  EXPECT_LT(Distance(ct, Snv("A", "G")), Distance(ct, Snv("T", "G")));
  // But any SNV is closer to another SNV than to an indel.
  EXPECT_LT(Distance(ct, Snv("C", "A")), Distance(ct, Snv("C", "CA")));
}

TEST(EmbeddingTest, InsertionCloserToInsertionThanToDeletion) {
  const auto ins1 = Snv("A", "AT");
  const auto ins2 = Snv("A", "ATT");
  const auto del1 = Snv("AT", "A");
  const auto del10 = Snv("ATTTTTTTTTT", "A");
  EXPECT_LT(Distance(ins1, ins2), Distance(ins1, del1));
  EXPECT_LT(Distance(del1, Snv("AG", "A")), Distance(del1, del10));
  EXPECT_LT(Distance(del1, del10), Distance(del1, ins1));
}

TEST(EmbeddingTest, SameGeneCloserThanDifferentGenesWhichCarryNoSignal) {
  std::vector<double> different;
  for (int i = 0; i < 200; ++i) {
    VariantFeatures a = Snv("C", "T"), b = a, c = a;
    a.gene = b.gene = "GENE" + std::to_string(i);
    c.gene = "GENE" + std::to_string(i + 1000);
    EXPECT_EQ(Distance(a, b), 0.0);
    different.push_back(Distance(a, c));
    EXPECT_GT(different.back(), 0.0) << a.gene << " vs " << c.gene;
  }
  // "No signal": distances between different genes spread around one mean, none near zero.
  const double mean = std::accumulate(different.begin(), different.end(), 0.0) / different.size();
  const size_t near_zero =
      std::count_if(different.begin(), different.end(), [&](double d) { return d < 0.05 * mean; });
  EXPECT_LE(near_zero, 2u);
}

TEST(EmbeddingTest, ConsequenceNamesFromVepAndBcftoolsCoincide) {
  EXPECT_EQ(NormalisedConsequence("missense_variant&splice_region_variant"), "missense");
  EXPECT_EQ(NormalisedConsequence("3_prime_UTR_variant"), "3_prime_utr");
  VariantFeatures vep = Snv("C", "T"), csq = vep, other = vep;
  vep.consequence = "missense_variant";
  csq.consequence = "missense";
  other.consequence = "synonymous";
  EXPECT_EQ(Distance(vep, csq), 0.0);
  EXPECT_GT(Distance(vep, other), 0.0);
}

TEST(EmbeddingTest, ImpactAndClinicalSignificanceOrder) {
  VariantFeatures high = Snv("C", "T"), high2 = high, low = high;
  high.impact = high2.impact = Impact::kHigh;
  low.impact = Impact::kLow;
  high2.gene = "OTHER";
  EXPECT_LT(Distance(high, high2), Distance(high, low));

  VariantFeatures p = Snv("C", "T"), lp = p, b = p;
  p.clinical_significance = "pathogenic";
  lp.clinical_significance = "likely-pathogenic";
  b.clinical_significance = "benign";
  EXPECT_LT(Distance(p, lp), Distance(p, b));
}

TEST(EmbeddingTest, AlleleFrequencyOnALogScale) {
  VariantFeatures rare = Snv("C", "T"), rare2 = rare, common = rare;
  rare.population_af = 0.0001;
  rare2.population_af = 0.0002;
  common.population_af = 0.3;
  EXPECT_LT(Distance(rare, rare2), Distance(rare, common));
}

TEST(EmbeddingTest, CpgContext) {
  VariantFeatures cpg = Snv("C", "T"), cpg2 = cpg, plain = cpg;
  cpg.context = "AATTACGTTAA";   // the middle C is followed by G
  cpg2.context = "AATTCGAATTA";  // the middle G follows a C
  cpg2.ref = "G";
  cpg2.alt = "A";
  plain.context = "AATTACATTAA";
  EXPECT_LT(Distance(cpg, cpg2), Distance(cpg, plain));
  EXPECT_EQ(Distance(Snv("C", "T"), Snv("C", "T")), 0.0);
}

// Carrier sets with Jaccard overlap J: the sketch distance must fall as J rises.
double MeanSketchDistance(double jaccard, std::mt19937& rng) {
  double total = 0;
  const int trials = 300;
  for (int t = 0; t < trials; ++t) {
    std::vector<uint32_t> pool(2504);
    std::iota(pool.begin(), pool.end(), 0u);
    std::shuffle(pool.begin(), pool.end(), rng);
    // |A| = |B| = 20; shared s with s / (40 - s) = J.
    const int shared = static_cast<int>(std::lround(40 * jaccard / (1 + jaccard)));
    VariantFeatures a = Snv("C", "T"), b = a;
    a.carrier_samples.assign(pool.begin(), pool.begin() + 20);
    b.carrier_samples.assign(pool.begin() + (20 - shared), pool.begin() + (40 - shared));
    std::sort(a.carrier_samples.begin(), a.carrier_samples.end());
    std::sort(b.carrier_samples.begin(), b.carrier_samples.end());
    total += Distance(a, b);
  }
  return total / trials;
}

TEST(EmbeddingTest, CarrierSketchSeparatesSharedFromUnrelatedCarriers) {
  std::mt19937 rng(7);
  VariantFeatures a = Snv("C", "T"), b = a;
  a.carrier_samples = b.carrier_samples = {3, 17, 99, 1200};
  EXPECT_EQ(Distance(a, b), 0.0);
  const double high = MeanSketchDistance(0.9, rng), mid = MeanSketchDistance(0.5, rng),
               low = MeanSketchDistance(0.05, rng);
  EXPECT_LT(high, mid);
  EXPECT_LT(mid, low);
  EXPECT_LT(high, 0.35 * low);
}

TEST(EmbeddingTest, ExplainsWhyTwoVariantsAreClose) {
  VariantFeatures a = Snv("CT", "C"), b = Snv("GA", "G");
  a.gene = b.gene = "BRCA2";
  a.impact = b.impact = Impact::kHigh;
  a.consequence = "frameshift_variant";
  b.consequence = "frameshift";
  a.carrier_samples = {1, 2, 3, 4};
  b.carrier_samples = {1, 2, 3};
  a.population_af = 0.012;
  b.population_af = 0.010;
  const auto reasons = ExplainCloseness(a, b);
  const std::vector<std::string> expected = {
      "same class: deletion (1 bp)", "same gene BRCA2", "same consequence frameshift", "both HIGH impact",
      "carried by 3 of the same 4 samples", "similar AF 0.012 vs 0.010"};
  EXPECT_EQ(reasons, expected);

  const auto snv = ExplainCloseness(Snv("C", "T"), Snv("G", "A"));
  ASSERT_FALSE(snv.empty());
  EXPECT_EQ(snv[0], "same substitution C>T (transition)");
  EXPECT_TRUE(ExplainCloseness(Snv("C", "T"), Snv("A", "ATT")).empty());
}

}  // namespace
}  // namespace vcfagent::store
