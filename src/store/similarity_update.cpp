#include "store/similarity_update.h"
namespace vcfagent::store {
Result<IndexUpdate> UpdateSimilarityIndex(Store& store, bool show_progress) { return IndexUpdate{"features", 0, 0, 0}; }
}  // namespace vcfagent::store
