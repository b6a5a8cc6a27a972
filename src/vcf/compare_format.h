// Renders a CompareResult as a human-readable text summary or as JSON with the same numbers by
// name (see docs/compare.md for the JSON layout). Ratios that are undefined (0/0) are null in
// JSON and "n/a" in text.
#pragma once

#include <string>

#include "vcf/compare.h"

namespace vcfagent::vcf {

std::string FormatCompareText(const CompareResult& result);
std::string FormatCompareJson(const CompareResult& result);

}  // namespace vcfagent::vcf
