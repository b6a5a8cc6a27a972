#include "vcf/validate/findings.h"

namespace vcfagent::vcf::validate {

void FindingSink::Add(Severity severity, std::string_view rule, int64_t line, std::string_view field,
                      std::string message, std::string_view suggestion) {
  (severity == Severity::kError ? errors_ : warnings_)++;
  RuleSummary* summary = nullptr;
  // Few distinct rules fire per file: a linear scan is cheaper than a map here.
  for (auto& s : summary_) {
    if (s.rule == rule && s.severity == severity) {
      summary = &s;
      break;
    }
  }
  if (summary == nullptr) {
    summary_.push_back({std::string(rule), severity, 0, line, message});
    summary = &summary_.back();
  }
  summary->count++;
  if (findings_.size() < max_findings_) {
    findings_.push_back({severity, std::string(rule), line, std::string(field), std::move(message),
                         std::string(suggestion)});
  }
}

void FindingSink::MoveInto(ValidationReport& report) {
  report.errors = errors_;
  report.warnings = warnings_;
  report.valid = errors_ == 0;
  report.summary = std::move(summary_);
  report.findings = std::move(findings_);
}

}  // namespace vcfagent::vcf::validate
