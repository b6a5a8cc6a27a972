// `vcf-agent analyze` end to end: the three formats, self-contained HTML with well-formed SVG
// (checked by Python's XML parser), text from the file escaped, the plain no-AI statement, and
// bad input (one message, exit 2 or 1, no partial file).
#include <sys/stat.h>
#include <unistd.h>

#include <regex>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "support/test_support.h"

namespace vcfagent {
namespace {

using testing::ExamplePath;
using testing::ReadFile;
using testing::RunProgram;
using testing::RunVcfAgent;
using testing::TempDir;
using testing::WriteFile;

bool Exists(const std::string& path) { return access(path.c_str(), F_OK) == 0; }

// Every <svg>...</svg> of an HTML file parsed as XML by Python (a parser we did not write).
constexpr const char* kSvgCheck = R"PY(
import re, sys, xml.etree.ElementTree as ET
html = open(sys.argv[1], encoding='utf-8').read()
svgs = re.findall(r'<svg\b.*?</svg>', html, re.S)
for s in svgs:
    root = ET.fromstring(s)
    assert root.tag == '{http://www.w3.org/2000/svg}svg', root.tag
    assert root.find('{http://www.w3.org/2000/svg}title') is not None
print(len(svgs))
)PY";

TEST(AnalyzeCliTest, HtmlReportIsSelfContainedWithWellFormedPlots) {
  TempDir dir;
  const std::string out = dir.File("trio.html");
  auto r = RunVcfAgent({"analyze", ExamplePath("giab-ashk-trio-slice.vcf.gz"), "--ped", ExamplePath("giab-ashk-trio.ped"),
                        "-o", out});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "");
  const std::string html = ReadFile(out);
  EXPECT_EQ(html.rfind("<!DOCTYPE html>", 0), 0u);
  // No external resources: no http(s) src/href, no scripts, no @import.
  EXPECT_FALSE(std::regex_search(html, std::regex(R"((src|href)\s*=\s*["']?(https?:)?//)", std::regex::icase)));
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_EQ(html.find("@import"), std::string::npos);
  EXPECT_NE(html.find("id=\"ai-interpretation\""), std::string::npos);
  EXPECT_NE(html.find("No AI interpretation was made (--ai not given)."), std::string::npos);
  for (const char* plot : {"plot-variant-types", "plot-quality", "plot-depth", "plot-af-spectrum", "plot-indel-lengths",
                           "plot-samples"}) {
    EXPECT_NE(html.find(std::string("id=\"") + plot + "\""), std::string::npos) << plot;
  }
  auto py = RunProgram("python3", {"-c", kSvgCheck, out});
  ASSERT_EQ(py.exit_code, 0) << py.err;
  EXPECT_EQ(std::stoi(py.out), 6);
  // The facts are there: both parent-child pairs, and the trio's high-impact variant in NPHP4.
  EXPECT_NE(html.find("parent-child"), std::string::npos);
  EXPECT_NE(html.find("NPHP4"), std::string::npos);
}

TEST(AnalyzeCliTest, JsonAndMarkdownCarryTheSameFacts) {
  TempDir dir;
  auto j = RunVcfAgent({"analyze", ExamplePath("giab-ashk-trio-slice.vcf.gz"), "-o", dir.File("r.json")});
  ASSERT_EQ(j.exit_code, 0) << j.err;
  const auto facts = nlohmann::json::parse(ReadFile(dir.File("r.json")));
  EXPECT_EQ(facts["facts_version"], "vcf-agent-report-facts/1");
  EXPECT_EQ(facts["interpretation"]["status"], "not-made");
  EXPECT_EQ(facts["interpretation"]["statement"], "No AI interpretation was made (--ai not given).");
  EXPECT_TRUE(facts["pedigree"].is_null());
  // Markdown on standard output by default.
  auto md = RunVcfAgent({"analyze", ExamplePath("giab-ashk-trio-slice.vcf.gz")});
  ASSERT_EQ(md.exit_code, 0) << md.err;
  EXPECT_EQ(md.out.rfind("# VCF analysis report: giab-ashk-trio-slice.vcf.gz", 0), 0u);
  EXPECT_NE(md.out.find("| Ts/Tv | " + facts["qc"]["tstv"]["ts_tv"].dump() + " |"), std::string::npos);
  EXPECT_NE(md.out.find("## AI interpretation\n\nNo AI interpretation was made (--ai not given)."), std::string::npos);
  EXPECT_EQ(md.out.find("<svg"), std::string::npos);
  // --format wins over the extension.
  auto forced = RunVcfAgent({"analyze", ExamplePath("giab-ashk-trio-slice.vcf.gz"), "--format", "json", "-o", "-"});
  ASSERT_EQ(forced.exit_code, 0) << forced.err;
  EXPECT_EQ(nlohmann::json::parse(forced.out)["qc"], facts["qc"]);
}

TEST(AnalyzeCliTest, TextFromTheFileIsEscaped) {
  TempDir dir;
  const std::string vcf = dir.File("evil.vcf");
  std::string text =
      "##fileformat=VCFv4.2\n##contig=<ID=1,length=1000>\n"
      "##INFO=<ID=CSQ,Number=.,Type=String,Description=\"Consequence annotations from Ensembl VEP. Format: Allele|Consequence|IMPACT|SYMBOL\">\n"
      "##FORMAT=<ID=GT,Number=1,Type=String,Description=\"Genotype\">\n"
      "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\t<script>alert(1)</script>\tS|2\n"
      "1\t10\t.\tC\tT\t50\tPASS\tCSQ=T|stop_gained|HIGH|<img/src=x>\tGT\t0/1\t0/0\n";
  WriteFile(vcf, text);
  auto r = RunVcfAgent({"analyze", vcf, "-o", dir.File("evil.html")});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string html = ReadFile(dir.File("evil.html"));
  EXPECT_EQ(html.find("<script>"), std::string::npos);
  EXPECT_EQ(html.find("<img"), std::string::npos);
  EXPECT_NE(html.find("&lt;script&gt;alert(1)&lt;/script&gt;"), std::string::npos);
  auto py = RunProgram("python3", {"-c", kSvgCheck, dir.File("evil.html")});
  EXPECT_EQ(py.exit_code, 0) << py.err;
  auto md = RunVcfAgent({"analyze", vcf, "-o", dir.File("evil.md")});
  ASSERT_EQ(md.exit_code, 0) << md.err;
  const std::string text_md = ReadFile(dir.File("evil.md"));
  EXPECT_EQ(text_md.find("<img"), std::string::npos);
  EXPECT_NE(text_md.find("S\\|2"), std::string::npos);  // a pipe in a sample name stays in its cell
}

TEST(AnalyzeCliTest, MissingFileIsOneMessageExit2NoOutput) {
  TempDir dir;
  auto r = RunVcfAgent({"analyze", dir.File("absent.vcf.gz"), "-o", dir.File("r.html")});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(testing::Lines(r.err).size(), 1u) << r.err;
  EXPECT_EQ(r.err.rfind("vcf-agent analyze: ", 0), 0u) << r.err;
  EXPECT_NE(r.err.find("absent.vcf.gz"), std::string::npos);
  EXPECT_FALSE(Exists(dir.File("r.html")));
}

TEST(AnalyzeCliTest, UnsupportedExtensionIsAUsageError) {
  TempDir dir;
  auto r = RunVcfAgent({"analyze", ExamplePath("giab-ashk-trio-slice.vcf.gz"), "-o", dir.File("r.pdf")});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(testing::Lines(r.err).size(), 1u) << r.err;
  EXPECT_NE(r.err.find("'.pdf'"), std::string::npos) << r.err;
  EXPECT_FALSE(Exists(dir.File("r.pdf")));
  auto f = RunVcfAgent({"analyze", ExamplePath("giab-ashk-trio-slice.vcf.gz"), "--format", "pdf"});
  EXPECT_EQ(f.exit_code, 2);
  EXPECT_NE(f.err.find("unknown report format 'pdf'"), std::string::npos) << f.err;
}

TEST(AnalyzeCliTest, UnwritableOutputIsExit2WithoutPartialFile) {
  TempDir dir;
  const std::string locked = dir.File("locked");
  ASSERT_EQ(mkdir(locked.c_str(), 0500), 0);
  auto r = RunVcfAgent({"analyze", ExamplePath("giab-ashk-trio-slice.vcf.gz"), "-o", locked + "/r.json"});
  chmod(locked.c_str(), 0700);
  if (geteuid() != 0) {  // root writes anywhere
    EXPECT_EQ(r.exit_code, 2) << r.err;
    EXPECT_EQ(testing::Lines(r.err).size(), 1u) << r.err;
    EXPECT_FALSE(Exists(locked + "/r.json"));
  }
  auto missing_dir = RunVcfAgent({"analyze", ExamplePath("giab-ashk-trio-slice.vcf.gz"), "-o", dir.File("no/such/r.json")});
  EXPECT_EQ(missing_dir.exit_code, 2);
  EXPECT_EQ(testing::Lines(missing_dir.err).size(), 1u) << missing_dir.err;
}

TEST(AnalyzeCliTest, UnparseableRecordIsExit1NamingTheLineAndNoPartialFile) {
  TempDir dir;
  // slivar's test.vcf has a genotype allele 6 on a record with two ALTs (line 186).
  auto r = RunVcfAgent({"analyze", testing::CorpusPath("slivar/tests/test.vcf"), "-o", dir.File("r.html")});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_EQ(testing::Lines(r.err).size(), 1u) << r.err;
  EXPECT_NE(r.err.find("test.vcf:186"), std::string::npos) << r.err;
  EXPECT_FALSE(Exists(dir.File("r.html")));
}

TEST(AnalyzeCliTest, StandardInputIsRefused) {
  auto r = RunVcfAgent({"analyze", "-"}, "##fileformat=VCFv4.2\n");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("standard input"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace vcfagent
