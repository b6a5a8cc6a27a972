// The store's similarity index for the "features" embedding space (store/similarity/): built from
// the variants' features, saved under DIR/similarity/ with the store generation it reflects.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "store/similarity/vector_index.h"
#include "store/store.h"

namespace vcfagent::store {

struct IndexUpdate {
  std::string space;
  int64_t indexed = 0;  // variants in the index afterwards
  int64_t added = 0;    // variants embedded by this update (0 when it was current)
  double seconds = 0;
};

std::string FeatureIndexPath(const Store& store);

// Rebuilds and saves the index (atomically) unless it already reflects the store's generation.
// Needs write access to the store directory.
Result<IndexUpdate> UpdateSimilarityIndex(Store& store, bool show_progress);

// The current index: loaded from disk when it reflects the store's generation, else built in
// memory (and `rebuilt` set) so a read-only user still gets answers.
Result<std::unique_ptr<VectorIndex>> OpenFeatureIndex(Store& store, bool show_progress, bool* rebuilt);

}  // namespace vcfagent::store
