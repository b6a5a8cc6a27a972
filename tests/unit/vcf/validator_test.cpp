// Focused cases per validator rule, on small inline VCFs. Expected outcomes follow the VCF
// specification (and vcf-validator 0.10.2 where the specification is silent).
#include "vcf/validate/validator.h"

#include <gtest/gtest.h>
#include <htslib/bgzf.h>

#include <string>

#include "support/test_support.h"

namespace vcfagent::vcf {
namespace {

// 14 header lines: records start at line 15.
std::string Header(const std::string& version = "4.2", const std::string& samples = "\tFORMAT\tS1\tS2") {
  return "##fileformat=VCFv" + version + "\n" +
         "##reference=ref.fa\n"
         "##contig=<ID=1,length=1000>\n"
         "##contig=<ID=2,length=1000>\n"
         "##INFO=<ID=DP,Number=1,Type=Integer,Description=\"Depth\">\n"
         "##INFO=<ID=AC,Number=A,Type=Integer,Description=\"Allele count\">\n"
         "##INFO=<ID=AN,Number=1,Type=Integer,Description=\"Allele number\">\n"
         "##INFO=<ID=AF,Number=A,Type=Float,Description=\"Allele frequency\">\n"
         "##INFO=<ID=XR,Number=R,Type=Integer,Description=\"One per allele\">\n"
         "##INFO=<ID=FL,Number=0,Type=Flag,Description=\"A flag\">\n"
         "##FILTER=<ID=q10,Description=\"Low quality\">\n"
         "##FORMAT=<ID=GT,Number=1,Type=String,Description=\"Genotype\">\n"
         "##FORMAT=<ID=PL,Number=G,Type=Integer,Description=\"Likelihoods\">\n"
         "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO" + samples + "\n";
}

ValidationReport Check(const std::string& text, bool require_evidence = false) {
  ValidationOptions options;
  options.require_evidence = require_evidence;
  return ValidateText(text, options, "test.vcf");
}

// The first line at which `rule` fired, or -1.
int64_t FirstLine(const ValidationReport& report, const std::string& rule) {
  for (const auto& s : report.summary) {
    if (s.rule == rule) return s.first_line;
  }
  return -1;
}

std::string Rules(const ValidationReport& report) {
  std::string out;
  for (const auto& s : report.summary) out += " " + s.rule + "@" + std::to_string(s.first_line);
  return out;
}

TEST(ValidatorTest, AcceptsAValidFile) {
  auto r = Check(Header() +
                 "1\t10\trs1\tA\tG\t50\tPASS\tDP=3;AC=1;AN=4;AF=0.25;XR=1,2;FL\tGT:PL\t0/1:1,0,5\t0|0:0,3,9\n"
                 "1\t20\t.\tAC\tA,ACC\t.\tq10\t.\tGT\t1/2\t./.\n"
                 "2\t5\t.\tN\tG]1:200]\t.\t.\t.\tGT\t0/1\t1\n");
  EXPECT_TRUE(r.valid) << Rules(r);
  EXPECT_EQ(r.errors, 0);
  EXPECT_EQ(r.warnings, 0) << Rules(r);
  EXPECT_EQ(r.records, 3);
  EXPECT_EQ(r.vcf_version, "4.2");
}

TEST(ValidatorTest, FileformatMustComeFirst) {
  auto r = Check("##reference=x\n#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n");
  EXPECT_FALSE(r.valid);
  EXPECT_EQ(FirstLine(r, "fileformat-invalid"), 1);
  EXPECT_FALSE(Check("").valid);
  EXPECT_EQ(FirstLine(Check("##fileformat=VCFv4.5\n#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n"), "fileformat-invalid"), 1);
}

TEST(ValidatorTest, InfoNumberAgainstAltCount) {
  auto a = Check(Header() + "1\t10\t.\tA\tG\t.\t.\tAC=1,2\tGT\t0/1\t0/0\n");
  EXPECT_EQ(FirstLine(a, "info-number-mismatch"), 15) << Rules(a);
  auto r = Check(Header() + "1\t10\t.\tA\tG\t.\t.\tXR=1\tGT\t0/1\t0/0\n");
  EXPECT_EQ(FirstLine(r, "info-number-mismatch"), 15) << Rules(r);
  auto missing = Check(Header() + "1\t10\t.\tA\tG,T\t.\t.\tAC=.;XR=.\tGT\t0/1\t0/0\n");
  EXPECT_TRUE(missing.valid) << "a single '.' stands for all values: " << Rules(missing);
}

TEST(ValidatorTest, InfoTypes) {
  EXPECT_EQ(FirstLine(Check(Header() + "1\t10\t.\tA\tG\t.\t.\tDP=abc\tGT\t0/1\t0/0\n"), "info-type-mismatch"), 15);
  EXPECT_EQ(FirstLine(Check(Header() + "1\t10\t.\tA\tG\t.\t.\tDP=1.5\tGT\t0/1\t0/0\n"), "info-type-mismatch"), 15);
  EXPECT_EQ(FirstLine(Check(Header() + "1\t10\t.\tA\tG\t.\t.\tFL=2\tGT\t0/1\t0/0\n"), "info-type-mismatch"), 15);
  EXPECT_EQ(FirstLine(Check(Header() + "1\t10\t.\tA\tG\t.\t.\tAF=1.5\tGT\t0/1\t0/0\n"), "info-af-range"), 15);
  EXPECT_TRUE(Check(Header() + "1\t10\t.\tA\tG\t.\t.\tAF=1e-3;FL=1\tGT\t0/1\t0/0\n").valid);
}

// Header() with a free-text INFO and a Number=0 INFO that is not a Flag, without XR (Number=R
// arrived in VCF 4.2): records start at line 16.
std::string HeaderWithTextInfo(const std::string& version) {
  std::string header = Header(version);
  const size_t xr = header.find("##INFO=<ID=XR");
  header.erase(xr, header.find('\n', xr) + 1 - xr);
  header.insert(header.find("##FILTER"),
                "##INFO=<ID=NOTE,Number=.,Type=String,Description=\"Free text\">\n"
                "##INFO=<ID=ZERO,Number=0,Type=String,Description=\"Declared without values\">\n");
  return header;
}

std::string FirstMessage(const ValidationReport& report, const std::string& rule) {
  for (const auto& s : report.summary) {
    if (s.rule == rule) return s.first_message;
  }
  return "";
}

// VCF 4.1 and 4.2 (1.4.1, INFO): "no white-space, semi-colons, or equals-signs permitted". VCF 4.3
// and 4.4 (1.6.1): "Space characters are allowed in values".
TEST(ValidatorTest, SpacesInInfoValuesDependOnTheVersion) {
  const std::string spaced = "1\t10\t.\tA\tG\t.\t.\tDP=3;NOTE=likely benign,see notes\tGT\t0/1\t0/0\n";
  const std::string plain = "1\t10\t.\tA\tG\t.\t.\tDP=3;NOTE=likely_benign,see_notes\tGT\t0/1\t0/0\n";
  for (const std::string version : {"4.1", "4.2"}) {
    SCOPED_TRACE(version);
    auto r = Check(HeaderWithTextInfo(version) + spaced);
    EXPECT_FALSE(r.valid);
    EXPECT_EQ(FirstLine(r, "info-value-invalid"), 16) << Rules(r);
    EXPECT_NE(FirstMessage(r, "info-value-invalid").find("contains a space"), std::string::npos)
        << FirstMessage(r, "info-value-invalid");
    EXPECT_TRUE(Check(HeaderWithTextInfo(version) + plain).valid);
  }
  for (const std::string version : {"4.3", "4.4"}) {
    SCOPED_TRACE(version);
    auto r = Check(HeaderWithTextInfo(version) + spaced);
    EXPECT_TRUE(r.valid) << Rules(r);
    EXPECT_TRUE(Check(HeaderWithTextInfo(version) + plain).valid);
  }
}

// Number=0 declares a field without values in every version; a Flag's legacy 0/1 stays valid, as
// in vcf-validator's suite (DB=0, DB=1 among its valid files).
TEST(ValidatorTest, NumberZeroFieldsCarryNoValue) {
  for (const std::string version : {"4.1", "4.2", "4.3", "4.4"}) {
    SCOPED_TRACE(version);
    const std::string header = HeaderWithTextInfo(version);
    auto bare = Check(header + "1\t10\t.\tA\tG\t.\t.\tZERO;FL\tGT\t0/1\t0/0\n");
    EXPECT_TRUE(bare.valid) << Rules(bare);
    auto valued = Check(header + "1\t10\t.\tA\tG\t.\t.\tDP=3;ZERO=yes\tGT\t0/1\t0/0\n");
    EXPECT_FALSE(valued.valid);
    EXPECT_EQ(FirstLine(valued, "info-number-mismatch"), 16) << Rules(valued);
    EXPECT_NE(FirstMessage(valued, "info-number-mismatch").find("Number=0"), std::string::npos);
    EXPECT_TRUE(Check(header + "1\t10\t.\tA\tG\t.\t.\tFL=0\tGT\t0/1\t0/0\n" +
                      "1\t11\t.\tA\tG\t.\t.\tFL=1\tGT\t0/1\t0/0\n")
                    .valid);
    EXPECT_EQ(FirstLine(Check(header + "1\t10\t.\tA\tG\t.\t.\tFL=yes\tGT\t0/1\t0/0\n"), "info-type-mismatch"), 16);
  }
}

// The case seen in real data: a VCFv4.1 file with spaces in String values and a Number=0 field
// that carries a value. EBI vcf-validator rejects it, and so do we.
TEST(ValidatorTest, Vcf41FreeTextInfoWithSpacesIsInvalid) {
  auto r = Check(HeaderWithTextInfo("4.1") + "1\t10\t.\tA\tG\t.\t.\tNOTE=Presynaptic congenital myasthenic syndrome;ZERO=1\tGT\t0/1\t0/0\n");
  EXPECT_FALSE(r.valid);
  EXPECT_EQ(FirstLine(r, "info-value-invalid"), 16) << Rules(r);
}

TEST(ValidatorTest, ReservedInfoTagsKeepTheirDefinition) {
  // DP is reserved as Number=1, Type=Integer.
  auto meta = Check("##fileformat=VCFv4.2\n##INFO=<ID=DP,Number=2,Type=Integer,Description=\"d\">\n"
                    "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n");
  EXPECT_EQ(FirstLine(meta, "info-reserved-number"), 2) << Rules(meta);
  // Undeclared reserved tags are checked against the specification's definition.
  auto body = Check("##fileformat=VCFv4.2\n#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n1\t1\t.\tA\tG\t.\t.\tNS=x\n");
  EXPECT_EQ(FirstLine(body, "info-type-mismatch"), 3) << Rules(body);
}

TEST(ValidatorTest, MetaLineSyntax) {
  auto number = Check("##fileformat=VCFv4.2\n##INFO=<ID=X,Number=Q,Type=Integer,Description=\"x\">\n"
                      "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n");
  EXPECT_EQ(FirstLine(number, "meta-info-number-invalid"), 2) << Rules(number);
  auto flag = Check("##fileformat=VCFv4.2\n##FORMAT=<ID=X,Number=1,Type=Flag,Description=\"x\">\n"
                    "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n");
  EXPECT_EQ(FirstLine(flag, "meta-format-type-invalid"), 2) << Rules(flag);
  auto unquoted = Check("##fileformat=VCFv4.2\n##INFO=<ID=X,Number=1,Type=Integer,Description=x>\n"
                        "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n");
  EXPECT_EQ(FirstLine(unquoted, "meta-description-invalid"), 2) << Rules(unquoted);
  auto url = Check("##fileformat=VCFv4.2\n##assembly=not a url\n#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n");
  EXPECT_EQ(FirstLine(url, "meta-url-invalid"), 2) << Rules(url);
  auto stray = Check("##fileformat=VCFv4.2\nhello\n#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n");
  EXPECT_EQ(FirstLine(stray, "meta-syntax"), 2) << Rules(stray);
}

TEST(ValidatorTest, HeaderLine) {
  auto r = Check("##fileformat=VCFv4.2\n#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\n");
  EXPECT_EQ(FirstLine(r, "header-columns"), 2);
  auto dup = Check(Header("4.2", "\tFORMAT\tS1\tS1"));
  EXPECT_EQ(FirstLine(dup, "header-duplicate-sample"), 14) << Rules(dup);
  auto none = Check("##fileformat=VCFv4.2\n##reference=x\n");
  EXPECT_EQ(FirstLine(none, "header-missing"), 2) << Rules(none);
}

TEST(ValidatorTest, FixedColumns) {
  EXPECT_EQ(FirstLine(Check(Header() + "1 x\t10\t.\tA\tG\t.\t.\t.\tGT\t0\t0\n"), "chrom-invalid"), 15);
  EXPECT_EQ(FirstLine(Check(Header() + "1\t-10\t.\tA\tG\t.\t.\t.\tGT\t0\t0\n"), "pos-invalid"), 15);
  EXPECT_EQ(FirstLine(Check(Header() + "1\t10\ta b\tA\tG\t.\t.\t.\tGT\t0\t0\n"), "id-invalid"), 15);
  EXPECT_EQ(FirstLine(Check(Header() + "1\t10\t.\tAXG\tG\t.\t.\t.\tGT\t0\t0\n"), "ref-invalid"), 15);
  EXPECT_EQ(FirstLine(Check(Header() + "1\t10\t.\tA\t<DEL\t.\t.\t.\tGT\t0\t0\n"), "alt-invalid"), 15);
  EXPECT_EQ(FirstLine(Check(Header() + "1\t10\t.\tA\tA\t.\t.\t.\tGT\t0\t0\n"), "alt-equals-ref"), 15);
  EXPECT_EQ(FirstLine(Check(Header() + "1\t10\t.\tA\tG\tabc\t.\t.\tGT\t0\t0\n"), "qual-invalid"), 15);
  EXPECT_EQ(FirstLine(Check(Header() + "1\t10\t.\tA\tG\t-1\t.\t.\tGT\t0\t0\n"), "qual-negative"), 15);
  EXPECT_EQ(FirstLine(Check(Header() + "1\t10\t.\tA\tG\t.\t0\t.\tGT\t0\t0\n"), "filter-zero"), 15);
  EXPECT_EQ(FirstLine(Check(Header() + "1\t10\t.\tA\tG\t.\t.\t9X=1\tGT\t0\t0\n"), "info-key-invalid"), 15);
  EXPECT_EQ(FirstLine(Check(Header() + "1\t10\t.\tA\tG\t.\t.\n"), "record-columns"), 15);
}

TEST(ValidatorTest, SymbolicAllelesAndBreakends) {
  EXPECT_TRUE(Check(Header() + "1\t10\t.\tA\t<DEL>,<DUP:TANDEM>\t.\t.\t.\tGT\t0/1\t0/2\n").valid);
  EXPECT_TRUE(Check(Header() + "1\t10\t.\tA\tA[2:30[,.A\t.\t.\t.\tGT\t0/1\t0/2\n").valid);
  auto top = Check(Header("4.3") + "1\t10\t.\tA\t<FOO:BAR>\t.\t.\t.\tGT\t0/1\t0/0\n");
  EXPECT_EQ(FirstLine(top, "alt-symbolic-type"), 15) << Rules(top);
}

TEST(ValidatorTest, GenotypesAndPloidy) {
  EXPECT_EQ(FirstLine(Check(Header() + "1\t10\t.\tA\tG\t.\t.\t.\tGT\t0/2\t0/0\n"), "gt-allele-out-of-range"), 15);
  EXPECT_EQ(FirstLine(Check(Header() + "1\t10\t.\tA\tG\t.\t.\t.\tGT\t0/\t0/0\n"), "gt-allele-empty"), 15);
  EXPECT_EQ(FirstLine(Check(Header() + "1\t10\t.\tA\tG\t.\t.\t.\tGT\t0/a\t0/0\n"), "gt-allele-invalid"), 15);
  // Number=G: 3 values for a diploid with one ALT, 2 for a haploid.
  EXPECT_TRUE(Check(Header() + "1\t10\t.\tA\tG\t.\t.\t.\tGT:PL\t0/1:0,1,2\t1:3,0\n").valid);
  EXPECT_EQ(FirstLine(Check(Header() + "1\t10\t.\tA\tG\t.\t.\t.\tGT:PL\t0/1:0,1\t1:3,0\n"), "format-number-mismatch"), 15);
  EXPECT_EQ(FirstLine(Check(Header() + "1\t10\t.\tA\tG\t.\t.\t.\tGT:PL\t0/1:0,x,1\t1:3,0\n"), "format-type-mismatch"), 15);
  EXPECT_EQ(FirstLine(Check(Header() + "1\t10\t.\tA\tG\t.\t.\t.\tPL:GT\t0,1,2:0/1\t3,0:1\n"), "format-gt-not-first"), 15);
  EXPECT_EQ(FirstLine(Check(Header() + "1\t10\t.\tA\tG\t.\t.\t.\tGT\t0/1\n"), "sample-count"), 15);
  EXPECT_EQ(FirstLine(Check(Header() + "1\t10\t.\tA\tG\t.\t.\t.\tGT\t0/1:5\t0/0\n"), "sample-too-many-fields"), 15);
  EXPECT_EQ(FirstLine(Check(Header() + "1\t10\t.\tA\tG\t.\t.\t.\tGT:PL\t0/1:\t0/0\n"), "sample-invalid"), 15);
}

TEST(ValidatorTest, Vcf44PhasingPrefix) {
  EXPECT_TRUE(Check(Header("4.4") + "1\t10\t.\tA\tG\t.\t.\t.\tGT\t/0|1\t|1\n").valid);
  EXPECT_EQ(FirstLine(Check(Header("4.2") + "1\t10\t.\tA\tG\t.\t.\t.\tGT\t/0|1\t0\n"), "gt-allele-empty"), 15);
}

TEST(ValidatorTest, DuplicateKeysFrom43) {
  const std::string rec = "1\t10\t.\tA\tG\t.\t.\tDP=1;DP=2\tGT\t0/1\t0/0\n";
  EXPECT_TRUE(Check(Header("4.2") + rec).valid);
  EXPECT_EQ(FirstLine(Check(Header("4.3") + rec), "info-duplicate-key"), 15);
  EXPECT_EQ(FirstLine(Check(Header("4.3") + "1\t10\trs1;rs1\tA\tG\t.\t.\t.\tGT\t0/1\t0/0\n"), "id-duplicate"), 15);
}

TEST(ValidatorTest, SortingContiguityAndDuplicates) {
  auto unsorted = Check(Header() + "1\t20\t.\tA\tG\t.\t.\t.\tGT\t0\t0\n1\t10\t.\tA\tG\t.\t.\t.\tGT\t0\t0\n");
  EXPECT_EQ(FirstLine(unsorted, "pos-unsorted"), 16);
  auto split = Check(Header() + "1\t10\t.\tA\tG\t.\t.\t.\tGT\t0\t0\n2\t10\t.\tA\tG\t.\t.\t.\tGT\t0\t0\n"
                                "1\t30\t.\tA\tG\t.\t.\t.\tGT\t0\t0\n");
  EXPECT_EQ(FirstLine(split, "contig-not-contiguous"), 17);
  // A>AT at 100 and AG>ATG at 100 are the same insertion once the shared bases are trimmed.
  auto dup = Check(Header() + "1\t100\t.\tA\tAT\t.\t.\t.\tGT\t0\t0\n1\t100\t.\tAG\tATG\t.\t.\t.\tGT\t0\t0\n");
  EXPECT_EQ(FirstLine(dup, "duplicate-variant"), 15) << Rules(dup);
  EXPECT_EQ(dup.errors, 2);
  auto distinct = Check(Header() + "1\t100\t.\tA\tAT\t.\t.\t.\tGT\t0\t0\n1\t100\t.\tA\tAG\t.\t.\t.\tGT\t0\t0\n");
  EXPECT_TRUE(distinct.valid) << Rules(distinct);
}

TEST(ValidatorTest, LineEndings) {
  const std::string body = Header("4.3") + "1\t10\t.\tA\tG\t.\t.\t.\tGT\t0\t0";
  EXPECT_EQ(FirstLine(Check(body), "missing-final-newline"), 15);
  EXPECT_TRUE(Check(Header("4.2") + "1\t10\t.\tA\tG\t.\t.\t.\tGT\t0\t0").valid);
  EXPECT_TRUE(Check(body + "\n\n\n").valid) << "blank lines at the end are allowed";
  EXPECT_EQ(FirstLine(Check(body + "\n\n1\t20\t.\tA\tG\t.\t.\t.\tGT\t0\t0\n"), "blank-line"), 16);
  std::string crlf;
  for (char c : body + "\n") {
    if (c == '\n') crlf += '\r';
    crlf += c;
  }
  EXPECT_TRUE(Check(crlf).valid) << Rules(Check(crlf));
}

TEST(ValidatorTest, WarningsNeverInvalidate) {
  auto r = Check("##fileformat=VCFv4.2\n#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n"
                 "chrZ\t10\t.\tA\tCT\t.\tLowQ\tZZ=1\n");
  EXPECT_TRUE(r.valid) << Rules(r);
  EXPECT_EQ(r.errors, 0);
  EXPECT_EQ(FirstLine(r, "missing-reference"), 2);
  EXPECT_EQ(FirstLine(r, "contig-undeclared"), 3);
  EXPECT_EQ(FirstLine(r, "filter-undeclared"), 3);
  EXPECT_EQ(FirstLine(r, "info-undeclared"), 3);
  EXPECT_EQ(FirstLine(r, "ref-alt-first-base"), 3);
  EXPECT_GE(r.warnings, 5);
}

TEST(ValidatorTest, RequireEvidence) {
  const std::string none = Header("4.2", "") + "1\t10\t.\tA\tG\t.\t.\tDP=3\n";
  EXPECT_TRUE(Check(none).valid);
  EXPECT_EQ(FirstLine(Check(none, true), "evidence-missing"), 15);
  EXPECT_TRUE(Check(Header("4.2", "") + "1\t10\t.\tA\tG\t.\t.\tAF=0.5\n", true).valid);
  EXPECT_TRUE(Check(Header("4.2", "") + "1\t10\t.\tA\tG\t.\t.\tAC=1;AN=2\n", true).valid);
  EXPECT_FALSE(Check(Header("4.2", "") + "1\t10\t.\tA\tG\t.\t.\tAC=1\n", true).valid);
  EXPECT_TRUE(Check(Header() + "1\t10\t.\tA\tG\t.\t.\t.\tGT\t0/1\t0/0\n", true).valid);
}

TEST(ValidatorTest, FindingsAreBoundedButCounted) {
  std::string text = Header();
  for (int i = 0; i < 500; i++) text += "1\t" + std::to_string(10 + i) + "\t.\tA\tG\t.\t.\tDP=x\tGT\t0\t0\n";
  ValidationOptions options;
  options.max_findings = 10;
  auto r = ValidateText(text, options);
  EXPECT_EQ(r.errors, 500);
  EXPECT_EQ(r.findings.size(), 10u);
  ASSERT_EQ(r.summary.size(), 1u);
  EXPECT_EQ(r.summary[0].count, 500);
  EXPECT_EQ(r.summary[0].first_line, 15);
  EXPECT_FALSE(r.findings[0].suggestion.empty());
  EXPECT_EQ(r.findings[0].field, "INFO/DP");
}

TEST(ValidatorTest, FilesPlainGzipAndUnreadable) {
  testing::TempDir dir;
  const std::string text = Header() + "1\t10\t.\tA\tG\t.\t.\tDP=x\tGT\t0\t0\n";
  testing::WriteFile(dir.File("a.vcf"), text);
  BGZF* out = bgzf_open(dir.File("a.vcf.gz").c_str(), "w");
  ASSERT_NE(out, nullptr);
  ASSERT_EQ(bgzf_write(out, text.data(), text.size()), static_cast<ssize_t>(text.size()));
  ASSERT_EQ(bgzf_close(out), 0);
  for (const char* name : {"a.vcf", "a.vcf.gz"}) {
    auto r = ValidateFile(dir.File(name));
    ASSERT_TRUE(r.ok()) << r.status().message();
    EXPECT_FALSE(r->valid);
    EXPECT_EQ(FirstLine(*r, "info-type-mismatch"), 15) << name;
  }
  testing::WriteFile(dir.File("a.vcf.xz"), std::string("\xFD" "7zXZ\0\0\0", 8));
  auto xz = ValidateFile(dir.File("a.vcf.xz"));
  ASSERT_TRUE(xz.ok());
  EXPECT_FALSE(xz->valid);
  EXPECT_EQ(FirstLine(*xz, "unreadable-compression"), 0);
  auto missing = ValidateFile(dir.File("missing.vcf"));
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().kind(), ErrorKind::kIo);
}

TEST(ValidatorTest, BcfIsDecodedAndChecked) {
  testing::TempDir dir;
  // bcftools stores what htslib can encode; our checks still apply to the decoded records.
  testing::WriteFile(dir.File("a.vcf"), Header() + "1\t10\t.\tA\tG\t.\t.\tAC=1,2\tGT\t0/1\t0/0\n"
                                                   "1\t20\t.\tA\tG\t.\t.\tAC=1\tGT\t0/1\t0/0\n");
  auto converted = testing::RunProgram("bcftools", {"view", "-Ob", "-o", dir.File("a.bcf"), dir.File("a.vcf")});
  ASSERT_EQ(converted.exit_code, 0) << converted.err;
  auto r = ValidateFile(dir.File("a.bcf"));
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->records, 2);
  EXPECT_FALSE(r->valid);
  EXPECT_EQ(r->summary.empty() ? "" : r->summary[0].rule, "info-number-mismatch") << Rules(*r);
}

}  // namespace
}  // namespace vcfagent::vcf
