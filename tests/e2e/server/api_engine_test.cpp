// The engine routes of `vcf-agent serve` (validate, stats, view, compare, analyze), uploads and the
// file rules, against oracles: bcftools on the same files, and the CLI's --format json output
// (itself checked against bcftools and vcf-validator in the corpus tests).
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <set>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "e2e/server/api_client.h"
#include "support/service_process.h"
#include "support/test_support.h"

namespace vcfagent::testing {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using ::testing::HasSubstr;

constexpr const char* kTrio = "giab-ashk-trio-slice.vcf.gz";
constexpr const char* kKg = "1kg-chr22-slice.vcf.gz";

json CliJson(const std::vector<std::string>& args) {
  auto r = RunVcfAgent(args);
  EXPECT_TRUE(r.exit_code == 0 || r.exit_code == 1) << r.err;
  auto value = json::parse(r.out, nullptr, false);
  EXPECT_FALSE(value.is_discarded()) << r.out.substr(0, 300);
  return value;
}

std::string ProblemSlug(const ApiResponse& r) {
  auto body = json::parse(r.body, nullptr, false);
  if (!body.is_object() || !body.contains("type")) return "";
  const std::string type = body["type"];
  return type.substr(type.rfind('/') + 1);
}

class ApiEngineTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    root_ = new TempDir();
    data_ = root_->File("data");
    fs::create_directories(data_);
    fs::create_directories(root_->File("outside"));
    for (const char* name : {kTrio, kKg}) {
      fs::copy_file(ExamplePath(name), data_ + "/" + name);
      fs::copy_file(ExamplePath(std::string(name) + ".tbi"), data_ + "/" + name + ".tbi");
    }
    WriteFile(root_->File("outside/secret.vcf"), "##fileformat=VCFv4.2\n#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n");
    fs::create_symlink(root_->File("outside/secret.vcf"), data_ + "/link.vcf");
    fs::create_directories(data_ + "/sub");
    testing::ServiceProcess::Options options;
    options.extra_args = {"--data-dir", data_};
    service_ = testing::ServiceProcess::Start(options).release();
    api_ = new ApiClient(service_->url(), service_->admin_key());
  }
  static void TearDownTestSuite() {
    delete api_;
    delete service_;
    delete root_;
  }
  static std::string Data(const std::string& name) { return data_ + "/" + name; }

  static TempDir* root_;
  static std::string data_;
  static testing::ServiceProcess* service_;
  static ApiClient* api_;
};
TempDir* ApiEngineTest::root_ = nullptr;
std::string ApiEngineTest::data_;
testing::ServiceProcess* ApiEngineTest::service_ = nullptr;
ApiClient* ApiEngineTest::api_ = nullptr;

TEST_F(ApiEngineTest, ValidateEqualsTheCli) {
  for (const char* name : {kTrio, kKg}) {
    auto r = api_->Post("/api/v1/validate", {{"file", {{"path", name}}}, {"max_findings", 5}});
    ASSERT_EQ(r.status, 200) << r.Describe();
    json api = r.Json();
    json cli = CliJson({"validate", "--format", "json", "--max-findings", "5", Data(name)})[0];
    EXPECT_EQ(api["path"], json({{"path", name}}));
    api.erase("path");
    cli.erase("path");
    EXPECT_EQ(api, cli) << name;
  }
}

TEST_F(ApiEngineTest, StatsEqualBcftoolsAndTheCli) {
  auto r = api_->Post("/api/v1/stats", {{"file", Data(kTrio)}, {"samples", "-"}});
  ASSERT_EQ(r.status, 200) << r.Describe();
  json api = r.Json();
  json cli = CliJson({"stats", "-s", "-", "--format", "json", Data(kTrio)});
  api.erase("input");
  cli.erase("input");
  EXPECT_EQ(api, cli);
  // bcftools itself: the record and SNP counts of its SN section.
  auto bcftools = RunProgram("bcftools", {"stats", Data(kTrio)});
  ASSERT_EQ(bcftools.exit_code, 0) << bcftools.err;
  EXPECT_THAT(bcftools.out, HasSubstr("number of records:\t" + std::to_string(api["summary"]["records"].get<int64_t>()) + "\n"));
  EXPECT_THAT(bcftools.out, HasSubstr("number of SNPs:\t" + std::to_string(api["summary"]["snps"].get<int64_t>()) + "\n"));
}

