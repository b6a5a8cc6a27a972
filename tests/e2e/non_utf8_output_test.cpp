// Text that is not UTF-8 (a Latin-1 sample name and INFO value) through every command that writes
// JSON: each exits as it would for ASCII, writes JSON that parses, and carries U+FFFD where the
// byte was (util/json_text.h). Before, every one aborted on nlohmann's type_error 316 (exit 134).
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <string>
#include <vector>

#include "support/test_support.h"

namespace vcfagent::testing {
namespace {

using nlohmann::json;

constexpr const char* kReplacement = "\xEF\xBF\xBD";

// José in Latin-1 (0xE9), and an INFO note "café".
std::string Latin1Vcf() {
  return "##fileformat=VCFv4.2\n"
         "##contig=<ID=1,length=100000>\n"
         "##INFO=<ID=NOTE,Number=1,Type=String,Description=\"A note\">\n"
         "##FORMAT=<ID=GT,Number=1,Type=String,Description=\"Genotype\">\n"
         "##FORMAT=<ID=GQ,Number=1,Type=Integer,Description=\"Genotype quality\">\n"
         "##FORMAT=<ID=DP,Number=1,Type=Integer,Description=\"Depth\">\n"
         "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tJos\xE9\tANA\n"
         "1\t100\trs1\tA\tG\t50\tPASS\tNOTE=caf\xE9\tGT:GQ:DP\t0/1:30:10\t1/1:40:12\n"
         "1\t200\trs2\tC\tT\t60\tPASS\tNOTE=ok\tGT:GQ:DP\t0/1:35:11\t0/0:45:13\n"
         "1\t300\trs3\tG\tA\t70\tPASS\tNOTE=ok\tGT:GQ:DP\t1/1:20:9\t0/1:25:14\n";
}

class NonUtf8OutputTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir();
    WriteFile(File("latin1.vcf"), Latin1Vcf());
    WriteFile(File("copy.vcf"), Latin1Vcf());
    auto r = RunVcfAgent({"ingest", File("latin1.vcf"), "--db", File("store")});
    ingest_ = new CommandResult(r);
  }
  static void TearDownTestSuite() {
    delete ingest_;
    delete dir_;
  }
  static std::string File(const std::string& name) { return dir_->File(name); }

  // Runs `args`, expects `exit_code` and JSON output that parses and contains U+FFFD.
  static json RunJson(const std::vector<std::string>& args, int exit_code = 0, bool jsonl = false) {
    auto r = RunVcfAgent(args);
    std::string command;
    for (const auto& a : args) command += a + " ";
    EXPECT_EQ(r.exit_code, exit_code) << command << "\n" << r.err;
    EXPECT_NE(r.out.find(kReplacement), std::string::npos) << command << "\n" << r.out.substr(0, 500);
    json value = json::array();
    if (jsonl) {
      for (const std::string& line : Lines(r.out)) {
        json record = json::parse(line, nullptr, false);
        EXPECT_FALSE(record.is_discarded()) << command << "\n" << line;
        value.push_back(record);
      }
    } else {
      value = json::parse(r.out, nullptr, false);
      EXPECT_FALSE(value.is_discarded()) << command << "\n" << r.out.substr(0, 500);
    }
    return value;
  }

  static TempDir* dir_;
  static CommandResult* ingest_;
};
TempDir* NonUtf8OutputTest::dir_ = nullptr;
CommandResult* NonUtf8OutputTest::ingest_ = nullptr;

TEST_F(NonUtf8OutputTest, VcfCommands) {
  const json stats = RunJson({"stats", "-s", "-", "--format", "json", File("latin1.vcf")});
  EXPECT_NE(stats.dump().find("Jos\xEF\xBF\xBD"), std::string::npos) << stats.dump().substr(0, 300);

  const json records = RunJson({"view", "-O", "j", File("latin1.vcf")}, 0, /*jsonl=*/true);
  ASSERT_EQ(records.size(), 3u);
  EXPECT_EQ(records[0]["info"]["NOTE"], std::string("caf") + kReplacement);

  RunJson({"compare", File("latin1.vcf"), File("copy.vcf"), "--format", "json"});
  RunJson({"analyze", File("latin1.vcf"), "--format", "json", "-o", "-"});
}

TEST_F(NonUtf8OutputTest, AnalyzeWritesItsReportAndNoTempFile) {
  auto r = RunVcfAgent({"analyze", File("latin1.vcf"), "-o", File("analyzed.json")});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string text = ReadFile(File("analyzed.json"));
  EXPECT_FALSE(json::parse(text, nullptr, false).is_discarded());
  EXPECT_NE(text.find(kReplacement), std::string::npos);
  for (const auto& entry : std::filesystem::directory_iterator(dir_->path())) {
    EXPECT_EQ(entry.path().filename().string().find(".tmp"), std::string::npos) << entry.path();
  }
}

TEST_F(NonUtf8OutputTest, StoreCommands) {
  ASSERT_EQ(ingest_->exit_code, 0) << ingest_->err;
  const std::string db = File("store");
  const json variants = RunJson({"variants", "--db", db, "-f", "json"});
  EXPECT_EQ(variants["variants"].size(), 3u) << variants.dump().substr(0, 300);
  const json sql = RunJson({"sql", "--db", db, "-f", "json", "SELECT name FROM samples ORDER BY name"});
  EXPECT_EQ(sql["rows"].size(), 2u);
  const json carriers = RunJson({"graph", "--db", db, "--format", "json", "carriers", "1:100:A:G"});
  EXPECT_NE(carriers.dump().find(std::string("Jos") + kReplacement), std::string::npos) << carriers.dump();
}

}  // namespace
}  // namespace vcfagent::testing
