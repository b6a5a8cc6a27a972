// The agent's tools against real oracles: bcftools on the same file, and the store built by
// `vcf-agent ingest` from it.
#include "ai/tools.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <set>
#include <sstream>

#include "support/test_support.h"

namespace vcfagent::ai {
namespace {

using nlohmann::json;
using testing::ExamplePath;
using testing::RunProgram;
using testing::RunVcfAgent;
using testing::TempDir;

std::string Trio() { return ExamplePath("giab-ashk-trio-slice.vcf.gz"); }

std::vector<std::string> BcftoolsLines(const std::vector<std::string>& args) {
  const auto result = RunProgram("bcftools", args);
  EXPECT_EQ(result.exit_code, 0) << result.err;
  return testing::Lines(result.out);
}

// bcftools stats "SN" and "PSC" values by name.
std::map<std::string, int64_t> BcftoolsStats(const std::vector<std::string>& extra) {
  std::vector<std::string> args = {"stats"};
  args.insert(args.end(), extra.begin(), extra.end());
  args.push_back(Trio());
  std::map<std::string, int64_t> values;
  for (const auto& line : BcftoolsLines(args)) {
    std::vector<std::string> f;
    std::stringstream ss(line);
    for (std::string cell; std::getline(ss, cell, '\t');) f.push_back(cell);
    if (f.size() >= 4 && f[0] == "SN") values[f[2]] = std::stoll(f[3]);
    if (f.size() >= 6 && f[0] == "TSTV") {
      values["ts"] = std::stoll(f[2]);
      values["tv"] = std::stoll(f[3]);
    }
    if (f.size() >= 14 && f[0] == "PSC") {
      values[f[2] + ".nRefHom"] = std::stoll(f[3]);
      values[f[2] + ".nNonRefHom"] = std::stoll(f[4]);
      values[f[2] + ".nHets"] = std::stoll(f[5]);
      values[f[2] + ".nMissing"] = std::stoll(f[13]);
    }
  }
  return values;
}

class ToolRegistryTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    store_dir_ = new TempDir();
    const auto ingest = RunVcfAgent({"ingest", Trio(), "--ped", ExamplePath("giab-ashk-trio.ped"), "--db",
                                     store_dir_->File("db")});
    ASSERT_EQ(ingest.exit_code, 0) << ingest.err;
  }
  static void TearDownTestSuite() {
    delete store_dir_;
    store_dir_ = nullptr;
  }
  static std::string Db() { return store_dir_->File("db"); }

  void SetUp() override {
    registry_ = std::make_unique<ToolRegistry>(ToolContext(Db(), {Trio()}));
    ASSERT_TRUE(RegisterLibraryTools(*registry_).ok());
  }

  // Runs a tool that must succeed and returns its parsed result.
  json Ok(const std::string& name, const json& args, size_t max_bytes = 1 << 22) {
    const ToolResult result = registry_->Run(name, args, max_bytes);
    EXPECT_TRUE(result.ok) << name << ": " << result.error;
    EXPECT_EQ(result.bytes, result.content.size());
    return json::parse(result.content);
  }

  static TempDir* store_dir_;
  std::unique_ptr<ToolRegistry> registry_;
};

TempDir* ToolRegistryTest::store_dir_ = nullptr;

TEST_F(ToolRegistryTest, EveryToolHasAClosedSchemaAndADescription) {
  const auto definitions = registry_->Definitions();
  std::set<std::string> names;
  for (const auto& d : definitions) {
    names.insert(d.name);
    EXPECT_GT(d.description.size(), 40u) << d.name;
    EXPECT_EQ(d.parameters["type"], "object") << d.name;
    EXPECT_EQ(d.parameters["additionalProperties"], false) << d.name;
  }
  for (const char* expected : {"validate", "stats", "view", "compare", "report", "variants", "similar", "sql", "list_samples",
                               "store_summary", "graph_carriers", "graph_sample_variants", "graph_shared",
                               "graph_burden", "graph_cooccur", "graph_relatedness", "graph_neighbors"}) {
    EXPECT_TRUE(names.count(expected)) << expected;
  }
  const std::vector<std::string> only = {"stats", "sql"};
  EXPECT_EQ(registry_->Definitions(&only).size(), 2u);

  // Without a store only the file tools exist, and store tools cannot be added.
  ToolRegistry files_only(ToolContext(std::nullopt, {Trio()}));
  ASSERT_TRUE(RegisterLibraryTools(files_only).ok());
  EXPECT_EQ(files_only.Names(), (std::vector<std::string>{"validate", "stats", "view", "compare", "report"}));
  EXPECT_FALSE(files_only.Add(StoreTools().front()).ok());
}

