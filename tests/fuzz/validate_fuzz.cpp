// libFuzzer target: arbitrary bytes through the validator's in-memory entry point. The validator
// must never crash, hang or read out of bounds, whatever the input; findings are its only output.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "vcf/validate/validator.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  vcfagent::vcf::ValidationOptions options;
  options.max_findings = 8;
  // The first byte toggles --require-evidence so both paths are explored.
  options.require_evidence = size > 0 && (data[0] & 1) != 0;
  vcfagent::vcf::ValidationReport report = vcfagent::vcf::ValidateText(text, options, "fuzz");
  // A report is consistent: errors decide validity, and every summarised finding was counted.
  int64_t counted = 0;
  for (const auto& s : report.summary) counted += s.count;
  if (report.valid != (report.errors == 0) || counted != report.errors + report.warnings) __builtin_trap();
  return 0;
}
