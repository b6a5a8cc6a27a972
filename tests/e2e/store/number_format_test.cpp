// Floating-point values in every JSON, TSV and table output, CLI and API alike, are the shortest
// decimal that reads back as the stored value at its own precision (util/number_text.h): a file's
// QUAL=4143.13 and AF=0.167 (single precision in the VCF) print 4143.13 and 0.167, never the float
// widened to double (4143.1298828125, 0.16699999570846558) nor cut to a few digits (123456.78 as
// 123457, 0.0012345678 as 0.001235). Values computed in double print as the shortest double.
#include <cstdlib>
#include <map>
#include <regex>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "e2e/server/api_client.h"
#include "support/service_process.h"
#include "support/test_support.h"

namespace vcfagent::testing {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;
using ::testing::Not;

std::string FloatsVcf() {
  return "##fileformat=VCFv4.2\n"
         "##contig=<ID=1,length=100000>\n"
         "##INFO=<ID=AF,Number=A,Type=Float,Description=\"Allele frequency\">\n"
         "##INFO=<ID=DP,Number=1,Type=Integer,Description=\"Depth\">\n"
         "##FORMAT=<ID=GT,Number=1,Type=String,Description=\"Genotype\">\n"
         "##FORMAT=<ID=HQ,Number=2,Type=Float,Description=\"Haplotype quality\">\n"
         "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tS1\tS2\n"
         "1\t100\trs1\tA\tG\t4143.13\tPASS\tAF=0.167;DP=12345678\tGT:HQ\t0/1:29.7,0.1\t0/0:.,.\n"
         "1\t200\trs2\tC\tT\t123456.78\tPASS\tAF=0.0012345678;DP=10\tGT:HQ\t1/1:1,2\t0/1:3,4\n"
         "1\t300\trs3\tG\tA\t29.7\tPASS\tAF=1e-05;DP=20\tGT:HQ\t0/1:5,6\t0/1:7,8\n"
         "1\t400\trs4\tT\tC\t50\tPASS\tAF=0.5;DP=30\tGT:HQ\t0/1:9,10\t1/1:11,12\n";
}

// The file's values and what a float widened to double prints; none of the latter may appear.
const std::vector<std::string> kWidened = {"0.16699999570846558", "4143.1298828125", "123456.78125",
                                           "0.0012345678405836225", "29.700000762939453",
                                           "9.9999997473787516e-06"};

void ExpectNoWidenedFloats(const std::string& text, const std::string& what) {
  for (const std::string& widened : kWidened) EXPECT_THAT(text, Not(HasSubstr(widened))) << what;
}

// `"key": value` in compact or pretty JSON, followed by the end of the number.
bool HasJsonNumber(const std::string& text, const std::string& key, const std::string& number) {
  std::string escaped;
  for (char c : number) {
    if (c == '.' || c == '+') escaped += '\\';
    escaped += c;
  }
  return std::regex_search(text, std::regex("\"" + key + "\":\\s*" + escaped + "[,\\s\\]}]"));
}

// The cells of the TSV row whose `pos` column is `pos`, by the header's column names.
std::map<std::string, std::string> TsvRow(const std::string& tsv, const std::string& pos) {
  const std::vector<std::string> lines = Lines(tsv);
  auto split = [](const std::string& line) {
    std::vector<std::string> cells;
    size_t start = 0;
    for (;;) {
      const size_t tab = line.find('\t', start);
      cells.push_back(line.substr(start, tab == std::string::npos ? tab : tab - start));
      if (tab == std::string::npos) return cells;
      start = tab + 1;
    }
  };
  std::vector<std::string> header = split(lines.at(0));
  if (!header.empty() && header[0][0] == '#') header[0] = header[0].substr(1);
  for (size_t i = 1; i < lines.size(); ++i) {
    const std::vector<std::string> cells = split(lines[i]);
    std::map<std::string, std::string> row;
    for (size_t c = 0; c < header.size() && c < cells.size(); ++c) row[header[c]] = cells[c];
    if (row["pos"] == pos) return row;
  }
  ADD_FAILURE() << "no row at pos " << pos << " in\n" << tsv;
  return {};
}

class NumberFormatTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir();
    WriteFile(dir_->File("floats.vcf"), FloatsVcf());
    db_ = dir_->File("db");
    auto r = RunVcfAgent({"ingest", dir_->File("floats.vcf"), "--db", db_});
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
  static void TearDownTestSuite() { delete dir_; }

  static CommandResult Run(std::vector<std::string> args) {
    auto r = RunVcfAgent(args);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return r;
  }

  static TempDir* dir_;
  static std::string db_;
};
TempDir* NumberFormatTest::dir_ = nullptr;
std::string NumberFormatTest::db_;

