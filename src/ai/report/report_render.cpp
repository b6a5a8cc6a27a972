#include "ai/report/report_render.h"

#include <algorithm>
#include <cctype>
#include <map>

#include <fmt/format.h>

#include "ai/report/report_document.h"
#include "ai/report/report_plots.h"
#include "ai/report/svg_chart.h"
#include "util/json_text.h"

namespace vcfagent::ai::report {
namespace {

using json = nlohmann::json;

constexpr const char* kCss = R"CSS(
body{font-family:-apple-system,"Segoe UI",Helvetica,Arial,sans-serif;margin:0 auto;max-width:1100px;padding:16px 24px;color:#222;line-height:1.45}
h1{font-size:1.6em;margin-bottom:4px}h2{border-bottom:2px solid #4e79a7;padding-bottom:3px;margin-top:32px}
.sub{color:#666;font-size:.9em;margin:0}
table{border-collapse:collapse;margin:10px 0;font-size:.9em}th,td{border:1px solid #ccc;padding:3px 8px;text-align:left;vertical-align:top}
th{background:#eef2f7}tr:nth-child(even) td{background:#fafafa}
.note{color:#666;font-size:.85em;margin-top:-4px}
.plot{margin:12px 0}.plot svg{max-width:100%;height:auto;border:1px solid #eee}
#ai-interpretation{background:#f7f9fc;border-left:4px solid #4e79a7;padding:2px 16px 8px}
nav a{margin-right:12px}
)CSS";

std::string Html(std::string_view text) { return XmlEscape(text); }

// Markdown table cells: pipes escaped, newlines flattened; '<' and '&' escaped so a sample name
// cannot inject markup into Markdown viewers that allow inline HTML.
std::string MdCell(std::string_view text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '|': out += "\\|"; break;
      case '\n': case '\r': out += ' '; break;
      case '<': out += "&lt;"; break;
      case '&': out += "&amp;"; break;
      default: out += c;
    }
  }
  return out;
}
std::string MdText(std::string_view text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '<': out += "&lt;"; break;
      case '&': out += "&amp;"; break;
      case '\r': break;
      default: out += c;
    }
  }
  return out;
}

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

}  // namespace

Result<ReportFormat> ParseReportFormat(const std::string& text) {
  const std::string t = Lower(text);
  if (t == "html" || t == "htm") return ReportFormat::kHtml;
  if (t == "md" || t == "markdown") return ReportFormat::kMarkdown;
  if (t == "json") return ReportFormat::kJson;
  return Status::Usage(fmt::format("unknown report format '{}' (use html, md or json)", text));
}

Result<ReportFormat> ReportFormatForPath(const std::string& path) {
  if (path == "-") return ReportFormat::kMarkdown;
  const size_t slash = path.find_last_of('/');
  const size_t dot = path.find_last_of('.');
  if (dot == std::string::npos || (slash != std::string::npos && dot < slash)) {
    return Status::Usage(fmt::format("{}: cannot tell the report format without an extension (use .html, .md or .json, or --format)", path));
  }
  auto format = ParseReportFormat(path.substr(dot + 1));
  if (!format.ok()) {
    return Status::Usage(fmt::format("{}: unsupported report extension '{}' (use .html, .md or .json, or --format)", path,
                                     path.substr(dot)));
  }
  return format;
}

std::string RenderHtml(const json& report) {
  const ReportDocument doc = BuildReportDocument(report);
  std::map<std::string, std::string> plots;
  for (auto& p : ReportPlots(report)) plots[p.id] = std::move(p.svg);
  std::string out = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n";
  out += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n";
  out += "<title>" + Html(doc.title) + "</title>\n<style>" + kCss + "</style>\n</head>\n<body>\n";
  out += "<h1>" + Html(doc.title) + "</h1>\n";
  for (const auto& line : doc.subtitle_lines) out += "<p class=\"sub\">" + Html(line) + "</p>\n";
  out += "<nav>";
  for (const auto& s : doc.sections) out += "<a href=\"#" + Html(s.id) + "\">" + Html(s.title) + "</a>";
  out += "</nav>\n";
  for (const auto& s : doc.sections) {
    out += "<section id=\"" + Html(s.id) + "\">\n<h2>" + Html(s.title) + "</h2>\n";
    for (const auto& b : s.blocks) {
      switch (b.kind) {
        case ReportBlock::Kind::kParagraph: out += "<p>" + Html(b.text) + "</p>\n"; break;
        case ReportBlock::Kind::kBullets:
          out += "<ul>\n";
          for (const auto& item : b.bullets) out += "<li>" + Html(item) + "</li>\n";
          out += "</ul>\n";
          break;
        case ReportBlock::Kind::kPlot: {
          auto it = plots.find(b.text);
          if (it != plots.end()) out += "<div class=\"plot\" id=\"" + Html(b.text) + "\">\n" + it->second + "</div>\n";
          break;
        }
        case ReportBlock::Kind::kTable:
          out += "<table>\n<thead><tr>";
          for (const auto& h : b.table.headers) out += "<th>" + Html(h) + "</th>";
          out += "</tr></thead>\n<tbody>\n";
          for (const auto& row : b.table.rows) {
            out += "<tr>";
            for (const auto& cell : row) out += "<td>" + Html(cell) + "</td>";
            out += "</tr>\n";
          }
          out += "</tbody>\n</table>\n";
          if (!b.table.note.empty()) out += "<p class=\"note\">" + Html(b.table.note) + "</p>\n";
          break;
      }
    }
    out += "</section>\n";
  }
  out += "</body>\n</html>\n";
  return out;
}

std::string RenderMarkdown(const json& report) {
  const ReportDocument doc = BuildReportDocument(report);
  std::string out = "# " + MdText(doc.title) + "\n\n";
  for (const auto& line : doc.subtitle_lines) out += "_" + MdText(line) + "_\n\n";
  for (const auto& s : doc.sections) {
    out += "## " + MdText(s.title) + "\n\n";
    for (const auto& b : s.blocks) {
      switch (b.kind) {
        case ReportBlock::Kind::kParagraph: out += MdText(b.text) + "\n\n"; break;
        case ReportBlock::Kind::kBullets:
          for (const auto& item : b.bullets) out += "- " + MdText(item) + "\n";
          out += "\n";
          break;
        case ReportBlock::Kind::kPlot: break;  // plots are in the HTML report
        case ReportBlock::Kind::kTable: {
          out += "|";
          for (const auto& h : b.table.headers) out += " " + MdCell(h) + " |";
          out += "\n|";
          for (size_t i = 0; i < b.table.headers.size(); ++i) out += "---|";
          out += "\n";
          for (const auto& row : b.table.rows) {
            out += "|";
            for (const auto& cell : row) out += " " + MdCell(cell) + " |";
            out += "\n";
          }
          out += "\n";
          if (!b.table.note.empty()) out += "_" + MdText(b.table.note) + "_\n\n";
          break;
        }
      }
    }
  }
  out += "_Plots (variant types, quality, depth, allele-frequency spectrum, indel lengths, per-sample counts) are in the HTML report: `vcf-agent analyze FILE -o report.html`._\n";
  return out;
}

std::string RenderJson(const json& report) { return DumpJson(report, 2) + "\n"; }

std::string RenderReport(const json& report, ReportFormat format) {
  switch (format) {
    case ReportFormat::kHtml: return RenderHtml(report);
    case ReportFormat::kMarkdown: return RenderMarkdown(report);
    case ReportFormat::kJson: return RenderJson(report);
  }
  return RenderJson(report);
}

}  // namespace vcfagent::ai::report
