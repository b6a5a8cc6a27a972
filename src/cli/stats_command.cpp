// `vcf-agent stats`: bcftools-style statistics of one VCF/BCF file (see docs/stats.md).
#include <fstream>
#include <memory>

#include "cli/command.h"
#include "fmt/format.h"
#include "util/output_file.h"
#include "vcf/stats.h"
#include "vcf/stats_format.h"
#include "util/json_text.h"

namespace vcfagent::cli {

namespace {

struct StatsArgs {
  std::string input;
  std::string samples;       // -s
  std::string samples_file;  // -S
  std::string output = "-";
  int threads = -1;
  OutputFormat format = OutputFormat::kText;
  std::string command_line;
};

std::vector<std::string> SplitComma(const std::string& text) {
  std::vector<std::string> out;
  size_t start = 0;
  for (;;) {
    const size_t comma = text.find(',', start);
    std::string item = text.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    if (!item.empty()) out.push_back(item);
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return out;
}

Result<std::vector<std::string>> ReadSampleFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) return Status::IoError(fmt::format("{}: cannot read the sample file", path));
  std::vector<std::string> names;
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (!line.empty()) names.push_back(line);
  }
  if (in.bad()) return Status::IoError(fmt::format("{}: read error", path));
  if (names.empty()) return Status::Usage(fmt::format("{}: the sample file is empty", path));
  return names;
}

Result<vcf::StatsOptions> MakeOptions(const StatsArgs& args) {
  vcf::StatsOptions options;
  options.threads = args.threads;
  if (!args.samples.empty() && !args.samples_file.empty()) {
    return Status::Usage("-s and -S cannot be combined");
  }
  if (args.samples == "-") {
    options.samples = vcf::StatsOptions::Samples::kAll;
  } else if (!args.samples.empty()) {
    options.samples = vcf::StatsOptions::Samples::kList;
    options.sample_names = SplitComma(args.samples);
    if (options.sample_names.empty()) return Status::Usage("-s: no sample names given");
  } else if (!args.samples_file.empty()) {
    options.samples = vcf::StatsOptions::Samples::kList;
    auto names = ReadSampleFile(args.samples_file);
    if (!names.ok()) return names.status();
    options.sample_names = std::move(*names);
  }
  return options;
}

int RunStats(const StatsArgs& args) {
  auto options = MakeOptions(args);
  if (!options.ok()) return ReportError("stats", options.status());
  // Open the output first: a bad -o fails before a long computation.
  auto out = OutputFile::Open(args.output);
  if (!out.ok()) return ReportError("stats", out.status());
  auto stats = vcf::ComputeStats(args.input, *options);
  if (!stats.ok()) return ReportError("stats", stats.status());
  for (const auto& warning : stats->warnings) ReportWarning("stats", warning);
  std::string text;
  if (args.format == OutputFormat::kJson) {
    text = DumpJson(vcf::StatsToJson(*stats), 2) + "\n";
  } else {
    vcf::StatsTextOptions text_options;
    text_options.command_line = args.command_line;
    text = vcf::FormatStatsText(*stats, text_options);
  }
  Status st = (*out)->Write(text);
  if (st.ok()) st = (*out)->Commit();
  return ReportError("stats", st);
}

}  // namespace

Command AddStatsCommand(CLI::App& root) {
  auto args = std::make_shared<StatsArgs>();
  CLI::App* app = root.add_subcommand(
      "stats",
      "Statistics of a VCF/BCF file in bcftools stats format (SN, TSTV, SiS, AF, QUAL, IDD, ST, DP; "
      "PSC, PSI, HWE with samples)");
  app->add_option("-s,--samples", args->samples,
                  "Per-sample statistics: '-' for all samples or a comma-separated list");
  app->add_option("-S,--samples-file", args->samples_file, "File of sample names, one per line");
  AddFormatOption(*app, args->format);
  app->add_option("-o,--output", args->output, "Output file ('-' for standard output)")
      ->default_str("-");
  app->add_option("--threads", args->threads,
                  "Extra decompression threads (default 1)")
      ->check(CLI::Range(0, 64));
  app->add_option("FILE", args->input, "VCF, bgzipped VCF or BCF file, '-' for standard input")
      ->required();
  return {app, [args] {
            args->command_line = "vcf-agent stats";
            if (!args->samples.empty()) args->command_line += " -s " + args->samples;
            if (!args->samples_file.empty()) args->command_line += " -S " + args->samples_file;
            args->command_line += " " + args->input;
            return RunStats(*args);
          }};
}

}  // namespace vcfagent::cli
