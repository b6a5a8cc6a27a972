// The agent's file tools (tools.h): validate, stats, view and compare over the VCF/BCF files the
// user named. Each is a thin adapter over the vcf/ library.
#include <fmt/format.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>

#include "ai/tools.h"
#include "vcf/compare.h"
#include "vcf/compare_format.h"
#include "vcf/record_writer.h"
#include "vcf/site_pairing.h"
#include "vcf/stats.h"
#include "vcf/stats_format.h"
#include "vcf/validate/report_format.h"
#include "vcf/validate/validator.h"
#include "vcf/view.h"
#include "util/json_text.h"

namespace vcfagent::ai {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

const json kPathProperty = {{"type", "string"},
                            {"description", "A VCF/BCF file the user named (path as given on the command line)"}};

Result<ToolOutput> RunValidate(ToolContext& ctx, const json& args) {
  auto path = ctx.CheckReadablePath(args["path"].get<std::string>());
  if (!path.ok()) return path.status();
  vcf::ValidationOptions options;
  options.require_evidence = args.value("require_evidence", false);
  options.max_findings = args.value("max_findings", 20);
  auto report = vcf::ValidateFile(*path, options);
  if (!report.ok()) return report.status();
  return ToolOutput{vcf::ReportToJson(*report),
                    fmt::format("{}, {} errors, {} warnings, {} records", report->valid ? "valid" : "INVALID",
                                report->errors, report->warnings, report->records)};
}

constexpr const char* kDefaultStatsSections[] = {"input", "summary", "tstv", "singletons", "substitutions",
                                                 "per_sample"};

Result<ToolOutput> RunStats(ToolContext& ctx, const json& args) {
  auto path = ctx.CheckReadablePath(args["path"].get<std::string>());
  if (!path.ok()) return path.status();
  vcf::StatsOptions options;
  if (args.value("all_samples", false)) {
    options.samples = vcf::StatsOptions::Samples::kAll;
  } else if (args.contains("samples")) {
    options.samples = vcf::StatsOptions::Samples::kList;
    options.sample_names = args["samples"].get<std::vector<std::string>>();
  }
  options.threads = 0;
  auto stats = vcf::ComputeStats(*path, options);
  if (!stats.ok()) return stats.status();
  const json full = json::parse(DumpJson(vcf::StatsToJson(*stats)));
  std::vector<std::string> sections(std::begin(kDefaultStatsSections), std::end(kDefaultStatsSections));
  if (args.contains("sections")) {
    sections = args["sections"].get<std::vector<std::string>>();
    sections.insert(sections.begin(), "input");
  }
  json result = json::object();
  for (const auto& section : sections) {
    if (full.contains(section)) result[section] = full[section];
  }
  return ToolOutput{result, fmt::format("{} records, {} samples", stats->summary.records, stats->summary.samples)};
}

// Passes the first `limit` records to `inner`, then stops the view (a stop, not a failure).
class FirstRecordsSink : public vcf::RecordSink {
 public:
  static constexpr const char* kEnough = "enough records";
  FirstRecordsSink(vcf::RecordSink& inner, int64_t limit) : inner_(inner), limit_(limit) {}
  Status Begin(const bcf_hdr_t* header) override { return inner_.Begin(header); }
  Status Write(bcf1_t* rec) override {
    if (written_ == limit_) return Stop();
    ++written_;
    return inner_.Write(rec);
  }
  Status WriteVcfLine(std::string_view line) override {
    if (written_ == limit_) return Stop();
    ++written_;
    return inner_.WriteVcfLine(line);
  }
  Status Finish() override { return inner_.Finish(); }
  bool accepts_vcf_lines() const override { return inner_.accepts_vcf_lines(); }
  bool needs_samples() const override { return inner_.needs_samples(); }
  bool more() const { return more_; }
  int64_t written() const { return written_; }

