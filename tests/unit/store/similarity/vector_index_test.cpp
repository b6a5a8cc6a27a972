// VectorIndex: search against brute force, growth, duplicates, filters, save/load and every
// way a saved index can be wrong.
#include "store/similarity/vector_index.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <set>
#include <thread>

#include "support/test_support.h"

namespace vcfagent::store {
namespace {

using vcfagent::testing::ReadFile;
using vcfagent::testing::TempDir;
using vcfagent::testing::WriteFile;

std::vector<std::vector<float>> RandomVectors(size_t n, size_t dim, uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> uniform(-1.0f, 1.0f);
  std::vector<std::vector<float>> out(n, std::vector<float>(dim));
  for (auto& v : out) {
    for (auto& x : v) x = uniform(rng);
  }
  return out;
}

std::unique_ptr<VectorIndex> Build(const std::vector<std::vector<float>>& vectors, const IndexParams& params = {},
                                   size_t capacity = 0) {
  auto index = VectorIndex::Create("test", vectors.empty() ? 8 : vectors[0].size(),
                                   capacity ? capacity : vectors.size(), params);
  EXPECT_TRUE(index.ok()) << index.status().message();
  for (size_t i = 0; i < vectors.size(); ++i) EXPECT_TRUE((*index)->Add(i, vectors[i]).ok());
  return std::move(index.value());
}

// Recall@k: an approximate result counts when it is no farther than the k-th exact one (so ties
// at equal distance are not counted as misses).
double Recall(const VectorIndex& index, const std::vector<std::vector<float>>& queries, size_t k, size_t ef) {
  size_t hits = 0, total = 0;
  for (const auto& q : queries) {
    auto exact = index.ExactSearch(q, k);
    auto approx = index.Search(q, k, {}, ef);
    EXPECT_TRUE(exact.ok() && approx.ok());
    if (exact->empty()) continue;
    const float bound = exact->back().distance;
    for (const auto& n : *approx) hits += n.distance <= bound;
    total += exact->size();
  }
  return static_cast<double>(hits) / total;
}

TEST(VectorIndexTest, SearchAgreesWithExactSearch) {
  const auto vectors = RandomVectors(3000, 48, 1);
  const auto index = Build(vectors);
  const auto queries = RandomVectors(100, 48, 2);
  // Uniform random 48-d vectors are HNSW's hardest case (real embeddings are far more clustered:
  // see the corpus recall test); a wider search must buy back what the narrow one misses.
  const double narrow = Recall(*index, queries, 10, 32), wide = Recall(*index, queries, 10, 400);
  std::printf("recall@10 on uniform random 48-d: ef=32 %.3f, ef=400 %.3f\n", narrow, wide);
  EXPECT_GE(narrow, 0.6);
  EXPECT_GE(wide, 0.98);
  EXPECT_GT(wide, narrow);
  // A stored vector finds itself first, at distance zero.
  auto self = index->Search(vectors[1234], 1);
  ASSERT_TRUE(self.ok());
  ASSERT_EQ(self->size(), 1u);
  EXPECT_EQ((*self)[0].label, 1234u);
  EXPECT_EQ((*self)[0].distance, 0.0f);
}

TEST(VectorIndexTest, DistancesAreSquaredL2OfTheQuantisedVectors) {
  auto index = VectorIndex::Create("test", 2, 4);
  ASSERT_TRUE(index.ok());
  ASSERT_TRUE((*index)->Add(7, std::vector<float>{1.0f, 0.0f}).ok());
  ASSERT_TRUE((*index)->Add(8, std::vector<float>{-1.0f, 0.5f}).ok());
  auto result = (*index)->Search(std::vector<float>{0.0f, 0.0f}, 5);
  ASSERT_TRUE(result.ok());
  ASSERT_EQ(result->size(), 2u);
  EXPECT_EQ((*result)[0].label, 7u);
  EXPECT_NEAR((*result)[0].distance, 1.0, 1e-6);
  EXPECT_EQ((*result)[1].label, 8u);
  EXPECT_NEAR((*result)[1].distance, 1.25, 0.01);  // 0.5 quantised to 64/127
}

TEST(VectorIndexTest, EmptyIndexKZeroAndKAboveSize) {
  auto empty = VectorIndex::Create("test", 4, 0);
  ASSERT_TRUE(empty.ok());
  const std::vector<float> q{0, 0, 0, 0};
  EXPECT_TRUE((*empty)->Search(q, 10)->empty());
  EXPECT_TRUE((*empty)->ExactSearch(q, 10)->empty());
  const auto small = Build(RandomVectors(5, 4, 3));
  EXPECT_EQ(small->Search(q, 10)->size(), 5u);
  EXPECT_EQ(small->ExactSearch(q, 10)->size(), 5u);
  EXPECT_TRUE(small->Search(q, 0)->empty());
}

TEST(VectorIndexTest, RefusesWrongDimensionAndOutOfRangeValues) {
  auto index = VectorIndex::Create("features", 48, 10);
  ASSERT_TRUE(index.ok());
  const Status wrong = (*index)->Add(1, std::vector<float>(1536, 0.0f));
  EXPECT_EQ(wrong.kind(), ErrorKind::kInvalidInput);
  EXPECT_NE(wrong.message().find("space 'features' has dimension 48, the vector has 1536"), std::string::npos)
      << wrong.message();
  EXPECT_FALSE((*index)->Search(std::vector<float>(3, 0.0f), 1).ok());
  std::vector<float> big(48, 0.0f);
  big[5] = 1.5f;
  EXPECT_NE((*index)->Add(1, big).message().find("component 5 = 1.5 is outside [-1, 1]"), std::string::npos);
  big[5] = std::nanf("");
  EXPECT_FALSE((*index)->Add(1, big).ok());
  EXPECT_EQ((*index)->size(), 0u);
  EXPECT_FALSE(VectorIndex::Create("", 4, 1).ok());
  EXPECT_FALSE(VectorIndex::Create("x", 0, 1).ok());
}

TEST(VectorIndexTest, DuplicateLabelReplacesTheVector) {
  auto vectors = RandomVectors(200, 16, 4);
  auto index = Build(vectors);
  const auto replacement = RandomVectors(1, 16, 99)[0];
  ASSERT_TRUE(index->Add(42, replacement).ok());
  EXPECT_EQ(index->size(), 200u);
  auto found = index->Search(replacement, 1);
  ASSERT_EQ(found->size(), 1u);
  EXPECT_EQ((*found)[0].label, 42u);
  EXPECT_EQ((*found)[0].distance, 0.0f);
  auto old = index->ExactSearch(vectors[42], 1);
  EXPECT_NE((*old)[0].label, 42u);
}

TEST(VectorIndexTest, GrowsPastItsCapacity) {
  const auto vectors = RandomVectors(1000, 12, 5);
  const auto index = Build(vectors, {}, /*capacity=*/16);
  EXPECT_EQ(index->size(), 1000u);
  EXPECT_GE(index->capacity(), 1000u);
  for (size_t i = 0; i < vectors.size(); i += 37) {
    EXPECT_EQ((index->Search(vectors[i], 1, {}, 100).value())[0].label, i);
  }
}

TEST(VectorIndexTest, ParallelAddsWhileGrowing) {
  const auto vectors = RandomVectors(4000, 16, 6);
  auto created = VectorIndex::Create("test", 16, 100);
  ASSERT_TRUE(created.ok());
  VectorIndex& index = **created;
  std::vector<std::thread> threads;
  for (size_t t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (size_t i = t; i < vectors.size(); i += 4) ASSERT_TRUE(index.Add(i, vectors[i]).ok());
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(index.size(), vectors.size());
  for (size_t i = 0; i < vectors.size(); ++i) ASSERT_TRUE(index.Contains(i)) << i;
  EXPECT_GE(Recall(index, RandomVectors(50, 16, 7), 10, 64), 0.95);
}

TEST(VectorIndexTest, FilterKeepsOnlyAcceptedLabels) {
  const auto vectors = RandomVectors(2000, 16, 8);
  const auto index = Build(vectors);
  const auto q = RandomVectors(1, 16, 9)[0];
  auto even = index->Search(q, 10, [](uint64_t label) { return label % 2 == 0; });
  ASSERT_EQ(even->size(), 10u);
  for (const auto& n : *even) EXPECT_EQ(n.label % 2, 0u);
  auto exact_even = index->ExactSearch(q, 10, [](uint64_t label) { return label % 2 == 0; });
  size_t hits = 0;
  for (const auto& n : *even) hits += n.distance <= exact_even->back().distance;
  EXPECT_GE(hits, 9u);
  // A filter that accepts three labels finds exactly those three.
  const std::set<uint64_t> rare{17, 1500, 1999};
  auto few = index->Search(q, 10, [&](uint64_t label) { return rare.count(label) > 0; });
  ASSERT_EQ(few->size(), 3u);
  for (const auto& n : *few) EXPECT_TRUE(rare.count(n.label));
}

TEST(VectorIndexTest, SaveLoadRoundTrip) {
  TempDir dir;
  const auto vectors = RandomVectors(1500, 48, 10);
  IndexParams params;
  params.ef_search = 80;
  auto index = Build(vectors, params);
  const std::string path = dir.File("features.hnsw");
  ASSERT_TRUE(index->Save(path, 17).ok());
  EXPECT_FALSE(std::filesystem::exists(path + ".tmp"));

  const auto info = VectorIndex::ReadInfo(path);
  ASSERT_TRUE(info.ok()) << info.status().message();
  EXPECT_EQ(info->space, "test");
  EXPECT_EQ(info->dimension, 48u);
  EXPECT_EQ(info->metric, Metric::kL2);
  EXPECT_EQ(info->quantisation, Quantisation::kInt8);
  EXPECT_EQ(info->count, 1500u);
  EXPECT_EQ(info->generation, 17u);
  EXPECT_EQ(info->index_bytes, std::filesystem::file_size(path));

  auto loaded = VectorIndex::Load(path, {"test", 48});
  ASSERT_TRUE(loaded.ok()) << loaded.status().message();
  EXPECT_EQ((*loaded)->size(), 1500u);
  EXPECT_EQ((*loaded)->generation(), 17u);
  EXPECT_EQ((*loaded)->params().ef_search, 80u);
  EXPECT_EQ((*loaded)->params().m, index->params().m);
  for (const auto& q : RandomVectors(20, 48, 11)) {
    EXPECT_EQ((*loaded)->Search(q, 10).value(), index->Search(q, 10).value());
  }
  // A loaded index keeps growing.
  for (size_t i = 0; i < 100; ++i) ASSERT_TRUE((*loaded)->Add(5000 + i, vectors[i]).ok());
  EXPECT_EQ((*loaded)->size(), 1600u);
}

TEST(VectorIndexTest, FloatCosineSpaceForProviderEmbeddings) {
  TempDir dir;
  IndexParams params;
  params.metric = Metric::kCosine;
  params.quantisation = Quantisation::kFloat32;
  auto vectors = RandomVectors(500, 64, 12);
  for (auto& v : vectors) v[0] *= 40.0f;  // cosine ignores length, float32 takes any range
  auto index = Build(vectors, params);
  auto scaled = vectors[3];
  for (auto& x : scaled) x *= 10.0f;
  auto found = index->Search(scaled, 1);
  ASSERT_EQ((*found)[0].label, 3u);
  EXPECT_NEAR((*found)[0].distance, 0.0, 1e-5);
  EXPECT_FALSE(index->Add(1, std::vector<float>(64, 0.0f)).ok());  // no direction

  const std::string path = dir.File("openai.hnsw");
  ASSERT_TRUE(index->Save(path, 1).ok());
  auto loaded = VectorIndex::Load(path);
  ASSERT_TRUE(loaded.ok()) << loaded.status().message();
  EXPECT_EQ((*loaded)->params().metric, Metric::kCosine);
  EXPECT_EQ((*loaded)->params().quantisation, Quantisation::kFloat32);
  EXPECT_EQ((*loaded)->Search(scaled, 5).value(), index->Search(scaled, 5).value());
}

TEST(VectorIndexTest, EmptyIndexSavesAndLoads) {
  TempDir dir;
  auto index = VectorIndex::Create("features", 48, 0);
  ASSERT_TRUE((*index)->Save(dir.File("empty.hnsw"), 0).ok());
  auto loaded = VectorIndex::Load(dir.File("empty.hnsw"));
  ASSERT_TRUE(loaded.ok()) << loaded.status().message();
  EXPECT_EQ((*loaded)->size(), 0u);
  ASSERT_TRUE((*loaded)->Add(1, std::vector<float>(48, 0.5f)).ok());
  EXPECT_EQ((*loaded)->Search(std::vector<float>(48, 0.5f), 3).value()[0].label, 1u);
}

class VectorIndexLoadErrorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto index = Build(RandomVectors(300, 8, 13));
    ASSERT_TRUE(index->Save(path_, 3).ok());
  }
  Status LoadStatus(const IndexExpectation& expect = {}) {
    auto loaded = VectorIndex::Load(path_, expect);
    return loaded.ok() ? Status::Ok() : loaded.status();
  }
  void ExpectError(ErrorKind kind, const std::string& fragment, const IndexExpectation& expect = {}) {
    const Status status = LoadStatus(expect);
    EXPECT_EQ(status.kind(), kind) << status.message();
    EXPECT_NE(status.message().find(fragment), std::string::npos) << status.message();
  }
  // Overwrites bytes of the index file in place.
  void Patch(size_t offset, const void* bytes, size_t size) {
    std::fstream file(path_, std::ios::in | std::ios::out | std::ios::binary);
    file.seekp(static_cast<std::streamoff>(offset));
    file.write(static_cast<const char*>(bytes), static_cast<std::streamsize>(size));
  }
  TempDir dir_;
  std::string path_ = dir_.File("index.hnsw");
};

TEST_F(VectorIndexLoadErrorTest, MissingFiles) {
  std::filesystem::remove(VectorIndex::SidecarPath(path_));
  ExpectError(ErrorKind::kIo, "index.hnsw.json: cannot open the vector index sidecar");
  std::filesystem::remove(path_);
  ExpectError(ErrorKind::kIo, "index.hnsw: cannot open the vector index");
}

TEST_F(VectorIndexLoadErrorTest, ExpectationMismatch) {
  ExpectError(ErrorKind::kInvalidInput, "dimension mismatch: space 'test' has dimension 8, expected 1536",
              {"", 1536});
  ExpectError(ErrorKind::kInvalidInput, "the index holds space 'test', expected 'features'", {"features", 8});
}

TEST_F(VectorIndexLoadErrorTest, TruncatedOrExtendedIndex) {
  const std::string bytes = ReadFile(path_);
  WriteFile(path_, bytes.substr(0, bytes.size() / 2));
  ExpectError(ErrorKind::kInvalidInput, "truncated");
  WriteFile(path_, bytes + "extra");
  ExpectError(ErrorKind::kInvalidInput, "corrupt vector index");
}

TEST_F(VectorIndexLoadErrorTest, CorruptHeader) {
  const uint64_t huge = 1ull << 60;
  Patch(3 * sizeof(size_t), &huge, sizeof huge);  // size of each record
  ExpectError(ErrorKind::kInvalidInput, "record layout does not match dimension 8");
}

TEST_F(VectorIndexLoadErrorTest, CorruptLink) {
  // The first node's level-0 links start right after the 96-byte header: count, then ids.
  const uint32_t bad = 0x7fffffff;
  Patch(96 + sizeof(uint32_t), &bad, sizeof bad);
  ExpectError(ErrorKind::kInvalidInput, "bad links of node 0 on level 0");
}

TEST_F(VectorIndexLoadErrorTest, CorruptSidecar) {
  const std::string sidecar = VectorIndex::SidecarPath(path_);
  WriteFile(sidecar, "{not json");
  ExpectError(ErrorKind::kInvalidInput, "not a valid vector index sidecar: not a JSON object");
  WriteFile(sidecar, R"({"format": "vcf-agent-vector-index", "version": 1, "space": "test", "dimension": -3})");
  ExpectError(ErrorKind::kInvalidInput, "\"dimension\" must be a non-negative integer");
  WriteFile(sidecar, R"({"format": "something-else"})");
  ExpectError(ErrorKind::kInvalidInput, "\"format\" is not \"vcf-agent-vector-index\"");
}

TEST(VectorIndexSaveTest, UnwritableDirectoryLeavesNothing) {
  auto index = Build(RandomVectors(10, 4, 14));
  const Status status = index->Save("/nonexistent-dir/index.hnsw", 1);
  EXPECT_EQ(status.kind(), ErrorKind::kIo);
  EXPECT_NE(status.message().find("/nonexistent-dir/index.hnsw"), std::string::npos);
}

TEST(VectorIndexSaveTest, SaveReplacesAnOlderIndexAtomically) {
  TempDir dir;
  const std::string path = dir.File("i.hnsw");
  auto first = Build(RandomVectors(50, 4, 15));
  ASSERT_TRUE(first->Save(path, 1).ok());
  auto second = Build(RandomVectors(80, 4, 16));
  ASSERT_TRUE(second->Save(path, 2).ok());
  const auto info = VectorIndex::ReadInfo(path);
  EXPECT_EQ(info->count, 80u);
  EXPECT_EQ(info->generation, 2u);
  size_t files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir.path())) files += entry.is_regular_file();
  EXPECT_EQ(files, 2u);  // the index and its sidecar, no temporaries
}

