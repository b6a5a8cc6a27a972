#include "cli/command.h"

#include <cstdio>
#include <map>

#include "fmt/format.h"

namespace vcfagent::cli {

void AddFormatOption(CLI::App& app, OutputFormat& format) {
  static const std::map<std::string, OutputFormat> kFormats = {{"text", OutputFormat::kText},
                                                               {"json", OutputFormat::kJson}};
  app.add_option("--format", format, "Output format: text or json")
      ->transform(CLI::CheckedTransformer(kFormats, CLI::ignore_case))
      ->option_text("text|json (default: text)");
}

int ReportError(std::string_view command, const Status& status) {
  if (status.ok()) return kExitOk;
  fmt::print(stderr, "vcf-agent {}: {}\n", command, status.message());
  return status.exit_code();
}

void ReportWarning(std::string_view command, std::string_view message) {
  fmt::print(stderr, "vcf-agent {}: warning: {}\n", command, message);
}

}  // namespace vcfagent::cli
