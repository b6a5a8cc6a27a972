#include "cli/command.h"

#include "store/store.h"

#include <cerrno>
#include <cstdio>
#include <cstdlib>
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

void AddStoreOption(CLI::App& app, std::string& dir) {
  app.add_option("--db", dir, "The variant store directory")
      ->option_text("DIR (default: $VCF_AGENT_DB, else ~/.local/share/vcf-agent/store)");
}

std::string StoreDirectory(const std::string& flag_value) {
  return flag_value.empty() ? store::DefaultStoreDirectory() : flag_value;
}

CLI::Validator WholeNumberIn(int64_t min, int64_t max) {
  return CLI::Validator(
      [min, max](std::string& text) -> std::string {
        errno = 0;
        char* end = nullptr;
        const long long value = std::strtoll(text.c_str(), &end, 10);
        if (text.empty() || *end != '\0' || errno == ERANGE || value < min || value > max) {
          return fmt::format("expected a whole number from {} to {}, got '{}'", min, max, text);
        }
        return "";
      },
      fmt::format("INT in [{} - {}]", min, max));
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