TEST_F(ToolRegistryTest, ReportToolGivesTheAnalyzeFactsBySection) {
  registry_ = std::make_unique<ToolRegistry>(ToolContext(Db(), {Trio(), ExamplePath("giab-ashk-trio.ped")}));
  ASSERT_TRUE(RegisterLibraryTools(*registry_).ok());
  const auto bcftools = BcftoolsStats({});
  const json report = Ok("report", {{"path", Trio()}, {"ped", ExamplePath("giab-ashk-trio.ped")}});
  EXPECT_EQ(report["qc"]["summary"]["records"], bcftools.at("number of records:"));
  EXPECT_EQ(report["qc"]["summary"]["snps"], bcftools.at("number of SNPs:"));
  EXPECT_EQ(report["qc"]["summary"]["indels"], bcftools.at("number of indels:"));
  EXPECT_TRUE(report.contains("pedigree"));
  // The PED says HG002 is the child of HG003 and HG004: both pairs come out parent-child.
  int parent_child = 0;
  for (const auto& pair : report["relatedness"]["related_pairs"]) {
    if (pair["relationship"] == "parent-child") {
      EXPECT_TRUE(pair["sample1"] == "HG002" || pair["sample2"] == "HG002") << pair.dump();
      ++parent_child;
    }
  }
  EXPECT_EQ(parent_child, 2);

  const json only = Ok("report", {{"path", Trio()}, {"sections", {"validation"}}});
  EXPECT_TRUE(only.contains("validation"));
  EXPECT_FALSE(only.contains("qc"));
  // A PED the user did not name is refused like any other file.
  const ToolResult refused = registry_->Run("report", {{"path", Trio()}, {"ped", "/etc/passwd"}}, 1 << 20);
  EXPECT_FALSE(refused.ok);
}

TEST_F(ToolRegistryTest, RegistryRefusesOpenSchemasAndDuplicates) {
  Tool open{"extra", "An extra tool for the test registry, with an open schema.",
            {{"type", "object"}, {"properties", json::object()}}, false,
            [](ToolContext&, const json&) -> Result<ToolOutput> { return ToolOutput{json::object(), ""}; }};
  EXPECT_FALSE(registry_->Add(open).ok());
  open.parameters["additionalProperties"] = false;
  open.parameters["properties"]["x"] = {{"oneOf", json::array()}};
  EXPECT_FALSE(registry_->Add(open).ok());  // unsupported keyword
  open.parameters["properties"]["x"] = {{"type", "string"}};
  EXPECT_TRUE(registry_->Add(open).ok());   // more tools can be registered later (e.g. report)
  EXPECT_FALSE(registry_->Add(open).ok());  // but only once
  EXPECT_EQ(registry_->Names().back(), "extra");
}

TEST_F(ToolRegistryTest, StatsEqualBcftoolsStats) {
  const auto oracle = BcftoolsStats({"-s", "-"});
  const json r = Ok("stats", {{"path", Trio()}, {"all_samples", true}});
  EXPECT_EQ(r["summary"]["records"], oracle.at("number of records:"));
  EXPECT_EQ(r["summary"]["snps"], oracle.at("number of SNPs:"));
  EXPECT_EQ(r["summary"]["indels"], oracle.at("number of indels:"));
  EXPECT_EQ(r["summary"]["multiallelic_sites"], oracle.at("number of multiallelic sites:"));
  EXPECT_EQ(r["tstv"]["ts"], oracle.at("ts"));
  EXPECT_EQ(r["tstv"]["tv"], oracle.at("tv"));
  ASSERT_EQ(r["per_sample"].size(), 3u);
  for (const auto& s : r["per_sample"]) {
    const std::string name = s["sample"];
    EXPECT_EQ(s["ref_hom"], oracle.at(name + ".nRefHom")) << name;
    EXPECT_EQ(s["non_ref_hom"], oracle.at(name + ".nNonRefHom")) << name;
    EXPECT_EQ(s["hets"], oracle.at(name + ".nHets")) << name;
    EXPECT_EQ(s["missing"], oracle.at(name + ".nMissing")) << name;
  }
  EXPECT_FALSE(r.contains("af"));  // histograms only on request
  const json hist = Ok("stats", {{"path", Trio()}, {"sections", {"qual"}}});
  EXPECT_TRUE(hist.contains("qual"));
  EXPECT_FALSE(hist.contains("summary"));
}

