// The agent's `report` tool (tools.h): the facts of `vcf-agent analyze` for a file the user named
// (validation, QC, per-sample outliers, sex, relatedness, notable variants), by section, so a
// model can answer "is this cohort's data sound, and what stands out?" from computed numbers.
#include <fmt/format.h>

#include "ai/report/report_facts.h"
#include "ai/tools.h"

namespace vcfagent::ai {
namespace {

using nlohmann::json;

constexpr const char* kSections[] = {"validation", "qc", "sex", "relatedness", "pedigree", "notable_variants"};

Result<ToolOutput> RunReport(ToolContext& ctx, const json& args) {
  auto path = ctx.CheckReadablePath(args["path"].get<std::string>());
  if (!path.ok()) return path.status();
  report::AnalyzeOptions options;
  if (args.contains("ped")) {
    auto ped = ctx.CheckReadablePath(args["ped"].get<std::string>());
    if (!ped.ok()) return ped.status();
    options.ped_path = *ped;
  }
  auto facts = report::AnalyzeFile(*path, options);
  if (!facts.ok()) return facts.status();
  std::vector<std::string> sections = args.value(
      "sections", std::vector<std::string>{"validation", "qc", "sex", "relatedness", "notable_variants"});
  if (options.ped_path.size() > 0 && !args.contains("sections")) sections.push_back("pedigree");
  json result = {{"facts_version", (*facts)["facts_version"]}, {"input", (*facts)["input"]}};
  for (const std::string& section : sections) {
    if (facts->contains(section)) result[section] = (*facts)[section];
  }
  const json& validation = (*facts)["validation"];
  return ToolOutput{result, fmt::format("report of {}: {}", *path,
                                        validation.value("valid", false) ? "valid" : "INVALID")};
}

}  // namespace

std::vector<Tool> ReportTools() {
  json section_names = json::array();
  for (const char* name : kSections) section_names.push_back(name);
  return {{"report",
           "The analysis report of a VCF/BCF file the user named, as computed facts: validation verdict, "
           "quality control (Ts/Tv, het/hom-alt ratios, missingness, depth and quality, per-sample "
           "outliers by robust z-score), inferred sex, relatedness (KING kinship), and notable variants "
           "(ClinVar pathogenic or likely pathogenic, high-impact consequences, rare loss-of-function, "
           "with carriers). Use it for overall quality and 'what stands out in this file' questions. It "
           "reads the whole file (seconds for large files).",
           ObjectSchema({{"path", {{"type", "string"},
                                   {"description", "A VCF/BCF file the user named (path as given on the command line)"}}},
                         {"ped", {{"type", "string"},
                                  {"description", "A PED file the user named: expected sexes and relationships"}}},
                         {"sections", {{"type", "array"},
                                       {"uniqueItems", true},
                                       {"minItems", 1},
                                       {"items", {{"enum", section_names}}},
                                       {"description", "Sections to return (default: all but pedigree, which "
                                                       "comes with ped)"}}}},
                        {"path"}),
           false, RunReport}};
}

}  // namespace vcfagent::ai
