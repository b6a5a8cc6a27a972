// The store routes of `vcf-agent serve`: an ingest job, then variants, graph queries, similar and
// SQL, each compared with the CLI's --format json on a reference store built by `vcf-agent
// ingest` from the same file (the CLI's store queries are checked against SQL and bcftools in
// the store tests). SQL that writes is refused and leaves the store byte-identical.
#include <filesystem>

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

constexpr const char* kStoreTrio = "giab-ashk-trio-slice.vcf.gz";

json StoreCliJson(const std::vector<std::string>& args) {
  auto r = RunVcfAgent(args);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  auto value = json::parse(r.out, nullptr, false);
  EXPECT_FALSE(value.is_discarded()) << r.out.substr(0, 300);
  return value;
}

std::string Query(const std::vector<std::pair<std::string, std::string>>& params) {
  std::string q;
  for (const auto& [k, v] : params) {
    q += (q.empty() ? "?" : "&") + k + "=" + httplib::detail::encode_query_param(v);
  }
  return q;
}

class ApiStoreTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    root_ = new TempDir();
    data_ = root_->File("data");
    fs::create_directories(data_);
    fs::copy_file(ExamplePath(kStoreTrio), data_ + "/" + kStoreTrio);
    fs::copy_file(ExamplePath("giab-ashk-trio.ped"), data_ + "/trio.ped");
    reference_ = root_->File("reference");
    auto r = RunVcfAgent({"ingest", data_ + "/" + kStoreTrio, "--ped", data_ + "/trio.ped", "--db", reference_});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    testing::ServiceProcess::Options options;
    options.extra_args = {"--data-dir", data_};
    service_ = testing::ServiceProcess::Start(options).release();
    api_ = new ApiClient(service_->url(), service_->admin_key());
    auto accepted = api_->Post("/api/v1/ingest", {{"files", {kStoreTrio}}, {"ped", "trio.ped"}});
    ASSERT_EQ(accepted.status, 202) << accepted.Describe();
    ingest_job_ = new json(api_->WaitForJob(accepted.Json()["id"], 240));
  }
  static void TearDownTestSuite() {
    delete ingest_job_;
    delete api_;
    delete service_;
    delete root_;
  }

  static TempDir* root_;
  static std::string data_, reference_;
  static testing::ServiceProcess* service_;
  static ApiClient* api_;
  static json* ingest_job_;
};
TempDir* ApiStoreTest::root_ = nullptr;
std::string ApiStoreTest::data_, ApiStoreTest::reference_;
testing::ServiceProcess* ApiStoreTest::service_ = nullptr;
ApiClient* ApiStoreTest::api_ = nullptr;
json* ApiStoreTest::ingest_job_ = nullptr;

TEST_F(ApiStoreTest, IngestJobLoadsWhatTheCliLoads) {
  ASSERT_EQ((*ingest_job_)["state"], "succeeded") << ingest_job_->dump();
  const json& result = (*ingest_job_)["result"];
  EXPECT_EQ(result["records"], 999);
  EXPECT_EQ(result["pedigree_samples"], 3);
  EXPECT_TRUE(result.contains("similarity_index"));
  auto summary = api_->Get("/api/v1/store");
  ASSERT_EQ(summary.status, 200) << summary.Describe();
  const json counts = summary.Json();
  const json cli = StoreCliJson({"sql", "--db", reference_, "-f", "json",
                            "SELECT (SELECT count(*) FROM variants) AS variants, (SELECT count(*) FROM samples) AS samples,"
                            " (SELECT count(*) FROM genotypes) AS genotypes"});
  EXPECT_EQ(counts["variants"], cli["rows"][0]["variants"]);
  EXPECT_EQ(counts["samples"], cli["rows"][0]["samples"]);
  EXPECT_EQ(counts["genotypes"], cli["rows"][0]["genotypes"]);
  EXPECT_EQ(counts["files"], 1);
  EXPECT_EQ(result["alleles"], counts["variants"]);
}

TEST_F(ApiStoreTest, VariantsEqualTheCli) {
  struct Case {
    std::vector<std::pair<std::string, std::string>> api;
    std::vector<std::string> cli;
  };
  const std::vector<Case> cases = {
      {{{"region", "1:1-3000000"}, {"limit", "25"}}, {"-r", "1:1-3000000", "-n", "25"}},
      {{{"sample", "HG002"}, {"zygosity", "hom-alt"}, {"limit", "40"}, {"offset", "5"}},
       {"-s", "HG002", "--zygosity", "hom-alt", "-n", "40", "--offset", "5"}},
      {{{"where", "qual > 50"}, {"sort", "qual"}, {"desc", "true"}, {"limit", "30"}},
       {"-w", "qual > 50", "--sort", "qual", "--desc", "-n", "30"}},
  };
  for (const auto& c : cases) {
    auto r = api_->Get("/api/v1/variants" + Query(c.api));
    ASSERT_EQ(r.status, 200) << r.Describe();
    std::vector<std::string> args = {"variants", "--db", reference_, "-f", "json"};
    args.insert(args.end(), c.cli.begin(), c.cli.end());
    const json cli = StoreCliJson(args);
    EXPECT_EQ(r.Json(), cli) << Query(c.api);
    EXPECT_GT(cli["variants"].size(), 0u) << Query(c.api);
  }
  auto bad = api_->Get("/api/v1/variants?where=qual%20%3E%3E%201");
  EXPECT_EQ(bad.status, 400) << bad.Describe();
  auto unknown = api_->Get("/api/v1/variants?regoin=1");
  EXPECT_EQ(unknown.status, 400) << unknown.Describe();
}

