// `vcf-agent view`: the CLI adapter over vcf::RunView (see src/vcf/view.h and docs/view.md).
#include <memory>
#include <string>
#include <vector>

#include "cli/command.h"
#include "vcf/record_writer.h"
#include "vcf/view.h"

namespace vcfagent::cli {

namespace {

struct ViewFlags {
  vcf::ViewOptions view;
  std::string output_type;  // -O
  std::string fields;       // -f
  bool no_header = false;   // -H
  std::string output = "-";
};

std::vector<std::string> SplitFields(const std::string& list) {
  std::vector<std::string> fields;
  size_t start = 0;
  while (start <= list.size()) {
    size_t end = list.find(',', start);
    if (end == std::string::npos) end = list.size();
    fields.push_back(list.substr(start, end - start));
    start = end + 1;
  }
  return fields;
}

int RunViewCommand(ViewFlags& flags) {
  vcf::WriterOptions writer;
  if (!flags.output_type.empty()) {
    auto format = vcf::ParseRecordFormat(flags.output_type);
    if (!format.ok()) return ReportError("view", format.status());
    writer.format = *format;
  } else if (!flags.fields.empty()) {
    writer.format = vcf::RecordFormat::kTsv;  // -f alone implies a TSV
  }
  if (!flags.fields.empty()) {
    writer.fields = SplitFields(flags.fields);
    for (const auto& f : writer.fields) {
      if (f.empty()) return ReportError("view", Status::Usage("-f: empty field name in '" + flags.fields + "'"));
    }
  }
  writer.write_header = !flags.no_header;
  writer.threads = flags.view.threads;
  writer.json_samples = !flags.view.samples.empty();
  auto sink = vcf::OpenRecordWriter(flags.output, writer);
  if (!sink.ok()) return ReportError("view", sink.status());
  flags.view.warn = [](std::string_view message) { ReportWarning("view", message); };
  auto summary = vcf::RunView(flags.view, **sink);
  if (!summary.ok()) return ReportError("view", summary.status());
  return kExitOk;
}

}  // namespace

Command AddViewCommand(CLI::App& root) {
  auto flags = std::make_shared<ViewFlags>();
  CLI::App* app = root.add_subcommand(
      "view", "Stream the records of a VCF/BCF in regions and passing filters, as VCF, BCF, TSV or JSON lines");
  app->add_option("FILE", flags->view.input, "Input VCF/BCF (plain, gzip, bgzip; '-' for stdin)")
      ->required();
  app->add_option("-r,--regions", flags->view.regions,
                  "Regions: chr1, chr1:100, chr1:100-200, chr1:100-, {name:with:colons}:1-9; "
                  "comma-separated, repeatable")
      ->allow_extra_args(false);
  app->add_option("-R,--regions-file", flags->view.regions_file,
                  "Regions file: .bed/.bed.gz (0-based) or CHROM POS [END] (1-based)");
  auto* include = app->add_option("-i,--include", flags->view.include_expr,
                                  "Keep records where EXPR is true (see docs/view.md)");
  auto* exclude = app->add_option("-e,--exclude", flags->view.exclude_expr,
                                  "Drop records where EXPR is true");
  include->excludes(exclude);
  app->add_option("-v,--type,--types", flags->view.types,
                  "Keep variant classes: snps,indels,mnps,other,bnd,overlap,ref");
  app->add_option("-s,--samples", flags->view.samples,
                  "Keep these samples (A,B) or drop them (^A,B); INFO/AC and AN are not recomputed. "
                  "Adds a \"samples\" object to JSON lines");
  app->add_option("-O,--output-type", flags->output_type,
                  "v VCF (default), z bgzipped VCF, b BCF, u uncompressed BCF, t TSV, j JSON lines");
  app->add_option("-f,--fields", flags->fields,
                  "TSV columns, e.g. CHROM,POS,REF,ALT,QUAL,INFO/DP (implies -O t)");
  app->add_flag("-H,--no-header", flags->no_header, "Omit the header (VCF and TSV)");
  app->add_flag("--verbatim", flags->view.verbatim,
                "VCF to VCF: copy record lines as stored (as tabix) instead of re-formatting them (as bcftools)");
  app->add_option("-o,--output", flags->output, "Output file (written atomically; '-' for stdout)");
  app->add_option("--threads", flags->view.threads, "Extra BGZF (de)compression threads")
      ->check(CLI::Range(0, 64));
  return {app, [flags] { return RunViewCommand(*flags); }};
}

}  // namespace vcfagent::cli