 private:
  Status Stop() {
    more_ = true;
    return Status::Cancelled(kEnough);
  }
  vcf::RecordSink& inner_;
  int64_t limit_;
  int64_t written_ = 0;
  bool more_ = false;
};

// A private scratch directory for the record writer's output, removed afterwards.
class ScratchDir {
 public:
  ScratchDir() {
    std::string pattern = (fs::temp_directory_path() / "vcf-agent-view-XXXXXX").string();
    if (mkdtemp(pattern.data())) path_ = pattern;
  }
  ~ScratchDir() {
    std::error_code ec;
    if (!path_.empty()) fs::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

Result<ToolOutput> RunViewTool(ToolContext& ctx, const json& args) {
  auto path = ctx.CheckReadablePath(args["path"].get<std::string>());
  if (!path.ok()) return path.status();
  vcf::ViewOptions options;
  options.input = *path;
  if (args.contains("region")) options.regions.push_back(args["region"].get<std::string>());
  options.include_expr = args.value("include", "");
  options.exclude_expr = args.value("exclude", "");
  options.types = args.value("types", "");
  options.samples = args.value("samples", "");
  std::vector<std::string> warnings;
  options.warn = [&](std::string_view w) { warnings.emplace_back(w); };
  const bool as_vcf = args.value("format", "json") == "vcf";
  options.verbatim = as_vcf;
  const int64_t limit = args.value("limit", 20);

  ScratchDir scratch;
  if (scratch.path().empty()) return Status::IoError("cannot create a temporary directory for view");
  const std::string out_path = scratch.path() + (as_vcf ? "/records.vcf" : "/records.jsonl");
  vcf::WriterOptions writer_options;
  writer_options.format = as_vcf ? vcf::RecordFormat::kVcf : vcf::RecordFormat::kJsonLines;
  writer_options.write_header = false;
  writer_options.json_samples = args.value("genotypes", false);
  auto writer = vcf::OpenRecordWriter(out_path, writer_options);
  if (!writer.ok()) return writer.status();
  FirstRecordsSink sink(**writer, limit);
  auto summary = vcf::RunView(options, sink);
  if (!summary.ok()) {
    if (!sink.more()) return summary.status();
    VCFAGENT_RETURN_IF_ERROR(sink.Finish());
  }
  std::ifstream in(out_path);
  json records = json::array();
  for (std::string line; std::getline(in, line);) {
    if (line.empty()) continue;
    if (as_vcf) {
      records.push_back(line);
    } else {
      // The record writer always writes valid JSON (util/json_text.h); a line that does not
      // parse is a bug to report, never a value to pass on (it once appeared as "<discarded>").
      json record = json::parse(line, nullptr, /*allow_exceptions=*/false);
      if (record.is_discarded()) return Status::Internal("view: the JSON record writer wrote a line that is not JSON");
      records.push_back(std::move(record));
    }
  }
  json result = {{"path", *path},
                 {"returned", records.size()},
                 {"more", sink.more()},
                 {"format", as_vcf ? "vcf" : "json"},
                 {"records", records}};
  if (as_vcf) result["columns"] = "CHROM POS ID REF ALT QUAL FILTER INFO [FORMAT samples...] (tab-separated)";
  if (sink.more()) result["note"] = fmt::format("only the first {} matching records are shown", limit);
  if (!warnings.empty()) result["warnings"] = warnings;
  return ToolOutput{result, fmt::format("{} records{}", records.size(), sink.more() ? " (more exist)" : "")};
}

Result<ToolOutput> RunCompare(ToolContext& ctx, const json& args) {
  auto a = ctx.CheckReadablePath(args["path_a"].get<std::string>());
  if (!a.ok()) return a.status();
  auto b = ctx.CheckReadablePath(args["path_b"].get<std::string>());
  if (!b.ok()) return b.status();
  vcf::CompareOptions options;
  if (!vcf::ParseMatchMode(args.value("match", "none"), options.match)) {
    return Status::Usage("match must be one of none, some, all, snps, indels, both, id");
  }
  options.normalize = args.value("normalize", false);
  const std::string truth = args.value("truth", "none");
  options.truth = truth == "a" ? vcf::TruthFile::kA : truth == "b" ? vcf::TruthFile::kB : vcf::TruthFile::kNone;
  if (args.contains("region")) options.regions.push_back(args["region"].get<std::string>());
  auto result = vcf::CompareFiles(*a, *b, options);
  if (!result.ok()) return result.status();
  return ToolOutput{json::parse(vcf::FormatCompareJson(*result)),
                    fmt::format("{} shared, {} only in A, {} only in B", result->shared.total(),
                                result->a_only.total(), result->b_only.total())};
}

}  // namespace

std::vector<Tool> FileTools() {
  std::vector<Tool> tools;
  tools.push_back({"validate",
                   "Check a VCF/BCF file against the VCF specification (4.1-4.4). Use it when asked whether a "
                   "file is valid or well-formed, or before trusting numbers from a file that may be broken. "
                   "Returns the verdict, error and warning counts, a summary per rule and the first findings "
                   "with line numbers.",
                   ObjectSchema({{"path", kPathProperty},
                           {"require_evidence", {{"type", "boolean"}, {"description", "Require GT, AF or AC+AN on every record"}}},
                           {"max_findings", {{"type", "integer"}, {"minimum", 1}, {"maximum", 200}, {"default", 20},
                                             {"description", "Individual findings to list (all are counted)"}}}},
                          {"path"}),
                   false, RunValidate});
  tools.push_back({"stats",
                   "Summary statistics of a VCF/BCF file, identical to bcftools stats: record, SNP, indel, "
                   "MNP and multiallelic counts, Ts/Tv, singletons, substitution types, and per-sample counts "
                   "(hom-ref, hom-alt, het, missing, depth) when samples are asked for. Use it for 'how many', "
                   "Ts/Tv, quality-control and per-sample questions about a file.",
                   ObjectSchema({{"path", kPathProperty},
                           {"all_samples", {{"type", "boolean"}, {"description", "Per-sample statistics for every sample"}}},
                           {"samples", {{"type", "array"}, {"items", {{"type", "string"}}}, {"minItems", 1},
                                        {"description", "Per-sample statistics for these samples only"}}},
                           {"sections", {{"type", "array"}, {"uniqueItems", true},
                                         {"items", {{"enum", {"summary", "tstv", "singletons", "af", "qual",
                                                              "indel_distribution", "substitutions", "depth",
                                                              "per_sample", "hwe"}}}},
                                         {"description", "Sections to return (default: summary, tstv, singletons, "
                                                         "substitutions, per_sample); af, qual, depth and hwe are "
                                                         "histograms"}}}},
                          {"path"}),
                   false, RunStats});
  tools.push_back({"view",
                   "Read the records of a VCF/BCF file, optionally in a region and filtered by a bcftools-style "
                   "expression, as JSON objects or VCF lines. Use it to look at specific records, e.g. what is "
                   "at a position, or the records passing a filter. Returns at most `limit` records and says "
                   "when more exist.",
                   ObjectSchema({{"path", kPathProperty},
                           {"region", {{"type", "string"}, {"description", "bcftools regions, e.g. chr1:100-200,chr2"}}},
                           {"include", {{"type", "string"}, {"description", "Keep records matching, e.g. 'QUAL>30 && INFO/DP>10'"}}},
                           {"exclude", {{"type", "string"}, {"description", "Drop records matching the expression"}}},
                           {"types", {{"type", "string"}, {"description", "Variant types to keep: snps,indels,mnps,other"}}},
                           {"samples", {{"type", "string"}, {"description", "Samples to keep, e.g. 'A,B' (or '^A' to drop)"}}},
                           {"genotypes", {{"type", "boolean"}, {"description", "JSON: include each sample's FORMAT fields"}}},
                           {"limit", {{"type", "integer"}, {"minimum", 1}, {"maximum", 500}, {"default", 20}}},
                           {"format", {{"enum", {"json", "vcf"}}, {"default", "json"}}}},
                          {"path"}),
                   false, RunViewTool});
  tools.push_back({"compare",
                   "Compare two VCF/BCF files: sites shared and private to each by variant class, genotype "
                   "concordance per sample, and precision/recall/F1 when one file is the truth set. Use it for "
                   "'how do these files differ' or benchmarking a call set.",
                   ObjectSchema({{"path_a", kPathProperty},
                           {"path_b", kPathProperty},
                           {"match", {{"enum", {"none", "some", "all", "snps", "indels", "both", "id"}},
                                      {"description", "Record matching as bcftools isec -c (default none: exact alleles)"}}},
                           {"normalize", {{"type", "boolean"}, {"description", "Split multiallelic records first"}}},
                           {"truth", {{"enum", {"none", "a", "b"}}, {"description", "Which file is the truth set"}}},
                           {"region", {{"type", "string"}, {"description", "Only these regions"}}}},
                          {"path_a", "path_b"}),
                   false, RunCompare});
  return tools;
}

}  // namespace vcfagent::ai
