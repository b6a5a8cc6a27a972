// The store's similarity search and graph queries on real data from the corpus, end to end:
// ingest (library), then FindSimilar (index vs exact search) and the graph queries (CLI) checked
// against bcftools and the PED.
#include <algorithm>
#include <cstdio>
#include <random>
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "store/ingest.h"
#include "store/similar.h"
#include "store/similarity/embedding.h"
#include "store/similarity_update.h"
#include "store/store.h"
#include "store/variant_features.h"
#include "support/test_support.h"

namespace vcfagent::testing {
namespace {

using store::Store;

std::unique_ptr<Store> IngestInto(const std::string& dir, const std::vector<std::string>& files,
                                  const std::string& ped = "") {
  auto writer = Store::Open(dir, Store::Access::kWrite);
  EXPECT_TRUE(writer.ok()) << writer.status().message();
  store::IngestOptions options;
  options.show_progress = false;
  options.ped_path = ped;
  auto summary = store::Ingest(**writer, files, options);
  EXPECT_TRUE(summary.ok()) << summary.status().message();
  auto index = store::UpdateSimilarityIndex(**writer, false);
  EXPECT_TRUE(index.ok()) << index.status().message();
  writer->reset();
  auto reader = Store::Open(dir, Store::Access::kRead);
  EXPECT_TRUE(reader.ok()) << reader.status().message();
  return std::move(reader).value();
}

struct Quality {
  double recall = 0;
  double same_class_and_impact = 0;  // over annotated queries
  int queries = 0, annotated = 0;
};

Quality Measure(Store& s, int n_queries, uint32_t seed) {
  auto max_id = store::QueryInt(s.db(), "SELECT max(variant_id) FROM variants");
  EXPECT_TRUE(max_id.ok());
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int64_t> pick(1, max_id->value_or(1));
  Quality q;
  double recall_sum = 0, agree_sum = 0;
  for (int i = 0; i < n_queries; ++i) {
    store::SimilarQuery query;
    query.variant = std::to_string(pick(rng));
    query.k = 10;
    auto approximate = store::FindSimilar(s, query);
    query.exact = true;
    auto exact = store::FindSimilar(s, query);
    if (!approximate.ok() || !exact.ok()) {
      ADD_FAILURE() << approximate.status().message() << exact.status().message();
      continue;
    }
    EXPECT_FALSE(approximate->index_built_in_memory);
    std::set<int64_t> truth;
    for (const auto& hit : exact->hits) truth.insert(hit.record.variant_id);
    int found = 0;
    for (const auto& hit : approximate->hits) found += truth.count(hit.record.variant_id);
    recall_sum += truth.empty() ? 1.0 : static_cast<double>(found) / truth.size();
    ++q.queries;
    if (approximate->query.impact != store::Impact::kNone) {
      int agree = 0;
      for (const auto& hit : approximate->hits) {
        agree += hit.record.variant_class == approximate->query.variant_class &&
                 hit.record.impact == approximate->query.impact;
      }
      agree_sum += approximate->hits.empty() ? 0 : static_cast<double>(agree) / approximate->hits.size();
      ++q.annotated;
    }
  }
  q.recall = recall_sum / std::max(1, q.queries);
  q.same_class_and_impact = agree_sum / std::max(1, q.annotated);
  return q;
}

TEST(StoreSimilarityCorpusTest, RecallAndAgreementOnTheAnnotatedGiabTrio) {
  TempDir tmp;
  auto s = IngestInto(tmp.File("db"), {CorpusPath("slivar/tests/ashk-trio.vcf.gz")});
#ifdef VCFAGENT_SANITIZED
  const Quality q = Measure(*s, 100, 11);  // the same check, fewer queries under the sanitizers
#else
  const Quality q = Measure(*s, 300, 11);
#endif
  std::printf("ashk-trio (bcftools BCSQ, 9,940 variants): recall@10 %.3f over %d queries; same class and "
              "impact %.3f over %d annotated queries\n", q.recall, q.queries, q.same_class_and_impact, q.annotated);
  RecordProperty("recall_at_10", std::to_string(q.recall));
  RecordProperty("same_class_and_impact", std::to_string(q.same_class_and_impact));
  EXPECT_GE(q.recall, 0.95);
  EXPECT_GT(q.annotated, q.queries * 9 / 10);
  EXPECT_GT(q.same_class_and_impact, 0.5);
}

TEST(StoreSimilarityCorpusTest, RecallOnThe1000GenomesSliceWithCarrierPatterns) {
  TempDir tmp;
  auto s = IngestInto(tmp.File("db"), {ExamplePath("1kg-chr22-slice.vcf.gz")});
#ifdef VCFAGENT_SANITIZED
  const Quality q = Measure(*s, 60, 5);
#else
  const Quality q = Measure(*s, 200, 5);
#endif
  std::printf("1kG chr22 slice (2,504 samples, 1,761 variants): recall@10 %.3f over %d queries\n", q.recall, q.queries);
  EXPECT_GE(q.recall, 0.95);
}

// The saved "features" index is exact cells: every answer equals brute force (ids, distances,
// order), in a few bytes per variant; a store indexed by an older vcf-agent (an HNSW graph under a
// version 1 sidecar) keeps answering from it until `index` replaces it.
TEST(StoreSimilarityCorpusTest, FeaturesIndexIsExactCompactAndReplacesAnOlderGraph) {
  TempDir tmp;
  const std::string db = tmp.File("db");
  auto s = IngestInto(db, {CorpusPath("slivar/tests/ashk-trio.vcf.gz")});
  const std::string path = store::FeatureIndexPath(*s);
  auto info = store::VectorIndex::ReadInfo(path);
  ASSERT_TRUE(info.ok()) << info.status().message();
  EXPECT_EQ(info->structure, store::IndexStructure::kExactCells);
  ASSERT_GT(info->count, 9000u);
  EXPECT_LT(static_cast<double>(info->index_bytes) / info->count, 70.0);  // HNSW took 165
  for (int id = 1; id < 9900; id += 97) {
    store::SimilarQuery query;
    query.variant = std::to_string(id);
    auto indexed = store::FindSimilar(*s, query);
    query.exact = true;
    auto exact = store::FindSimilar(*s, query);
    ASSERT_TRUE(indexed.ok() && exact.ok());
    EXPECT_EQ(indexed->method, "exact-cells");
    EXPECT_FALSE(indexed->index_built_in_memory);
    ASSERT_EQ(indexed->hits.size(), exact->hits.size());
    for (size_t i = 0; i < exact->hits.size(); ++i) {
      EXPECT_EQ(indexed->hits[i].record.variant_id, exact->hits[i].record.variant_id) << id << " #" << i;
      EXPECT_EQ(indexed->hits[i].distance, exact->hits[i].distance) << id << " #" << i;
    }
  }

  // An HNSW graph of the same vectors, saved the way an older vcf-agent did (version 1 sidecar).
  auto generation = s->Generation();
  ASSERT_TRUE(generation.ok());
  auto graph = store::VectorIndex::Create(store::kFeatureSpaceName, store::kFeatureDimension, info->count);
  ASSERT_TRUE(graph.ok());
  ASSERT_TRUE(store::ForEachVariantFeatures(*s, {}, [&](int64_t id, store::VariantFeatures& f) {
                return (*graph)->Add(static_cast<uint64_t>(id), store::EmbedVariant(f));
              }).ok());
  ASSERT_TRUE((*graph)->Save(path, static_cast<uint64_t>(*generation)).ok());
  auto sidecar = nlohmann::json::parse(ReadFile(store::VectorIndex::SidecarPath(path)));
  sidecar.erase("structure");
  sidecar["version"] = 1;
  WriteFile(store::VectorIndex::SidecarPath(path), sidecar.dump());
  store::SimilarQuery query;
  query.variant = "100";
  auto old = store::FindSimilar(*s, query);
  ASSERT_TRUE(old.ok()) << old.status().message();
  EXPECT_EQ(old->method, "hnsw");
  EXPECT_FALSE(old->index_built_in_memory);
  s.reset();
  auto writer = Store::Open(db, Store::Access::kWrite);
  ASSERT_TRUE(writer.ok());
  auto update = store::UpdateSimilarityIndex(**writer, false);
  ASSERT_TRUE(update.ok()) << update.status().message();
  EXPECT_EQ(update->added, static_cast<int64_t>(info->count));
  auto replaced = store::VectorIndex::ReadInfo(path);
  ASSERT_TRUE(replaced.ok());
  EXPECT_EQ(replaced->structure, store::IndexStructure::kExactCells);
  auto again = store::FindSimilar(**writer, query);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->method, "exact-cells");
}

TEST(StoreSimilarityCorpusTest, FiltersRestrictNeighboursAndExplainWhy) {
  TempDir tmp;
  auto s = IngestInto(tmp.File("db"), {CorpusPath("slivar/tests/ashk-trio.vcf.gz")});
  store::SimilarQuery query;
  query.variant = "100";
  query.k = 10;
  query.where = "impact = HIGH";
  auto high = store::FindSimilar(*s, query);
  ASSERT_TRUE(high.ok()) << high.status().message();
  ASSERT_EQ(high->hits.size(), 10u);
  for (const auto& hit : high->hits) {
    EXPECT_EQ(hit.record.impact, store::Impact::kHigh);
    EXPECT_FALSE(hit.reasons.empty());
    EXPECT_NE(hit.record.variant_id, 100);
  }
  query.where = "";
  query.same_chrom = true;
  query.variant = "9000";  // on chromosome 2
  auto same = store::FindSimilar(*s, query);
  ASSERT_TRUE(same.ok());
  for (const auto& hit : same->hits) EXPECT_EQ(hit.record.chrom, same->query.chrom);
  query.variant = "1:1:A:T";
  EXPECT_FALSE(store::FindSimilar(*s, query).ok());
}

TEST(StoreGraphCorpusTest, GiabTrioRelationshipsAndCarriersThroughTheCli) {
  TempDir tmp;
  const std::string db = tmp.File("db");
  const std::string vcf = CorpusPath("slivar/tests/ashk-trio.vcf.gz");
  auto ingest = RunVcfAgent({"ingest", vcf, "--ped", CorpusPath("slivar/tests/ashk-trio.ped"), "--db", db, "--no-index"});
  ASSERT_EQ(ingest.exit_code, 0) << ingest.err;
  auto r = RunVcfAgent({"graph", "relatedness", "--db", db, "--format", "json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto json = nlohmann::json::parse(r.out);
  std::map<std::set<std::string>, std::string> relationship;
  for (const auto& pair : json["pairs"]) {
    relationship[{pair["sample1"].get<std::string>(), pair["sample2"].get<std::string>()}] =
        pair["relationship"].get<std::string>();
    EXPECT_TRUE(pair.contains("kinship"));
  }
  // ashk-trio.ped: HG002 is the son of HG003 (father) and HG004 (mother).
  EXPECT_EQ((relationship[{"HG002", "HG003"}]), "parent-child");
  EXPECT_EQ((relationship[{"HG002", "HG004"}]), "parent-child");
  EXPECT_EQ((relationship[{"HG003", "HG004"}]), "unrelated");
  EXPECT_EQ(json["sex"]["expected_from"], "store (ingest --ped)");

  // Carriers of a few variants equal bcftools' non-ref calls.
  auto query = RunProgram("bcftools", {"query", "-f", "%CHROM:%POS:%REF:%ALT[\t%SAMPLE=%GT]\n", "-r", "1:1000000-1300000", vcf});
  ASSERT_EQ(query.exit_code, 0) << query.err;
  int checked = 0;
  std::istringstream lines(query.out);
  std::string line;
  while (std::getline(lines, line) && checked < 25) {
    std::istringstream fields(line);
    std::string label, call;
    fields >> label;
    if (label.find(',') != std::string::npos) continue;
    std::set<std::string> expected;
    while (fields >> call) {
      const std::string gt = call.substr(call.find('=') + 1);
      if (gt.find('1') != std::string::npos) expected.insert(call.substr(0, call.find('=')));
    }
    auto carriers = RunVcfAgent({"graph", "carriers", label, "--db", db, "--format", "json"});
    ASSERT_EQ(carriers.exit_code, 0) << carriers.err;
    std::set<std::string> got;
    const auto parsed = nlohmann::json::parse(carriers.out);
    for (const auto& c : parsed["carriers"]) got.insert(c["sample"].get<std::string>());
    EXPECT_EQ(got, expected) << label;
    ++checked;
  }
  EXPECT_EQ(checked, 25);
  auto hood = RunVcfAgent({"graph", "neighbors", "gene:SDF4", "--depth", "2", "--db", db, "--format", "json"});
  ASSERT_EQ(hood.exit_code, 0) << hood.err;
  const auto graph = nlohmann::json::parse(hood.out);
  EXPECT_GT(graph["nodes"].size(), 2u);
  std::set<std::string> ids;
  for (const auto& n : graph["nodes"]) ids.insert(n["id"].get<std::string>());
  for (const auto& e : graph["edges"]) {
    EXPECT_TRUE(ids.count(e["from"].get<std::string>()) && ids.count(e["to"].get<std::string>()));
  }
}

}  // namespace
}  // namespace vcfagent::testing
