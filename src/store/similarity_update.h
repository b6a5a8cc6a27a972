// Keeps the store's similarity index (the "features" embedding space) in step with its variants.
#pragma once

#include <cstdint>
#include <string>

#include "store/store.h"

namespace vcfagent::store {

struct IndexUpdate {
  std::string space;
  int64_t indexed = 0;  // variants in the index afterwards
  int64_t added = 0;    // variants embedded and added by this update
  double seconds = 0;
};

// Embeds the variants the index does not have yet and saves the index (atomically), or rebuilds
// it when the store changed in a way an append cannot follow. Needs write access.
Result<IndexUpdate> UpdateSimilarityIndex(Store& store, bool show_progress);

}  // namespace vcfagent::store