TEST_F(ToolRegistryTest, ViewReturnsTheRecordsBcftoolsSelects) {
  const std::string region = "1:700000-1000000";
  std::vector<std::string> expected;
  for (const auto& line : BcftoolsLines({"query", "-r", region, "-i", "QUAL>100", "-f", "%CHROM:%POS:%REF:%ALT\n", Trio()})) {
    expected.push_back(line);
  }
  ASSERT_GT(expected.size(), 5u);
  const json r = Ok("view", {{"path", Trio()}, {"region", region}, {"include", "QUAL>100"}, {"limit", 500}});
  std::vector<std::string> got;
  for (const auto& rec : r["records"]) {
    got.push_back(rec["chrom"].get<std::string>() + ":" + std::to_string(rec["pos"].get<int64_t>()) + ":" +
                  rec["ref"].get<std::string>() + ":" + rec["alt"][0].get<std::string>());
  }
  EXPECT_EQ(got, expected);
  EXPECT_EQ(r["more"], false);

  const json first = Ok("view", {{"path", Trio()}, {"region", region}, {"include", "QUAL>100"}, {"limit", 3},
                                 {"format", "vcf"}});
  ASSERT_EQ(first["records"].size(), 3u);
  EXPECT_EQ(first["more"], true);
  const auto vcf_lines = BcftoolsLines({"view", "-H", "-r", region, "-i", "QUAL>100", Trio()});
  for (size_t i = 0; i < 3; ++i) EXPECT_EQ(first["records"][i], vcf_lines[i]);
}

TEST_F(ToolRegistryTest, CompareOfAFileWithItselfSharesEveryRecord) {
  const size_t records = BcftoolsLines({"view", "-H", Trio()}).size();
  const json r = Ok("compare", {{"path_a", Trio()}, {"path_b", Trio()}});
  size_t shared = 0;
  for (const char* cls : {"snv", "indel", "other"}) shared += r["sites"]["shared"][cls].get<size_t>();
  EXPECT_EQ(shared, records) << r.dump();
  EXPECT_EQ(r["sites"]["a_only"]["total"], 0);
  EXPECT_EQ(r["sites"]["b_only"]["total"], 0);
}

TEST_F(ToolRegistryTest, ValidateReportsTheTrioHeaderProblem) {
  const json r = Ok("validate", {{"path", Trio()}});
  EXPECT_EQ(r["valid"], false);  // EBI vcf-validator rejects this header too (examples/README.md)
  EXPECT_GT(r["errors"].get<int>(), 0);
  EXPECT_EQ(r["records"], BcftoolsLines({"view", "-H", Trio()}).size());
}

TEST_F(ToolRegistryTest, FileToolsReadOnlyTheNamedFiles) {
  const ToolResult r = registry_->Run("stats", {{"path", "/etc/passwd"}}, 100000);
  EXPECT_FALSE(r.ok);
  EXPECT_NE(r.error.find("not a file the user named"), std::string::npos) << r.error;
  EXPECT_NE(r.error.find(Trio()), std::string::npos) << r.error;
  // The same file by another spelling is the same file.
  const std::string other_spelling = ExamplePath("../examples/giab-ashk-trio-slice.vcf.gz");
  EXPECT_TRUE(registry_->Run("validate", {{"path", other_spelling}}, 100000).ok);

  TempDir dir;
  testing::WriteFile(dir.File("a.vcf"), "##fileformat=VCFv4.2\n#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n");
  ToolRegistry under_dir(ToolContext(std::nullopt, {}, {dir.path()}));
  ASSERT_TRUE(RegisterLibraryTools(under_dir).ok());
  EXPECT_TRUE(under_dir.Run("validate", {{"path", dir.File("a.vcf")}}, 100000).ok);
  EXPECT_FALSE(under_dir.Run("validate", {{"path", dir.File("../x.vcf")}}, 100000).ok);
}

TEST_F(ToolRegistryTest, VariantsEqualBcftoolsQueries) {
  std::vector<std::string> expected =
      BcftoolsLines({"query", "-i", "INFO/BCSQ~\"|CDK11A|\"", "-f", "%CHROM:%POS:%REF:%ALT\n", Trio()});
  ASSERT_GT(expected.size(), 10u);
  const json r = Ok("variants", {{"genes", {"CDK11A"}}, {"limit", 500}});
  std::vector<std::string> got;
  for (const auto& v : r["variants"]) got.push_back(v["variant"]);
  EXPECT_EQ(got, expected);

  // A sample's hom-alt calls.
  const auto hom_alt = BcftoolsLines({"query", "-s", "HG002", "-i", "GT=\"AA\"", "-f", "%CHROM:%POS:%REF:%ALT\n", Trio()});
  const json page = Ok("variants", {{"sample", "HG002"}, {"zygosity", "hom-alt"}, {"limit", 500}});
  got.clear();
  for (const auto& v : page["variants"]) got.push_back(v["variant"]);
  ASSERT_EQ(hom_alt.size() > 500 ? 500 : hom_alt.size(), got.size());
  EXPECT_TRUE(std::equal(got.begin(), got.end(), hom_alt.begin()));
  EXPECT_EQ(page["more"], hom_alt.size() > 500);
}

