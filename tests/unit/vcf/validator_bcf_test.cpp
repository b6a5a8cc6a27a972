// The validator on BCF: sample columns are judged from their decoded values (bcf_sample_rules.cpp)
// and must give exactly the findings of the same records as VCF text, whether the samples pass or
// break a rule. Each case is one small VCF, converted to BCF with htslib.
#include <gtest/gtest.h>
#include <htslib/hts_log.h>

#include <string>
#include <vector>

#include "support/bcf_validation.h"
#include "support/test_support.h"
#include "vcf/validate/validator.h"

namespace vcfagent::vcf {
namespace {

std::string Header(const std::string& version) {
  return "##fileformat=VCFv" + version + "\n" +
         "##FILTER=<ID=PASS,Description=\"All filters passed\">\n"
         "##contig=<ID=1,length=1000>\n"
         "##INFO=<ID=AC,Number=A,Type=Integer,Description=\"Allele count\">\n"
         "##INFO=<ID=AN,Number=1,Type=Integer,Description=\"Allele number\">\n"
         "##FORMAT=<ID=GT,Number=1,Type=String,Description=\"Genotype\">\n"
         "##FORMAT=<ID=DP,Number=1,Type=Integer,Description=\"Depth\">\n"
         "##FORMAT=<ID=GQ,Number=1,Type=Integer,Description=\"Genotype quality\">\n"
         "##FORMAT=<ID=PL,Number=G,Type=Integer,Description=\"Likelihoods\">\n"
         "##FORMAT=<ID=AD,Number=R,Type=Integer,Description=\"Allele depths\">\n"
         "##FORMAT=<ID=GP,Number=G,Type=Float,Description=\"Genotype probabilities\">\n"
         "##FORMAT=<ID=FT,Number=1,Type=String,Description=\"Sample filter\">\n"
         "##FORMAT=<ID=XN,Number=2,Type=Integer,Description=\"Two integers\">\n"
         "##FORMAT=<ID=XF,Number=1,Type=Float,Description=\"A float\">\n"
         "##FORMAT=<ID=XC,Number=1,Type=Character,Description=\"A character\">\n"
         "##FORMAT=<ID=XU,Number=.,Type=String,Description=\"Any number of strings\">\n"
         "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tS1\tS2\tS3\n";
}

struct Case {
  std::string name;
  std::string records;  // data lines, each ending in '\n'
  std::string rule;     // a rule the case must fire ("" when the records are valid)
};

const std::vector<Case>& Cases() {
  static const std::vector<Case> cases = {
      {"clean", "1\t10\t.\tA\tG\t50\tPASS\tAC=1;AN=6\tGT:DP:GQ\t0/1:10:30\t0|0:5:20\t./.:.:.\n", ""},
      {"clean-multiallelic", "1\t10\t.\tA\tG,T\t50\tPASS\t.\tGT:AD:PL\t0/2:3,0,4:10,20,30,0,5,40\t1/1:0,7,0:.\t./.:.:.\n", ""},
      {"haploid-and-mixed-ploidy", "1\t10\t.\tA\tG\t.\t.\t.\tGT:PL\t1:5,0\t0/1:1,0,9\t.:.\n", ""},
      {"gt-allele-out-of-range", "1\t10\t.\tA\tG\t.\t.\t.\tGT\t0/2\t0/0\t0/1\n", "gt-allele-out-of-range"},
      {"gt-missing-allele", "1\t10\t.\tA\tG\t.\t.\t.\tGT\t.|1\t0/.\t1/1\n", ""},
      {"pl-count", "1\t10\t.\tA\tG\t.\t.\t.\tGT:PL\t0/1:1,2\t0/0:0,1,2\t0/1:0,1,2\n", "format-number-mismatch"},
      {"pl-count-haploid", "1\t10\t.\tA\tG\t.\t.\t.\tGT:PL\t1:1,2,3\t0/0:0,1,2\t0/1:0,1,2\n", "format-number-mismatch"},
      {"ad-count", "1\t10\t.\tA\tG\t.\t.\t.\tGT:AD\t0/1:1,2,3\t0/0:4,0\t0/1:1,1\n", "format-number-mismatch"},
      {"fixed-count", "1\t10\t.\tA\tG\t.\t.\t.\tGT:XN\t0/1:1\t0/0:1,2\t0/1:.\n", "format-number-mismatch"},
      {"gp-range", "1\t10\t.\tA\tG\t.\t.\t.\tGT:GP\t0/1:0.5,0.25,0.25\t0/0:1.5,0,0\t0/1:.\n", "format-probability-range"},
      {"gp-negative", "1\t10\t.\tA\tG\t.\t.\t.\tGT:GP\t0/1:-0.5,1,0\t0/0:1,0,0\t0/1:.\n", "format-probability-range"},
      {"float-values", "1\t10\t.\tA\tG\t.\t.\t.\tGT:XF\t0/1:1e-30\t0/0:-2.5\t0/1:123456789\n", ""},
      {"float-nan", "1\t10\t.\tA\tG\t.\t.\t.\tGT:XF\t0/1:nan\t0/0:1\t0/1:inf\n", ""},
      {"string-values", "1\t10\t.\tA\tG\t.\t.\t.\tGT:FT:XU\t0/1:PASS:a,b,c\t0/0:q10;lowDP:.\t0/1:.:x\n", ""},
      {"string-comma", "1\t10\t.\tA\tG\t.\t.\t.\tGT:FT\t0/1:a,b\t0/0:PASS\t0/1:PASS\n", "format-number-mismatch"},
      {"string-space", "1\t10\t.\tA\tG\t.\t.\t.\tGT:FT\t0/1:a b\t0/0:PASS\t0/1:PASS\n", "sample-invalid"},
      {"string-utf8", "1\t10\t.\tA\tG\t.\t.\t.\tGT:FT\t0/1:\xc3\xa9t\xc3\xa9\t0/0:PASS\t0/1:PASS\n", ""},
      {"character", "1\t10\t.\tA\tG\t.\t.\t.\tGT:XC\t0/1:a\t0/0:b\t0/1:.\n", ""},
      {"undeclared-key", "1\t10\t.\tA\tG\t.\t.\t.\tGT:ZZ\t0/1:1\t0/0:2\t0/1:3\n", "format-undeclared"},
      {"reserved-negative", "1\t10\t.\tA\tG\t.\t.\t.\tGT:HQ\t0/1:-1,5\t0/0:1,2\t0/1:3,4\n", ""},
      {"gt-not-first", "1\t10\t.\tA\tG\t.\t.\t.\tDP:GT\t3:0/1\t4:0/0\t5:0/1\n", "format-gt-not-first"},
      {"trailing-fields-dropped", "1\t10\t.\tA\tG\t.\t.\t.\tGT:DP:GQ\t0/1\t0/0:3\t./.:.:.\n", ""},
      {"integer-range", "1\t10\t.\tA\tG\t.\t.\t.\tGT:DP\t0/1:2147483000\t0/0:-5\t0/1:300\n", ""},
      {"site-rules-still-apply",
       "1\t20\t.\tA\tG\t.\t.\tAC=1,2\tGT\t0/1\t0/0\t0/1\n"
       "1\t10\t.\tA\tG\t.\t.\t.\tGT\t0/1\t0/0\t0/1\n"
       "1\t10\t.\tA\tG\t.\t.\t.\tGT\t0/1\t0/0\t0/1\n",
       "info-number-mismatch"},
      {"no-alt", "1\t10\t.\tA\t.\t.\t.\t.\tGT:PL\t0/0:0,1,2\t1/1:0\t./.:.\n", ""},
      {"dot-sample", "1\t10\t.\tA\tG\t.\t.\t.\tGT:DP\t.\t0/0:3\t0/1:4\n", ""},
  };
  return cases;
}

bool HasRule(const ValidationReport& report, const std::string& rule) {
  for (const auto& s : report.summary) {
    if (s.rule == rule) return true;
  }
  return false;
}

class ValidatorBcfTest : public ::testing::TestWithParam<std::string> {};

TEST_P(ValidatorBcfTest, SameFindingsAsTheSameRecordsAsText) {
  hts_set_log_level(HTS_LOG_OFF);
  const std::string version = GetParam();
  testing::TempDir dir;
  ValidationOptions options;
  options.max_findings = 1000;
  int converted = 0, same_text = 0;
  for (const Case& c : Cases()) {
    SCOPED_TRACE(c.name + " (VCFv" + version + ")");
    const std::string vcf_text = Header(version) + c.records;
    const std::string vcf = dir.File(c.name + ".vcf");
    const std::string bcf = dir.File(c.name + ".bcf");
    testing::WriteFile(vcf, vcf_text);
    if (!testing::ConvertToBcf(vcf, bcf)) continue;
    ++converted;
    auto from_bcf = ValidateFile(bcf, options);
    ASSERT_TRUE(from_bcf.ok()) << from_bcf.status().message();
    std::string decoded;
    ASSERT_TRUE(testing::DecodedText(bcf, &decoded));
    const ValidationReport as_text = ValidateText(decoded, options, bcf);
    EXPECT_EQ(testing::ReportDifferences(*from_bcf, as_text), "") << "decoded text:\n" << decoded;
    // (VCF 4.1 has no Number=R: its AD declaration is itself an error there.)
    if (!c.rule.empty() && decoded.find(c.records) != std::string::npos && version != "4.1") {
      EXPECT_TRUE(HasRule(*from_bcf, c.rule)) << c.rule << " expected";
    }
    // Where BCF holds the records exactly as written, the VCF file itself gives the same findings.
    if (decoded == vcf_text) {
      ++same_text;
      auto from_vcf = ValidateFile(vcf, options);
      ASSERT_TRUE(from_vcf.ok());
      from_vcf->path = from_bcf->path;
      EXPECT_EQ(testing::ReportDifferences(*from_bcf, *from_vcf), "");
    }
  }
  EXPECT_GE(converted, static_cast<int>(Cases().size()) - 2);
  EXPECT_GE(same_text, static_cast<int>(Cases().size()) / 2);
}

INSTANTIATE_TEST_SUITE_P(Versions, ValidatorBcfTest, ::testing::Values("4.1", "4.2", "4.3", "4.4"),
                         [](const auto& info) { return "v" + std::string(info.param).replace(1, 1, "_"); });

}  // namespace
}  // namespace vcfagent::vcf