TEST_F(ApiEngineTest, ViewByRegionReturnsBcftoolsRecordsCapped) {
  const std::string region = "22:16100000-16150000";
  auto bcftools = RunProgram("bcftools", {"view", "-H", "-r", region, Data(kKg)});
  ASSERT_EQ(bcftools.exit_code, 0) << bcftools.err;
  const auto lines = Lines(bcftools.out);
  ASSERT_GT(lines.size(), 5u);
  auto r = api_->Post("/api/v1/view", {{"file", kKg}, {"regions", {region}}, {"limit", 10000}});
  ASSERT_EQ(r.status, 200) << r.Describe();
  json api = r.Json();
  ASSERT_EQ(api["records"].size(), lines.size());
  EXPECT_FALSE(api["more"].get<bool>());
  for (size_t i = 0; i < lines.size(); ++i) {
    std::vector<std::string> cols;
    std::stringstream in(lines[i]);
    for (std::string c; std::getline(in, c, '\t') && cols.size() < 5;) cols.push_back(c);
    EXPECT_EQ(api["records"][i]["pos"].get<int64_t>(), std::stoll(cols[1])) << i;
    EXPECT_EQ(api["records"][i]["ref"], cols[3]) << i;
  }
  // Capped: the first 3, and "more".
  auto capped = api_->Post("/api/v1/view", {{"file", kKg}, {"regions", region}, {"limit", 3}});
  ASSERT_EQ(capped.status, 200) << capped.Describe();
  EXPECT_EQ(capped.Json()["records"].size(), 3u);
  EXPECT_TRUE(capped.Json()["more"].get<bool>());
  EXPECT_EQ(capped.Json()["records"][2], api["records"][2]);
  // A filter: bcftools -i on the same file.
  auto filtered_bcf = RunProgram("bcftools", {"view", "-H", "-i", "QUAL>=100", Data(kTrio)});
  auto filtered = api_->Post("/api/v1/view", {{"file", kTrio}, {"include", "QUAL>=100"}, {"limit", 10000}});
  ASSERT_EQ(filtered.status, 200) << filtered.Describe();
  EXPECT_EQ(filtered.Json()["records"].size(), Lines(filtered_bcf.out).size());
  // A malformed expression is the client's error.
  auto bad = api_->Post("/api/v1/view", {{"file", kTrio}, {"include", "QUAL>>"}});
  EXPECT_EQ(bad.status, 400) << bad.Describe();
}

TEST_F(ApiEngineTest, CompareEqualsTheCli) {
  auto r = api_->Post("/api/v1/compare", {{"a", kTrio}, {"b", {{"path", kTrio}}}, {"match", "none"}});
  ASSERT_EQ(r.status, 200) << r.Describe();
  json api = r.Json();
  json cli = CliJson({"compare", "--format", "json", Data(kTrio), Data(kTrio)});
  for (json* doc : {&api, &cli}) {
    doc->erase("file_a");
    doc->erase("file_b");
  }
  EXPECT_EQ(api, cli);
}

TEST_F(ApiEngineTest, UploadThenValidateEqualsValidateByPath) {
  const std::string bytes = ReadFile(ExamplePath(kTrio));
  auto up = api_->PostRaw("/api/v1/uploads?filename=trio.vcf.gz", bytes, "application/octet-stream");
  ASSERT_EQ(up.status, 201) << up.Describe();
  const json upload = up.Json();
  EXPECT_EQ(upload["bytes"].get<size_t>(), bytes.size());
  EXPECT_THAT(upload["upload"].get<std::string>(), ::testing::MatchesRegex("upl-[0-9a-f]{16}"));
  auto by_upload = api_->Post("/api/v1/validate", {{"file", {{"upload", upload["upload"]}}}});
  auto by_path = api_->Post("/api/v1/validate", {{"file", kTrio}});
  ASSERT_EQ(by_upload.status, 200) << by_upload.Describe();
  json a = by_upload.Json(), b = by_path.Json();
  a.erase("path");
  b.erase("path");
  EXPECT_EQ(a, b);
  // The stored file is byte-identical, under the upload dir, with its extension; no temp left.
  int files = 0;
  for (const auto& entry : fs::directory_iterator(service_->store_dir() + "/uploads")) {
    if (!entry.is_regular_file()) continue;
    ++files;
    EXPECT_EQ(entry.path().filename().string(), upload["upload"].get<std::string>() + ".vcf.gz");
    EXPECT_EQ(ReadFile(entry.path().string()), bytes);
  }
  EXPECT_EQ(files, 1);
  // Region queries on an uploaded (unindexed) bgzipped VCF stream the file: same records.
  auto view = api_->Post("/api/v1/view", {{"file", {{"upload", upload["upload"]}}}, {"regions", "1:1-1000000"}, {"limit", 10000}});
  auto view_path = api_->Post("/api/v1/view", {{"file", kTrio}, {"regions", "1:1-1000000"}, {"limit", 10000}});
  ASSERT_EQ(view.status, 200) << view.Describe();
  EXPECT_EQ(view.Json()["records"], view_path.Json()["records"]);
}

