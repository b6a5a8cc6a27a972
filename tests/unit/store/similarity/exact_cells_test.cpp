// VectorIndex with the exact-cells structure (exact_cells.h): searches equal an independent brute
// force (ids, distances and tie order), with duplicates, filters and replacements; save/load; every
// way a saved file can be wrong; and reading sidecars an older vcf-agent wrote.
#include "store/similarity/vector_index.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <random>
#include <thread>

#include <nlohmann/json.hpp>

#include "store/similarity/exact_cells.h"
#include "support/test_support.h"

namespace vcfagent::store {
namespace {

using vcfagent::testing::ReadFile;
using vcfagent::testing::TempDir;
using vcfagent::testing::WriteFile;

std::vector<Neighbour> Hits(Result<std::vector<Neighbour>> result) {
  EXPECT_TRUE(result.ok()) << result.status().message();
  if (!result.ok()) return {};
  return std::move(result).value();
}

IndexParams CellsParams() {
  IndexParams params;
  params.structure = IndexStructure::kExactCells;
  return params;
}

// Vectors shaped like the variant features: a one-hot class, a hashed category, a few quantised
// continuous components, the rest zero; many exact duplicates.
std::vector<std::vector<float>> FeatureLikeVectors(size_t n, size_t dim, uint32_t seed) {
  std::mt19937 rng(seed);
  std::vector<std::vector<float>> out(n, std::vector<float>(dim, 0.0f));
  for (auto& v : out) {
    v[rng() % 6] = 1.0f;
    const uint32_t category = rng() % 5;
    v[6] = static_cast<float>(category % 7) / 7.0f - 0.5f;
    v[7] = static_cast<float>(category % 5) / 5.0f - 0.5f;
    v[8 + rng() % 6] = 0.5f;
    v[20] = static_cast<float>(rng() % 4) / 8.0f;  // coarse: duplicates are common
    if (rng() % 3 == 0) v[21] = static_cast<float>(rng() % 8) / 8.0f - 0.5f;
  }
  return out;
}

std::unique_ptr<VectorIndex> BuildCells(const std::vector<std::vector<float>>& vectors) {
  auto index = VectorIndex::Create("features", vectors.at(0).size(), vectors.size(), CellsParams());
  EXPECT_TRUE(index.ok()) << index.status().message();
  // Labels not in insertion order, to exercise the sort.
  for (size_t i = 0; i < vectors.size(); ++i) {
    const size_t label = (i * 7919) % vectors.size();
    EXPECT_TRUE((*index)->Add(label, vectors[label]).ok());
  }
  EXPECT_TRUE((*index)->Finish().ok());
  return std::move(index).value();
}

// The reference, written independently of the index: int8 quantisation, squared L2 in 1/127²
// units, nearest first, ties by label.
std::vector<Neighbour> BruteForce(const std::vector<std::vector<float>>& vectors, const std::vector<float>& query,
                                  size_t k, const std::function<bool(uint64_t)>& keep = {}) {
  auto q8 = [](float x) { return static_cast<int>(std::lround(std::clamp(x, -1.0f, 1.0f) * 127.0f)); };
  std::vector<std::pair<int64_t, uint64_t>> all;
  for (size_t i = 0; i < vectors.size(); ++i) {
    if (keep && !keep(i)) continue;
    int64_t sum = 0;
    for (size_t d = 0; d < query.size(); ++d) {
      const int64_t diff = q8(vectors[i][d]) - q8(query[d]);
      sum += diff * diff;
    }
    all.emplace_back(sum, i);
  }
  std::sort(all.begin(), all.end());
  if (all.size() > k) all.resize(k);
  std::vector<Neighbour> out;
  for (const auto& [sum, label] : all) out.push_back({label, static_cast<float>(sum) * (1.0f / (127.0f * 127.0f))});
  return out;
}

TEST(ExactCellsIndexTest, SearchEqualsBruteForceWithDuplicatesAndTies) {
  const auto vectors = FeatureLikeVectors(20000, 48, 3);
  const auto index = BuildCells(vectors);
  EXPECT_EQ(index->size(), vectors.size());
  EXPECT_EQ(index->structure(), IndexStructure::kExactCells);
  std::mt19937 rng(4);
  for (int i = 0; i < 60; ++i) {
    const auto& query = vectors[rng() % vectors.size()];
    const auto nearest = BruteForce(vectors, query, 57);
    for (size_t k : {1, 10, 57}) {
      const std::vector<Neighbour> expected(nearest.begin(), nearest.begin() + k);
      auto found = index->Search(query, k);
      auto exact = index->ExactSearch(query, k);
      ASSERT_TRUE(found.ok() && exact.ok());
      ASSERT_EQ(*found, expected) << "query " << i << " k " << k;
      ASSERT_EQ(*exact, expected) << "query " << i << " k " << k;
    }
  }
  // A query unlike any stored vector (outside every cell) still finds the true nearest.
  std::vector<float> far(48, -1.0f);
  EXPECT_EQ(Hits(index->Search(far, 10)), BruteForce(vectors, far, 10));
}

TEST(ExactCellsIndexTest, FilterKAboveSizeAndEmptyIndex) {
  const auto vectors = FeatureLikeVectors(3000, 24, 5);
  const auto index = BuildCells(vectors);
  auto even = [](uint64_t label) { return label % 2 == 0; };
  auto rare = [](uint64_t label) { return label % 997 == 3; };
  for (size_t q = 0; q < 50; ++q) {
    EXPECT_EQ(Hits(index->Search(vectors[q], 10, even)), BruteForce(vectors, vectors[q], 10, even));
    EXPECT_EQ(Hits(index->Search(vectors[q], 10, rare)), BruteForce(vectors, vectors[q], 10, rare));
  }
  EXPECT_EQ(index->Search(vectors[0], 5000)->size(), vectors.size());
  EXPECT_TRUE(index->Search(vectors[0], 0)->empty());

  auto empty = VectorIndex::Create("features", 24, 0, CellsParams());
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE((*empty)->Search(vectors[0], 10)->empty());
  EXPECT_TRUE((*empty)->ExactSearch(vectors[0], 10)->empty());
  EXPECT_EQ((*empty)->size(), 0u);
}

TEST(ExactCellsIndexTest, LastVectorAddedForALabelWinsAlsoAfterFinish) {
  std::vector<std::vector<float>> vectors = {{1, 0, 0, 0}, {0, 1, 0, 0}, {0, 0, 1, 0}};
  auto created = VectorIndex::Create("features", 4, 3, CellsParams());
  ASSERT_TRUE(created.ok());
  VectorIndex& index = **created;
  for (size_t i = 0; i < vectors.size(); ++i) ASSERT_TRUE(index.Add(i, vectors[i]).ok());
  ASSERT_TRUE(index.Add(0, std::vector<float>{0, 0, 1, 0}).ok());  // replaces label 0's vector
  EXPECT_EQ(index.size(), 3u);
  auto hits = index.Search(std::vector<float>{0, 0, 1, 0}, 2);
  ASSERT_EQ(hits->size(), 2u);
  EXPECT_EQ((*hits)[0], (Neighbour{0, 0.0f}));
  EXPECT_EQ((*hits)[1], (Neighbour{2, 0.0f}));
  // Adding after a search (which finished the index) reopens it.
  ASSERT_TRUE(index.Add(7, std::vector<float>{0, 0, 0, 1}).ok());
  EXPECT_EQ(index.size(), 4u);
  EXPECT_EQ(Hits(index.Search(std::vector<float>{0, 0, 0, 1}, 1))[0].label, 7u);
  EXPECT_TRUE(index.Contains(7));
  EXPECT_FALSE(index.Contains(8));
  auto stored = index.StoredVector(1);
  ASSERT_TRUE(stored.ok());
  EXPECT_EQ(*stored, (std::vector<float>{0, 1, 0, 0}));
}

TEST(ExactCellsIndexTest, ParallelAddsGiveTheSameIndex) {
  const auto vectors = FeatureLikeVectors(10000, 48, 8);
  auto created = VectorIndex::Create("features", 48, 16, CellsParams());
  ASSERT_TRUE(created.ok());
  std::vector<std::thread> threads;
  for (size_t t = 0; t < 2; ++t) {
    threads.emplace_back([&, t] {
      for (size_t i = t; i < vectors.size(); i += 2) ASSERT_TRUE((*created)->Add(i, vectors[i]).ok());
    });
  }
  for (auto& thread : threads) thread.join();
  for (size_t q = 0; q < 20; ++q) EXPECT_EQ(Hits((*created)->Search(vectors[q * 37], 10)), BruteForce(vectors, vectors[q * 37], 10));
}

TEST(ExactCellsIndexTest, RefusesWhatItCannotSearchExactly) {
  IndexParams params = CellsParams();
  params.quantisation = Quantisation::kFloat32;
  EXPECT_EQ(VectorIndex::Create("features", 4, 1, params).status().kind(), ErrorKind::kUsage);
  params = CellsParams();
  params.metric = Metric::kCosine;
  EXPECT_EQ(VectorIndex::Create("features", 4, 1, params).status().kind(), ErrorKind::kUsage);
  auto index = VectorIndex::Create("features", 4, 1, CellsParams());
  EXPECT_FALSE((*index)->Add(1, std::vector<float>{2, 0, 0, 0}).ok());  // outside [-1, 1]
  EXPECT_FALSE((*index)->Add(1, std::vector<float>{0, 0, 0}).ok());     // wrong dimension
}

TEST(ExactCellsIndexTest, SaveLoadRoundTripIsCompact) {
  TempDir dir;
  const auto vectors = FeatureLikeVectors(20000, 48, 9);
  const auto index = BuildCells(vectors);
  const std::string path = dir.File("features.hnsw");
  ASSERT_TRUE(index->Save(path, 42).ok());
  const auto json = nlohmann::json::parse(ReadFile(VectorIndex::SidecarPath(path)));
  EXPECT_EQ(json["structure"], "exact-cells");
  EXPECT_EQ(json["version"], 2);
  auto info = VectorIndex::ReadInfo(path);
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info->structure, IndexStructure::kExactCells);
  EXPECT_EQ(info->count, vectors.size());
  EXPECT_EQ(info->index_bytes, std::filesystem::file_size(path));
  // Duplicates are stored once: far less than one 48-byte vector per label.
  EXPECT_LT(std::filesystem::file_size(path), vectors.size() * 24);

