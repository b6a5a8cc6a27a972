// Graph queries on real data against bcftools: the bundled 1000 Genomes chr22 slice (1,747
// records x 2,504 samples, multiallelic records included) loaded into the graph, then
//   * Carriers of every split ALT == the samples `bcftools norm -m-any | bcftools query
//     -i 'GT="alt"' -f '[%SAMPLE,]'` prints for that record;
//   * Shared, SampleVariants(region) and Cooccur == set arithmetic over those bcftools lists.
#include <algorithm>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "store/graph/cohort_graph.h"
#include "support/test_support.h"
#include "unit/store/graph/vcf_graph_loader.h"

namespace vcfagent::store {
namespace {

struct OracleRecord {
  int64_t pos = 0;
  int64_t end = 0;  // bcftools' %END (INFO/END for the CNV)
  std::string ref, alt;
  std::vector<uint32_t> carriers;  // sample indices, sorted
};

class GraphQueriesCorpusTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    const std::string vcf = testing::ExamplePath("1kg-chr22-slice.vcf.gz");
    CohortGraph::Builder builder;
    ASSERT_TRUE(testing::LoadVcfIntoGraph(vcf, builder));
    auto built = builder.Build();
    ASSERT_TRUE(built.ok()) << built.status().message();
    graph_ = new CohortGraph(std::move(built).value());

    auto all = testing::RunProgram(
        "sh", {"-c", "bcftools norm -m-any \"$0\" 2>/dev/null | bcftools query -f '%POS\\t%END\\t%REF\\t%ALT\\n'", vcf});
    ASSERT_EQ(all.exit_code, 0) << all.err;
    auto alt = testing::RunProgram(
        "sh", {"-c",
               "bcftools norm -m-any \"$0\" 2>/dev/null | bcftools query -i 'GT=\"alt\"' "
               "-f '%POS\\t%REF\\t%ALT\\t[%SAMPLE,]\\n'",
               vcf});
    ASSERT_EQ(alt.exit_code, 0) << alt.err;

    oracle_ = new std::vector<OracleRecord>();
    std::istringstream all_in(all.out);
    OracleRecord r;
    while (all_in >> r.pos >> r.end >> r.ref >> r.alt) oracle_->push_back(r);
    // The -i listing skips records without carriers: walk it alongside the full listing.
    std::istringstream alt_in(alt.out);
    std::string line;
    size_t next = 0;
    while (std::getline(alt_in, line)) {
      std::istringstream fields(line);
      OracleRecord c;
      std::string samples;
      fields >> c.pos >> c.ref >> c.alt >> samples;
      while (next < oracle_->size() && ((*oracle_)[next].pos != c.pos || (*oracle_)[next].ref != c.ref ||
                                        (*oracle_)[next].alt != c.alt)) {
        ++next;
      }
      ASSERT_LT(next, oracle_->size()) << "bcftools listed an unknown record: " << line;
      std::istringstream names(samples);
      std::string name;
      auto& carriers = (*oracle_)[next].carriers;
      while (std::getline(names, name, ',')) {
        if (name.empty()) continue;
        const auto s = graph_->FindSample(name);
        ASSERT_TRUE(s.has_value()) << name;
        carriers.push_back(*s);
      }
      std::sort(carriers.begin(), carriers.end());
      ++next;
    }
  }
  static void TearDownTestSuite() {
    delete graph_;
    delete oracle_;
    graph_ = nullptr;
    oracle_ = nullptr;
  }

  // Oracle: the variants each sample carries.
  static std::vector<std::set<uint32_t>> VariantsBySample() {
    std::vector<std::set<uint32_t>> out(graph_->num_samples());
    for (uint32_t v = 0; v < oracle_->size(); ++v) {
      for (uint32_t s : (*oracle_)[v].carriers) out[s].insert(v);
    }
    return out;
  }

  static CohortGraph* graph_;
  static std::vector<OracleRecord>* oracle_;
};

CohortGraph* GraphQueriesCorpusTest::graph_ = nullptr;
std::vector<OracleRecord>* GraphQueriesCorpusTest::oracle_ = nullptr;

TEST_F(GraphQueriesCorpusTest, CarriersOfEverySplitAlleleMatchBcftools) {
  ASSERT_EQ(graph_->num_samples(), 2504u);
  ASSERT_EQ(graph_->num_variants(), oracle_->size());
  ASSERT_EQ(oracle_->size(), 1761u);  // 1,747 records, 12 extra ALTs
  size_t with_carriers = 0;
  for (uint32_t v = 0; v < oracle_->size(); ++v) {
    std::vector<uint32_t> got;
    for (const auto& c : graph_->Carriers(v)) got.push_back(c.sample);
    ASSERT_EQ(got, (*oracle_)[v].carriers) << "variant " << v << " at " << (*oracle_)[v].pos;
    ASSERT_EQ(graph_->variant(v).pos, (*oracle_)[v].pos);
    ASSERT_EQ(graph_->variant(v).end, (*oracle_)[v].end);
    with_carriers += !got.empty();
  }
  EXPECT_EQ(with_carriers, 1750u);
}

