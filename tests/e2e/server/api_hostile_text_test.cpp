// The engine and store routes of a real `vcf-agent serve` on inputs a careless or hostile client
// sends: a VCF whose sample name and INFO value are Latin-1 (not UTF-8), a gzip upload holding one
// line far past the line limit, and an upload that expands past the per-request limit. Every JSON
// answer parses and carries U+FFFD where the byte was (util/json_text.h); limits give a clear
// answer naming the line and the limit (vcf/input_limits.h) instead of memory growing with the line.
#include <htslib/bgzf.h>

#include <filesystem>
#include <string>

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
using ::testing::Not;

constexpr const char* kReplacement = "\xEF\xBF\xBD";
constexpr int64_t kLineLimit = 1 << 20;              // VCF_AGENT_MAX_LINE_BYTES for this service
constexpr int64_t kDecompressedLimit = 4 << 20;      // VCF_AGENT_MAX_DECOMPRESSED_BYTES

std::string Latin1Vcf() {
  return "##fileformat=VCFv4.2\n"
         "##contig=<ID=1,length=100000>\n"
         "##INFO=<ID=NOTE,Number=1,Type=String,Description=\"A note\">\n"
         "##FORMAT=<ID=GT,Number=1,Type=String,Description=\"Genotype\">\n"
         "##FORMAT=<ID=GQ,Number=1,Type=Integer,Description=\"Genotype quality\">\n"
         "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tJos\xE9\tANA\n"
         "1\t100\trs1\tA\tG\t50\tPASS\tNOTE=caf\xE9\tGT:GQ\t0/1:30\t1/1:40\n"
         "1\t200\trs2\tC\tT\t60\tPASS\tNOTE=ok\tGT:GQ\t0/1:35\t0/0:45\n";
}

std::string Bgzip(const std::string& text) {
  TempDir dir;
  BGZF* fp = bgzf_open(dir.File("x.gz").c_str(), "w");
  EXPECT_EQ(bgzf_write(fp, text.data(), text.size()), static_cast<ssize_t>(text.size()));
  EXPECT_EQ(bgzf_close(fp), 0);
  return ReadFile(dir.File("x.gz"));
}

class ApiHostileTextTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    root_ = new TempDir();
    data_ = root_->File("data");
    fs::create_directories(data_);
    WriteFile(data_ + "/latin1.vcf", Latin1Vcf());
    WriteFile(data_ + "/copy.vcf", Latin1Vcf());
    ServiceProcess::Options options;
    options.extra_args = {"--data-dir", data_};
    options.env = {{"VCF_AGENT_MAX_LINE_BYTES", std::to_string(kLineLimit)},
                   {"VCF_AGENT_MAX_DECOMPRESSED_BYTES", std::to_string(kDecompressedLimit)}};
    service_ = ServiceProcess::Start(options).release();
    api_ = new ApiClient(service_->url(), service_->admin_key());
  }
  static void TearDownTestSuite() {
    delete api_;
    delete service_;
    delete root_;
  }
  // A 200 whose body parses and holds U+FFFD.
  static json ExpectReplaced(const ApiResponse& r, const std::string& what) {
    EXPECT_EQ(r.status, 200) << what << ": " << r.Describe();
    EXPECT_THAT(r.body, HasSubstr(kReplacement)) << what;
    EXPECT_THAT(r.body, Not(HasSubstr("<discarded>"))) << what;
    return r.Json();
  }
  static std::string Upload(const std::string& bytes) {
    auto up = api_->PostRaw("/api/v1/uploads?filename=in.vcf.gz", bytes, "application/octet-stream");
    EXPECT_EQ(up.status, 201) << up.Describe();
    return up.Json().value("upload", "");
  }

  static TempDir* root_;
  static std::string data_;
  static ServiceProcess* service_;
  static ApiClient* api_;
};
TempDir* ApiHostileTextTest::root_ = nullptr;
std::string ApiHostileTextTest::data_;
ServiceProcess* ApiHostileTextTest::service_ = nullptr;
ApiClient* ApiHostileTextTest::api_ = nullptr;

