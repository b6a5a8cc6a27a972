#include "vcf/filter_expr.h"

#include <gtest/gtest.h>

#include <string>

#include "support/test_support.h"
#include "util/text_limits.h"
#include "vcf/variant_reader.h"

namespace vcfagent::vcf {
namespace {

using testing::TempDir;
using testing::WriteFile;

const char* kVcf =
    "##fileformat=VCFv4.2\n"
    "##contig=<ID=1>\n"
    "##FILTER=<ID=q10,Description=\"q\">\n"
    "##FILTER=<ID=lowDP,Description=\"d\">\n"
    "##INFO=<ID=DP,Number=1,Type=Integer,Description=\"d\">\n"
    "##INFO=<ID=AF,Number=A,Type=Float,Description=\"f\">\n"
    "##INFO=<ID=DB,Number=0,Type=Flag,Description=\"f\">\n"
    "##INFO=<ID=GENE,Number=1,Type=String,Description=\"g\">\n"
    "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n"
    "1\t10\trs1\tA\tG\t50\tPASS\tDP=20;AF=0.5;DB;GENE=BRCA1\n"
    "1\t20\t.\tAC\tA,ACC\t.\tq10;lowDP\tAF=0.1,0.9\n"
    "1\t30\t.\tA\t.\t5\t.\tDP=.\n";

class FilterExprTest : public ::testing::Test {
 protected:
  void SetUp() override {
    WriteFile(dir_.File("f.vcf"), kVcf);
    auto reader = VariantReader::Open(dir_.File("f.vcf"));
    ASSERT_TRUE(reader.ok()) << reader.status().message();
    reader_ = std::move(reader.value());
    for (int i = 0; i < 3; ++i) {
      records_.push_back(NewRecord());
      auto more = reader_->Next(records_.back().get());
      ASSERT_TRUE(more.ok() && *more);
    }
  }

  // Which of the three records match, as "101".
  std::string Matches(const std::string& text) {
    auto expr = FilterExpression::Parse(text, reader_->header());
    EXPECT_TRUE(expr.ok()) << text << ": " << expr.status().message();
    if (!expr.ok()) return "";
    std::string out;
    for (auto& rec : records_) out += (*expr)->Evaluate(rec.get()) ? '1' : '0';
    return out;
  }

  std::string Error(const std::string& text) {
    auto expr = FilterExpression::Parse(text, reader_->header());
    EXPECT_FALSE(expr.ok()) << text;
    if (expr.ok()) return "";
    EXPECT_EQ(expr.status().exit_code(), 2);
    return expr.status().message();
  }

