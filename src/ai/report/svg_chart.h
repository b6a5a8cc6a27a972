// SvgChart: the analyze report's plots as small, self-contained SVG documents.
//
// Contract:
// - Output is one <svg> element with a viewBox, its own <title>, axis lines, tick labels, axis
//   titles and a legend when there is more than one series. No scripts, no external fonts, images
//   or stylesheets: the file stands alone, inline in HTML or saved as .svg.
// - Every text that comes from data (sample names, categories, titles) is XML-escaped, so a sample
//   called "<script>" stays text.
// - Charts are deterministic: the same input gives the same bytes (fixed number formatting).
// - Bar charts draw one group of bars per category (side by side, or stacked); with many
//   categories the category labels are thinned so they never overlap. Scatter charts draw one
//   dot per point, for per-sample comparisons at any cohort size.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace vcfagent::ai::report {

// Escapes &, <, >, " and ' for XML text and attribute values; drops control characters that XML
// 1.0 forbids.
std::string XmlEscape(std::string_view text);

struct ChartSeries {
  std::string name;
  std::string color;           // CSS colour, e.g. "#4e79a7"
  std::vector<double> values;  // one per category (bar) or per point (scatter: y values)
};

struct BarChart {
  std::string title;
  std::string x_label;
  std::string y_label;
  std::vector<std::string> categories;
  std::vector<ChartSeries> series;
  bool stacked = false;
  int width = 640;
  int height = 320;
};

struct ScatterChart {
  std::string title;
  std::string x_label;
  std::string y_label;
  std::vector<double> x;
  std::vector<double> y;
  std::vector<std::string> point_labels;  // tooltips (<title> per dot); may be empty
  std::vector<bool> highlighted;          // drawn in the highlight colour; may be empty
  std::string highlight_name;             // legend entry for highlighted points
  int width = 640;
  int height = 320;
};

std::string RenderBarChart(const BarChart& chart);
std::string RenderScatterChart(const ScatterChart& chart);

// Axis ticks for [0, max]: 0 and round steps (1, 2 or 5 times a power of ten), at most ~6 of them,
// the last one >= max.
std::vector<double> NiceTicks(double max);
// A compact tick label: "0", "2.5", "1.2k", "3M".
std::string FormatTick(double value);

}  // namespace vcfagent::ai::report
