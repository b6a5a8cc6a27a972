// The where-language of `variants -w` / `similar --where`: its limits, the SQL it compiles to, and
// what it finds in a real store (ingested by the binary, queried through the CLI).
#include "store/where_expr.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "support/test_support.h"
#include "util/text_limits.h"

namespace vcfagent::store {
namespace {

using ::testing::HasSubstr;
using testing::Lines;
using testing::RunProgram;
using testing::RunVcfAgent;
using testing::TempDir;
using testing::WriteFile;

// A store's view of INFO tags, without a store: DP, NOTE and CSQ are known, XF and AF are Float.
Result<InfoTagInfo> KnownTags(const std::string& tag) {
  if (tag == "XF" || tag == "AF") return InfoTagInfo{true, true};
  if (tag == "DP" || tag == "NOTE" || tag == "CSQ") return InfoTagInfo{true, false};
  return InfoTagInfo{};
}

std::string CompileError(const std::string& text) {
  auto compiled = CompileWhere(text, KnownTags);
  EXPECT_FALSE(compiled.ok()) << text.substr(0, 80);
  if (compiled.ok()) return "";
  EXPECT_EQ(compiled.status().exit_code(), kExitUsage);
  return compiled.status().message();
}

std::string Repeat(const std::string& s, int n) {
  std::string out;
  for (int i = 0; i < n; ++i) out += s;
  return out;
}

// The chain "qual > 0 && qual > 0 && ..." of n tests.
std::string Chain(int n, const std::string& op = " && ") {
  std::string out = "qual > 0";
  for (int i = 1; i < n; ++i) out += op + "qual > 0";
  return out;
}

TEST(WhereExprTest, NestingTermsAndSizeAreBounded) {
  // The inputs: 20,000 nested parentheses and 50,000 '!' crashed the recursive parser.
  EXPECT_THAT(CompileError(Repeat("(", 20000) + "qual > 1" + Repeat(")", 20000)),
              HasSubstr("the expression is 40008 bytes long; the limit is 16384 bytes"));
  EXPECT_THAT(CompileError(Repeat("(", 5000) + "qual > 1" + Repeat(")", 5000)),
              HasSubstr("parentheses and negations nest more than 32 deep at column 33"));
  EXPECT_THAT(CompileError(Repeat("!", 10000) + "qual > 1"),
              HasSubstr("parentheses and negations nest more than 32 deep at column 33"));
  EXPECT_THAT(CompileError(Repeat("not ", 40) + "qual > 1"),
              HasSubstr("parentheses and negations nest more than 32 deep"));
  EXPECT_THAT(CompileError(Chain(kMaxExpressionTerms + 1)),
              HasSubstr("more than 500 tests in one expression at column"));
  EXPECT_THAT(CompileError(Chain(kMaxExpressionTerms + 1, " || ")), HasSubstr("more than 500 tests"));
  EXPECT_TRUE(CompileWhere(Repeat("(", 32) + "qual > 1" + Repeat(")", 32), KnownTags).ok());
  EXPECT_TRUE(CompileWhere(Chain(kMaxExpressionTerms), KnownTags).ok());
}

TEST(WhereExprTest, ErrorMessagesQuoteLongTextShortly) {
  const std::string message = CompileError("qual > 1 " + Repeat("x", 5000));
  EXPECT_LT(message.size(), 200u) << message;
  EXPECT_THAT(message, HasSubstr("xxx..."));
}

TEST(WhereExprTest, SqlNestsOnlyAsDeepAsTheParentheses) {
  // Negations are pushed down to the tests and chains are flat: SQLite's parser overflowed on
  // about 20 nested negations and about 90 chained tests of the old translation.
  auto negated = CompileWhere("!!!(qual > 1 && !(af < 0.5 || pos = 3))", KnownTags);
  ASSERT_TRUE(negated.ok()) << negated.status().message();
  EXPECT_EQ(negated->sql, "((NOT coalesce((v.qual > ?), 0)) OR ((v.af < ?) OR (v.pos = ?)))");
  auto chain = CompileWhere("pos = 1 && pos = 2 && pos = 3 || pos = 4", KnownTags);
  ASSERT_TRUE(chain.ok());
  EXPECT_EQ(chain->sql, "(((v.pos = ?) AND (v.pos = ?) AND (v.pos = ?)) OR (v.pos = ?))");
}

TEST(WhereExprTest, ContainsEscapesLikeWildcards) {
  auto compiled = CompileWhere("gene ~ 'a_b%c\\d'", KnownTags);
  ASSERT_TRUE(compiled.ok());
  EXPECT_THAT(compiled->sql, HasSubstr("LIKE ? ESCAPE '\\'"));
  ASSERT_EQ(compiled->params.size(), 1u);
  EXPECT_EQ(std::get<std::string>(compiled->params[0]), "%a\\_b\\%c\\\\d%");
}

TEST(WhereExprTest, FloatFieldsCompareInSinglePrecision) {
  auto compiled = CompileWhere("af = 0.01", KnownTags);
  ASSERT_TRUE(compiled.ok());
  EXPECT_EQ(compiled->sql, "(v.af BETWEEN ? AND ?)");
  ASSERT_EQ(compiled->params.size(), 2u);
  const double lo = std::get<double>(compiled->params[0]);
  const double hi = std::get<double>(compiled->params[1]);
  // The stored value (the float nearest 0.01) is inside; its float neighbours are outside.
  const float stored = 0.01f;
  EXPECT_LE(lo, static_cast<double>(stored));
  EXPECT_GE(hi, static_cast<double>(stored));
  EXPECT_GT(lo, static_cast<double>(std::nextafter(stored, 0.0f)));
  EXPECT_LT(hi, static_cast<double>(std::nextafter(stored, 1.0f)));
  EXPECT_EQ(static_cast<float>(lo), stored);
  EXPECT_EQ(static_cast<float>(hi), stored);
  // Integer INFO tags and exact columns compare as written.
  auto dp = CompileWhere("INFO/DP = 3", KnownTags);
  ASSERT_TRUE(dp.ok());
  EXPECT_EQ(dp->sql, "(CAST(info_value(v.info, ?) AS REAL) = ?)");
}

TEST(WhereExprTest, UnknownInfoTagIsAnError) {
  EXPECT_EQ(CompileError("INFO/NOPE > 3"),
            "--where: unknown field 'INFO/NOPE' at column 1: no file in the store declares INFO/NOPE "
            "and no stored variant has it");
  EXPECT_THAT(CompileError("pos > 1 && !INFO/nope"), HasSubstr("unknown field 'INFO/nope' at column 13"));
}

// A store with names and values that the old translation got wrong.
class WhereStoreTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir();
    vcf_ = dir_->File("w.vcf");
    WriteFile(vcf_,
              "##fileformat=VCFv4.2\n"
              "##contig=<ID=1,length=1000>\n"
              "##INFO=<ID=AF,Number=A,Type=Float,Description=\"f\">\n"
              "##INFO=<ID=XF,Number=1,Type=Float,Description=\"x\">\n"
              "##INFO=<ID=DP,Number=1,Type=Integer,Description=\"d\">\n"
              "##INFO=<ID=NOTE,Number=1,Type=String,Description=\"n\">\n"
              "##INFO=<ID=CSQ,Number=.,Type=String,Description=\"Consequence annotations from Ensembl "
              "VEP. Format: Allele|Consequence|IMPACT|SYMBOL\">\n"
              "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n"
              "1\t10\trs_1\tA\tG\t0.1\tPASS\tAF=0.01;XF=0.01;DP=5;NOTE=a_b;CSQ=G|missense_variant|MODERATE|GENE_1\n"
              "1\t20\trsx1\tA\tC\t0.2\tPASS\tAF=0.02;XF=0.0100000001;DP=6;NOTE=a%b;CSQ=C|missense_variant|MODERATE|GENE%1\n"
              "1\t30\trs1\tA\tT\t10\tPASS\tAF=0.009;XF=0.02;DP=7;NOTE=a\\b;CSQ=T|missense_variant|MODERATE|GENEX1\n");
    db_ = dir_->File("db");
    auto r = RunVcfAgent({"ingest", vcf_, "--db", db_, "--no-index"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
  static void TearDownTestSuite() {
    delete dir_;
    dir_ = nullptr;
  }

  // The positions `variants -w where` finds, as "10,30".
  static std::string Positions(const std::string& where) {
    auto r = RunVcfAgent({"variants", "--db", db_, "-w", where, "-n", "0", "-f", "tsv"});
    EXPECT_EQ(r.exit_code, 0) << where.substr(0, 80) << ": " << r.err;
    std::string out;
    const auto lines = Lines(r.out);
    for (size_t i = 1; i < lines.size(); ++i) {
      const size_t a = lines[i].find('\t'), b = lines[i].find('\t', a + 1), c = lines[i].find('\t', b + 1);
      out += (out.empty() ? "" : ",") + lines[i].substr(b + 1, c - b - 1);
    }
    return out;
  }

  // The positions bcftools view -i finds with the same comparison (INFO/ prefix, same constant).
  static std::string BcftoolsPositions(const std::string& filter) {
    auto r = RunProgram("bcftools", {"query", "-i", filter, "-f", "%POS\\n", vcf_});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    std::string out;
    for (const auto& line : Lines(r.out)) out += (out.empty() ? "" : ",") + line;
    return out;
  }

  static TempDir* dir_;
  static std::string vcf_, db_;
};

TempDir* WhereStoreTest::dir_ = nullptr;
std::string WhereStoreTest::vcf_;
std::string WhereStoreTest::db_;

TEST_F(WhereStoreTest, FloatColumnsCompareAsBcftools) {
  for (const std::string op : {"=", "!=", "<", "<=", ">", ">="}) {
    EXPECT_EQ(Positions("af " + op + " 0.01"), BcftoolsPositions("INFO/AF" + op + "0.01")) << op;
    EXPECT_EQ(Positions("INFO/XF " + op + " 0.01"), BcftoolsPositions("INFO/XF" + op + "0.01")) << op;
    EXPECT_EQ(Positions("qual " + op + " 0.1"), BcftoolsPositions("QUAL" + op + "0.1")) << op;
  }
  EXPECT_EQ(Positions("af = 0.01"), "10");
  EXPECT_EQ(Positions("af < 0.01"), "30");
  EXPECT_EQ(Positions("INFO/XF = 0.01"), "10,20");  // 0.0100000001 is the float 0.01
  EXPECT_EQ(Positions("INFO/DP = 6"), "20");
}

TEST_F(WhereStoreTest, ContainsMatchesWildcardsLiterally) {
  EXPECT_EQ(Positions("gene ~ '_'"), "10");
  EXPECT_EQ(Positions("gene ~ '%'"), "20");
  EXPECT_EQ(Positions("gene !~ '_'"), "20,30");
  EXPECT_EQ(Positions("id ~ 's_'"), "10");
  EXPECT_EQ(Positions("INFO/NOTE ~ 'a_b'"), "10");
  EXPECT_EQ(Positions("INFO/NOTE ~ '\\'"), "30");
  EXPECT_EQ(Positions("gene ~ 'gene'"), "10,20,30");  // still case-insensitive
}

TEST_F(WhereStoreTest, UnknownInfoTagIsAUsageError) {
  auto r = RunVcfAgent({"variants", "--db", db_, "-w", "INFO/NOPE > 3"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("unknown field 'INFO/NOPE' at column 1: no file in the store declares INFO/NOPE"));
  EXPECT_EQ(Positions("INFO/DP > 5 && INFO/NOTE"), "20,30");
}

TEST_F(WhereStoreTest, DeepAndLongExpressionsAreRefusedOrAnswered) {
  auto deep = RunVcfAgent({"variants", "--db", db_, "-w", Repeat("(", 5000) + "qual > 1" + Repeat(")", 5000)});
  EXPECT_EQ(deep.exit_code, 2) << deep.err;
  EXPECT_THAT(deep.err, HasSubstr("nest more than 32 deep"));
  auto nots = RunVcfAgent({"variants", "--db", db_, "-w", Repeat("!", 50000) + "qual > 1"});
  EXPECT_EQ(nots.exit_code, 2) << nots.err;
  EXPECT_THAT(nots.err, HasSubstr("the limit is 16384 bytes"));
  // At the limits the SQL is still accepted by SQLite and means what it says.
  EXPECT_EQ(Positions(Repeat("!", 32) + "qual > 1"), "30");
  EXPECT_EQ(Positions(Repeat("!(", 16) + "qual > 1" + Repeat(")", 16)), "30");
  EXPECT_EQ(Positions(Repeat("(!", 15) + "!qual > 1" + Repeat(")", 15)), "30");
  EXPECT_EQ(Positions(Chain(kMaxExpressionTerms)), "10,20,30");
  EXPECT_EQ(Positions(Chain(kMaxExpressionTerms - 1, " || ") + " || pos = 20"), "10,20,30");
  std::string alternating = "pos = 30";
  for (int i = 0; i < 31; ++i) alternating = "(" + alternating + (i % 2 ? " && qual > 0" : " || pos = 0") + ")";
  EXPECT_EQ(Positions(alternating), "30");
}

}  // namespace
}  // namespace vcfagent::store