TEST_F(ApiStoreTest, OneVariantByIdOrName) {
  const json first = api_->Get("/api/v1/variants?limit=1").Json()["variants"][0];
  auto by_id = api_->Get("/api/v1/variants/" + std::to_string(first["id"].get<int64_t>()));
  ASSERT_EQ(by_id.status, 200) << by_id.Describe();
  EXPECT_EQ(by_id.Json(), first);
  auto by_name = api_->Get("/api/v1/variants/" + first["variant"].get<std::string>());
  ASSERT_EQ(by_name.status, 200) << by_name.Describe();
  EXPECT_EQ(by_name.Json(), first);
  auto missing = api_->Get("/api/v1/variants/1:1:A:C");
  EXPECT_EQ(missing.status, 404) << missing.Describe();
}

TEST_F(ApiStoreTest, GraphQueriesEqualTheCli) {
  const json hom = api_->Get("/api/v1/variants?sample=HG002&zygosity=het&limit=1").Json()["variants"][0];
  const std::string variant = hom["variant"];
  struct Case {
    std::string route;
    std::vector<std::pair<std::string, std::string>> api;
    std::vector<std::string> cli;
  };
  const std::vector<Case> cases = {
      {"carriers", {{"variant", variant}}, {"carriers", variant}},
      {"sample-variants", {{"sample", "HG003"}, {"region", "1:1-5000000"}, {"limit", "20"}},
       {"sample-variants", "HG003", "-r", "1:1-5000000", "-n", "20"}},
      {"shared", {{"sample1", "HG002"}, {"sample2", "HG004"}, {"limit", "10"}}, {"shared", "HG002", "HG004", "-n", "10"}},
      {"cooccur", {{"variant", variant}, {"top", "5"}}, {"cooccur", variant, "-n", "5"}},
      {"neighbors", {{"node", "sample:HG002"}, {"depth", "1"}, {"max_nodes", "30"}},
       {"neighbors", "sample:HG002", "--depth", "1", "--max-nodes", "30"}},
      {"relatedness", {{"min_sites", "10"}, {"min_het_sites", "10"}},
       {"relatedness", "--min-sites", "10", "--min-het-sites", "10"}},
  };
  for (const auto& c : cases) {
    auto r = api_->Get("/api/v1/graph/" + c.route + Query(c.api));
    ASSERT_EQ(r.status, 200) << c.route << " " << r.Describe();
    std::vector<std::string> args = {"graph", "--db", reference_, "--format", "json"};
    args.insert(args.end(), c.cli.begin(), c.cli.end());
    json api = r.Json(), cli = StoreCliJson(args);
    // Load times are not results.
    for (json* doc : {&api, &cli}) {
      if (doc->is_object()) doc->erase("seconds");
    }
    EXPECT_EQ(api, cli) << c.route;
  }
  auto unknown_sample = api_->Get("/api/v1/graph/shared?sample1=HG002&sample2=NOPE");
  EXPECT_EQ(unknown_sample.status / 100, 4) << unknown_sample.Describe();
  auto missing_param = api_->Get("/api/v1/graph/carriers");
  EXPECT_EQ(missing_param.status, 400) << missing_param.Describe();
}

TEST_F(ApiStoreTest, SimilarEqualsTheCli) {
  const json first = api_->Get("/api/v1/variants?where=qual%20%3E%2050&limit=1").Json()["variants"][0];
  auto r = api_->Post("/api/v1/similar", {{"variant", first["variant"]}, {"k", 5}, {"exact", true}});
  ASSERT_EQ(r.status, 200) << r.Describe();
  const json cli = StoreCliJson({"similar", "--db", reference_, "--format", "json", "-k", "5", "--exact", first["variant"]});
  json api = r.Json();
  ASSERT_EQ(api["neighbours"].size(), 5u) << api.dump();
  EXPECT_EQ(api["query"], cli["query"]);
  EXPECT_EQ(api["method"], "exact");
  ASSERT_EQ(api["neighbours"].size(), cli["neighbours"].size()) << api.dump() << "\n" << cli.dump();
  for (size_t i = 0; i < api["neighbours"].size(); ++i) {
    EXPECT_EQ(api["neighbours"][i]["variant"], cli["neighbours"][i]["variant"]) << i;
    EXPECT_NEAR(api["neighbours"][i]["distance"].get<double>(), cli["neighbours"][i]["distance"].get<double>(), 1e-5) << i;
  }
}

TEST_F(ApiStoreTest, SqlReadsAndRefusesWritesLeavingTheStoreUntouched) {
  auto read = api_->Post("/api/v1/sql", {{"query", "SELECT count(*) AS n FROM variants"}});
  ASSERT_EQ(read.status, 200) << read.Describe();
  const json counts = api_->Get("/api/v1/store").Json();
  EXPECT_EQ(read.Json()["rows"][0]["n"], counts["variants"]);
  EXPECT_EQ(read.Json()["columns"][0], "n");

  const std::string db = service_->store_dir() + "/store.sqlite";
  const std::string before = ReadFile(db);
  for (const std::string sql : {"DELETE FROM variants", "DROP TABLE variants", "INSERT INTO samples(name) VALUES ('x')",
                                "ATTACH DATABASE '/tmp/x.db' AS x", "PRAGMA journal_mode=DELETE",
                                "SELECT 1; DELETE FROM variants"}) {
    auto r = api_->Post("/api/v1/sql", {{"query", sql}});
    EXPECT_EQ(r.status, 422) << sql << " " << r.Describe();
    EXPECT_FALSE(r.Json().value("detail", "").empty()) << sql;
  }
  EXPECT_EQ(ReadFile(db), before);
  EXPECT_EQ(api_->Get("/api/v1/store").Json()["variants"], counts["variants"]);
}

}  // namespace
}  // namespace vcfagent::testing
