// `vcf-agent stats` against bcftools 1.16, the reference it reproduces.
//
// Two sources of truth: the stored outputs of Debian's bcftools 1.16 for the corpus' real files
// (oracles/bcftools-1.16/MANIFEST.tsv, kind=stats), and bcftools 1.16 itself, run here on every
// bcftools test input (bcftools/test/*.vcf). The sections SN, TSTV, SiS, AF, QUAL, IDD, ST, DP and
// PSC must be equal line by line (PSI and HWE are compared too: we print them the same way).
#include <dirent.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <ostream>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "support/test_support.h"

namespace vcfagent {
namespace {

using testing::CorpusPath;
using testing::RunProgram;
using testing::RunVcfAgent;

const char* const kSections[] = {"SN", "TSTV", "SiS", "AF", "QUAL", "IDD", "ST", "DP", "PSC", "PSI", "HWE"};

// The corpus root without failing the test: used while tests are being registered.
std::string CorpusRoot() {
  const char* env = std::getenv("VCFAGENT_CORPUS_DIR");
  return env && *env ? env : VCFAGENT_CORPUS_DIR;
}

// The lines of the compared sections, in output order.
std::vector<std::string> SectionLines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    const std::string tag = line.substr(0, line.find('\t'));
    if (std::find(std::begin(kSections), std::end(kSections), tag) != std::end(kSections)) {
      lines.push_back(line);
    }
  }
  return lines;
}

// Compares line by line so that a failure shows the first differing line, not two blobs.
void ExpectSameSections(const std::string& expected, const std::string& actual, const std::string& what) {
  const auto want = SectionLines(expected);
  const auto got = SectionLines(actual);
  ASSERT_FALSE(want.empty()) << what << ": the reference output has no statistics";
  for (size_t i = 0; i < std::min(want.size(), got.size()); ++i) {
    ASSERT_EQ(want[i], got[i]) << what << ": line " << i + 1 << " of the compared sections";
  }
  ASSERT_EQ(want.size(), got.size()) << what << ": number of lines in the compared sections";
}

std::string ParamName(std::string name) {
  for (char& c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  }
  return name;
}

// ---- stored bcftools 1.16 outputs ---------------------------------------------------------------

struct OracleCase {
  std::string name, input, output;
};
// Names the case by its input in test listings (instead of a byte dump).
void PrintTo(const OracleCase& c, std::ostream* os) { *os << c.input; }

std::vector<OracleCase> OracleCases() {
  std::vector<OracleCase> cases;
  std::ifstream in(CorpusRoot() + "/oracles/bcftools-1.16/MANIFEST.tsv");
  std::string line;
  while (std::getline(in, line)) {
    std::vector<std::string> f;
    std::stringstream ss(line);
    std::string field;
    while (std::getline(ss, field, '\t')) f.push_back(field);
    if (f.size() >= 4 && f[2] == "stats") cases.push_back({f[0], f[1], f[3]});
  }
  return cases;
}

class StatsOracleTest : public ::testing::TestWithParam<OracleCase> {};

TEST_P(StatsOracleTest, SectionsEqualBcftools116) {
  const OracleCase& c = GetParam();
  const std::string expected = testing::ReadFile(CorpusPath("oracles/bcftools-1.16/" + c.output));
  const auto result = RunVcfAgent({"stats", "-s", "-", CorpusPath(c.input)});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  ExpectSameSections(expected, result.out, c.input);
}

// --threads 0 takes the other reading path: VariantReader parses whole lines on one thread.
TEST_P(StatsOracleTest, SingleThreadedPathGivesTheSameSections) {
  const OracleCase& c = GetParam();
  const std::string expected = testing::ReadFile(CorpusPath("oracles/bcftools-1.16/" + c.output));
  const auto result = RunVcfAgent({"stats", "--threads", "0", "-s", "-", CorpusPath(c.input)});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  ExpectSameSections(expected, result.out, c.input);
}

INSTANTIATE_TEST_SUITE_P(Corpus, StatsOracleTest, ::testing::ValuesIn(OracleCases()),
                         [](const auto& info) { return ParamName(info.param.name); });

// ---- bcftools 1.16 run on every bcftools test input ---------------------------------------------

std::vector<std::string> BcftoolsTestInputs() {
  std::vector<std::string> names;
  const std::string dir = CorpusRoot() + "/bcftools/test";
  if (DIR* d = opendir(dir.c_str())) {
    while (const dirent* e = readdir(d)) {
      const std::string name = e->d_name;
      if (name.size() > 4 && name.compare(name.size() - 4, 4, ".vcf") == 0) names.push_back(name);
    }
    closedir(d);
  }
  std::sort(names.begin(), names.end());
  return names;
}

