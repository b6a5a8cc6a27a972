#include "vcf/validate/report_format.h"

#include "fmt/format.h"

namespace vcfagent::vcf {

std::string FormatReportText(const ValidationReport& r) {
  std::string out = fmt::format("{}: {} (VCF {}, {} records, {} error(s), {} warning(s))\n", r.path,
                                r.valid ? "valid" : "INVALID", r.vcf_version.empty() ? "version unknown" : r.vcf_version,
                                r.records, r.errors, r.warnings);
  for (const auto& s : r.summary) {
    out += fmt::format("  {:<7} {:<28} x{:<6} first at line {}: {}\n", SeverityName(s.severity), s.rule, s.count,
                       s.first_line, s.first_message);
  }
  if (!r.findings.empty()) {
    out += fmt::format("  first {} finding(s):\n", r.findings.size());
    for (const auto& f : r.findings) {
      out += fmt::format("    line {}: {} [{}] {}: {}", f.line, SeverityName(f.severity), f.rule, f.field, f.message);
      if (!f.suggestion.empty()) out += fmt::format(" (suggestion: {})", f.suggestion);
      out += '\n';
    }
  }
  return out;
}

nlohmann::json ReportToJson(const ValidationReport& r) {
  nlohmann::json findings = nlohmann::json::array();
  for (const auto& f : r.findings) {
    findings.push_back({{"severity", SeverityName(f.severity)},
                        {"rule", f.rule},
                        {"line", f.line},
                        {"field", f.field},
                        {"message", f.message},
                        {"suggestion", f.suggestion}});
  }
  nlohmann::json summary = nlohmann::json::array();
  for (const auto& s : r.summary) {
    summary.push_back({{"severity", SeverityName(s.severity)},
                       {"rule", s.rule},
                       {"count", s.count},
                       {"first_line", s.first_line},
                       {"first_message", s.first_message}});
  }
  return {{"path", r.path},
          {"valid", r.valid},
          {"vcf_version", r.vcf_version},
          {"errors", r.errors},
          {"warnings", r.warnings},
          {"records", r.records},
          {"lines", r.lines},
          {"summary", summary},
          {"findings", findings}};
}

}  // namespace vcfagent::vcf
