// The Prometheus files in deploy/ pass Prometheus' own checker: the rules load, their unit tests
// (alerts_test.yml: each alert fires and stays quiet where it should) pass, and the example scrape
// configuration is valid.
#include <gtest/gtest.h>

#include <filesystem>

#include "e2e/ops/ops_paths.h"
#include "support/test_support.h"

namespace vcfagent::testing {
namespace {

constexpr const char* kPromtool = "/usr/bin/promtool";

TEST(PromtoolTest, AlertRulesAreValid) {
  auto result = RunProgram(kPromtool, {"check", "rules", DeployPath("prometheus/alerts.yml")});
  EXPECT_EQ(result.exit_code, 0) << result.out << result.err;
  EXPECT_NE(result.out.find("SUCCESS"), std::string::npos) << result.out;
}

TEST(PromtoolTest, AlertRuleUnitTestsPass) {
  auto result = RunProgram(kPromtool, {"test", "rules", DeployPath("prometheus/alerts_test.yml")});
  EXPECT_EQ(result.exit_code, 0) << result.out << result.err;
}

TEST(PromtoolTest, EveryAlertHasAUnitTest) {
  std::string rules = ReadFile(DeployPath("prometheus/alerts.yml"));
  std::string tests = ReadFile(DeployPath("prometheus/alerts_test.yml"));
  size_t count = 0;
  for (size_t at = rules.find("- alert: "); at != std::string::npos; at = rules.find("- alert: ", at + 1)) {
    size_t start = at + 9;
    std::string name = rules.substr(start, rules.find('\n', start) - start);
    ++count;
    EXPECT_NE(tests.find("alertname: " + name + "\n"), std::string::npos) << name << " has no test";
    EXPECT_NE(rules.find("runbook.md#" + [&] {
      std::string lower;
      for (char c : name) lower.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
      return lower;
    }()), std::string::npos) << name << " has no runbook link";
  }
  EXPECT_GE(count, 7u);
}

TEST(PromtoolTest, ExampleScrapeConfigIsValid) {
  // The config names alerts.yml relative to itself: check it in place.
  auto result = RunProgram(kPromtool, {"check", "config", DeployPath("prometheus/prometheus.yml")});
  EXPECT_EQ(result.exit_code, 0) << result.out << result.err;
}

TEST(PromtoolTest, BrokenRulesAreRejected) {
  // The checker itself must be able to fail: an alert with a PromQL syntax error.
  TempDir dir;
  WriteFile(dir.File("bad.yml"),
            "groups:\n  - name: x\n    rules:\n      - alert: Broken\n        expr: sum(rate(x[5m])\n");
  auto result = RunProgram(kPromtool, {"check", "rules", dir.File("bad.yml")});
  EXPECT_NE(result.exit_code, 0) << result.out;
}

}  // namespace
}  // namespace vcfagent::testing
