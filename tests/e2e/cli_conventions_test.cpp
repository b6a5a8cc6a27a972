// The conventions every command shares: exit statuses, one precise error line on stderr,
// standard input, and outputs that are complete or absent.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "support/test_support.h"

namespace vcfagent {
namespace {

using testing::CommandResult;
using testing::RunVcfAgent;
using testing::TempDir;

std::string Example() { return testing::ExamplePath("1kg-chr22-slice.vcf.gz"); }

// The lines of stderr that are vcf-agent's own messages.
std::vector<std::string> ErrorLines(const std::string& err) {
  std::vector<std::string> lines;
  size_t start = 0;
  while (start < err.size()) {
    size_t end = err.find('\n', start);
    if (end == std::string::npos) end = err.size();
    std::string line = err.substr(start, end - start);
    if (line.rfind("vcf-agent", 0) == 0) lines.push_back(line);
    start = end + 1;
  }
  return lines;
}

std::vector<std::string> CommandWith(const std::string& command, const std::string& file) {
  if (command == "compare") return {command, file, file};
  return {command, file};
}

class EveryCommand : public ::testing::TestWithParam<std::string> {};

TEST_P(EveryCommand, MissingFileIsAnIoErrorWithOneMessage) {
  const std::string missing = "/nonexistent/dir/in.vcf";
  const CommandResult r = RunVcfAgent(CommandWith(GetParam(), missing));
  EXPECT_EQ(r.exit_code, 2) << r.err;
  const auto lines = ErrorLines(r.err);
  ASSERT_EQ(lines.size(), 1u) << r.err;
  EXPECT_EQ(lines[0].rfind("vcf-agent " + GetParam() + ": ", 0), 0u) << lines[0];
  EXPECT_NE(lines[0].find(missing), std::string::npos) << lines[0];
}

TEST_P(EveryCommand, UnknownFlagIsAUsageError) {
  auto args = CommandWith(GetParam(), Example());
  args.push_back("--no-such-flag");
  const CommandResult r = RunVcfAgent(args);
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("--no-such-flag"), std::string::npos) << r.err;
}

TEST_P(EveryCommand, NonVcfInputIsInvalidInput) {
  const std::string zip = testing::CorpusPath(
      "vcf-validator/test/input_files/v4.3/compressed_files/non_readable/compressed.vcf.tar.zip");
  const CommandResult r = RunVcfAgent(CommandWith(GetParam(), zip));
  EXPECT_EQ(r.exit_code, 1) << r.err;
  // validate reports it as a finding on stdout; the other commands as an error on stderr.
  const std::string& report = GetParam() == "validate" ? r.out : r.err;
  EXPECT_NE(report.find("compressed.vcf.tar.zip"), std::string::npos) << r.out << r.err;
}

TEST_P(EveryCommand, SucceedsOnTheBundledExample) {
  const CommandResult r = RunVcfAgent(CommandWith(GetParam(), Example()));
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_FALSE(r.out.empty());
  EXPECT_TRUE(ErrorLines(r.err).empty()) << r.err;
}

TEST_P(EveryCommand, HelpExitsZero) {
  const CommandResult r = RunVcfAgent({GetParam(), "--help"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_NE(r.out.find(GetParam()), std::string::npos);
}

INSTANTIATE_TEST_SUITE_P(Cli, EveryCommand,
                         ::testing::Values("validate", "stats", "view", "compare"));

TEST(CliTest, VersionAndNoCommand) {
  CommandResult r = RunVcfAgent({"--version"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_NE(r.out.find("vcf-agent " VCFAGENT_VERSION), std::string::npos) << r.out;
  r = RunVcfAgent({});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_FALSE(r.err.empty());
}

TEST(CliTest, StandardInputIsRead) {
  const std::string vcf =
      "##fileformat=VCFv4.2\n##contig=<ID=1,length=1000>\n"
      "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n1\t10\t.\tA\tG\t50\tPASS\t.\n";
  for (const std::string command : {"validate", "stats", "view"}) {
    const CommandResult r = RunVcfAgent({command, "-"}, vcf);
    EXPECT_EQ(r.exit_code, 0) << command << ": " << r.err;
    EXPECT_FALSE(r.out.empty()) << command;
  }
}

TEST(CliTest, FailedRunLeavesNoOutputFile) {
  TempDir dir;
  // A valid header, then a record htslib cannot parse: stats fails after it started writing.
  const std::string bad = dir.File("bad.vcf");
  testing::WriteFile(bad,
                     "##fileformat=VCFv4.2\n##contig=<ID=1,length=1000>\n"
                     "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n"
                     "1\t10\t.\tA\tG\t50\tPASS\t.\n1\tnot-a-number\t.\tA\tG\t50\tPASS\t.\n");
  const std::string out = dir.File("stats.txt");
  const CommandResult r = RunVcfAgent({"stats", "-o", out, bad});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.err.find("bad.vcf:5"), std::string::npos) << r.err;
  std::vector<std::string> left;
  for (const auto& entry : std::filesystem::directory_iterator(dir.path())) {
    left.push_back(entry.path().filename().string());
  }
  EXPECT_EQ(left, std::vector<std::string>{"bad.vcf"});
}

TEST(CliTest, OutputIntoMissingDirectoryIsAnIoError) {
  const CommandResult r = RunVcfAgent({"stats", "-o", "/nonexistent/dir/out.txt", Example()});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_EQ(ErrorLines(r.err).size(), 1u) << r.err;
}

}  // namespace
}  // namespace vcfagent
