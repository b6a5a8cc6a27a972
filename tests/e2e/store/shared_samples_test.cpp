// A sample in two files is one sample with one call per site: the file that gave the call first
// keeps it, later files' calls at that site are not counted, and disagreements are reported.
// Every count (het, hom-alt, called, carriers, cohort AF, the graph) follows the rule.
#include <map>
#include <set>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "support/test_support.h"

namespace vcfagent::testing {
namespace {

using ::testing::HasSubstr;
using nlohmann::json;

constexpr const char* kHeader =
    "##fileformat=VCFv4.2\n"
    "##contig=<ID=1,length=1000>\n"
    "##FORMAT=<ID=GT,Number=1,Type=String,Description=\"Genotype\">\n"
    "##FORMAT=<ID=DP,Number=1,Type=Integer,Description=\"Depth\">\n"
    "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tA\tB\tC\n";

// Site 100: both files agree. Site 200: they disagree for A (het / hom-ref) and B (hom-ref /
// hom-alt). Site 300: only in the second file. Site 400: only in the first.
constexpr const char* kFirst =
    "1\t100\t.\tA\tG\t50\tPASS\t.\tGT:DP\t0/1:10\t1/1:12\t0/0:14\n"
    "1\t200\t.\tC\tT\t50\tPASS\t.\tGT:DP\t0/1:10\t0/0:12\t0/1:14\n"
    "1\t400\t.\tT\tA\t50\tPASS\t.\tGT:DP\t0/1:10\t0/0:12\t0/0:14\n";
constexpr const char* kSecond =
    "1\t100\t.\tA\tG\t50\tPASS\t.\tGT:DP\t0/1:20\t1/1:22\t0/0:24\n"
    "1\t200\t.\tC\tT\t50\tPASS\t.\tGT:DP\t0/0:20\t1/1:22\t0/1:24\n"
    "1\t300\t.\tG\tC\t50\tPASS\t.\tGT:DP\t0/1:20\t0/0:22\t./.:.\n";

CommandResult IngestFiles(const std::string& db, const std::vector<std::string>& files) {
  std::vector<std::string> args = {"ingest", "--no-index", "--db", db, "--format", "json"};
  args.insert(args.end(), files.begin(), files.end());
  return RunVcfAgent(args);
}

// label -> {het, hom_alt, missing, called, cohort_af, mean_dp}
std::map<std::string, json> Counts(const std::string& db) {
  auto r = RunVcfAgent({"variants", "--db", db, "-f", "json"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  std::map<std::string, json> out;
  const json parsed = json::parse(r.out);
  for (const auto& v : parsed["variants"]) {
    out[v["variant"].get<std::string>()] = {{"het", v["het"]}, {"hom_alt", v["hom_alt"]}, {"missing", v["missing"]},
                         {"called", v["called"]}, {"cohort_af", v["cohort_af"]}, {"mean_dp", v["mean_dp"]}};
  }
  return out;
}

std::set<std::string> GraphCarriers(const std::string& db, const std::string& label) {
  auto r = RunVcfAgent({"graph", "carriers", label, "--db", db, "--format", "json"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  std::set<std::string> out;
  const json parsed = json::parse(r.out);
  for (const auto& c : parsed["carriers"]) out.insert(c["sample"].get<std::string>() + "=" + c["zygosity"].get<std::string>());
  return out;
}

class SharedSamplesTest : public ::testing::Test {
 protected:
  TempDir tmp_;
  std::string first_ = tmp_.File("first.vcf");
  std::string second_ = tmp_.File("second.vcf");
  void SetUp() override {
    WriteFile(first_, std::string(kHeader) + kFirst);
    WriteFile(second_, std::string(kHeader) + kSecond);
  }
};

TEST_F(SharedSamplesTest, TheFirstFileKeepsTheCallAndConflictsAreReported) {
  const std::string db = tmp_.File("db");
  auto one = IngestFiles(db, {first_});
  ASSERT_EQ(one.exit_code, 0) << one.err;
  const auto before = Counts(db);
  auto two = IngestFiles(db, {second_});
  ASSERT_EQ(two.exit_code, 0) << two.err;
  const json summary = json::parse(two.out);
  // Sites 100 and 200 are in both files: 6 calls of A, B and C were given already.
  EXPECT_EQ(summary["files"][0]["duplicate_calls"], 6);
  EXPECT_EQ(summary["files"][0]["conflicting_calls"], 2);
  EXPECT_EQ(summary["duplicate_calls"], 6);
  EXPECT_EQ(summary["conflicting_calls"], 2);
  ASSERT_EQ(summary["files"][0]["conflicts"].size(), 2u);
  EXPECT_THAT(summary["files"][0]["conflicts"][0].get<std::string>(),
              HasSubstr("A at 1:200:C:T: kept het (0/1) from " + first_ + "; this file has hom-ref"));
  EXPECT_THAT(summary["files"][0]["conflicts"][1].get<std::string>(),
              HasSubstr("B at 1:200:C:T: kept hom-ref from " + first_ + "; this file has hom-alt (1/1)"));

  const auto after = Counts(db);
  // The shared sites count each sample once, with the first file's calls and depths.
  EXPECT_EQ(after.at("1:100:A:G"), before.at("1:100:A:G"));
  EXPECT_EQ(after.at("1:200:C:T"), before.at("1:200:C:T"));
  EXPECT_EQ(after.at("1:100:A:G")["called"], 3);
  EXPECT_EQ(after.at("1:100:A:G")["het"], 1);
  EXPECT_EQ(after.at("1:100:A:G")["hom_alt"], 1);
  EXPECT_EQ(after.at("1:100:A:G")["mean_dp"], 12.0);
  EXPECT_EQ(after.at("1:200:C:T")["het"], 2);
  EXPECT_EQ(after.at("1:200:C:T")["hom_alt"], 0);
  // The sites of one file only are that file's.
  EXPECT_EQ(after.at("1:300:G:C")["called"], 2);
  EXPECT_EQ(after.at("1:300:G:C")["missing"], 1);
  EXPECT_EQ(after.at("1:400:T:A"), before.at("1:400:T:A"));
  // The graph and the carriers agree with the counts.
  EXPECT_EQ(GraphCarriers(db, "1:100:A:G"), (std::set<std::string>{"A=het", "B=hom-alt"}));
  EXPECT_EQ(GraphCarriers(db, "1:200:C:T"), (std::set<std::string>{"A=het", "C=het"}));
  auto carriers = RunVcfAgent({"sql", "--db", db, "-f", "tsv",
                               "SELECT count(*) FROM genotypes WHERE zygosity IN (1, 2)"});
  ASSERT_EQ(carriers.exit_code, 0) << carriers.err;
  int64_t total = 0;
  for (const auto& [label, c] : after) total += c["het"].get<int64_t>() + c["hom_alt"].get<int64_t>();
  EXPECT_EQ(Lines(carriers.out)[1], std::to_string(total));

  // The text summary names the uncounted calls, and warns of the conflicts on stderr.
  const std::string db2 = tmp_.File("db2");
  ASSERT_EQ(IngestFiles(db2, {first_}).exit_code, 0);
  auto text = RunVcfAgent({"ingest", "--no-index", "--db", db2, second_});
  ASSERT_EQ(text.exit_code, 0) << text.err;
  EXPECT_THAT(text.out, HasSubstr("6 calls of samples another file already gave at the same site were not counted"));
  EXPECT_THAT(text.err, HasSubstr("warning: " + second_ + ": 2 of those calls disagree with the kept call"));
  EXPECT_THAT(text.err, HasSubstr("B at 1:200:C:T: kept hom-ref"));
}

TEST_F(SharedSamplesTest, TheOrderOfIngestDecidesWhichCallIsKept) {
  const std::string db = tmp_.File("db");
  auto both = IngestFiles(db, {second_, first_});
  ASSERT_EQ(both.exit_code, 0) << both.err;
  const json summary = json::parse(both.out);
  EXPECT_EQ(summary["files"][0]["duplicate_calls"], 0);
  EXPECT_EQ(summary["files"][1]["duplicate_calls"], 6);
  EXPECT_EQ(summary["files"][1]["conflicting_calls"], 2);
  const auto counts = Counts(db);
  EXPECT_EQ(counts.at("1:200:C:T")["het"], 1);  // C, from the second file
  EXPECT_EQ(counts.at("1:200:C:T")["hom_alt"], 1);  // B
  EXPECT_EQ(counts.at("1:200:C:T")["called"], 3);
  EXPECT_EQ(counts.at("1:100:A:G")["mean_dp"], 22.0);
  EXPECT_EQ(GraphCarriers(db, "1:200:C:T"), (std::set<std::string>{"B=hom-alt", "C=het"}));
}

TEST_F(SharedSamplesTest, AFileWithAnInvalidRecordLeavesTheCountsAsTheyWere) {
  const std::string db = tmp_.File("db");
  ASSERT_EQ(IngestFiles(db, {first_, second_}).exit_code, 0);
  const auto before = Counts(db);
  // The same samples again, at the shared sites, then a broken record.
  const std::string bad = tmp_.File("bad.vcf");
  WriteFile(bad, std::string(kHeader) + kSecond + "1\t5x0\t.\tA\tG\t50\tPASS\t.\tGT\t0/1\t0/1\t0/1\n");
  auto r = IngestFiles(db, {bad});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("nothing from this file was kept"));
  EXPECT_EQ(Counts(db), before);
}

TEST_F(SharedSamplesTest, SamplesOfTheTrioInASecondFileChangeNoCount) {
  // A real file: the son of the GIAB trio on chromosome 1, split out by bcftools, after the trio.
  const std::string db = tmp_.File("db");
  const std::string trio = ExamplePath("giab-ashk-trio-slice.vcf.gz");
  const std::string son = tmp_.File("son.vcf.gz");
  ASSERT_EQ(RunProgram("bcftools", {"view", "-s", "HG002", "-r", "1", "-Oz", "-o", son, trio}).exit_code, 0);
  ASSERT_EQ(IngestFiles(db, {trio}).exit_code, 0);
  const auto before = Counts(db);
  auto r = IngestFiles(db, {son});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const json summary = json::parse(r.out);
  auto records = RunProgram("bcftools", {"view", "-H", son});
  // Every allele row of the son's file is a duplicate call (the trio has every site).
  EXPECT_GE(summary["duplicate_calls"].get<int64_t>(), static_cast<int64_t>(Lines(records.out).size()));
  EXPECT_EQ(summary["conflicting_calls"], 0);
  EXPECT_EQ(Counts(db), before);
}

}  // namespace
}  // namespace vcfagent::testing
