// vcf-agent validate as a command: exit status, text and JSON reports, -o, several files, and the
// verdicts of EBI vcf-validator 0.10.2 on a few of its own conformance files.
#include <gtest/gtest.h>

#include <string>

#include "nlohmann/json.hpp"
#include "support/test_support.h"

namespace vcfagent {
namespace {

using testing::CorpusPath;
using testing::RunVcfAgent;

const std::string kSuite = "vcf-validator/test/input_files/";

TEST(ValidateCliTest, ValidFileExitsZero) {
  auto r = RunVcfAgent({"validate", CorpusPath(kSuite + "v4.2/passed/passed_body_info.vcf")});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find(": valid (VCF 4.2"), std::string::npos) << r.out;
}

TEST(ValidateCliTest, InvalidFileExitsOneAndNamesTheRule) {
  auto r = RunVcfAgent({"validate", CorpusPath(kSuite + "v4.3/failed/failed_body_chrom_001.vcf")});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_NE(r.out.find("INVALID"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("chrom-invalid"), std::string::npos) << r.out;
}

TEST(ValidateCliTest, MissingFileIsAnIoErrorButOthersAreStillChecked) {
  auto r = RunVcfAgent({"validate", "/nonexistent/x.vcf", CorpusPath(kSuite + "v4.1/passed/passed_body_info.vcf")});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("vcf-agent validate: /nonexistent/x.vcf"), std::string::npos) << r.err;
  EXPECT_NE(r.out.find("passed_body_info.vcf: valid"), std::string::npos) << r.out;
}

TEST(ValidateCliTest, JsonReportToFile) {
  testing::TempDir dir;
  auto r = RunVcfAgent({"validate", "--format", "json", "-o", dir.File("report.json"), "--max-findings", "2",
                        CorpusPath(kSuite + "v4.4/passed/passed_body_SV_CNVTR.vcf"),
                        CorpusPath(kSuite + "v4.4/failed/failed_body_duplicated_000.vcf")});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_TRUE(r.out.empty());
  auto json = nlohmann::json::parse(testing::ReadFile(dir.File("report.json")));
  ASSERT_TRUE(json.is_array());
  ASSERT_EQ(json.size(), 2u);
  EXPECT_EQ(json[0]["valid"], true);
  EXPECT_EQ(json[0]["vcf_version"], "4.4");
  EXPECT_EQ(json[1]["valid"], false);
  for (const char* key : {"path", "valid", "vcf_version", "errors", "warnings", "records", "findings"}) {
    EXPECT_TRUE(json[1].contains(key)) << key;
  }
  ASSERT_FALSE(json[1]["findings"].empty());
  EXPECT_LE(json[1]["findings"].size(), 2u);
  for (const char* key : {"severity", "rule", "line", "field", "message", "suggestion"}) {
    EXPECT_TRUE(json[1]["findings"][0].contains(key)) << key;
  }
}

TEST(ValidateCliTest, UnreadableArchiveIsOneCleanInvalidVerdict) {
  auto r = RunVcfAgent({"validate", CorpusPath(kSuite + "v4.3/compressed_files/non_readable/compressed.vcf.tar.xz")});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.out.find("unreadable-compression"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("xz"), std::string::npos) << r.out;
}

TEST(ValidateCliTest, RequireEvidence) {
  const std::string file = CorpusPath(kSuite + "v4.4/evidence/failed/failed_no_genotypes_or_frequencies.vcf");
  EXPECT_EQ(RunVcfAgent({"validate", file}).exit_code, 0);
  auto r = RunVcfAgent({"validate", "--require-evidence", file});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.out.find("evidence-missing"), std::string::npos) << r.out;
}

TEST(ValidateCliTest, StandardInputAndUsageErrors) {
  auto r = RunVcfAgent({"validate", "-"}, "##fileformat=VCFv4.2\n#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n");
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(RunVcfAgent({"validate"}).exit_code, 2);
  EXPECT_EQ(RunVcfAgent({"validate", "--format", "xml", "x.vcf"}).exit_code, 2);
}

}  // namespace
}  // namespace vcfagent