  TempDir dir_;
  std::unique_ptr<VariantReader> reader_;
  std::vector<BcfRecordPtr> records_;
};

TEST_F(FilterExprTest, Comparisons) {
  EXPECT_EQ(Matches("QUAL>10"), "100");
  EXPECT_EQ(Matches("QUAL<=50"), "101");
  EXPECT_EQ(Matches("QUAL!=50"), "001");  // missing QUAL never matches, not even !=
  EXPECT_EQ(Matches("INFO/DP>=20"), "100");
  EXPECT_EQ(Matches("DP<100"), "100");     // DP=. is missing
  EXPECT_EQ(Matches("AF>0.8"), "010");     // any value of Number=A
  EXPECT_EQ(Matches("0.8<AF"), "010");     // a value first is mirrored
  EXPECT_EQ(Matches("POS=20"), "010");
  EXPECT_EQ(Matches("1e1 == POS"), "100");
}

TEST_F(FilterExprTest, StringsFiltersTypesAndFlags) {
  EXPECT_EQ(Matches("FILTER=\"PASS\""), "100");
  EXPECT_EQ(Matches("FILTER=\"lowDP;q10\""), "010");  // exact set, any order
  EXPECT_EQ(Matches("FILTER~\"q10\""), "010");
  EXPECT_EQ(Matches("FILTER=\".\""), "001");
  EXPECT_EQ(Matches("FILTER!=\"PASS\""), "011");
  EXPECT_EQ(Matches("TYPE=\"snp\""), "100");
  EXPECT_EQ(Matches("TYPE=\"indel\""), "010");
  EXPECT_EQ(Matches("TYPE=\"ref\""), "001");
  EXPECT_EQ(Matches("INFO/DB"), "100");
  EXPECT_EQ(Matches("DB=0"), "011");
  EXPECT_EQ(Matches("GENE=\"BRCA1\""), "100");
  EXPECT_EQ(Matches("GENE~'^BR'"), "100");
  EXPECT_EQ(Matches("ID=\".\""), "011");
  EXPECT_EQ(Matches("ID"), "100");
  EXPECT_EQ(Matches("ALT=\"ACC\""), "010");
  EXPECT_EQ(Matches("ALT"), "110");
  EXPECT_EQ(Matches("CHROM=\"1\" && REF!=\"A\""), "010");
}

TEST_F(FilterExprTest, BooleanStructure) {
  EXPECT_EQ(Matches("QUAL>10 || FILTER~\"q10\""), "110");
  EXPECT_EQ(Matches("QUAL>10 | FILTER~\"q10\" & POS>15"), "110");
  EXPECT_EQ(Matches("(QUAL>10 || POS=30) && !INFO/DB"), "001");
  EXPECT_EQ(Matches("!(QUAL>10)"), "011");
  EXPECT_EQ(Matches("!!DB"), "100");
}

TEST_F(FilterExprTest, ErrorsHaveColumns) {
  EXPECT_EQ(Error("INFO/DP>"), "expected a value after '>' at column 8");
  EXPECT_EQ(Error("QUAL>10 &&"), "expected an expression after '&&' at column 9");
  EXPECT_EQ(Error("(QUAL>10"), "missing ')' for the '(' opened at column 1");
  EXPECT_EQ(Error("QUAL>10)"), "unexpected ')' without a matching '(' at column 8");
  EXPECT_EQ(Error("QUAL>\"abc\""), "QUAL is a number, expected a number after '>', found \"abc\" at column 6");
  EXPECT_EQ(Error("FILTER=\"nope\""), "unknown FILTER 'nope' (not defined in the header) at column 8");
  EXPECT_EQ(Error("GENE>3"), "'>' needs a numeric field, and GENE is not numeric at column 5");
  EXPECT_EQ(Error("QUAL ~ \"x\""), "'~' applies to strings, and QUAL is a number at column 6");
  EXPECT_EQ(Error("FILTER=\"PASS"), "unterminated string starting with \" at column 8");
  EXPECT_EQ(Error("QUAL>10 $"), "unexpected character '$' at column 9");
  EXPECT_EQ(Error("QUAL 10"), "expected '&&', '||' or the end of the expression, found '10' at column 6");
  EXPECT_EQ(Error("10"), "a value alone is not a test: compare it with a field, e.g. QUAL>10 at column 1");
  EXPECT_EQ(Error("DB>1"), "DB is a flag: test it alone (DB or !DB) or with =1 / =0 at column 3");
  EXPECT_EQ(Error("TYPE=\"snv\""),
            "unknown variant type 'snv': expected snps, indels, mnps, other, bnd, overlap or ref at column 6");
  EXPECT_EQ(Error("GENE~\"(\"").rfind("invalid regular expression \"(\": ", 0), 0u);
  EXPECT_NE(Error("NOPE>1").find("unknown field 'NOPE'"), std::string::npos);
  EXPECT_EQ(Error(""), "empty expression");
  EXPECT_EQ(Error("> 3"), "expected a field before '>' at column 1");
  EXPECT_EQ(Error("QUAL > POS"),
            "expected a number or a quoted string after '>', found 'POS' (comparing two fields is not "
            "supported; quote strings) at column 8");
}

std::string Repeat(const std::string& s, int n) {
  std::string out;
  for (int i = 0; i < n; ++i) out += s;
  return out;
}

TEST_F(FilterExprTest, NestingTestsAndSizeAreBounded) {
  // The inputs: 20,000 nested parentheses or 50,000 '!' overflowed the parser's stack.
  EXPECT_EQ(Error(Repeat("(", 20000) + "QUAL>10" + Repeat(")", 20000)),
            "the filter expression is 40007 bytes long; the limit is 16384 bytes");
  EXPECT_EQ(Error(Repeat("!", 50000) + "QUAL>10"),
            "the filter expression is 50007 bytes long; the limit is 16384 bytes");
  EXPECT_EQ(Error(Repeat("(", 5000) + "QUAL>10" + Repeat(")", 5000)),
            "parentheses and '!' nest more than 32 deep at column 33");
  EXPECT_EQ(Error(Repeat("!", 5000) + "QUAL>10"), "parentheses and '!' nest more than 32 deep at column 33");
  EXPECT_EQ(Error(Repeat("(!", 20) + "DB" + Repeat(")", 20)),
            "parentheses and '!' nest more than 32 deep at column 33");
  std::string tests = "QUAL>1";
  for (int i = 1; i <= kMaxExpressionTerms; ++i) tests += " && QUAL>1";
  EXPECT_EQ(Error(tests), "more than 500 tests in one expression at column 5001");
  EXPECT_EQ(Error("GENE~\"" + Repeat("(a)", 400) + "\""),
            "the regular expression is 1200 bytes long; the limit is 1024 bytes at column 6");
  // At the limits an expression parses and evaluates.
  EXPECT_EQ(Matches(Repeat("!", 32) + "QUAL>10"), "100");
  EXPECT_EQ(Matches(Repeat("(", 32) + "QUAL>10" + Repeat(")", 32)), "100");
  tests = "QUAL>10";
  for (int i = 1; i < kMaxExpressionTerms; ++i) tests += i % 2 ? " || POS=20" : " && QUAL>10";
  EXPECT_EQ(Matches(tests), "110");
}

// glibc's regcomp copies the tree per repetition: the fuzzer's "^BR+++...+" (75 '+') took it past
// 2 GB. Such patterns are refused before regcomp sees them; ordinary ones still work.
TEST_F(FilterExprTest, RegularExpressionBombsAreRefused) {
  for (const std::string& re : std::vector<std::string>{"^BR" + Repeat("+", 75), "a*+", "(a{100}){100}", "a{1000}",
                               Repeat("(", 9) + "a" + Repeat(")", 9), Repeat("a+", 33)}) {
    const std::string message = Error("GENE~\"" + re + "\"");
    EXPECT_NE(message.find("it would take regcomp too much memory"), std::string::npos) << re << ": " << message;
  }
  for (const std::string re : {"^BR[+*]+$", "a\\++", "(ab|cd){2,3}x?", "^[A-Z]{1,10}[0-9]*$"}) {
    auto expr = FilterExpression::Parse("GENE~\"" + re + "\"", reader_->header());
    EXPECT_TRUE(expr.ok()) << re << ": " << expr.status().message();
  }
}

TEST_F(FilterExprTest, ErrorsQuoteLongTextShortly) {
  const std::string message = Error("QUAL>10 && \"" + Repeat("x", 5000) + "\"");
  EXPECT_LT(message.size(), 200u) << message;
}

// QUAL and Float INFO values are single precision; bcftools compares them with the constant
// rounded to single precision, so AF=0.01 finds the 0.01 the file wrote and AF<0.01 does not.
TEST(FilterFloatTest, FloatFieldsCompareWithTheConstantInSinglePrecision) {
  TempDir dir;
  WriteFile(dir.File("f.vcf"),
            "##fileformat=VCFv4.2\n"
            "##contig=<ID=1>\n"
            "##INFO=<ID=AF,Number=A,Type=Float,Description=\"f\">\n"
            "##INFO=<ID=DP,Number=1,Type=Integer,Description=\"d\">\n"
            "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n"
            "1\t10\t.\tA\tG\t0.1\tPASS\tAF=0.01;DP=3\n"
            "1\t20\t.\tA\tC\t0.2\tPASS\tAF=0.02;DP=4\n"
            "1\t30\t.\tA\tT\t10\tPASS\tAF=0.0100000001;DP=5\n");
  auto reader = VariantReader::Open(dir.File("f.vcf"));
  ASSERT_TRUE(reader.ok()) << reader.status().message();
  std::vector<BcfRecordPtr> records;
  for (int i = 0; i < 3; ++i) {
    records.push_back(NewRecord());
    auto more = (*reader)->Next(records.back().get());
    ASSERT_TRUE(more.ok() && *more);
  }
  const auto matches = [&](const std::string& text) {
    auto expr = FilterExpression::Parse(text, (*reader)->header());
    EXPECT_TRUE(expr.ok()) << text << ": " << expr.status().message();
    std::string out;
    if (expr.ok()) {
      for (auto& rec : records) out += (*expr)->Evaluate(rec.get()) ? '1' : '0';
    }
    return out;
  };
  EXPECT_EQ(matches("INFO/AF=0.01"), "101");  // 0.0100000001 is the float 0.01 too
  EXPECT_EQ(matches("INFO/AF<0.01"), "000");
  EXPECT_EQ(matches("INFO/AF<=0.01"), "101");
  EXPECT_EQ(matches("INFO/AF>0.01"), "010");
  EXPECT_EQ(matches("INFO/AF!=0.01"), "010");
  EXPECT_EQ(matches("0.01=AF"), "101");
  EXPECT_EQ(matches("QUAL=0.1"), "100");
  EXPECT_EQ(matches("QUAL>=0.2"), "011");
  EXPECT_EQ(matches("DP<3.5"), "100");  // Integer fields compare with the constant as written
}

TEST(VariantTypesTest, Names) {
  auto mask = ParseVariantTypes("snps,indels,ref");
  ASSERT_TRUE(mask.ok());
  EXPECT_EQ(*mask, VCF_SNP | VCF_INDEL | kTypeRefBit);
  EXPECT_FALSE(ParseVariantTypes("snps,").ok());
  EXPECT_FALSE(ParseVariantTypes("bogus").ok());
}

}  // namespace
}  // namespace vcfagent::vcf
