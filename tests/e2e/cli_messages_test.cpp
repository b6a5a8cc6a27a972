// Messages a careless user meets: an unknown command, a negative count, a record htslib cannot
// parse (view, stats and ingest now say what validate says about the line), a float GQ (refused,
// not rounded), and a line far past the line limit (refused naming the line and the limit).
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <htslib/bgzf.h>

#include <string>

#include "support/test_support.h"

namespace vcfagent::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

TEST(CliMessagesTest, AnUnknownCommandIsNamedAndTheCommandsListed) {
  auto r = RunVcfAgent({"bogus"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("unknown command 'bogus'"));
  EXPECT_THAT(r.err, HasSubstr("validate, stats, view, compare, ingest, variants, sql"));
  auto none = RunVcfAgent({});
  EXPECT_EQ(none.exit_code, 2);
  EXPECT_THAT(none.err, HasSubstr("a command is required: validate, stats"));
  EXPECT_THAT(RunVcfAgent({"stats", "--bogus-flag", "x.vcf"}).err, Not(HasSubstr("unknown command")));
}

TEST(CliMessagesTest, ANegativeCountSaysTheRangePlainly) {
  TempDir dir;
  for (const auto& args : std::vector<std::vector<std::string>>{
           {"variants", "--db", dir.File("store"), "-n", "-1"},
           {"variants", "--db", dir.File("store"), "--offset", "-5"},
           {"validate", "--max-findings", "-1", "x.vcf"}}) {
    auto r = RunVcfAgent(args);
    EXPECT_EQ(r.exit_code, 2) << args[0];
    EXPECT_THAT(r.err, HasSubstr("expected a whole number from 0 to 9223372036854775807")) << r.err;
    EXPECT_LT(r.err.size(), 400u) << r.err;  // no 300-digit bound
  }
}

// Line 6 has a FORMAT Integer value htslib refuses ("Invalid character"); validate names the
// sample, the field and the reason.
std::string BadRecordVcf() {
  return "##fileformat=VCFv4.2\n"
         "##contig=<ID=1,length=1000>\n"
         "##FORMAT=<ID=GT,Number=1,Type=String,Description=\"Genotype\">\n"
         "##FORMAT=<ID=DP,Number=1,Type=Integer,Description=\"Depth\">\n"
         "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tS1\n"
         "1\t10\t.\tA\tG\t50\tPASS\t.\tGT:DP\t0/1:5\n"
         "1\t20\t.\tA\tG\t50\tPASS\t.\tGT:DP\t0/1:7x\n";
}

constexpr const char* kBadRecordReason =
    "bad.vcf:7: sample #1/DP: Sample #1, field DP does not match the meta specification Type=Integer";

TEST(CliMessagesTest, UnparsableRecordsAreExplainedAsValidateExplainsThem) {
  TempDir dir;
  WriteFile(dir.File("bad.vcf"), BadRecordVcf());
  auto validate = RunVcfAgent({"validate", dir.File("bad.vcf")});
  ASSERT_EQ(validate.exit_code, 1) << validate.out;
  EXPECT_THAT(validate.out, HasSubstr("field DP does not match the meta specification Type=Integer"));
  for (const auto& args : std::vector<std::vector<std::string>>{
           {"view", dir.File("bad.vcf")},
           {"stats", "-s", "-", dir.File("bad.vcf")},  // without -s, stats does not parse FORMAT
           {"ingest", dir.File("bad.vcf"), "--db", dir.File("store")}}) {
    auto r = RunVcfAgent(args);
    EXPECT_EQ(r.exit_code, 1) << args[0] << ": " << r.err;
    EXPECT_THAT(r.err, HasSubstr(kBadRecordReason)) << args[0];
  }
}

TEST(CliMessagesTest, UnparsableRecordsReadThroughAnIndexAreExplainedToo) {
  TempDir dir;
  WriteFile(dir.File("bad.vcf"), BadRecordVcf());
  ASSERT_EQ(RunProgram("bgzip", {"-f", dir.File("bad.vcf")}).exit_code, 0);
  ASSERT_EQ(RunProgram("tabix", {"-p", "vcf", dir.File("bad.vcf.gz")}).exit_code, 0);
  auto r = RunVcfAgent({"view", "-r", "1:1-100", dir.File("bad.vcf.gz")});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_THAT(r.err, HasSubstr("bad.vcf.gz: record '1 20 . A G 50 PASS . GT:DP 0/1:7x': sample #1/DP: Sample #1, "
                               "field DP does not match the meta specification Type=Integer"));
}

TEST(CliMessagesTest, AFloatGqIsReportedNotRounded) {
  TempDir dir;
  WriteFile(dir.File("gq.vcf"),
            "##fileformat=VCFv4.2\n"
            "##contig=<ID=1,length=1000>\n"
            "##FORMAT=<ID=GT,Number=1,Type=String,Description=\"Genotype\">\n"
            "##FORMAT=<ID=GQ,Number=1,Type=Float,Description=\"Genotype quality\">\n"
            "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tS1\n"
            "1\t10\t.\tA\tG\t50\tPASS\t.\tGT:GQ\t0/1:30\n"
            "1\t20\t.\tA\tG\t50\tPASS\t.\tGT:GQ\t0/1:35.6\n");
  auto validate = RunVcfAgent({"validate", dir.File("gq.vcf")});
  EXPECT_EQ(validate.exit_code, 1);
  EXPECT_THAT(validate.out, HasSubstr("format-reserved-type"));
  auto ingest = RunVcfAgent({"ingest", dir.File("gq.vcf"), "--db", dir.File("store")});
  EXPECT_EQ(ingest.exit_code, 1) << ingest.err;
  EXPECT_THAT(ingest.err, HasSubstr("gq.vcf:7: sample S1: FORMAT/GQ=35.6 is not a whole number"));
}

TEST(CliMessagesTest, ALineBombIsRefusedNamingTheLineAndTheLimit) {
  TempDir dir;
  std::string text = "##fileformat=VCFv4.2\n#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n1\t1\t.\tA\tG\t.\t.\tX=";
  text.append(3 << 20, 'A');
  text += "\n1\t2\t.\tA\tG\t.\t.\t.\n";
  BGZF* fp = bgzf_open(dir.File("bomb.vcf.gz").c_str(), "w");
  ASSERT_EQ(bgzf_write(fp, text.data(), text.size()), static_cast<ssize_t>(text.size()));
  ASSERT_EQ(bgzf_close(fp), 0);
  const std::vector<std::pair<std::string, std::string>> env = {{"VCF_AGENT_MAX_LINE_BYTES", "1048576"}};
  for (const auto& args : std::vector<std::vector<std::string>>{
           {"view", dir.File("bomb.vcf.gz")}, {"stats", dir.File("bomb.vcf.gz")},
           {"ingest", dir.File("bomb.vcf.gz"), "--db", dir.File("store")}}) {
    auto r = RunVcfAgentWithEnv(args, env);
    EXPECT_EQ(r.exit_code, 1) << args[0] << ": " << r.err;
    EXPECT_THAT(r.err, HasSubstr("bomb.vcf.gz:3: the line is longer than 1 MiB, the limit ($VCF_AGENT_MAX_LINE_BYTES)"))
        << args[0];
  }
  auto validate = RunVcfAgentWithEnv({"validate", "--format", "json", dir.File("bomb.vcf.gz")}, env);
  EXPECT_EQ(validate.exit_code, 1);
  EXPECT_THAT(validate.out, HasSubstr("\"rule\": \"line-too-long\""));
  EXPECT_THAT(validate.out, HasSubstr("\"line\": 3"));
  // Without the variable the default (64 MiB) lets the 3 MiB line through.
  EXPECT_EQ(RunVcfAgent({"stats", dir.File("bomb.vcf.gz")}).exit_code, 0);
}

}  // namespace
}  // namespace vcfagent::testing
