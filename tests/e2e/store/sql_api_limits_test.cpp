// POST /api/v1/sql on a running `serve` has the CLI's bounds: functions that leak addresses are
// refused (422 with the reason), schema exploration works, and a cross join of the genotype table
// ends with a clear 422 while the server's memory stays bounded.
#include <atomic>
#include <fstream>
#include <thread>
#include <vector>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "../../../bench/gen/synthetic_vcf.h"
#include "support/service_process.h"
#include "support/test_support.h"

namespace vcfagent::testing {
namespace {

using ::testing::HasSubstr;
using json = nlohmann::json;

TEST(SqlApiLimitsTest, BoundsHoldOverTheApi) {
  TempDir dir;
  bench::SyntheticVcfOptions options;
  options.sites = 20000;
  options.samples = 40;
  options.seed = 13;
  WriteFile(dir.File("in.vcf"), bench::SyntheticVcfText(options));
  const std::string store = dir.File("db");
  ASSERT_EQ(RunVcfAgent({"ingest", dir.File("in.vcf"), "--db", store, "--no-index"}).exit_code, 0);
  auto service = ServiceProcess::StartWith({}, store);
  auto client = service->Client();
  auto post = [&](const json& body) {
    auto res = client->Post("/api/v1/sql", body.dump(), "application/json");
    EXPECT_TRUE(res) << "no response";
    return res;
  };

  auto leak = post({{"query", "SELECT hex(fts3_tokenizer('simple'))"}});
  ASSERT_TRUE(leak);
  EXPECT_EQ(leak->status, 422);
  EXPECT_THAT(leak->body, HasSubstr("fts3_tokenizer() is not available"));

  auto schema = post({{"query", "SELECT name FROM pragma_table_info('variants') WHERE name = 'n_het'"}});
  ASSERT_TRUE(schema);
  EXPECT_EQ(schema->status, 200) << schema->body;
  EXPECT_EQ(json::parse(schema->body)["rows"][0]["name"], "n_het");

  const long before_kb = ProcStatusKb(service->pid(), "VmHWM");
  for (const std::string query : {"SELECT count(*) FROM genotypes a, genotypes b",
                                  "SELECT * FROM genotypes a, genotypes b ORDER BY a.gq + b.gq"}) {
    auto cross = post({{"query", query}, {"timeout_seconds", 2}});
    ASSERT_TRUE(cross);
    EXPECT_EQ(cross->status, 422) << query;
    EXPECT_THAT(cross->body, HasSubstr("the query ran longer than 2 s and was stopped")) << query;
  }
  const long after_kb = ProcStatusKb(service->pid(), "VmHWM");
  EXPECT_LT(after_kb - before_kb, 80 * 1024) << before_kb << " kB -> " << after_kb << " kB";

  // At most 4 statements run at once: of 7 slow ones sent together, 3 are told to retry (503 busy).
  std::vector<std::thread> clients;
  std::atomic<int> stopped{0}, busy{0};
  for (int i = 0; i < 7; ++i) {
    clients.emplace_back([&] {
      auto own = service->Client();
      auto r = own->Post("/api/v1/sql",
                         json{{"query", "SELECT count(*) FROM genotypes a, genotypes b"}, {"timeout_seconds", 2}}.dump(),
                         "application/json");
      if (r && r->status == 422) ++stopped;
      if (r && r->status == 503 && r->body.find("/problems/busy") != std::string::npos) ++busy;
    });
  }
  for (auto& t : clients) t.join();
  EXPECT_EQ(stopped.load(), 4);
  EXPECT_EQ(busy.load(), 3);

  auto health = client->Get("/health");
  ASSERT_TRUE(health);
  EXPECT_EQ(health->status, 200);
}

}  // namespace
}  // namespace vcfagent::testing