// Runs bcftools and vcf-agent with the same arguments and compares; handles inputs bcftools
// refuses. Returns false when the case was skipped.
void CompareWithBcftools(const std::vector<std::string>& args, const std::string& path) {
  std::vector<std::string> bcftools_args = {"stats"};
  bcftools_args.insert(bcftools_args.end(), args.begin(), args.end());
  bcftools_args.push_back(path);
  const auto reference = RunProgram("bcftools", bcftools_args);
  const auto ours = RunVcfAgent(bcftools_args);
  if (reference.exit_code != 0) {
    EXPECT_NE(ours.exit_code, 0) << "bcftools fails on this input (" << reference.err
                                 << ") but vcf-agent accepted it";
    EXPECT_TRUE(ours.out.empty()) << "no partial output on failure";
    EXPECT_EQ(ours.err.rfind("vcf-agent stats: ", 0), 0u) << ours.err;
    EXPECT_EQ(std::count(ours.err.begin(), ours.err.end(), '\n'), 1) << "one message: " << ours.err;
    return;
  }
  ASSERT_EQ(ours.exit_code, 0) << ours.err;
  ExpectSameSections(reference.out, ours.out, path);
}

class StatsBcftoolsTest : public ::testing::TestWithParam<std::string> {};

TEST_P(StatsBcftoolsTest, AllSamplesEqualBcftools) {
  CompareWithBcftools({"-s", "-"}, CorpusPath("bcftools/test/" + GetParam()));
}

TEST_P(StatsBcftoolsTest, SitesOnlyEqualBcftools) {
  CompareWithBcftools({}, CorpusPath("bcftools/test/" + GetParam()));
}

INSTANTIATE_TEST_SUITE_P(BcftoolsTestSuite, StatsBcftoolsTest, ::testing::ValuesIn(BcftoolsTestInputs()),
                         [](const auto& info) { return ParamName(info.param); });

// ---- the same file as VCF, bgzipped VCF, BCF and standard input --------------------------------

TEST(StatsInputFormatsTest, BgzipBcfAndStdinGiveBcftoolsNumbers) {
  testing::TempDir dir;
  const std::string vcf = CorpusPath("bcftools/test/stats.counts.vcf");
  const std::string gz = dir.File("in.vcf.gz"), bcf = dir.File("in.bcf");
  ASSERT_EQ(RunProgram("bcftools", {"view", "-Oz", "-o", gz, vcf}).exit_code, 0);
  ASSERT_EQ(RunProgram("bcftools", {"view", "-Ob", "-o", bcf, vcf}).exit_code, 0);
  const auto reference = RunProgram("bcftools", {"stats", "-s", "-", vcf});
  ASSERT_EQ(reference.exit_code, 0) << reference.err;
  for (const std::string& input : {gz, bcf}) {
    const auto ours = RunVcfAgent({"stats", "-s", "-", input});
    ASSERT_EQ(ours.exit_code, 0) << ours.err;
    ExpectSameSections(reference.out, ours.out, input);
  }
  const auto from_stdin = RunVcfAgent({"stats", "-s", "-", "-"}, testing::ReadFile(vcf));
  ASSERT_EQ(from_stdin.exit_code, 0) << from_stdin.err;
  ExpectSameSections(reference.out, from_stdin.out, "stdin");
}

TEST(StatsInputFormatsTest, SampleListEqualsBcftools) {
  const std::string vcf = CorpusPath("slivar/tests/ashk-trio.vcf.gz");
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"-s", "HG004,HG002"}, std::vector<std::string>{"-s", "HG004,NOPE"}}) {
    SCOPED_TRACE(args[1]);
    CompareWithBcftools(args, vcf);
  }
}

// plot-vcfstats (shipped with bcftools) parses a stats file into .dat tables before plotting;
// ours must give it the same tables as bcftools' output does. The plotting step itself needs
// matplotlib, which may be missing: only the tables are compared.
TEST(StatsPlotVcfstatsTest, ParsesOurOutputIntoTheSameTables) {
  if (RunProgram("sh", {"-c", "command -v plot-vcfstats"}).exit_code != 0) {
    GTEST_SKIP() << "plot-vcfstats is not installed";
  }
  testing::TempDir dir;
  const std::string vcf = CorpusPath("slivar/tests/ashk-trio.vcf.gz");
  const auto reference = RunProgram("bcftools", {"stats", "-s", "-", vcf});
  const auto ours = RunVcfAgent({"stats", "-s", "-", vcf});
  ASSERT_EQ(reference.exit_code, 0);
  ASSERT_EQ(ours.exit_code, 0) << ours.err;
  testing::WriteFile(dir.File("bcftools.vchk"), reference.out);
  testing::WriteFile(dir.File("ours.vchk"), ours.out);
  RunProgram("plot-vcfstats", {"-P", "-p", dir.File("bcftools"), dir.File("bcftools.vchk")});
  RunProgram("plot-vcfstats", {"-P", "-p", dir.File("ours"), dir.File("ours.vchk")});
  int compared = 0;
  if (DIR* d = opendir(dir.File("bcftools").c_str())) {
    while (const dirent* e = readdir(d)) {
      const std::string name = e->d_name;
      if (name.size() < 4 || name.compare(name.size() - 4, 4, ".dat") != 0) continue;
      EXPECT_EQ(testing::ReadFile(dir.File("bcftools/" + name)), testing::ReadFile(dir.File("ours/" + name)))
          << name;
      ++compared;
    }
    closedir(d);
  }
  EXPECT_GE(compared, 5) << "plot-vcfstats wrote too few tables";
}

}  // namespace
}  // namespace vcfagent