TEST(VectorIndexTest, StoredVectorReturnsWhatTheIndexHolds) {
  // int8 L2: the components come back to within one quantisation step.
  auto l2 = VectorIndex::Create("features", 4, 4);
  ASSERT_TRUE(l2.ok());
  ASSERT_TRUE((*l2)->Add(7, std::vector<float>{0.5f, -0.25f, 1.0f, 0.0f}).ok());
  auto stored = (*l2)->StoredVector(7);
  ASSERT_TRUE(stored.ok()) << stored.status().message();
  const std::vector<float> expected = {0.5f, -0.25f, 1.0f, 0.0f};
  for (size_t i = 0; i < 4; ++i) EXPECT_NEAR((*stored)[i], expected[i], 1.0 / 127);
  EXPECT_FALSE((*l2)->StoredVector(8).ok());

  // float32 cosine: the vector is stored normalised, exactly.
  IndexParams params;
  params.metric = Metric::kCosine;
  params.quantisation = Quantisation::kFloat32;
  auto cosine = VectorIndex::Create("openai:test", 2, 2, params);
  ASSERT_TRUE(cosine.ok());
  ASSERT_TRUE((*cosine)->Add(1, std::vector<float>{3.0f, 4.0f}).ok());
  auto unit = (*cosine)->StoredVector(1);
  ASSERT_TRUE(unit.ok());
  EXPECT_FLOAT_EQ((*unit)[0], 0.6f);
  EXPECT_FLOAT_EQ((*unit)[1], 0.8f);
  // Searching with it finds itself at distance 0.
  auto self = (*cosine)->Search(*unit, 1);
  ASSERT_TRUE(self.ok());
  ASSERT_EQ(self->size(), 1u);
  EXPECT_EQ((*self)[0].label, 1u);
  EXPECT_NEAR((*self)[0].distance, 0.0, 1e-6);
}

}  // namespace
}  // namespace vcfagent::store
