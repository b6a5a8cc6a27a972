// `vcf-agent view -i/-e/--type` against bcftools 1.16 run on the same files with the same
// expressions (the part of bcftools' language that vcf-agent implements, with its meaning).
#include <gtest/gtest.h>

#include <algorithm>
#include <sstream>
#include <string>
#include <vector>

#include "support/test_support.h"

namespace vcfagent {
namespace {

using testing::CorpusPath;
using testing::RunProgram;
using testing::RunVcfAgent;
using testing::TempDir;

class ViewFilterTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir();
    synthetic_ = dir_->File("synthetic.vcf");
    // The project's deterministic generator: FILTER PASS/LowQual/q10, INFO AC AN AF DP MQ DB, SVs.
    auto r = RunProgram("python3", {CorpusPath("../tools/gen_synthetic_vcf.py"), "--sites", "3000",
                                    "--samples", "3", "-o", synthetic_});
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
  static void TearDownTestSuite() {
    delete dir_;
    dir_ = nullptr;
  }

  // Same records, same bytes, as bcftools view -H with the same flag and expression.
  static void ExpectSameAsBcftools(const std::string& input, const std::string& flag,
                                   const std::string& expr) {
    auto expected = RunProgram("bcftools", {"view", "-H", flag, expr, input});
    ASSERT_EQ(expected.exit_code, 0) << expr << ": " << expected.err;
    auto ours = RunVcfAgent({"view", "-H", flag, expr, input});
    ASSERT_EQ(ours.exit_code, 0) << expr << ": " << ours.err;
    EXPECT_EQ(ours.out, expected.out) << flag << " " << expr;
  }

