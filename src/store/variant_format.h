// Output of variant query results: an aligned table for people, TSV and JSON for programs, and a
// sites-only VCF (plus the queried sample's genotype column) for other VCF tools.
#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

#include "store/store.h"
#include "store/variant_query.h"

namespace vcfagent::store {

enum class VariantOutput { kTable, kTsv, kJson, kVcf };
Result<VariantOutput> ParseVariantOutput(const std::string& text);

nlohmann::json VariantToJson(const VariantRecord& record);

// Formats a page. kVcf needs the store for its header (contigs, INFO/FILTER definitions).
Result<std::string> FormatVariants(Store& store, const VariantPage& page, VariantOutput format,
                                   const VariantQuery& query);

}  // namespace vcfagent::store