TEST_F(ApiEngineTest, PathsOutsideTheDataDirectoriesAreRefused) {
  const std::vector<json> outside = {
      {{"path", "../outside/secret.vcf"}},
      {{"path", "sub/../../outside/secret.vcf"}},
      {{"path", root_->File("outside/secret.vcf")}},
      {{"path", "/etc/passwd"}},
      {{"path", "link.vcf"}},  // a symlink inside pointing out
      {{"path", "../outside/missing.vcf"}},  // refused without saying whether it exists
  };
  for (const json& ref : outside) {
    auto r = api_->Post("/api/v1/validate", {{"file", ref}});
    EXPECT_EQ(r.status, 403) << ref.dump() << " " << r.Describe();
    EXPECT_EQ(ProblemSlug(r), "path-outside-data-dirs") << r.body;
    EXPECT_EQ(r.Header("Content-Type"), "application/problem+json");
    // Where a symlink points (or what lies outside) is never revealed beyond what the client sent.
    if (ref["path"].get<std::string>().find(root_->path()) == std::string::npos) {
      EXPECT_THAT(r.body, ::testing::Not(HasSubstr(root_->path() + "/outside")));
    }
  }
  auto missing = api_->Post("/api/v1/validate", {{"file", {{"path", "missing.vcf"}}}});
  EXPECT_EQ(missing.status, 404) << missing.Describe();
  EXPECT_EQ(ProblemSlug(missing), "not-found");
  auto no_upload = api_->Post("/api/v1/validate", {{"file", {{"upload", "upl-0000000000000000"}}}});
  EXPECT_EQ(no_upload.status, 404) << no_upload.Describe();
  auto bad_upload = api_->Post("/api/v1/validate", {{"file", {{"upload", "../../etc/passwd"}}}});
  EXPECT_EQ(bad_upload.status, 400) << bad_upload.Describe();
  auto directory = api_->Post("/api/v1/validate", {{"file", "sub"}});
  EXPECT_EQ(directory.status, 400) << directory.Describe();
}

TEST_F(ApiEngineTest, BadRequestsGetPreciseProblems) {
  auto unknown = api_->Post("/api/v1/stats", {{"file", kTrio}, {"sampels", "-"}});
  EXPECT_EQ(unknown.status, 400);
  EXPECT_THAT(unknown.body, HasSubstr("sampels"));
  auto wrong_type = api_->Post("/api/v1/validate", {{"file", kTrio}, {"max_findings", "many"}});
  EXPECT_EQ(wrong_type.status, 400);
  EXPECT_THAT(wrong_type.body, HasSubstr("max_findings"));
  auto no_file = api_->Post("/api/v1/compare", {{"a", kTrio}});
  EXPECT_EQ(no_file.status, 400);
  // Not a VCF: the file's content is the problem (422), naming nothing outside the data dir.
  WriteFile(Data("not.vcf"), "hello\n");
  auto not_vcf = api_->Post("/api/v1/stats", {{"file", "not.vcf"}});
  EXPECT_EQ(not_vcf.status / 100, 4) << not_vcf.Describe();
}

