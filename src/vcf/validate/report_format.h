// Rendering of validation reports: the text summary (a verdict line, findings grouped per rule
// with count and first line like vcf-validator's summary, then the first individual findings) and
// the JSON object used by --format json and the API.
#pragma once

#include <string>

#include "nlohmann/json.hpp"
#include "vcf/validate/validator.h"

namespace vcfagent::vcf {

std::string FormatReportText(const ValidationReport& report);
nlohmann::json ReportToJson(const ValidationReport& report);

}  // namespace vcfagent::vcf
