// Loads the store's samples, variants and genotype rows into a CohortGraph (the in-memory
// adjacency for multi-hop queries), and maps between the graph's indices and the store's ids.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "store/graph/cohort_graph.h"
#include "store/store.h"

namespace vcfagent::store {

struct LoadedGraph {
  std::optional<CohortGraph> graph;  // always set once loaded
  std::vector<int64_t> variant_ids;  // graph variant index -> store variant_id
  std::unordered_map<int64_t, uint32_t> variant_index;  // store variant_id -> graph index
  double load_seconds = 0;

  Result<uint32_t> VariantIndexOf(int64_t variant_id) const;
  Result<uint32_t> SampleIndexOf(const std::string& name) const;
};

Result<std::unique_ptr<LoadedGraph>> LoadCohortGraph(Store& store);

}  // namespace vcfagent::store
