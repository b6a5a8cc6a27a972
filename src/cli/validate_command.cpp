// vcf-agent validate: checks VCF/BCF files against the VCF specification (see docs/validate.md).
// Exit status: 0 every file valid (warnings allowed), 1 any file invalid, 2 usage or I/O error.
#include <memory>
#include <string>
#include <vector>

#include "cli/command.h"
#include "util/output_file.h"
#include "vcf/validate/report_format.h"
#include "vcf/validate/validator.h"
#include "util/json_text.h"

namespace vcfagent::cli {

namespace {

struct ValidateFlags {
  std::vector<std::string> inputs;
  bool require_evidence = false;
  OutputFormat format = OutputFormat::kText;
  std::string output = "-";
  size_t max_findings = 20;
};

int RunValidate(const ValidateFlags& flags) {
  vcf::ValidationOptions options;
  options.require_evidence = flags.require_evidence;
  options.max_findings = flags.max_findings;
  auto out = OutputFile::Open(flags.output);
  if (!out.ok()) return ReportError("validate", out.status());

  int exit_code = kExitOk;
  std::string text;
  nlohmann::json reports_json = nlohmann::json::array();
  for (const std::string& input : flags.inputs) {
    auto report = vcf::ValidateFile(input, options);
    if (!report.ok()) {
      ReportError("validate", report.status());
      if (report.status().kind() == ErrorKind::kCancelled) return kExitUsage;
      exit_code = kExitUsage;
      continue;
    }
    if (!report->valid && exit_code == kExitOk) exit_code = kExitFindings;
    if (flags.format == OutputFormat::kJson) {
      reports_json.push_back(vcf::ReportToJson(*report));
    } else {
      text += vcf::FormatReportText(*report);
    }
  }
  if (flags.format == OutputFormat::kJson) text = DumpJson(reports_json, 2) + "\n";
  Status written = (*out)->Write(text);
  if (written.ok()) written = (*out)->Commit();
  if (!written.ok()) return ReportError("validate", written);
  return exit_code;
}

}  // namespace

Command AddValidateCommand(CLI::App& root) {
  auto flags = std::make_shared<ValidateFlags>();
  CLI::App* app = root.add_subcommand("validate", "Check VCF/BCF files against the VCF specification (4.1-4.4)");
  app->add_option("FILE", flags->inputs, "VCF (plain, gzip, bgzip, bzip2) or BCF files; '-' for standard input")
      ->required();
  app->add_flag("--require-evidence", flags->require_evidence,
                "Every record must carry genotypes (GT), allele frequencies (AF) or allele counts (AC and AN)");
  AddFormatOption(*app, flags->format);
  app->add_option("-o,--output", flags->output, "Write the report to FILE (default: standard output)");
  app->add_option("--max-findings", flags->max_findings, "Individual findings listed per file (default 20)")
      ->check(WholeNumberIn(0, INT64_MAX));
  return {app, [flags] { return RunValidate(*flags); }};
}

}  // namespace vcfagent::cli
