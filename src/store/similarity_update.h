// The store's similarity index for the "features" embedding space (store/similarity/): built from
// the variants' features, saved under DIR/similarity/ with the store generation it reflects.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

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

// The index file of any named space: "features", or a provider's "openai:text-embedding-3-small"
// (characters outside [A-Za-z0-9._-] become '_' in the file name).
std::string SpaceIndexPath(const Store& store, const std::string& space);
// Every space the store has an index for, as its sidecar describes it, by name.
Result<std::vector<IndexInfo>> ListSpaces(const Store& store);
// A space by its full name, or by provider ("openai" finds "openai:MODEL" when there is exactly
// one). Usage error listing the spaces there are otherwise.
Result<std::string> ResolveSpace(const Store& store, const std::string& name);

// Rebuilds and saves the index (atomically) unless it already reflects the store's generation.
// Needs write access to the store directory.
Result<IndexUpdate> UpdateSimilarityIndex(Store& store, bool show_progress);

// The current index: loaded from disk when it reflects the store's generation, else built in
// memory (and `rebuilt` set) so a read-only user still gets answers.
Result<std::unique_ptr<VectorIndex>> OpenFeatureIndex(Store& store, bool show_progress, bool* rebuilt);

}  // namespace vcfagent::store
