// ExactCells: an exact nearest-neighbour index for low-dimensional, partly categorical int8
// vectors (the "features" variant embedding), the second structure behind VectorIndex.
//
// Why not a graph: the feature vectors are mostly one-hot and hashed categories with a few
// quantised continuous components, so (a) many variants share one vector (every unannotated
// C>T SNV with the same AF and QUAL bin), and (b) the distinct vectors fall into tight clusters.
// ExactCells stores each distinct vector once with the labels that have it, and splits the
// distinct vectors into cells of at most kCellSize (a k-d split on the widest component, at a
// value boundary, so categories separate cleanly) with each cell's bounding box. A search orders
// cells by the box's lower bound on the distance and scans them until that bound exceeds the
// k-th best distance found: the answer is exactly the brute-force answer, ties by label included.
//
// Contract:
// - Vectors are int8 (VectorIndex's quantisation, value x 127), metric squared L2; distances are
//   returned as the integer sum of squared differences (VectorIndex scales it).
// - Add() is thread-safe and collects, storing each distinct vector once (so the deduplication
//   runs while the caller is still producing vectors); Build() resolves labels added twice (the
//   last vector added for a label wins) and partitions. Search before Build() is an error of the
//   caller (VectorIndex builds first). Add() after Build() turns the index back into a collection.
// - Search(prune = true) and Search(prune = false) return the same list: the k smallest
//   (distance, label) among labels the filter accepts. prune = false is the brute-force reference.
// - Write()/Read(): one self-describing file in the machine's byte order (as hnswlib's files); Read() checks every count, offset,
//   range and bounding box against the file, so a corrupt file is an error, never a crash or a
//   wrong answer.
#pragma once

#include <cstdint>
#include <cstdio>
#include <functional>
#include <memory>
#include <mutex>
#include <unordered_map>
#include <string>
#include <utility>
#include <vector>

#include "util/status.h"

namespace vcfagent::store {

class ExactCells {
 public:
  // Distinct vectors per cell: a cell's bound costs about one distance, its scan this many.
  static constexpr size_t kCellSize = 32;

  explicit ExactCells(size_t dimension);

  void Add(uint64_t label, const int8_t* vector);
  // Resolves labels added twice and partitions what Add() collected. Cancellation is not needed:
  // at 1M vectors this takes a fraction of a second.
  void Build();
  bool built() const { return built_; }

  size_t size() const { return built_ ? labels_.size() : pending_labels_.size(); }
  size_t distinct() const { return vectors_.size() / stride_; }
  size_t cells() const { return cell_begin_.empty() ? 0 : cell_begin_.size() - 1; }

  // (sum of squared int8 differences, label), nearest first, ties by label.
  std::vector<std::pair<uint32_t, uint64_t>> Search(const int8_t* query, size_t k,
                                                    const std::function<bool(uint64_t)>& filter,
                                                    bool prune) const;
  // Linear in the index's size: for occasional use (tests, provider spaces use the graph).
  bool Contains(uint64_t label) const;
  bool StoredVector(uint64_t label, int8_t* out) const;

  uint64_t FileBytes() const;
  // Writes the whole structure; false on a write error.
  bool Write(std::FILE* file) const;
  // Reads a file Write() wrote, checking it throughout; `count` and `file_size` come from the
  // sidecar and the file system.
  static Result<std::unique_ptr<ExactCells>> Read(const std::string& path, size_t dimension, size_t count,
                                                  uint64_t file_size);

 private:
  struct Header;
  uint32_t Distance(const uint8_t* a, const uint8_t* b) const;
  uint32_t LowerBound(const uint8_t* query, size_t cell) const;
  // Splits pending distinct vectors [begin, end) of `order` into cells, appending their ranges of
  // `order` to `cells` (in no particular order).
  void Partition(std::vector<uint32_t>& order, size_t begin, size_t end,
                 std::vector<std::pair<uint32_t, uint32_t>>& cells) const;
  // The pending distinct vector equal to `v` (offset binary, stride_ bytes), added when new.
  uint32_t PendingDistinct(const uint8_t* v);
  void Unbuild();

  size_t dimension_;
  size_t stride_;  // bytes per stored vector: dimension rounded up to 16, padded with 128 (= 0)

  // Collected by Add() (offset binary: int8 value + 128, so that byte arithmetic is unsigned):
  // each label with the distinct vector it has; distinct vectors by hash, with a chain through
  // those whose hashes collide.
  std::mutex pending_mutex_;
  std::vector<uint64_t> pending_labels_;
  std::vector<uint32_t> pending_distinct_;
  std::vector<uint8_t> pending_vectors_;  // distinct vectors
  std::vector<uint32_t> pending_collision_;
  std::unordered_map<uint64_t, uint32_t> pending_by_hash_;

  bool built_ = false;
  std::vector<uint8_t> vectors_;          // distinct vectors, cell by cell
  std::vector<uint32_t> label_begin_;     // labels_[label_begin_[u], label_begin_[u + 1]) have vector u
  std::vector<uint64_t> labels_;          // ascending within each vector
  std::vector<uint32_t> cell_begin_;      // cell c holds vectors [cell_begin_[c], cell_begin_[c + 1])
  std::vector<uint8_t> cell_min_, cell_max_;  // bounding box per cell, stride_ bytes each
};

}  // namespace vcfagent::store
