// Similar variants: the nearest neighbours of a stored variant in the "features" embedding space
// (store/similarity/), with distances and the reasons they are close. Filters (same chromosome,
// a --where expression) restrict the candidates; a restrictive filter switches to exact search
// so that k neighbours are still found.
#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

#include "store/similarity/vector_index.h"
#include "store/store.h"
#include "store/variant_query.h"

namespace vcfagent::store {

struct SimilarQuery {
  std::string variant;  // id or chrom:pos:ref:alt
  size_t k = 10;
  bool same_chrom = false;
  std::string where;
  bool exact = false;  // brute force over every vector (the reference for recall)
  // "" or "features": the built-in variant embedding; else a provider space ("openai", or its
  // full name "openai:text-embedding-3-small"), whose query vector is the variant's stored one.
  std::string space;
};

struct SimilarHit {
  VariantRecord record;
  float distance = 0;  // as the index computes it (single precision)
  std::vector<std::string> reasons;
};

struct SimilarResult {
  VariantRecord query;
  std::vector<SimilarHit> hits;
  std::string space;
  std::string method;              // the index structure ("exact-cells", "hnsw"), or "exact"
  bool index_built_in_memory = false;  // the saved index was missing or out of date
};

// Opens the saved index (or builds it in memory when missing or stale) and searches it.
Result<SimilarResult> FindSimilar(Store& store, const SimilarQuery& query, bool show_progress = false);
// Searches an index the caller keeps open (a server, the agent, benchmarks).
Result<SimilarResult> FindSimilar(Store& store, const SimilarQuery& query, const VectorIndex& index);
nlohmann::json SimilarToJson(const SimilarResult& result);

}  // namespace vcfagent::store
