// Prometheus exposition of the metrics registry: exact text per type, concurrency, and promtool.
#include "obs/metrics.h"

#include <gtest/gtest.h>

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <thread>
#include <vector>

#include "obs/service_metrics.h"
#include "support/test_support.h"

namespace vcfagent::obs {
namespace {

using testing::RunProgram;
using testing::TempDir;
using testing::WriteFile;

TEST(Metrics, CounterExpositionEscapesHelpAndLabelValues) {
  Registry registry;
  CounterFamily& family = registry.AddCounter("test_events_total", "Events seen.\nSecond \\ line.", {"path", "kind"});
  family.With({"a\\b\"c\nd", "x"}).Inc();
  family.With({"plain", "y"}).Inc(2.5);
  EXPECT_EQ(registry.Exposition(),
            "# HELP test_events_total Events seen.\\nSecond \\\\ line.\n"
            "# TYPE test_events_total counter\n"
            "test_events_total{path=\"a\\\\b\\\"c\\nd\",kind=\"x\"} 1\n"
            "test_events_total{path=\"plain\",kind=\"y\"} 2.5\n");
}

TEST(Metrics, CounterRefusesNegativeIncrements) {
  Registry registry;
  Counter& counter = registry.AddCounter("test_total", "t").With({});
  counter.Inc(3);
  counter.Inc(-1);
  counter.Inc(std::nan(""));
  EXPECT_EQ(counter.value(), 3);
}

// A counter mirroring a total kept elsewhere only moves up, also when scrapes race.
TEST(Metrics, CounterAdvancesToATotalAndNeverBack) {
  Counter counter;
  counter.AdvanceTo(5);
  EXPECT_EQ(counter.value(), 5);
  counter.AdvanceTo(3);
  EXPECT_EQ(counter.value(), 5);
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&counter, t] {
      for (int i = 0; i < 10000; ++i) counter.AdvanceTo(static_cast<double>(i * 8 + t));
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(counter.value(), 9999 * 8 + 7);
}

TEST(Metrics, UnlabelledFamiliesExportZeroBeforeTheFirstSample) {
  Registry registry;
  registry.AddGauge("test_gauge", "g");
  registry.AddCounter("test_total", "c");
  EXPECT_EQ(registry.Exposition(),
            "# HELP test_gauge g\n# TYPE test_gauge gauge\ntest_gauge 0\n"
            "# HELP test_total c\n# TYPE test_total counter\ntest_total 0\n");
}

TEST(Metrics, GaugeSpecialValuesAreSpelledAsPrometheusDoes) {
  Registry registry;
  GaugeFamily& family = registry.AddGauge("test_value", "v", {"case"});
  family.With({"nan"}).Set(std::numeric_limits<double>::quiet_NaN());
  family.With({"pinf"}).Set(std::numeric_limits<double>::infinity());
  family.With({"ninf"}).Set(-std::numeric_limits<double>::infinity());
  family.With({"int"}).Set(1234567);
  family.With({"neg"}).Set(-3);
  family.With({"frac"}).Set(0.125);
  family.With({"added"}).Add(2);
  family.With({"added"}).Add(-0.5);
  EXPECT_EQ(registry.Exposition(),
            "# HELP test_value v\n# TYPE test_value gauge\n"
            "test_value{case=\"added\"} 1.5\n"
            "test_value{case=\"frac\"} 0.125\n"
            "test_value{case=\"int\"} 1234567\n"
            "test_value{case=\"nan\"} NaN\n"
            "test_value{case=\"neg\"} -3\n"
            "test_value{case=\"ninf\"} -Inf\n"
            "test_value{case=\"pinf\"} +Inf\n");
}

TEST(Metrics, HistogramBucketsAreCumulativeWithInfSumAndCount) {
  Registry registry;
  HistogramFamily& family = registry.AddHistogram("test_seconds", "h", {"op"}, {0.125, 1, 0.5});
  Histogram& h = family.With({"read"});
  for (double v : {0.0625, 0.125, 0.25, 0.5, 0.75, 2.0, 100.0}) h.Observe(v);
  EXPECT_EQ(registry.Exposition(),
            "# HELP test_seconds h\n# TYPE test_seconds histogram\n"
            "test_seconds_bucket{op=\"read\",le=\"0.125\"} 2\n"   // 0.0625 and 0.125 (le is inclusive)
            "test_seconds_bucket{op=\"read\",le=\"0.5\"} 4\n"
            "test_seconds_bucket{op=\"read\",le=\"1\"} 5\n"
            "test_seconds_bucket{op=\"read\",le=\"+Inf\"} 7\n"
            "test_seconds_sum{op=\"read\"} 103.6875\n"
            "test_seconds_count{op=\"read\"} 7\n");
}

TEST(Metrics, UnlabelledHistogramPutsLeAlone) {
  Registry registry;
  registry.AddHistogram("test_h_seconds", "h", {}, {1}).With({}).Observe(3);
  EXPECT_EQ(registry.Exposition(),
            "# HELP test_h_seconds h\n# TYPE test_h_seconds histogram\n"
            "test_h_seconds_bucket{le=\"1\"} 0\n"
            "test_h_seconds_bucket{le=\"+Inf\"} 1\n"
            "test_h_seconds_sum 3\n"
            "test_h_seconds_count 1\n");
}

TEST(Metrics, FamiliesAreSortedAndDeclaredOnce) {
  Registry registry;
  CounterFamily& first = registry.AddCounter("b_total", "first help");
  CounterFamily& again = registry.AddCounter("b_total", "other help");
  EXPECT_EQ(&first, &again);
  registry.AddGauge("a_gauge", "a");
  registry.AddHistogram("c_seconds", "c", {}, {1});
  EXPECT_THROW(registry.AddGauge("b_total", "wrong type"), std::logic_error);
  EXPECT_EQ(registry.FamilyNames(), (std::vector<std::string>{"a_gauge", "b_total", "c_seconds"}));
  const std::string text = registry.Exposition();
  EXPECT_LT(text.find("# HELP a_gauge"), text.find("# HELP b_total"));
  EXPECT_LT(text.find("# HELP b_total"), text.find("# HELP c_seconds"));
  EXPECT_NE(text.find("first help"), std::string::npos);
}

TEST(Metrics, ChildReferencesStayValidAsChildrenAreAdded) {
  Registry registry;
  CounterFamily& family = registry.AddCounter("test_total", "t", {"n"});
  Counter& kept = family.With({"0"});
  for (int i = 1; i < 1000; ++i) family.With({std::to_string(i)}).Inc();
  kept.Inc(5);
  EXPECT_EQ(&kept, &family.With({"0"}));
  EXPECT_EQ(family.With({"0"}).value(), 5);
}

TEST(Metrics, CollectorsRunBeforeEveryExposition) {
  Registry registry;
  Gauge& gauge = registry.AddGauge("test_scrapes", "s").With({});
  registry.AddCollector([&gauge] { gauge.Add(1); });
  registry.Exposition();
  EXPECT_NE(registry.Exposition().find("test_scrapes 2\n"), std::string::npos);
}

TEST(Metrics, ConcurrentUpdatesAreExact) {
  Registry registry;
  CounterFamily& counters = registry.AddCounter("test_total", "t", {"k"});
  HistogramFamily& histograms = registry.AddHistogram("test_seconds", "h", {"k"}, LatencyBuckets());
  GaugeFamily& gauges = registry.AddGauge("test_gauge", "g");
  constexpr int kThreads = 8, kIncrements = 100000;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      Counter& counter = counters.With({"same"});
      Histogram& histogram = histograms.With({"same"});
      Gauge& gauge = gauges.With({});
      for (int i = 0; i < kIncrements; ++i) {
        counter.Inc();
        if (i % 10 == 0) histogram.Observe(0.002 * (t + 1));
        gauge.Add(1);
        if (i % 1000 == 0) counters.With({std::to_string(t)}).Inc();  // children created concurrently
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(counters.With({"same"}).value(), kThreads * kIncrements);
  EXPECT_EQ(gauges.With({}).value(), kThreads * kIncrements);
  const Histogram::Snapshot snapshot = histograms.With({"same"}).snapshot();
  EXPECT_EQ(snapshot.count, static_cast<uint64_t>(kThreads * kIncrements / 10));
  EXPECT_EQ(snapshot.cumulative.back(), snapshot.count);
  EXPECT_NEAR(snapshot.sum, 0.002 * (1 + 2 + 3 + 4 + 5 + 6 + 7 + 8) * (kIncrements / 10), 1e-6);
  for (int t = 0; t < kThreads; ++t) EXPECT_EQ(counters.With({std::to_string(t)}).value(), kIncrements / 1000);
}

TEST(Metrics, LatencyBucketsSpanHalfAMillisecondToAMinute) {
  const std::vector<double>& buckets = LatencyBuckets();
  ASSERT_GE(buckets.size(), 12u);
  EXPECT_EQ(buckets.front(), 0.0005);
  EXPECT_EQ(buckets.back(), 60);
  EXPECT_TRUE(std::is_sorted(buckets.begin(), buckets.end()));
}

// Touches every family of the service catalog with awkward label values, then asks promtool.
TEST(Metrics, ServiceExpositionPassesPromtool) {
  if (access("/usr/bin/promtool", X_OK) != 0) GTEST_SKIP() << "promtool is not installed (scripts/setup.sh)";
  ServiceMetrics& m = Metrics();
  m.http_requests.With({"/api/v1/jobs/{id}", "GET", "200"}).Inc();
  m.http_request_duration.With({"/api/v1/jobs/{id}", "GET"}).Observe(0.003);
  m.http_in_flight.With({}).Add(1);
  m.http_rate_limited.With({"key \"1\"\\x\n"}).Inc();
  m.ingest_records.With({}).Inc(10);
  m.ingest_variants.With({}).Inc(12);
  m.ingest_rate.With({}).Set(1234.5);
  m.ingest_running.With({}).Add(1);
  m.ingest_last_progress.With({}).Set(1.7e9);
  m.query_duration.With({"variants"}).Observe(0.01);
  m.similarity_duration.With({}).Observe(0.2);
  m.store_variants.With({}).Set(100);
  m.store_samples.With({}).Set(3);
  m.store_size.With({}).Set(4096);
  m.jobs_started.With({"ingest"}).Inc();
  m.jobs_finished.With({"ingest", "succeeded"}).Inc();
  m.jobs_running.With({"analyze"}).Set(1);
  m.job_duration.With({"ingest"}).Observe(42);
  m.ai_requests.With({"openai", "gpt-4o-mini", "ok"}).Inc();
  m.ai_errors.With({"openai", "gpt-4o-mini", "rate_limited"}).Inc();
  m.ai_request_duration.With({"openai", "gpt-4o-mini"}).Observe(1.5);
  m.ai_tokens.With({"openai", "gpt-4o-mini", "input"}).Inc(100);
  m.tool_calls.With({"query_variants", "ok"}).Inc();
  m.tool_call_duration.With({"query_variants"}).Observe(0.04);

  const std::string text = Registry::Global().Exposition();
  for (const char* name : {"vcfagent_http_requests_total", "vcfagent_build_info{version=\"" VCFAGENT_VERSION "\"} 1",
                           "process_resident_memory_bytes", "process_cpu_seconds_total", "process_open_fds",
                           "process_max_fds", "process_start_time_seconds", "process_virtual_memory_bytes",
                           "vcfagent_ai_request_errors_total{provider=\"openai\",model=\"gpt-4o-mini\",class=\"rate_limited\"} 1",
                           "vcfagent_similarity_duration_seconds_count 1"}) {
    EXPECT_NE(text.find(name), std::string::npos) << name;
  }
  TempDir dir;
  WriteFile(dir.File("metrics.txt"), text);
  auto result = RunProgram("/bin/sh", {"-c", "/usr/bin/promtool check metrics < " + dir.File("metrics.txt")});
  EXPECT_EQ(result.exit_code, 0) << result.out << result.err;
  EXPECT_EQ(result.out + result.err, "");
}

}  // namespace
}  // namespace vcfagent::obs