  static TempDir* dir_;
  static std::string synthetic_;
};

TempDir* ViewFilterTest::dir_ = nullptr;
std::string ViewFilterTest::synthetic_;

const std::vector<std::string> kSyntheticExpressions = {
    "QUAL>50",
    "QUAL>=1000 && QUAL<2000",
    "FILTER=\"PASS\"",
    "FILTER!=\"PASS\"",
    "FILTER~\"q10\"",
    "FILTER!~\"q10\"",
    "FILTER=\"LowQual\"",
    "INFO/DP>100",
    "INFO/DP<20 || INFO/DP>200",
    "MQ<30 || AN<6",
    "INFO/DB=1",
    "INFO/DB=0",
    "DB!=1",
    "TYPE=\"snp\"",
    "TYPE=\"indel\"",
    "TYPE~\"snp\"",
    "TYPE!=\"snp\"",
    "TYPE=\"mnp\"",
    "TYPE=\"other\"",
    "INFO/AF>0.1",
    "INFO/AF<=0.2",
    "INFO/AC>=2 && INFO/AN=6",
    "ID=\".\"",
    "ID~\"^rs1\"",
    "ID!=\".\"",
    "CHROM=\"chr2\"",
    "POS>1000000 && POS<50000000",
    "(QUAL>1500 || INFO/DB=1) && FILTER=\"PASS\"",
    "REF=\"A\"",
    "ALT=\"T\"",
    "ALT~\"T\"",
    "INFO/SVTYPE=\"DEL\"",
    "INFO/MQ<30 & INFO/DP>50",
    "QUAL<1000 | FILTER=\"LowQual\"",
    "INFO/END>1000",
    "10<INFO/DP",
};

TEST_F(ViewFilterTest, IncludeMatchesBcftools) {
  for (const auto& expr : kSyntheticExpressions) ExpectSameAsBcftools(synthetic_, "-i", expr);
}

TEST_F(ViewFilterTest, ExcludeMatchesBcftools) {
  for (const auto& expr : kSyntheticExpressions) ExpectSameAsBcftools(synthetic_, "-e", expr);
}

TEST_F(ViewFilterTest, HtslibFileWithMissingValuesMatchesBcftools) {
  const std::string input = CorpusPath("htslib/test/tabix/vcf_file.vcf");
  for (const std::string expr :
       {"QUAL>50", "FILTER=\"PASS\"", "FILTER~\"q10\"", "INFO/INDEL=1", "INFO/DP4[*]>3",
        "INFO/AC>1", "TYPE=\"indel\"", "ID!=\".\"", "QUAL<20 || FILTER=\".\""}) {
    if (std::string(expr).find('[') != std::string::npos) continue;  // not in our language
    ExpectSameAsBcftools(input, "-i", expr);
  }
}

// QUAL and Float INFO values are single precision; bcftools rounds the constant to single precision
// before comparing. On the vcflib GRCh38 chr4 slice, 605 records have AF=0.011236 (bcftools 1.16).
TEST_F(ViewFilterTest, FloatComparisonsMatchBcftools) {
  const std::string real = CorpusPath("vcflib/samples/grch38#chr4_10083863-10181258.vcf");
  for (const std::string op : {"=", "!=", "<", "<=", ">", ">="}) {
    ExpectSameAsBcftools(real, "-i", "INFO/AF" + op + "0.011236");
    ExpectSameAsBcftools(real, "-e", "INFO/AF" + op + "0.011236");
    ExpectSameAsBcftools(synthetic_, "-i", "INFO/AF" + op + "0.1667");
    // bcftools 1.16 lets a missing QUAL through QUAL!=x; ours never matches missing (filter_expr.h).
    if (op != "!=") ExpectSameAsBcftools(synthetic_, "-i", "QUAL" + op + "1584.44");
  }
  auto equal = RunVcfAgent({"view", "-H", "-i", "INFO/AF=0.011236", real});
  ASSERT_EQ(equal.exit_code, 0) << equal.err;
  EXPECT_EQ(std::count(equal.out.begin(), equal.out.end(), '\n'), 605);
}

TEST_F(ViewFilterTest, TypesMatchBcftools) {
  for (const std::string types : {"snps", "indels", "mnps", "other", "snps,indels", "indels,mnps,other"}) {
    auto expected = RunProgram("bcftools", {"view", "-H", "-v", types, synthetic_});
    ASSERT_EQ(expected.exit_code, 0) << expected.err;
    auto ours = RunVcfAgent({"view", "-H", "--type", types, synthetic_});
    ASSERT_EQ(ours.exit_code, 0) << ours.err;
    EXPECT_EQ(ours.out, expected.out) << types;
    EXPECT_FALSE(expected.out.empty() && types == "snps");
  }
}

TEST_F(ViewFilterTest, FilterWithRegionsOnAnIndexMatchesBcftools) {
  auto zipped = RunProgram("bgzip", {"-c", synthetic_});
  ASSERT_EQ(zipped.exit_code, 0);
  const std::string path = dir_->File("synthetic.vcf.gz");
  testing::WriteFile(path, zipped.out);
  ASSERT_EQ(RunProgram("tabix", {"-f", "-p", "vcf", path}).exit_code, 0);
  const std::string regions = "chr1:1-50000000,chr2,chr3:100000000-";
  auto expected = RunProgram("bcftools", {"view", "-H", "-r", regions, "-i", "QUAL>1000 && FILTER=\"PASS\"", path});
  ASSERT_EQ(expected.exit_code, 0) << expected.err;
  auto ours = RunVcfAgent({"view", "-H", "-r", regions, "-i", "QUAL>1000 && FILTER=\"PASS\"", path});
  ASSERT_EQ(ours.exit_code, 0) << ours.err;
  EXPECT_EQ(ours.out, expected.out);
  EXPECT_FALSE(ours.out.empty());
}

// --verbatim: the same records as bcftools selects, but each line exactly as in the input (the
// generator writes QUAL as "1373.30", which htslib would print as "1373.3").
TEST_F(ViewFilterTest, VerbatimCopiesTheSelectedInputLines) {
  auto zipped = RunProgram("bgzip", {"-c", synthetic_});
  const std::string indexed = dir_->File("verbatim.vcf.gz");
  testing::WriteFile(indexed, zipped.out);
  ASSERT_EQ(RunProgram("tabix", {"-f", "-p", "vcf", indexed}).exit_code, 0);
  const std::string input_text = testing::ReadFile(synthetic_);
  for (const std::string expr : {"QUAL>1000", "FILTER=\"LowQual\"", "TYPE=\"indel\""}) {
    auto keys = RunProgram("bcftools", {"query", "-i", expr, "-f", "%CHROM\t%POS\t\n", synthetic_});
    ASSERT_EQ(keys.exit_code, 0) << keys.err;
    std::string expected;
    std::istringstream lines(input_text);
    for (std::string line; std::getline(lines, line);) {
      if (line.empty() || line[0] == '#') continue;
      const std::string key = line.substr(0, line.find('\t', line.find('\t') + 1) + 1);
      if (keys.out.find(key + "\n") != std::string::npos) expected += line + "\n";
    }
    ASSERT_FALSE(expected.empty());
    auto streamed = RunVcfAgent({"view", "-H", "--verbatim", "-i", expr, synthetic_});
    ASSERT_EQ(streamed.exit_code, 0) << streamed.err;
    EXPECT_EQ(streamed.out, expected) << expr;
    auto queried = RunVcfAgent({"view", "-H", "--verbatim", "-r", "chr1,chr2,chr3,chr4,chr5,chr6,chr7,chr8,"
                                "chr9,chr10,chr11,chr12,chr13,chr14,chr15,chr16,chr17,chr18,chr19,chr20,chr21,chr22,chrX",
                                "-i", expr, indexed});
    ASSERT_EQ(queried.exit_code, 0) << queried.err;
    EXPECT_EQ(queried.out, expected) << expr;
  }
  auto all = RunVcfAgent({"view", "-H", "--verbatim", "-r", "chr2", indexed});
  auto tabix = RunProgram("tabix", {indexed, "chr2"});
  EXPECT_EQ(all.out, tabix.out);
}

TEST_F(ViewFilterTest, BadExpressionIsAUsageErrorWithColumn) {
  auto r = RunVcfAgent({"view", "-i", "INFO/DP>", synthetic_});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err, "vcf-agent view: -i: expected a value after '>' at column 8\n");
  auto unknown = RunVcfAgent({"view", "-e", "INFO/NOPE>1", synthetic_});
  EXPECT_EQ(unknown.exit_code, 2);
  EXPECT_NE(unknown.err.find("INFO/NOPE"), std::string::npos) << unknown.err;
  auto both = RunVcfAgent({"view", "-i", "QUAL>1", "-e", "QUAL>2", synthetic_});
  EXPECT_EQ(both.exit_code, 2);
}

}  // namespace
}  // namespace vcfagent
