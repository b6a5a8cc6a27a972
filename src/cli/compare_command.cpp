// `vcf-agent compare A B`: shared and private sites, genotype concordance and accuracy metrics
// of two VCF/BCF files (see docs/compare.md).
#include <map>
#include <memory>

#include "cli/command.h"
#include "util/output_file.h"
#include "vcf/compare.h"
#include "vcf/compare_format.h"

namespace vcfagent::cli {

namespace {

struct CompareArgs {
  std::string file_a, file_b;
  std::string match = "none";
  std::string truth;
  std::string output = "-";
  OutputFormat format = OutputFormat::kText;
  vcf::CompareOptions options;
};

int RunCompare(CompareArgs& args) {
  if (!vcf::ParseMatchMode(args.match, args.options.match)) {
    return ReportError("compare", Status::Usage("--match: expected none, some, all, any, snps, "
                                                "indels, both or id, got '" + args.match + "'"));
  }
  if (args.truth == "A" || args.truth == "a") args.options.truth = vcf::TruthFile::kA;
  else if (args.truth == "B" || args.truth == "b") args.options.truth = vcf::TruthFile::kB;
  else if (!args.truth.empty()) {
    return ReportError("compare", Status::Usage("--truth: expected A or B, got '" + args.truth + "'"));
  }
  if (!args.options.fasta.empty() && !args.options.normalize) {
    return ReportError("compare", Status::Usage("--fasta is used for --normalize; add --normalize"));
  }
  if (args.file_a == "-" && args.file_b == "-") {
    return ReportError("compare", Status::Usage("only one of A and B can be standard input ('-')"));
  }
  auto output = OutputFile::Open(args.output);
  if (!output.ok()) return ReportError("compare", output.status());
  auto result = vcf::CompareFiles(args.file_a, args.file_b, args.options);
  if (!result.ok()) return ReportError("compare", result.status());
  for (const std::string& warning : result->warnings) ReportWarning("compare", warning);
  const std::string text = args.format == OutputFormat::kJson ? vcf::FormatCompareJson(*result)
                                                              : vcf::FormatCompareText(*result);
  Status written = (*output)->Write(text);
  if (written.ok()) written = (*output)->Commit();
  return ReportError("compare", written);
}

}  // namespace

Command AddCompareCommand(CLI::App& root) {
  auto args = std::make_shared<CompareArgs>();
  CLI::App* app = root.add_subcommand(
      "compare", "Shared and private sites, genotype concordance and precision/recall of two VCF/BCF files");
  app->add_option("A", args->file_a, "First VCF/BCF file (sorted; '-' for standard input)")->required();
  app->add_option("B", args->file_b, "Second VCF/BCF file (sorted)")->required();
  app->add_option("-c,--match", args->match,
                  "Record matching, as bcftools isec -c: none (exact alleles), some, all|any, "
                  "snps, indels, both, id")
      ->default_str("none");
  app->add_flag("--normalize", args->options.normalize,
                "Split multiallelic records before matching (with --fasta also left-align and trim indels)");
  app->add_option("-f,--fasta", args->options.fasta, "Reference FASTA for --normalize (left-align indels)");
  app->add_option("--truth", args->truth, "Report precision/recall/F1 with A or B as the truth set");
  app->add_option("-r,--regions", args->options.regions,
                  "Only records overlapping these regions (chr, chr:pos, chr:beg-end; comma-separated)");
  app->add_flag("--absent-as-missing", args->options.absent_as_missing,
                "Count sites private to one file as missing genotypes of the other in the concordance matrices");
  app->add_option("-o,--output", args->output, "Write the report here (default: standard output)");
  app->add_option("--write-private-a", args->options.write_private_a,
                  "Write A's records not in B (VCF; .gz: bgzip, .bcf: BCF)");
  app->add_option("--write-private-b", args->options.write_private_b, "Write B's records not in A");
  app->add_option("--write-shared", args->options.write_shared, "Write A's records of shared sites");
  app->add_option("--threads", args->options.threads, "Decompression threads per input")->default_val(0);
  AddFormatOption(*app, args->format);
  return {app, [args] { return RunCompare(*args); }};
}

}  // namespace vcfagent::cli
