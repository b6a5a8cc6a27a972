// ReportDocument: the analyze report's content as sections of paragraphs, tables and plot
// references, built once from the report JSON so that the HTML and Markdown renderers show the
// same things in the same order. Text is plain (unescaped); each renderer escapes for its format.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace vcfagent::ai::report {

struct ReportTable {
  std::vector<std::string> headers;
  std::vector<std::vector<std::string>> rows;
  std::string note;  // e.g. "first 500 of 2504 samples"
};

struct ReportBlock {
  enum class Kind { kParagraph, kTable, kPlot, kBullets };
  Kind kind = Kind::kParagraph;
  std::string text;                  // paragraph, or the plot id
  std::vector<std::string> bullets;  // kBullets
  ReportTable table;
};

struct ReportSection {
  std::string id;
  std::string title;
  std::vector<ReportBlock> blocks;
};

struct ReportDocument {
  std::string title;
  std::vector<std::string> subtitle_lines;
  std::vector<ReportSection> sections;
};

inline constexpr size_t kMaxSampleRows = 500;

ReportDocument BuildReportDocument(const nlohmann::json& report);

}  // namespace vcfagent::ai::report
