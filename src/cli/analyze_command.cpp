// `vcf-agent analyze`: the report a geneticist wants from one VCF/BCF file (see docs/analyze.md):
// validation, QC, inferred sex and relatedness, notable variants and plots, with an optional AI
// interpretation written from the computed facts.
#include <memory>
#include <optional>

#include "ai/report/interpretation.h"
#include "ai/report/interpretation_runner.h"
#include "ai/report/report_facts.h"
#include "ai/report/report_render.h"
#include "cli/ai_options.h"
#include "cli/command.h"
#include "fmt/format.h"
#include "util/output_file.h"

namespace vcfagent::cli {
namespace {

struct AnalyzeArgs {
  std::string input;
  std::string output = "-";
  std::string format;
  std::string ped;
  int threads = 0;
  bool ai = false;
  ai::AiFlags ai_flags;
};

int RunAnalyze(const AnalyzeArgs& args) {
  constexpr const char* kCommand = "analyze";
  auto format = args.format.empty() ? ai::report::ReportFormatForPath(args.output)
                                    : ai::report::ParseReportFormat(args.format);
  if (!format.ok()) return ReportError(kCommand, format.status());
  // The AI configuration and the output are checked before the long computation.
  std::optional<ai::report::InterpretationSetup> setup;
  if (args.ai) {
    auto made = ai::report::SetUpInterpretation(args.ai_flags);
    if (!made.ok()) return ReportError(kCommand, made.status());
    setup.emplace(std::move(*made));
  }
  auto out = OutputFile::Open(args.output);
  if (!out.ok()) return ReportError(kCommand, out.status());

  ai::report::AnalyzeOptions options;
  options.ped_path = args.ped;
  options.threads = args.threads;
  auto facts = ai::report::AnalyzeFile(args.input, options);
  if (!facts.ok()) return ReportError(kCommand, facts.status());

  nlohmann::json report = std::move(*facts);
  int exit_code = kExitOk;
  if (!args.ai) {
    report["interpretation"] = ai::report::NoInterpretation("--ai not given");
  } else {
    report["interpretation"] = ai::report::RunInterpretation(*setup, report);
    const std::string status = report["interpretation"].value("status", "");
    if (status == "failed") {
      ReportWarning(kCommand, report["interpretation"].value("statement", std::string("the AI interpretation failed")));
      exit_code = kExitFindings;
    } else if (status == "not-made") {
      ReportWarning(kCommand, report["interpretation"].value("statement", std::string()));
    }
  }
  Status st = (*out)->Write(ai::report::RenderReport(report, *format));
  if (st.ok()) st = (*out)->Commit();
  if (!st.ok()) return ReportError(kCommand, st);
  return exit_code;
}

}  // namespace

Command AddAnalyzeCommand(CLI::App& root) {
  auto args = std::make_shared<AnalyzeArgs>();
  CLI::App* app = root.add_subcommand(
      "analyze",
      "A report on one VCF/BCF file: validation, QC, sex, relatedness, notable variants and plots "
      "(HTML, Markdown or JSON), with an optional AI interpretation");
  app->add_option("-o,--output", args->output,
                  "Report file: .html, .md or .json ('-' for standard output, Markdown unless --format)")
      ->default_str("-");
  app->add_option("--format", args->format, "Report format: html, md or json (default: from -o's extension)");
  app->add_option("--ped", args->ped, "PED/FAM pedigree: expected sexes and relationships to compare");
  app->add_option("--threads", args->threads, "Extra decompression threads (default 0)")
      ->check(CLI::Range(0, 64));
  app->add_flag("--ai", args->ai, "Add an interpretation written by an AI provider from the computed facts");
  AddAiOptions(*app, args->ai_flags);
  app->add_option("FILE", args->input, "VCF, bgzipped VCF or BCF file")->required();
  return {app, [args] { return RunAnalyze(*args); }};
}

}  // namespace vcfagent::cli