TEST_F(NumberFormatTest, VariantsJsonPrintsTheFilesDecimals) {
  const std::string out = Run({"variants", "--db", db_, "-f", "json"}).out;
  EXPECT_TRUE(HasJsonNumber(out, "qual", "4143.13")) << out;
  EXPECT_TRUE(HasJsonNumber(out, "af", "0.167")) << out;
  EXPECT_TRUE(HasJsonNumber(out, "qual", "123456.78")) << out;
  EXPECT_TRUE(HasJsonNumber(out, "af", "0.0012345678")) << out;
  EXPECT_TRUE(HasJsonNumber(out, "qual", "29.7")) << out;
  EXPECT_TRUE(HasJsonNumber(out, "af", "1e-05")) << out;
  EXPECT_TRUE(HasJsonNumber(out, "af", "0.5")) << out;
  EXPECT_TRUE(HasJsonNumber(out, "cohort_af", "0.25")) << out;  // computed in double: (1 + 0) / 4
  ExpectNoWidenedFloats(out, "variants -f json");
}

TEST_F(NumberFormatTest, VariantsTsvAndTablePrintEveryDigitAndNoMore) {
  const std::string tsv = Run({"variants", "--db", db_, "-f", "tsv"}).out;
  auto first = TsvRow(tsv, "100");
  EXPECT_EQ(first["qual"], "4143.13");
  EXPECT_EQ(first["af"], "0.167");
  auto second = TsvRow(tsv, "200");
  EXPECT_EQ(second["qual"], "123456.78");    // %.6g wrote 123457
  EXPECT_EQ(second["af"], "0.0012345678");  // %.4g wrote 0.001235
  EXPECT_EQ(TsvRow(tsv, "300")["af"], "1e-05");
  EXPECT_EQ(TsvRow(tsv, "400")["qual"], "50");
  ExpectNoWidenedFloats(tsv, "variants -f tsv");

  const std::string table = Run({"variants", "--db", db_, "-f", "table"}).out;
  std::string row100, row200;
  for (const std::string& line : Lines(table)) {
    if (line.find(" 100 ") != std::string::npos) row100 = line;
    if (line.find(" 200 ") != std::string::npos) row200 = line;
  }
  EXPECT_THAT(row100, HasSubstr(" 4143.13 ")) << table;
  EXPECT_THAT(row100, HasSubstr(" 0.167 ")) << table;
  EXPECT_THAT(row200, HasSubstr(" 123456.78 ")) << table;
  EXPECT_THAT(row200, HasSubstr(" 0.0012345678 ")) << table;
  ExpectNoWidenedFloats(table, "variants -f table");
}

TEST_F(NumberFormatTest, CohortAfHasEveryDigitInTsvAndFourInTheTable) {
  TempDir dir;
  WriteFile(dir.File("thirds.vcf"),
            "##fileformat=VCFv4.2\n##contig=<ID=1>\n"
            "##FORMAT=<ID=GT,Number=1,Type=String,Description=\"Genotype\">\n"
            "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tA\tB\tC\n"
            "1\t100\t.\tA\tG\t50\tPASS\t.\tGT\t0/1\t0/1\t0/0\n");  // 2 of 6 alleles
  const std::string db = dir.File("db");
  Run({"ingest", "--no-index", "--db", db, dir.File("thirds.vcf")});
  EXPECT_EQ(TsvRow(Run({"variants", "--db", db, "-f", "tsv"}).out, "100")["cohort_af"], "0.3333333333333333");
  const std::string table = Run({"variants", "--db", db, "-f", "table"}).out;
  EXPECT_THAT(table, HasSubstr(" 0.3333 ")) << table;
  EXPECT_THAT(table, ::testing::Not(HasSubstr("0.33333"))) << table;
}

TEST_F(NumberFormatTest, ViewJsonLinesPrintTheFilesDecimals) {
  const std::string out = Run({"view", dir_->File("floats.vcf"), "-O", "j", "-s", "S1,S2"}).out;
  const std::vector<std::string> lines = Lines(out);
  ASSERT_EQ(lines.size(), 4u) << out;
  EXPECT_THAT(lines[0], HasSubstr("\"qual\":4143.13,")) << lines[0];
  EXPECT_THAT(lines[0], HasSubstr("\"AF\":[0.167]")) << lines[0];
  EXPECT_THAT(lines[0], HasSubstr("\"DP\":12345678")) << lines[0];  // %g wrote 1.23457e+07
  EXPECT_THAT(lines[0], HasSubstr("\"HQ\":[29.7,0.1]")) << lines[0];
  EXPECT_THAT(lines[0], HasSubstr("\"HQ\":[null,null]")) << lines[0];
  EXPECT_THAT(lines[1], HasSubstr("\"qual\":123456.78,")) << lines[1];   // %g wrote 123457
  EXPECT_THAT(lines[1], HasSubstr("\"AF\":[0.0012345678]")) << lines[1];  // %g wrote 0.00123457
  EXPECT_THAT(lines[2], HasSubstr("\"AF\":[1e-05]")) << lines[2];
  EXPECT_THAT(lines[3], HasSubstr("\"qual\":50,")) << lines[3];
  for (const std::string& line : lines) EXPECT_FALSE(json::parse(line, nullptr, false).is_discarded()) << line;
}

