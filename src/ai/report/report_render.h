// Renderers of the analyze report: one self-contained HTML file, Markdown, or JSON.
//
// Contract:
// - Input is the report document: the facts (report_facts.h) with an "interpretation" object
//   (interpretation.h) beside them. Renderers only read it; they compute no new numbers.
// - HTML: one file, CSS inline, tables, the plots as inline SVG; no scripts, no external fonts,
//   images, stylesheets or links to other sites. Every text from the file (sample names, genes,
//   rule messages, the model's answer) is escaped. The "AI interpretation" section is always
//   present and says plainly when none was made or when it failed.
// - Markdown: the same sections as tables; plots are left out (the HTML report has them).
//   Text from the file is escaped for tables ('|', newlines).
// - JSON: the document itself, pretty-printed.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "util/status.h"

namespace vcfagent::ai::report {

enum class ReportFormat { kHtml, kMarkdown, kJson };

// "html", "md"/"markdown", "json".
Result<ReportFormat> ParseReportFormat(const std::string& text);
// From the output file's extension (.html/.htm, .md/.markdown, .json); "-" is Markdown. A usage
// error names the extension and the ones supported.
Result<ReportFormat> ReportFormatForPath(const std::string& path);

std::string RenderHtml(const nlohmann::json& report);
std::string RenderMarkdown(const nlohmann::json& report);
std::string RenderJson(const nlohmann::json& report);
std::string RenderReport(const nlohmann::json& report, ReportFormat format);

}  // namespace vcfagent::ai::report
