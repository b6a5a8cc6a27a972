// The validator's rule for text that is not ASCII, per version: VCF 4.3 made the file UTF-8
// (section 1.2), so well-formed UTF-8 is accepted in INFO and FORMAT values alike; bytes that are
// not UTF-8 are an error there. VCF 4.1 and 4.2 define no encoding: their values are printable
// ASCII, as EBI vcf-validator's grammars for those versions (and for 4.3, where we follow the
// specification instead) require.
#include <gtest/gtest.h>

#include <string>

#include "vcf/validate/validator.h"

namespace vcfagent::vcf {
namespace {

std::string Vcf(const std::string& version, const std::string& info, const std::string& sample_value) {
  return "##fileformat=VCFv" + version + "\n"
         "##contig=<ID=1,length=1000>\n"
         "##INFO=<ID=NOTE,Number=1,Type=String,Description=\"A note\">\n"
         "##FORMAT=<ID=GT,Number=1,Type=String,Description=\"Genotype\">\n"
         "##FORMAT=<ID=LB,Number=1,Type=String,Description=\"A label\">\n"
         "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tS1\n"
         "1\t10\t.\tA\tG\t50\tPASS\tNOTE=" + info + "\tGT:LB\t0/1:" + sample_value + "\n";
}

int64_t Errors(const std::string& text, const std::string& rule) {
  const ValidationReport report = ValidateText(text);
  for (const auto& s : report.summary) {
    if (s.rule == rule) return s.count;
  }
  return 0;
}

const std::string kUtf8 = "caf\xC3\xA9_\xE2\x82\xAC_\xF0\x9F\xA7\xAC";  // café_€_🧬
const std::string kLatin1 = "caf\xE9";

TEST(ValidatorTextEncodingTest, Vcf43AcceptsUtf8InInfoAsInFormat) {
  for (const char* version : {"4.3", "4.4"}) {
    const ValidationReport report = ValidateText(Vcf(version, kUtf8, kUtf8));
    EXPECT_TRUE(report.valid) << version << ": " << (report.findings.empty() ? "" : report.findings[0].message);
    EXPECT_EQ(report.errors, 0) << version;
  }
}

TEST(ValidatorTextEncodingTest, Vcf43RefusesBytesThatAreNotUtf8) {
  EXPECT_EQ(Errors(Vcf("4.3", kLatin1, "x"), "info-value-invalid"), 1);
  EXPECT_EQ(Errors(Vcf("4.3", "x", kLatin1), "sample-invalid"), 1);
  // Overlong forms, surrogates and truncated sequences are not UTF-8 either.
  for (const std::string& bad : {std::string("\xC0\xAF"), std::string("\xED\xA0\x80"), std::string("\xE2\x82"),
                                std::string("\xF5\x80\x80\x80")}) {
    EXPECT_EQ(Errors(Vcf("4.4", "a" + bad, "x"), "info-value-invalid"), 1);
    EXPECT_EQ(Errors(Vcf("4.4", "x", "a" + bad), "sample-invalid"), 1);
  }
  const ValidationReport report = ValidateText(Vcf("4.3", kLatin1, "x"));
  std::string message;
  for (const auto& f : report.findings) {
    if (f.rule == "info-value-invalid") message = f.message;
  }
  EXPECT_NE(message.find("not UTF-8"), std::string::npos) << message;
}

TEST(ValidatorTextEncodingTest, Vcf41And42KeepToPrintableAscii) {
  for (const char* version : {"4.1", "4.2"}) {
    EXPECT_EQ(Errors(Vcf(version, kUtf8, "x"), "info-value-invalid"), 1) << version;
    EXPECT_EQ(Errors(Vcf(version, "x", kUtf8), "sample-invalid"), 1) << version;
    EXPECT_TRUE(ValidateText(Vcf(version, "cafe", "cafe")).valid) << version;
  }
}

}  // namespace
}  // namespace vcfagent::vcf