  auto loaded = VectorIndex::Load(path, {"features", 48});
  ASSERT_TRUE(loaded.ok()) << loaded.status().message();
  EXPECT_EQ((*loaded)->generation(), 42u);
  EXPECT_EQ((*loaded)->size(), vectors.size());
  EXPECT_EQ((*loaded)->structure(), IndexStructure::kExactCells);
  for (size_t q = 0; q < 50; ++q) {
    EXPECT_EQ(Hits((*loaded)->Search(vectors[q], 10)), Hits(index->Search(vectors[q], 10)));
  }
  // An empty index saves and loads too.
  auto empty = VectorIndex::Create("features", 48, 0, CellsParams());
  ASSERT_TRUE((*empty)->Save(dir.File("empty.hnsw"), 1).ok());
  auto empty_loaded = VectorIndex::Load(dir.File("empty.hnsw"));
  ASSERT_TRUE(empty_loaded.ok()) << empty_loaded.status().message();
  EXPECT_EQ((*empty_loaded)->size(), 0u);
}

class ExactCellsLoadErrorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto vectors = FeatureLikeVectors(2000, 48, 10);
    ASSERT_TRUE(BuildCells(vectors)->Save(path_, 1).ok());
    bytes_ = ReadFile(path_);
  }
  void ExpectCorrupt(const std::string& contents, const std::string& what) {
    // The sidecar vouches for the size: keep it in step so the file's own checks are reached.
    auto sidecar = nlohmann::json::parse(ReadFile(VectorIndex::SidecarPath(path_)));
    sidecar["index_bytes"] = contents.size();
    WriteFile(VectorIndex::SidecarPath(path_), sidecar.dump());
    WriteFile(path_, contents);
    auto loaded = VectorIndex::Load(path_);
    ASSERT_FALSE(loaded.ok()) << what;
    EXPECT_EQ(loaded.status().kind(), ErrorKind::kInvalidInput) << what;
    EXPECT_NE(loaded.status().message().find("corrupt vector index"), std::string::npos)
        << what << ": " << loaded.status().message();
  }
  TempDir dir_;
  std::string path_ = dir_.File("index.hnsw");
  std::string bytes_;
};