TEST_F(ApiEngineTest, AnalyzeRunsAsAJobWithAReport) {
  auto r = api_->Post("/api/v1/analyze", {{"file", kTrio}, {"format", "md"}});
  ASSERT_EQ(r.status, 202) << r.Describe();
  const json accepted = r.Json();
  EXPECT_EQ(accepted["kind"], "analyze");
  EXPECT_EQ(r.Header("Location"), "/api/v1/jobs/" + accepted["id"].get<std::string>());
  const json job = api_->WaitForJob(accepted["id"], 240);
  ASSERT_EQ(job["state"], "succeeded") << job.dump();
  const json& facts = job["result"];
  EXPECT_EQ(facts["facts_version"], "vcf-agent-report-facts/1");
  EXPECT_EQ(facts["input"]["path"], kTrio);  // the client's name, not the server's path
  // The facts' validation section agrees with validate on the same file.
  json validation = api_->Post("/api/v1/validate", {{"file", kTrio}}).Json();
  EXPECT_EQ(facts["validation"]["valid"], validation["valid"]);
  auto report = api_->Get(facts["report"]["url"].get<std::string>());
  ASSERT_EQ(report.status, 200) << report.Describe();
  EXPECT_THAT(report.Header("Content-Type"), HasSubstr("text/markdown"));
  EXPECT_THAT(report.body, HasSubstr("HG002"));
  auto none = api_->Get("/api/v1/jobs/job-0123456789abcdef/report");
  EXPECT_EQ(none.status, 404);
}

TEST_F(ApiEngineTest, EveryApiRouteHasAFullOpenApiOperation) {
  auto r = api_->Get("/openapi.json");
  ASSERT_EQ(r.status, 200) << r.Describe();
  const json doc = r.Json();
  const std::vector<std::pair<std::string, std::string>> routes = {
      {"post", "/api/v1/validate"}, {"post", "/api/v1/stats"}, {"post", "/api/v1/view"},
      {"post", "/api/v1/compare"}, {"post", "/api/v1/analyze"}, {"post", "/api/v1/ingest"},
      {"get", "/api/v1/variants"}, {"get", "/api/v1/variants/{id}"}, {"post", "/api/v1/similar"},
      {"get", "/api/v1/graph/carriers"}, {"get", "/api/v1/graph/sample-variants"}, {"get", "/api/v1/graph/shared"},
      {"get", "/api/v1/graph/burden"}, {"get", "/api/v1/graph/cooccur"}, {"get", "/api/v1/graph/relatedness"},
      {"get", "/api/v1/graph/neighbors"}, {"post", "/api/v1/sql"}, {"get", "/api/v1/store"},
      {"post", "/api/v1/ask"}, {"get", "/api/v1/jobs"}, {"get", "/api/v1/jobs/{id}"},
      {"delete", "/api/v1/jobs/{id}"}, {"get", "/api/v1/jobs/{id}/report"}, {"post", "/api/v1/uploads"}};
  std::set<std::string> operation_ids;
  for (const auto& [method, path] : routes) {
    ASSERT_TRUE(doc["paths"].contains(path)) << path;
    ASSERT_TRUE(doc["paths"][path].contains(method)) << method << " " << path;
    const json& op = doc["paths"][path][method];
    EXPECT_TRUE(op.contains("operationId") && op.contains("summary") && op.contains("tags")) << path;
    EXPECT_TRUE(operation_ids.insert(op.value("operationId", "")).second) << "duplicate operationId at " << path;
    bool success = false;
    for (const auto& [code, response] : op["responses"].items()) success = success || code[0] == '2';
    EXPECT_TRUE(success) << path;
    if (method == "post") EXPECT_TRUE(op.contains("requestBody")) << path;
    if (path.find("{id}") != std::string::npos) {
      ASSERT_TRUE(op.contains("parameters")) << path;
      EXPECT_EQ(op["parameters"][0]["in"], "path") << path;
    }
  }
}

TEST(ApiUploadLimitTest, AnUploadOverTheLimitIsRefusedAndNothingIsKept) {
  TempDir dir;
  WriteFile(dir.File("config.yaml"), "server:\n  max_upload_bytes: 1000\n");
  testing::ServiceProcess::Options options;
  options.extra_args = {"--config", dir.File("config.yaml")};
  auto service = testing::ServiceProcess::Start(options);
  ApiClient api(service->url(), service->admin_key());
  const std::string bytes = ReadFile(ExamplePath(kTrio));
  auto r = api.PostRaw("/api/v1/uploads?filename=big.vcf.gz", bytes, "application/octet-stream");
  EXPECT_EQ(r.status, 413) << r.Describe();
  auto small = api.PostRaw("/api/v1/uploads?filename=small.vcf", std::string(1000, 'x'), "application/octet-stream");
  EXPECT_EQ(small.status, 201) << small.Describe();
  int files = 0;
  for (const auto& entry : fs::directory_iterator(service->store_dir() + "/uploads")) {
    (void)entry;
    ++files;
  }
  EXPECT_EQ(files, 1);  // only the small one; no temp file left behind
}

}  // namespace
}  // namespace vcfagent::testing
