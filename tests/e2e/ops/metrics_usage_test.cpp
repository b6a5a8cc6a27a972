// Every metric an alert rule or a Grafana panel uses is one that a running `vcf-agent serve`
// really exports on /metrics (so no dashboard shows "No data" for a misspelt name), and every
// dashboard is valid JSON whose panels all query something.
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "e2e/ops/ops_paths.h"
#include "e2e/ops/promql_names.h"
#include "support/service_process.h"
#include "support/test_support.h"

namespace vcfagent::testing {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

const char* const kDashboards[] = {"service-overview.json", "ingestion.json", "ai-providers.json", "store.json"};

TEST(PromqlNamesTest, FindsMetricsAndSkipsEverythingElse) {
  using Names = std::set<std::string>;
  EXPECT_EQ(PromqlMetricNames("up{job=\"vcf-agent\"} == 0"), Names{"up"});
  EXPECT_EQ(PromqlMetricNames(
                "histogram_quantile(0.99, sum by (job, le) (rate(a_bucket{route!~\"/x|{y}\", i=~\"$instance\"}[$__rate_interval])))"
                " > 1e-3"),
            Names{"a_bucket"});
  EXPECT_EQ(PromqlMetricNames("sum(rate(x_total{s=~\"5..\"}[5m])) by (route) / ignoring(status) group_left(route) "
                              "sum without (status) (rate(y_total[5m] offset 1h))"),
            (Names{"x_total", "y_total"}));
  EXPECT_EQ(PromqlMetricNames("r > 0 and on (job, instance) (time() - t_seconds) > 300 unless z"),
            (Names{"r", "t_seconds", "z"}));
  EXPECT_EQ(PromqlMetricNames("max_over_time(m:recorded[1h:5m]) * 8 * 1024 + count by (v) (b_info)"),
            (Names{"m:recorded", "b_info"}));
  EXPECT_EQ(PromqlMetricNames("increase(e_total{class='rate_limited'}[$__range])"), Names{"e_total"});
}

// Family names and their types from a Prometheus text exposition.
std::map<std::string, std::string> Families(const std::string& text) {
  std::map<std::string, std::string> families;
  for (const std::string& line : Lines(text)) {
    if (line.rfind("# TYPE ", 0) != 0) continue;
    size_t space = line.find(' ', 7);
    families[line.substr(7, space - 7)] = line.substr(space + 1);
  }
  return families;
}

bool Exported(const std::string& name, const std::map<std::string, std::string>& families) {
  if (families.count(name)) return true;
  for (const char* suffix : {"_bucket", "_sum", "_count"}) {
    std::string s(suffix);
    if (name.size() > s.size() && name.compare(name.size() - s.size(), s.size(), s) == 0) {
      auto it = families.find(name.substr(0, name.size() - s.size()));
      if (it != families.end() && it->second == "histogram") return true;
    }
  }
  return false;
}

// (where, expression) for every alert rule and every dashboard panel target.
std::vector<std::pair<std::string, std::string>> UsedExpressions() {
  std::vector<std::pair<std::string, std::string>> out;
  YAML::Node rules = YAML::LoadFile(DeployPath("prometheus/alerts.yml"));
  for (const auto& group : rules["groups"]) {
    for (const auto& rule : group["rules"]) {
      out.emplace_back("alerts.yml " + rule["alert"].as<std::string>(), rule["expr"].as<std::string>());
    }
  }
  for (const char* file : kDashboards) {
    json board = json::parse(ReadFile(DeployPath(std::string("grafana/dashboards/") + file)));
    for (const json& panel : board["panels"]) {
      if (panel["type"] == "row") continue;
      for (const json& target : panel["targets"]) {
        out.emplace_back(std::string(file) + " '" + panel["title"].get<std::string>() + "'",
                         target["expr"].get<std::string>());
      }
    }
  }
  return out;
}

TEST(MetricsUsageTest, DashboardsParseAndEveryPanelQueriesSomething) {
  std::set<std::string> uids;
  for (const char* file : kDashboards) {
    SCOPED_TRACE(file);
    json board = json::parse(ReadFile(DeployPath(std::string("grafana/dashboards/") + file)), nullptr, false);
    ASSERT_FALSE(board.is_discarded());
    EXPECT_TRUE(uids.insert(board.value("uid", "")).second) << "duplicate or missing uid";
    EXPECT_GE(board.value("schemaVersion", 0), 36);
    ASSERT_TRUE(board["panels"].is_array());
    size_t panels = 0;
    std::set<int> ids;
    for (const json& panel : board["panels"]) {
      EXPECT_TRUE(ids.insert(panel.value("id", -1)).second) << "duplicate panel id " << panel.dump();
      if (panel["type"] == "row") continue;
      ++panels;
      std::string title = panel.value("title", "");
      EXPECT_FALSE(title.empty());
      ASSERT_TRUE(panel.contains("targets") && panel["targets"].is_array() && !panel["targets"].empty())
          << "panel '" << title << "' has no target";
      for (const json& target : panel["targets"]) {
        EXPECT_FALSE(target.value("expr", "").empty()) << title;
        EXPECT_EQ(target["datasource"]["uid"], "${DS_PROMETHEUS}") << title;
      }
      const json& grid = panel["gridPos"];
      EXPECT_LE(grid["x"].get<int>() + grid["w"].get<int>(), 24) << title;
    }
    EXPECT_GE(panels, 6u);
  }
}

TEST(MetricsUsageTest, EveryMetricUsedIsExportedByTheService) {
  auto service = ServiceProcess::Start();
  auto client = service->Client();
  // One request first, so labelled families have samples too (the catalog lists them all anyway).
  ASSERT_TRUE(client->Get("/health"));
  auto metrics = client->Get("/metrics");
  ASSERT_TRUE(metrics);
  ASSERT_EQ(metrics->status, 200);
  std::map<std::string, std::string> families = Families(metrics->body);
  ASSERT_GT(families.size(), 20u) << metrics->body.substr(0, 2000);

  std::set<std::string> used;
  for (const auto& [where, expr] : UsedExpressions()) {
    std::set<std::string> names = PromqlMetricNames(expr);
    EXPECT_FALSE(names.empty()) << where << ": no metric in " << expr;
    for (const std::string& name : names) {
      used.insert(name);
      if (name == "up") continue;  // Prometheus' own, per scraped target
      EXPECT_TRUE(Exported(name, families)) << where << " uses " << name << ", which /metrics does not export";
    }
  }
  // The rules and dashboards together cover the catalog's main families.
  for (const char* name : {"vcfagent_http_requests_total", "vcfagent_ingest_running", "vcfagent_ai_requests_total",
                           "vcfagent_store_variants", "process_resident_memory_bytes"}) {
    EXPECT_TRUE(used.count(name)) << name;
  }
}

}  // namespace
}  // namespace vcfagent::testing