TEST_F(ExactCellsLoadErrorTest, TruncatedExtendedOrForeignFile) {
  ExpectCorrupt(bytes_.substr(0, bytes_.size() - 1), "truncated");
  ExpectCorrupt(bytes_ + "x", "extended");
  ExpectCorrupt(bytes_.substr(0, 20), "header cut");
  std::string magic = bytes_;
  magic[0] = 'X';
  ExpectCorrupt(magic, "magic");
}

TEST_F(ExactCellsLoadErrorTest, CountsOffsetsAndBoxesAreChecked) {
  // Header: 8-byte magic, then dimension, stride, labels, distinct, cells, label bytes (uint64).
  auto with_u64 = [&](size_t field, uint64_t value) {
    std::string b = bytes_;
    std::memcpy(b.data() + 8 + 8 * field, &value, 8);
    return b;
  };
  ExpectCorrupt(with_u64(0, 47), "dimension");
  ExpectCorrupt(with_u64(2, uint64_t{1} << 40), "label count");
  ExpectCorrupt(with_u64(3, uint64_t{1} << 40), "distinct count");
  ExpectCorrupt(with_u64(4, 0), "cell count");
  ExpectCorrupt(with_u64(5, 3), "label width");
  // The last byte is the last cell's upper bound of the last padding component: it must be 0
  // (offset binary 128); and a box that does not hold its vectors would make searches inexact.
  std::string box = bytes_;
  box[box.size() - 1] = 0;
  ExpectCorrupt(box, "padding");
  box = bytes_;
  box[box.size() - 64] = 0;  // an upper bound of 0 (-1.0) in a used component of the last cell
  ExpectCorrupt(box, "box");
}

