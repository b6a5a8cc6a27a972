// FindingSink: collects validation findings with bounded memory: counts every finding per rule and
// keeps only the first `max_findings` individual findings.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "vcf/validate/validator.h"

namespace vcfagent::vcf::validate {

class FindingSink {
 public:
  explicit FindingSink(size_t max_findings) : max_findings_(max_findings) {}

  void Error(std::string_view rule, int64_t line, std::string_view field, std::string message,
             std::string_view suggestion) {
    Add(Severity::kError, rule, line, field, std::move(message), suggestion);
  }
  void Warning(std::string_view rule, int64_t line, std::string_view field, std::string message,
               std::string_view suggestion) {
    Add(Severity::kWarning, rule, line, field, std::move(message), suggestion);
  }
  void Add(Severity severity, std::string_view rule, int64_t line, std::string_view field,
           std::string message, std::string_view suggestion);

  int64_t errors() const { return errors_; }
  int64_t warnings() const { return warnings_; }
  // Moves the collected findings into `report`.
  void MoveInto(ValidationReport& report);

 private:
  size_t max_findings_;
  int64_t errors_ = 0;
  int64_t warnings_ = 0;
  std::vector<RuleSummary> summary_;
  std::vector<ValidationFinding> findings_;
};

}  // namespace vcfagent::vcf::validate