TEST_F(GraphQueriesCorpusTest, SharedMatchesSetArithmeticOnBcftoolsCarriers) {
  const auto by_sample = VariantsBySample();
  for (uint32_t i = 0; i < 25; ++i) {
    const uint32_t a = (i * 97) % 2504, b = (i * 389 + 11) % 2504;
    if (a == b) continue;
    const SharedResult r = graph_->Shared(a, b, 1000000);
    std::vector<uint32_t> both, only_a, only_b;
    std::set_intersection(by_sample[a].begin(), by_sample[a].end(), by_sample[b].begin(),
                          by_sample[b].end(), std::back_inserter(both));
    std::set_difference(by_sample[a].begin(), by_sample[a].end(), by_sample[b].begin(),
                        by_sample[b].end(), std::back_inserter(only_a));
    std::set_difference(by_sample[b].begin(), by_sample[b].end(), by_sample[a].begin(),
                        by_sample[a].end(), std::back_inserter(only_b));
    EXPECT_EQ(r.shared, both.size());
    EXPECT_EQ(r.only_first, only_a.size());
    EXPECT_EQ(r.only_second, only_b.size());
    EXPECT_EQ(r.only_first_other_uncalled, 0u);  // one file, no missing genotypes
    // The file is sorted, so genomic order is file order here.
    EXPECT_EQ(r.shared_variants, both);
    EXPECT_EQ(r.only_first_variants, only_a);
  }
}

TEST_F(GraphQueriesCorpusTest, SampleVariantsInRegionMatchBcftoolsCarriers) {
  const auto by_sample = VariantsBySample();
  // The second region lies inside the CNV at 16,050,654-16,063,474, which starts before it.
  for (const auto& [start, end] : {std::pair<int64_t, int64_t>{16100000, 16150000}, {16055000, 16060000}}) {
    size_t found = 0;
    for (uint32_t s = 0; s < graph_->num_samples(); s += 7) {
      SampleVariantsQuery q;
      q.region = GraphRegion{graph_->variant(0).chrom_id, start, end};
      std::vector<uint32_t> got;
      for (const auto& c : graph_->SampleVariants(s, q).calls) got.push_back(c.variant);
      std::vector<uint32_t> want;
      for (uint32_t v : by_sample[s]) {
        const OracleRecord& o = (*oracle_)[v];
        if (o.pos <= end && o.end >= start) want.push_back(v);
      }
      EXPECT_EQ(got, want) << graph_->sample_name(s) << " in " << start << "-" << end;
      found += got.size();
    }
    EXPECT_GT(found, 0u);
  }
}

TEST_F(GraphQueriesCorpusTest, CooccurMatchesBcftoolsCarrierOverlap) {
  const auto& o = *oracle_;
  std::vector<uint32_t> queries = {0, 100, 500, 1000, 1500};
  // And the variant with the most carriers.
  uint32_t most = 0;
  for (uint32_t v = 0; v < o.size(); ++v) {
    if (o[v].carriers.size() > o[most].carriers.size()) most = v;
  }
  queries.push_back(most);
  for (uint32_t q : queries) {
    const std::set<uint32_t> qs(o[q].carriers.begin(), o[q].carriers.end());
    std::map<uint32_t, uint32_t> shared;  // variant -> shared carriers
    for (uint32_t v = 0; v < o.size(); ++v) {
      if (v == q) continue;
      uint32_t n = 0;
      for (uint32_t s : o[v].carriers) n += qs.count(s);
      if (n > 0) shared[v] = n;
    }
    const CooccurResult r = graph_->Cooccur(q, 1, 50);
    EXPECT_EQ(r.query_carriers, qs.size());
    EXPECT_EQ(r.total, shared.size()) << "query " << q;
    uint32_t best = 0;
    for (const auto& [v, n] : shared) best = std::max(best, n);
    if (!r.hits.empty()) {
      EXPECT_EQ(r.hits[0].shared_carriers, best);
    }
    for (size_t k = 0; k < r.hits.size(); ++k) {
      const CooccurHit& h = r.hits[k];
      ASSERT_TRUE(shared.count(h.variant));
      EXPECT_EQ(h.shared_carriers, shared[h.variant]);
      EXPECT_EQ(h.carriers, o[h.variant].carriers.size());
      if (k > 0) {
        EXPECT_GE(r.hits[k - 1].shared_carriers, h.shared_carriers);
      }
    }
  }
}

}  // namespace
}  // namespace vcfagent::store
