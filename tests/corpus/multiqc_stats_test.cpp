// MultiQC reads `vcf-agent stats` as a bcftools stats report, unchanged.
//
// Debian's MultiQC (1.14, installed by scripts/setup.sh) is run once on `bcftools stats` outputs and
// once on `vcf-agent stats` outputs of the same corpus files, each written under the same file name
// in its own directory, so that MultiQC names every report and sample identically in both runs.
// What MultiQC tabulates must then be equal: its data files (multiqc_bcftools_stats.txt, the
// general statistics table, the source list) and the data behind its plots, which hold the
// per-sample tables it derives from PSC (sites, Ts/Tv, singletons and depth per sample) and the
// QUAL, IDD, ST and DP sections.
#include <sys/stat.h>

#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "support/test_support.h"

namespace vcfagent {
namespace {

using testing::CorpusPath;
using testing::RunProgram;
using testing::RunVcfAgent;

bool MultiqcInstalled() { return RunProgram("sh", {"-c", "command -v multiqc"}).exit_code == 0; }

bool FileExists(const std::string& path) {
  struct stat st {};
  return stat(path.c_str(), &st) == 0;
}

// A file name MultiQC keeps as is (it strips known extensions such as .vcf.gz from sample names).
std::string ReportName(const std::string& input) {
  std::string name = input.substr(input.rfind('/') + 1);
  for (char& c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-') c = '_';
  }
  return name + ".stats";
}

// Writes one stats report per input into DIR/in with `program` ("bcftools" or "vcf-agent"), runs
// MultiQC on DIR/in and returns DIR/out/multiqc_data.
std::string RunMultiqc(const testing::TempDir& tmp, const std::string& program, const std::vector<std::string>& inputs,
                       bool samples) {
  const std::string dir = tmp.File(program);
  EXPECT_EQ(mkdir(dir.c_str(), 0755), 0);
  EXPECT_EQ(mkdir((dir + "/in").c_str(), 0755), 0);
  for (const std::string& input : inputs) {
    std::vector<std::string> args = {"stats"};
    if (samples) args.insert(args.end(), {"-s", "-"});
    args.push_back(CorpusPath(input));
    const auto result = program == "bcftools" ? RunProgram("bcftools", args) : RunVcfAgent(args);
    EXPECT_EQ(result.exit_code, 0) << program << " " << input << ": " << result.err;
    testing::WriteFile(dir + "/in/" + ReportName(input), result.out);
  }
  // No version check: it would try to reach multiqc.info.
  const auto multiqc = RunProgram("multiqc", {"--quiet", "--force", "--no-report", "--module", "bcftools",
                                              "--cl-config", "no_version_check: true", "--outdir", dir + "/out",
                                              dir + "/in"});
  EXPECT_EQ(multiqc.exit_code, 0) << multiqc.out << multiqc.err;
  return dir + "/out/multiqc_data";
}

void ExpectSameTabulation(const std::vector<std::string>& inputs, bool samples) {
  testing::TempDir tmp;
  const std::string reference = RunMultiqc(tmp, "bcftools", inputs, samples);
  const std::string ours = RunMultiqc(tmp, "vcf-agent", inputs, samples);

  // The main table: one row per report, found in both runs.
  const std::string table = "multiqc_bcftools_stats.txt";
  ASSERT_TRUE(FileExists(reference + "/" + table)) << "MultiQC found no report in bcftools' output";
  ASSERT_TRUE(FileExists(ours + "/" + table)) << "MultiQC found no bcftools stats report in vcf-agent's output";
  const std::string expected_table = testing::ReadFile(reference + "/" + table);
  ASSERT_EQ(testing::Lines(expected_table).size(), inputs.size() + 1) << expected_table;
  EXPECT_EQ(expected_table, testing::ReadFile(ours + "/" + table));
  EXPECT_EQ(testing::ReadFile(reference + "/multiqc_general_stats.txt"),
            testing::ReadFile(ours + "/multiqc_general_stats.txt"));

  // The sources name the same reports (the directories differ by design).
  std::string expected_sources = testing::ReadFile(reference + "/multiqc_sources.txt");
  std::string sources = testing::ReadFile(ours + "/multiqc_sources.txt");
  for (auto* text : {&expected_sources, &sources}) {
    for (const std::string& side : {tmp.File("bcftools"), tmp.File("vcf-agent")}) {
      for (size_t at = text->find(side); at != std::string::npos; at = text->find(side)) text->replace(at, side.size(), "DIR");
    }
  }
  EXPECT_EQ(expected_sources, sources);

  // Every table behind a plot, and the parsed data MultiQC saved.
  const auto expected_json = nlohmann::json::parse(testing::ReadFile(reference + "/multiqc_data.json"));
  const auto json = nlohmann::json::parse(testing::ReadFile(ours + "/multiqc_data.json"));
  const auto& plots = expected_json.at("report_plot_data");
  if (samples) {
    for (const char* per_sample : {"bcftools-stats-sites", "bcftools-stats-tstv", "bcftools-stats-singletons",
                                   "bcftools-stats-depth"}) {
      EXPECT_TRUE(plots.contains(per_sample)) << "bcftools' output gave MultiQC no " << per_sample << " table";
    }
  }
  for (const auto& [id, plot] : plots.items()) {
    ASSERT_TRUE(json.at("report_plot_data").contains(id)) << "no " << id << " from vcf-agent's output";
    EXPECT_EQ(plot, json.at("report_plot_data").at(id)) << id;
  }
  EXPECT_EQ(plots.size(), json.at("report_plot_data").size());
  for (const char* key : {"report_saved_raw_data", "report_general_stats_data", "report_general_stats_headers"}) {
    EXPECT_EQ(expected_json.at(key), json.at(key)) << key;
  }
}

TEST(MultiqcStatsTest, FilesWithSamplesTabulateAsBcftoolsWithAllSamples) {
  if (!MultiqcInstalled()) GTEST_SKIP() << "multiqc is not installed (scripts/setup.sh installs it)";
  ExpectSameTabulation({"slivar/tests/ashk-trio.vcf.gz",                                               // trio
                        "vcflib/samples/1kg-phaseIII-v5a.20130502.genotypes.chr22-16-16.5mb.vcf.gz",  // 2,504 samples
                        "bcftools/test/stats.counts.vcf"},  // multiallelic sites, haploid and missing genotypes
                       true);
}

TEST(MultiqcStatsTest, SitesOnlyFilesTabulateAsBcftools) {
  if (!MultiqcInstalled()) GTEST_SKIP() << "multiqc is not installed (scripts/setup.sh installs it)";
  ExpectSameTabulation({"vcfanno/example/exac.vcf.gz", "slivar/tests/clinvar_20191007.vcf.gz"}, false);
}

}  // namespace
}  // namespace vcfagent