TEST_F(ApiHostileTextTest, EngineRoutesCarryLatin1AsReplacementCharacters) {
  const json file = {{"path", "latin1.vcf"}};
  ExpectReplaced(api_->Post("/api/v1/stats", {{"file", file}, {"samples", "-"}}), "stats");
  const json view = ExpectReplaced(api_->Post("/api/v1/view", {{"file", file}, {"genotypes", true}}), "view");
  ASSERT_EQ(view["records"].size(), 2u) << view.dump();
  EXPECT_EQ(view["records"][0]["info"]["NOTE"], std::string("caf") + kReplacement);
  EXPECT_TRUE(view["records"][0]["samples"].contains(std::string("Jos") + kReplacement)) << view.dump();
  ExpectReplaced(api_->Post("/api/v1/view", {{"file", file}, {"format", "vcf"}}), "view vcf");
  auto compare = api_->Post("/api/v1/compare", {{"a", file}, {"b", {{"path", "copy.vcf"}}}});
  EXPECT_EQ(compare.status, 200) << compare.Describe();
  EXPECT_FALSE(compare.Json().is_discarded());
  auto validate = api_->Post("/api/v1/validate", {{"file", file}});
  EXPECT_EQ(validate.status, 200) << validate.Describe();

  auto accepted = api_->Post("/api/v1/analyze", {{"file", file}});
  ASSERT_EQ(accepted.status, 202) << accepted.Describe();
  const json job = api_->WaitForJob(accepted.Json()["id"]);
  EXPECT_EQ(job["state"], "succeeded") << job.dump();
}

TEST_F(ApiHostileTextTest, StoreRoutesCarryLatin1AsReplacementCharacters) {
  auto accepted = api_->Post("/api/v1/ingest", {{"files", {"latin1.vcf"}}});
  ASSERT_EQ(accepted.status, 202) << accepted.Describe();
  const json job = api_->WaitForJob(accepted.Json()["id"], 240);
  ASSERT_EQ(job["state"], "succeeded") << job.dump();
  ExpectReplaced(api_->Get("/api/v1/variants"), "variants");
  ExpectReplaced(api_->Post("/api/v1/sql", {{"query", "SELECT name FROM samples"}}), "sql");
  ExpectReplaced(api_->Get("/api/v1/graph/carriers?variant=1:100:A:G"), "graph carriers");
}

TEST_F(ApiHostileTextTest, ALineBombIsRefusedNamingTheLineAndTheLimit) {
  // A few KB of gzip holding one 8 MiB line (the bomb, scaled to this service's limit).
  std::string text = "##fileformat=VCFv4.2\n#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n1\t1\t.\tA\tG\t.\t.\tX=";
  text.append(8 << 20, 'A');
  text += "\n";
  const std::string id = Upload(Bgzip(text));
  ASSERT_FALSE(id.empty());
  const json file = {{"upload", id}};
  for (const char* route : {"/api/v1/stats", "/api/v1/view"}) {
    auto r = api_->Post(route, {{"file", file}});
    EXPECT_EQ(r.status, 422) << route << ": " << r.Describe();
    EXPECT_THAT(r.body, HasSubstr("upload " + id + ":3: the line is longer than 1 MiB")) << route;
    EXPECT_THAT(r.body, Not(HasSubstr(service_->store_dir()))) << route;  // no server path
  }
  auto validate = api_->Post("/api/v1/validate", {{"file", file}});
  ASSERT_EQ(validate.status, 200) << validate.Describe();
  const json report = validate.Json();
  EXPECT_EQ(report["valid"], false);
  EXPECT_THAT(report.dump(), HasSubstr("line-too-long"));
  EXPECT_EQ(api_->Get("/health").status, 200);
}

TEST_F(ApiHostileTextTest, AnUploadThatExpandsPastTheRequestLimitIsRefused) {
  std::string text = "##fileformat=VCFv4.2\n##contig=<ID=1>\n#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n";
  for (int i = 1; text.size() <= static_cast<size_t>(kDecompressedLimit) + 1000; ++i) {
    text += "1\t" + std::to_string(i) + "\t.\tA\tG\t50\tPASS\tDP=10\n";
  }
  const std::string id = Upload(Bgzip(text));
  ASSERT_FALSE(id.empty());
  auto r = api_->Post("/api/v1/stats", {{"file", {{"upload", id}}}});
  EXPECT_EQ(r.status, 422) << r.Describe();
  EXPECT_THAT(r.body, HasSubstr("expands to more than 4 MiB"));
}

}  // namespace
}  // namespace vcfagent::testing
