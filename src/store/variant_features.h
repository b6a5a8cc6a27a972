// Reads the similarity features of stored variants (store/similarity/embedding.h's
// VariantFeatures) from the database: annotations, frequencies, quality profile and carriers,
// plus reference context when the store knows a FASTA (ingest --fasta).
#pragma once

#include <htslib/faidx.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "store/similarity/embedding.h"
#include "store/store.h"

namespace vcfagent::store {

// Calls `visit(variant_id, features)` for every variant in id order (or only `ids` when given).
// Streams: memory does not grow with the store.
Status ForEachVariantFeatures(Store& store, const std::vector<int64_t>& ids,
                              const std::function<Status(int64_t, VariantFeatures&)>& visit);

Result<std::unordered_map<int64_t, VariantFeatures>> ReadVariantFeatures(Store& store,
                                                                     const std::vector<int64_t>& ids);

}  // namespace vcfagent::store
