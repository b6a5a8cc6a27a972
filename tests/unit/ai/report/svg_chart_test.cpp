// SvgChart: escaping, tick choice, and well-formed output (parsed by Python's XML parser).
#include <string>

#include <gtest/gtest.h>

#include "ai/report/svg_chart.h"
#include "support/test_support.h"

namespace vcfagent::ai::report {
namespace {

using testing::RunProgram;

// Parses an SVG document and prints its element count; fails on any XML error.
constexpr const char* kParse =
    "import sys, xml.etree.ElementTree as ET\n"
    "root = ET.fromstring(sys.stdin.read())\n"
    "print(sum(1 for _ in root.iter()))\n";

int ParsedElements(const std::string& svg) {
  auto r = RunProgram("python3", {"-c", kParse}, svg);
  EXPECT_EQ(r.exit_code, 0) << r.err << svg.substr(0, 400);
  return r.exit_code == 0 ? std::stoi(r.out) : -1;
}

TEST(SvgChartTest, EscapesMarkupAndDropsForbiddenControlCharacters) {
  EXPECT_EQ(XmlEscape("<a href=\"x\">&'</a>"), "&lt;a href=&quot;x&quot;&gt;&amp;&#39;&lt;/a&gt;");
  EXPECT_EQ(XmlEscape(std::string("a\x01" "b\tc", 5)), "ab\tc");
}

TEST(SvgChartTest, NiceTicksCoverTheMaximumWithRoundSteps) {
  EXPECT_EQ(NiceTicks(0), (std::vector<double>{0, 1}));
  EXPECT_EQ(NiceTicks(9), (std::vector<double>{0, 2, 4, 6, 8, 10}));
  EXPECT_EQ(NiceTicks(100), (std::vector<double>{0, 20, 40, 60, 80, 100}));
  const auto big = NiceTicks(123456);
  EXPECT_GE(big.back(), 123456);
  EXPECT_LE(big.size(), 8u);
  EXPECT_EQ(FormatTick(2500000), "2.5M");
  EXPECT_EQ(FormatTick(12000), "12k");
  EXPECT_EQ(FormatTick(0.25), "0.25");
}

TEST(SvgChartTest, BarChartIsWellFormedWithEscapedLabels) {
  BarChart chart;
  chart.title = "Types <&>";
  chart.x_label = "x";
  chart.y_label = "y";
  chart.categories = {"<script>", "b&c", "\"q\""};
  chart.series = {{"s1", "#4e79a7", {1, 2, 3}}, {"s2", "#f28e2b", {3, 0, 1}}};
  for (bool stacked : {false, true}) {
    chart.stacked = stacked;
    const std::string svg = RenderBarChart(chart);
    EXPECT_EQ(svg.find("<script>"), std::string::npos);
    EXPECT_NE(svg.find("&lt;script&gt;"), std::string::npos);
    // 2 series x 3 categories minus one zero bar, each a <rect> with a <title>.
    EXPECT_GT(ParsedElements(svg), 20);
  }
  BarChart empty;
  empty.title = "nothing";
  EXPECT_NE(RenderBarChart(empty).find("no data"), std::string::npos);
  EXPECT_GT(ParsedElements(RenderBarChart(empty)), 3);
}

TEST(SvgChartTest, ScatterChartHasOneDotPerPoint) {
  ScatterChart chart;
  chart.title = "per sample";
  for (int i = 0; i < 300; ++i) {
    chart.x.push_back(i);
    chart.y.push_back(300 - i);
    chart.point_labels.push_back("S<" + std::to_string(i) + ">");
    chart.highlighted.push_back(i == 7);
  }
  chart.highlight_name = "outlier";
  const std::string svg = RenderScatterChart(chart);
  size_t circles = 0;
  for (size_t p = svg.find("<circle"); p != std::string::npos; p = svg.find("<circle", p + 1)) ++circles;
  EXPECT_EQ(circles, 300u);
  EXPECT_NE(svg.find("outlier"), std::string::npos);
  EXPECT_GT(ParsedElements(svg), 600);
}

}  // namespace
}  // namespace vcfagent::ai::report
