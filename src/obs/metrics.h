// Metrics: a small Prometheus registry (counters, gauges, histograms with labels) and its text
// exposition (format 0.0.4), for the service's /metrics.
//
// Why not prometheus-cpp: Debian's prometheus-cpp-dev conflicts with libhts-dev (DESIGN.md).
// Families are declared once (service_metrics.h) and live for the process. A child (one label
// set) is created on first use and never removed, so a reference to it stays valid: hot paths
// look it up once and then update it lock-free (atomics). Label values are escaped on output.
// Collectors run at scrape time for values read from elsewhere (process RSS, store counts).
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace vcfagent::obs {

// Label values in the order of the family's label names.
using LabelValues = std::vector<std::string>;

class Counter {
 public:
  void Inc(double v = 1);  // v >= 0
  // Raises the value to `total` (never lowers it): for counters that mirror a total kept
  // elsewhere (CPU time from /proc, the trace exporter's counts), safe under concurrent scrapes.
  void AdvanceTo(double total);
  double value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0};
};

class Gauge {
 public:
  void Set(double v) { value_.store(v, std::memory_order_relaxed); }
  void Add(double v);
  double value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0};
};

class Histogram {
 public:
  explicit Histogram(const std::vector<double>* bounds);
  void Observe(double v);
  // Cumulative counts per bound (+Inf last), sum and count, read consistently enough for scraping.
  struct Snapshot {
    std::vector<uint64_t> cumulative;
    double sum = 0;
    uint64_t count = 0;
  };
  Snapshot snapshot() const;

 private:
  const std::vector<double>* bounds_;
  std::unique_ptr<std::atomic<uint64_t>[]> buckets_;  // bounds_->size() + 1 (+Inf)
  std::atomic<double> sum_{0};
  std::atomic<uint64_t> count_{0};
};

template <typename T>
class Family {
 public:
  Family(std::string name, std::string help, std::vector<std::string> label_names,
         std::vector<double> bounds = {});
  // The child for these label values (created on first use; the reference stays valid).
  T& With(const LabelValues& values);
  T& With(std::initializer_list<std::string_view> values);
  const std::string& name() const { return name_; }
  const std::string& help() const { return help_; }
  const std::vector<std::string>& label_names() const { return label_names_; }
  // Appends this family's exposition (# HELP, # TYPE, samples) to `out`.
  void Render(std::string& out) const;

 private:
  std::string name_, help_;
  std::vector<std::string> label_names_;
  std::vector<double> bounds_;  // histograms only
  mutable std::mutex mutex_;
  std::map<LabelValues, std::unique_ptr<T>> children_;
};

using CounterFamily = Family<Counter>;
using GaugeFamily = Family<Gauge>;
using HistogramFamily = Family<Histogram>;

// Bucket bounds in seconds for request latencies: 0.5 ms .. 60 s.
const std::vector<double>& LatencyBuckets();

class Registry {
 public:
  static Registry& Global();
  // Declaring a name twice returns the first family (same type required).
  CounterFamily& AddCounter(std::string name, std::string help, std::vector<std::string> labels = {});
  GaugeFamily& AddGauge(std::string name, std::string help, std::vector<std::string> labels = {});
  HistogramFamily& AddHistogram(std::string name, std::string help, std::vector<std::string> labels,
                                std::vector<double> bounds);
  // Runs before every exposition (e.g. set gauges from /proc or the store).
  void AddCollector(std::function<void()> collect);
  // The whole registry in Prometheus text format 0.0.4, families sorted by name.
  std::string Exposition();
  // Names of every declared family (tests: dashboards and rules use only these).
  std::vector<std::string> FamilyNames() const;

 private:
  mutable std::mutex mutex_;
  std::map<std::string, std::unique_ptr<CounterFamily>> counters_;
  std::map<std::string, std::unique_ptr<GaugeFamily>> gauges_;
  std::map<std::string, std::unique_ptr<HistogramFamily>> histograms_;
  std::vector<std::function<void()>> collectors_;
};

// process_* metrics (the Prometheus client conventions) read from /proc/self at scrape time:
// process_resident_memory_bytes, process_virtual_memory_bytes, process_cpu_seconds_total,
// process_open_fds, process_max_fds, process_start_time_seconds.
void RegisterProcessMetrics(Registry& registry);

}  // namespace vcfagent::obs