TEST_F(NumberFormatTest, SqlPrintsSinglePrecisionColumnsAsFloatsAndExpressionsAsDoubles) {
  const std::string query =
      "SELECT pos, qual, af, af * 1 AS af_expr, q FROM variant_view "
      "JOIN (SELECT variant_id, v.qual AS q FROM variants v) USING (variant_id) ORDER BY pos";
  const std::string out = Run({"sql", "--db", db_, "-f", "json", query}).out;
  EXPECT_TRUE(HasJsonNumber(out, "qual", "4143.13")) << out;
  EXPECT_TRUE(HasJsonNumber(out, "q", "4143.13")) << out;  // through an alias and a subquery
  EXPECT_TRUE(HasJsonNumber(out, "af", "0.167")) << out;
  EXPECT_TRUE(HasJsonNumber(out, "af", "0.0012345678")) << out;
  EXPECT_TRUE(HasJsonNumber(out, "af_expr", "0.16699999570846558")) << out;  // an expression is a double

  const std::string tsv = Run({"sql", "--db", db_, "-f", "tsv", query}).out;
  EXPECT_EQ(TsvRow(tsv, "100")["qual"], "4143.13");
  EXPECT_EQ(TsvRow(tsv, "100")["af_expr"], "0.16699999570846558");
  EXPECT_EQ(TsvRow(tsv, "200")["qual"], "123456.78");  // %g wrote 123457
  EXPECT_EQ(TsvRow(tsv, "200")["af"], "0.0012345678");
  const std::string table = Run({"sql", "--db", db_, "-f", "table", query}).out;
  EXPECT_THAT(table, HasSubstr(" 123456.78 "));
  EXPECT_THAT(table, HasSubstr(" 0.0012345678 "));
}

TEST_F(NumberFormatTest, SimilarDistancesAreSinglePrecision) {
  const std::string out = Run({"similar", "1:100:A:G", "--db", db_, "--format", "json"}).out;
  const std::regex distance("\"distance\":\\s*([-+0-9.e]+)");
  int seen = 0;
  for (auto it = std::sregex_iterator(out.begin(), out.end(), distance); it != std::sregex_iterator(); ++it) {
    const std::string text = (*it)[1];
    const float value = std::strtof(text.c_str(), nullptr);
    // The float's own shortest decimal: at most 9 significant digits, and what %.9g gives for it
    // when that is shorter than the widened double's 17.
    std::string digits;
    for (char c : text.substr(0, text.find('e'))) {
      if (c >= '0' && c <= '9' && !(digits.empty() && c == '0')) digits += c;
    }
    EXPECT_LE(digits.size(), 9u) << text;
    EXPECT_EQ(static_cast<float>(std::strtod(text.c_str(), nullptr)), value) << text;
    ++seen;
  }
  EXPECT_EQ(seen, 3) << out;
}

TEST_F(NumberFormatTest, ApiPrintsTheFilesDecimals) {
  ServiceProcess::Options options;
  options.store_dir = db_;
  options.extra_args = {"--data-dir", dir_->path()};
  auto service = ServiceProcess::Start(options);
  ApiClient api(service->url(), service->admin_key());

  auto variants = api.Get("/api/v1/variants");
  ASSERT_EQ(variants.status, 200) << variants.Describe();
  EXPECT_THAT(variants.body, HasSubstr("\"af\":0.167,"));
  EXPECT_THAT(variants.body, HasSubstr("\"qual\":4143.13,"));
  EXPECT_THAT(variants.body, HasSubstr("\"af\":0.0012345678,"));
  EXPECT_THAT(variants.body, HasSubstr("\"qual\":123456.78,"));
  ExpectNoWidenedFloats(variants.body, "/api/v1/variants");

  auto one = api.Get("/api/v1/variants/1:100:A:G");
  ASSERT_EQ(one.status, 200) << one.Describe();
  EXPECT_THAT(one.body, HasSubstr("\"af\":0.167,"));
  EXPECT_THAT(one.body, HasSubstr("\"qual\":4143.13,"));

  auto sql = api.Post("/api/v1/sql", {{"query", "SELECT qual, af FROM variants ORDER BY pos"}});
  ASSERT_EQ(sql.status, 200) << sql.Describe();
  EXPECT_THAT(sql.body, HasSubstr("{\"af\":0.167,\"qual\":4143.13}"));
  ExpectNoWidenedFloats(sql.body, "/api/v1/sql");

  auto view = api.Post("/api/v1/view", {{"file", {{"path", "floats.vcf"}}}});
  ASSERT_EQ(view.status, 200) << view.Describe();
  EXPECT_THAT(view.body, HasSubstr("\"qual\":4143.13,"));
  EXPECT_THAT(view.body, HasSubstr("\"AF\":[0.167]"));
  ExpectNoWidenedFloats(view.body, "/api/v1/view");
}

}  // namespace
}  // namespace vcfagent::testing