TEST_F(ToolRegistryTest, CarriersEqualBcftoolsGenotypes) {
  for (const char* pos : {"752894", "69511"}) {
    const auto line = BcftoolsLines({"query", "-r", std::string("1:") + pos, "-f", "%CHROM:%POS:%REF:%ALT\n", Trio()});
    ASSERT_EQ(line.size(), 1u);
    std::set<std::string> expected;
    for (const auto& s : BcftoolsLines({"query", "-r", std::string("1:") + pos, "-i", "GT=\"alt\"", "-f",
                                        "[%SAMPLE %GT\n]", Trio()})) {
      expected.insert(s.substr(0, s.find(' ')) + (s.find("1/1") != std::string::npos ? " hom-alt" : " het"));
    }
    const json r = Ok("graph_carriers", {{"variant", line[0]}});
    std::set<std::string> got;
    for (const auto& c : r["carriers"]) got.insert(c["sample"].get<std::string>() + " " + c["zygosity"].get<std::string>());
    EXPECT_EQ(got, expected) << pos;
  }
}

TEST_F(ToolRegistryTest, StoreToolsRead) {
  const json samples = Ok("list_samples", json::object());
  ASSERT_EQ(samples["rows"].size(), 3u);
  EXPECT_EQ(samples["rows"][0]["sample"], "HG002");
  EXPECT_EQ(samples["rows"][0]["father"], "HG003");
  const json summary = Ok("store_summary", json::object());
  EXPECT_EQ(summary["variants"], BcftoolsLines({"view", "-H", Trio()}).size());
  EXPECT_EQ(summary["samples"], 3);
  const json shared = Ok("graph_shared", {{"sample1", "HG002"}, {"sample2", "HG003"}});
  EXPECT_GT(shared["shared"].get<int>(), 0);
  const json burden = Ok("graph_burden", {{"genes", {"OR4F5"}}, {"min_impact", "MODERATE"}, {"max_af", 1.0}});
  ASSERT_EQ(burden["samples"].size(), 1u);  // only HG003 carries 1:69511 A>G (missense)
  EXPECT_EQ(burden["samples"][0]["sample"], "HG003");
  EXPECT_TRUE(Ok("graph_neighbors", {{"node", "sample:HG002"}})["nodes"].size() > 1);
  EXPECT_TRUE(Ok("graph_relatedness", json::object()).contains("pairs"));
  EXPECT_TRUE(Ok("graph_cooccur", {{"variant", "1:752894:T:C"}}).contains("cooccurring"));
  EXPECT_GT(Ok("graph_sample_variants", {{"sample", "HG004"}, {"genes", {"CDK11A"}}})["total"].get<int>(), 0);
  EXPECT_EQ(Ok("similar", {{"variant", "1:752894:T:C"}, {"k", 5}})["neighbours"].size(), 5u);
}

TEST_F(ToolRegistryTest, SqlCannotWriteAndTheStoreStaysUnchanged) {
  const auto before = RunVcfAgent({"sql", "--db", Db(), "-f", "tsv", "SELECT count(*) FROM variants"});
  for (const char* sql : {"DELETE FROM variants", "DROP TABLE variants", "UPDATE samples SET name = 'x'",
                          "INSERT INTO genes(name) VALUES ('X')", "PRAGMA writable_schema = 1",
                          "ATTACH DATABASE '/tmp/x.db' AS x"}) {
    const ToolResult r = registry_->Run("sql", {{"query", sql}}, 100000);
    EXPECT_FALSE(r.ok) << sql;
    EXPECT_FALSE(r.error.empty());
    EXPECT_EQ(json::parse(r.content)["error"], r.error);
  }
  const auto after = RunVcfAgent({"sql", "--db", Db(), "-f", "tsv", "SELECT count(*) FROM variants"});
  EXPECT_EQ(before.out, after.out);
  const json rows = Ok("sql", {{"query", "SELECT sample, count(*) AS n FROM genotype_view GROUP BY sample ORDER BY sample"}});
  EXPECT_EQ(rows["rows"].size(), 3u);
}

