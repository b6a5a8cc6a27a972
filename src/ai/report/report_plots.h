// The analyze report's plots, drawn from the facts document (report_facts.h) with svg_chart.h:
// variant types, quality histogram, depth histogram, allele-frequency spectrum, indel lengths
// and per-sample counts (grouped bars for up to kMaxSampleBars samples, a het vs hom-alt scatter
// with QC outliers highlighted beyond that).
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace vcfagent::ai::report {

inline constexpr size_t kMaxSampleBars = 40;

struct ReportPlot {
  std::string id;     // stable anchor, e.g. "plot-variant-types"
  std::string title;
  std::string svg;    // a complete <svg> element
};

std::vector<ReportPlot> ReportPlots(const nlohmann::json& facts);

}  // namespace vcfagent::ai::report
