// Rendering of VcfStats: the text of `bcftools stats` 1.16 and a JSON document.
//
// The text has bcftools' sections, '#' description lines, column order and number formatting
// (%.2f ratios, %f frequencies and percentages, %.1f depths and qualities), so MultiQC and
// plot-vcfstats read it unchanged; only the two lines naming the producing program say
// "vcf-agent". The JSON carries the same numbers by name (see docs/stats.md).
#pragma once

#include <string>

#include "nlohmann/json.hpp"
#include "vcf/stats.h"

namespace vcfagent::vcf {

struct StatsTextOptions {
  std::string command_line;  // shown in the "# The command line was:" comment
};

std::string FormatStatsText(const VcfStats& stats, const StatsTextOptions& options = {});
nlohmann::ordered_json StatsToJson(const VcfStats& stats);

}  // namespace vcfagent::vcf