TEST_F(ToolRegistryTest, ArgumentsAreValidatedBeforeAnythingRuns) {
  bool ran = false;
  Tool probe{"probe", "A tool that records whether it ran, for this test only.",
             {{"type", "object"},
              {"properties", {{"n", {{"type", "integer"}, {"minimum", 1}}}}},
              {"required", {"n"}},
              {"additionalProperties", false}},
             false, [&](ToolContext&, const json&) -> Result<ToolOutput> {
               ran = true;
               return ToolOutput{json::object(), "ran"};
             }};
  ASSERT_TRUE(registry_->Add(probe).ok());
  for (const json& bad : {json::parse(R"({"n": 0})"), json::parse(R"({"n": "3"})"), json::parse(R"({})"),
                          json::parse(R"({"n": 3, "x": 1})"), json::parse("[1]")}) {
    const ToolResult r = registry_->Run("probe", bad, 100000);
    EXPECT_FALSE(r.ok) << bad.dump();
    EXPECT_NE(r.error.find("nothing was run"), std::string::npos) << r.error;
  }
  EXPECT_FALSE(ran);
  EXPECT_TRUE(registry_->Run("probe", {{"n", 3}}, 100000).ok);
  EXPECT_TRUE(ran);

  const ToolResult bad_limit = registry_->Run("variants", {{"limit", 0}}, 100000);
  EXPECT_NE(bad_limit.error.find("/limit: 0 is less than the minimum 1"), std::string::npos) << bad_limit.error;
  const ToolResult unknown = registry_->Run("delete_everything", json::object(), 100000);
  EXPECT_FALSE(unknown.ok);
  EXPECT_NE(unknown.error.find("available tools are: validate, stats"), std::string::npos) << unknown.error;
  // Library errors come back as results too.
  const ToolResult no_sample = registry_->Run("graph_sample_variants", {{"sample", "NOPE"}}, 100000);
  EXPECT_FALSE(no_sample.ok);
  EXPECT_NE(no_sample.error.find("NOPE"), std::string::npos) << no_sample.error;
}

TEST_F(ToolRegistryTest, LargeResultsAreCutWithANoteAndStayValidJson) {
  const ToolResult full = registry_->Run("variants", {{"limit", 500}}, 1 << 22);
  ASSERT_TRUE(full.ok);
  EXPECT_FALSE(full.truncated);
  const ToolResult cut = registry_->Run("variants", {{"limit", 500}}, 8000);
  ASSERT_TRUE(cut.ok);
  EXPECT_TRUE(cut.truncated);
  EXPECT_LE(cut.bytes, 8000u);
  const json doc = json::parse(cut.content);
  const json& note = doc["output_truncated"];
  ASSERT_EQ(note["cuts"].size(), 1u) << note.dump();
  EXPECT_EQ(note["cuts"][0]["path"], "/variants");
  EXPECT_EQ(note["cuts"][0]["total"], 500);
  EXPECT_EQ(note["cuts"][0]["kept"], doc["variants"].size());
  EXPECT_GT(doc["variants"].size(), 0u);
  EXPECT_NE(note["note"].get<std::string>().find("keeps the first"), std::string::npos);
  // The kept rows are the first rows of the full result.
  EXPECT_EQ(doc["variants"][0], json::parse(full.content)["variants"][0]);
}

TEST(CapJsonTest, CutsLongStringsAndWrapsNonObjects) {
  bool truncated = false;
  const json big = {{"info", std::string(5000, 'x') + "\xC3\xA9"}, {"n", 1}};
  const std::string text = CapJson(big, 1000, &truncated);
  EXPECT_TRUE(truncated);
  EXPECT_LE(text.size(), 1000u);
  const json doc = json::parse(text);
  EXPECT_EQ(doc["n"], 1);
  EXPECT_EQ(doc["output_truncated"]["cuts"][0]["unit"], "bytes");

  const std::string arr = CapJson(json(std::vector<int>(2000, 7)), 1000, &truncated);
  EXPECT_TRUE(truncated);
  EXPECT_LE(arr.size(), 1000u);
  EXPECT_EQ(json::parse(arr)["output_truncated"]["cuts"][0]["total"], 2000);

  EXPECT_EQ(CapJson(json{{"a", 1}}, 1000, &truncated), R"({"a":1})");
  EXPECT_FALSE(truncated);
}

}  // namespace
}  // namespace vcfagent::ai