TEST(ExactCellsIndexTest, OlderSidecarsStillLoadAsHnsw) {
  TempDir dir;
  const std::string path = dir.File("openai.hnsw");
  auto hnsw = VectorIndex::Create("openai", 8, 4);
  ASSERT_TRUE(hnsw.ok());
  for (uint64_t i = 0; i < 4; ++i) {
    std::vector<float> v(8, 0.0f);
    v[i] = 1.0f;
    ASSERT_TRUE((*hnsw)->Add(i, v).ok());
  }
  ASSERT_TRUE((*hnsw)->Save(path, 3).ok());
  // What vcf-agent wrote before the structure field existed: version 1, no "structure".
  auto sidecar = nlohmann::json::parse(ReadFile(VectorIndex::SidecarPath(path)));
  EXPECT_EQ(sidecar["structure"], "hnsw");
  sidecar.erase("structure");
  sidecar["version"] = 1;
  WriteFile(VectorIndex::SidecarPath(path), sidecar.dump());
  auto loaded = VectorIndex::Load(path);
  ASSERT_TRUE(loaded.ok()) << loaded.status().message();
  EXPECT_EQ((*loaded)->structure(), IndexStructure::kHnsw);
  EXPECT_EQ((*loaded)->size(), 4u);
  // A version from the future is refused with a message saying so.
  sidecar["version"] = 3;
  WriteFile(VectorIndex::SidecarPath(path), sidecar.dump());
  auto future = VectorIndex::Load(path);
  ASSERT_FALSE(future.ok());
  EXPECT_NE(future.status().message().find("unsupported \"version\""), std::string::npos) << future.status().message();
}

}  // namespace
}  // namespace vcfagent::store
