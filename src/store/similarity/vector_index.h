// VectorIndex: a nearest-neighbour index over one named embedding space, with its own compact
// storage and a sidecar that says what the vectors are. Two structures behind one interface:
// - kHnsw: hnswlib's HNSW graph, approximate; for high-dimensional provider embeddings.
// - kExactCells (exact_cells.h): distinct int8 vectors in bounded cells, searched exactly with
//   lower-bound pruning; for the low-dimensional, partly categorical "features" space, where it
//   builds in a fraction of a second, stores a few bytes per vector and never misses a neighbour.
//
// Contract:
// - An index holds vectors of one space: a name ("features" is the variant embedding; an AI
//   provider's embeddings get their own name), a dimension, a metric and a quantisation, all
//   saved with it. Vectors of another dimension are refused with an error naming both.
// - Quantisation kInt8 stores each component in one byte (value * 127): components must lie in
//   [-1, 1] (kL2) or are normalised first (kCosine). kFloat32 stores floats as given.
// - Distances: kL2 is the squared Euclidean distance in the caller's units; kCosine is
//   1 - cosine similarity. Smaller is closer. Results are sorted by distance, then label.
// - Labels are the caller's 64-bit ids. Adding a label that is already present REPLACES its
//   vector (hnswlib's update, which also repairs the graph around it).
// - Add() is thread-safe against other Add() calls (parallel build) and grows the index as
//   needed (capacity doubles). Search() and ExactSearch() are thread-safe against each other.
//   Do not search while adding: build, then search. kExactCells collects adds and is built by
//   Finish() (which Save() calls; a search of an unfinished index finishes it first).
// - kExactCells needs kL2 and kInt8; its Search() is exact (the same list as ExactSearch()).
// - Save(path, generation) writes `path` and the sidecar `path.json` through temporary files
//   renamed into place, so a reader sees the old pair or the new one. The generation is the
//   caller's number (the store's) to tell whether the index is current.
// - Load() checks the sidecar, the file's size and structure and every graph link before use,
//   so a truncated or corrupt file is an error, never a crash.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "util/status.h"

namespace vcfagent::store {

enum class Metric : uint8_t { kL2, kCosine };
enum class Quantisation : uint8_t { kInt8, kFloat32 };
enum class IndexStructure : uint8_t { kHnsw, kExactCells };

std::string_view ToString(Metric metric);              // "l2", "cosine"
std::string_view ToString(Quantisation quantisation);  // "int8", "float32"
std::string_view ToString(IndexStructure structure);    // "hnsw", "exact-cells"

struct IndexParams {
  IndexStructure structure = IndexStructure::kHnsw;
  Metric metric = Metric::kL2;
  Quantisation quantisation = Quantisation::kInt8;
  // The rest is for kHnsw only. HNSW graph degree: 2*m links per node on the base layer, most of the index's bytes (about
  // 100 per vector at 12). 8 saves a fifth of the size but loses recall at 1M variants; see
  // docs/similarity.md for the measurements behind these defaults.
  size_t m = 12;
  size_t ef_construction = 200;
  size_t ef_search = 256;  // default search breadth when Search() is given ef = 0
  uint64_t seed = 100;    // level generator seed: the same adds in the same order give the same graph
};

struct Neighbour {
  uint64_t label = 0;
  float distance = 0;
  bool operator==(const Neighbour&) const = default;
};

// Keeps a candidate in the results when it returns true (e.g. same chromosome, a SQL WHERE match).
using LabelFilter = std::function<bool(uint64_t label)>;

// What the caller expects of a loaded index; empty/zero fields are not checked.
struct IndexExpectation {
  std::string space;
  size_t dimension = 0;
};

// What the sidecar says about a saved index.
struct IndexInfo {
  IndexStructure structure = IndexStructure::kHnsw;  // version 1 sidecars: always HNSW
  std::string space;
  size_t dimension = 0;
  Metric metric = Metric::kL2;
  Quantisation quantisation = Quantisation::kInt8;
  size_t count = 0;
  uint64_t generation = 0;
  size_t m = 0;
  size_t ef_construction = 0;
  size_t ef_search = 0;
  uint64_t index_bytes = 0;
};

class VectorIndex {
 public:
  static Result<std::unique_ptr<VectorIndex>> Create(const std::string& space, size_t dimension,
                                                     size_t capacity, const IndexParams& params = {});
  static Result<std::unique_ptr<VectorIndex>> Load(const std::string& path,
                                                   const IndexExpectation& expect = {});
  // Reads only the sidecar (cheap): whether an index exists and how current it is.
  static Result<IndexInfo> ReadInfo(const std::string& path);
  static std::string SidecarPath(const std::string& path) { return path + ".json"; }

  ~VectorIndex();
  VectorIndex(const VectorIndex&) = delete;
  VectorIndex& operator=(const VectorIndex&) = delete;

  Status Add(uint64_t label, std::span<const float> vector);
  // Up to k nearest vectors (fewer when fewer pass the filter); ef = 0 uses params().ef_search.
  // A filter that rejects most labels makes the search visit more of the graph, up to all of it.
  Result<std::vector<Neighbour>> Search(std::span<const float> query, size_t k,
                                        const LabelFilter& filter = {}, size_t ef = 0) const;
  // The exact k nearest by brute force over the stored (quantised) vectors: the reference for
  // recall, and the right tool for small or heavily filtered sets.
  Result<std::vector<Neighbour>> ExactSearch(std::span<const float> query, size_t k,
                                             const LabelFilter& filter = {}) const;
  bool Contains(uint64_t label) const;
  // The vector stored for `label` as the index holds it (after normalisation and quantisation):
  // the query vector for "neighbours of a stored item" in spaces whose vectors cannot be recomputed
  // locally (a provider's embeddings).
  Result<std::vector<float>> StoredVector(uint64_t label) const;
  Status Save(const std::string& path, uint64_t generation);
  // kExactCells: deduplicates and partitions what was added (no-op when done, and for kHnsw).
  Status Finish();

  const std::string& space() const { return space_; }
  size_t dimension() const { return dimension_; }
  const IndexParams& params() const { return params_; }
  IndexStructure structure() const { return params_.structure; }
  size_t size() const;
  size_t capacity() const;
  uint64_t generation() const { return generation_; }
  // Bytes of vectors and graph links held (what the index file stores, excluding hnswlib's
  // per-node mutexes and label map).
  size_t StorageBytes() const;

 private:
  struct Impl;
  VectorIndex(std::string space, size_t dimension, const IndexParams& params);
  Status Encode(std::span<const float> vector, std::vector<char>& out) const;
  void EnsureFinished() const;
  Result<std::vector<Neighbour>> CellsSearch(std::span<const float> query, const std::vector<char>& data, size_t k,
                                             const LabelFilter& filter, bool prune) const;

  std::string space_;
  size_t dimension_ = 0;
  IndexParams params_;
  uint64_t generation_ = 0;
  std::unique_ptr<Impl> impl_;
};

}  // namespace vcfagent::store
