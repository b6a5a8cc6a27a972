#include "obs/metrics.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <type_traits>

namespace vcfagent::obs {
namespace {

void AtomicAdd(std::atomic<double>& target, double v) {
  double current = target.load(std::memory_order_relaxed);
  while (!target.compare_exchange_weak(current, current + v, std::memory_order_relaxed)) {
  }
}

// Prometheus spells the special values NaN, +Inf and -Inf; integers print without a fraction.
std::string FormatValue(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  if (v == std::floor(v) && std::fabs(v) < 1e15) return fmt::format("{}", static_cast<int64_t>(v));
  return fmt::format("{}", v);  // shortest form that reads back as the same double
}

std::string EscapeHelp(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

std::string EscapeLabelValue(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '"') {
      out += "\\\"";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

// {a="x",b="y"} plus an optional extra label (le for buckets); "" when there are no labels.
std::string LabelSet(const std::vector<std::string>& names, const LabelValues& values,
                     std::string_view extra_name = {}, std::string_view extra_value = {}) {
  if (names.empty() && extra_name.empty()) return "";
  std::string out = "{";
  for (size_t i = 0; i < names.size(); ++i) {
    if (i > 0) out += ',';
    out += names[i];
    out += "=\"";
    out += EscapeLabelValue(i < values.size() ? values[i] : std::string());
    out += '"';
  }
  if (!extra_name.empty()) {
    if (!names.empty()) out += ',';
    out += extra_name;
    out += "=\"";
    out += extra_value;
    out += '"';
  }
  out += '}';
  return out;
}

template <typename T>
constexpr const char* TypeName() {
  if constexpr (std::is_same_v<T, Counter>) {
    return "counter";
  } else if constexpr (std::is_same_v<T, Gauge>) {
    return "gauge";
  } else {
    return "histogram";
  }
}

}  // namespace

void Counter::Inc(double v) {
  if (!(v >= 0)) return;  // counters only go up (NaN refused too)
  AtomicAdd(value_, v);
}

void Counter::AdvanceTo(double total) {
  double current = value_.load(std::memory_order_relaxed);
  while (total > current && !value_.compare_exchange_weak(current, total, std::memory_order_relaxed)) {
  }
}

void Gauge::Add(double v) { AtomicAdd(value_, v); }

Histogram::Histogram(const std::vector<double>* bounds)
    : bounds_(bounds), buckets_(new std::atomic<uint64_t>[bounds->size() + 1]) {
  for (size_t i = 0; i <= bounds_->size(); ++i) buckets_[i].store(0, std::memory_order_relaxed);
}

void Histogram::Observe(double v) {
  // The first bound >= v ("le" is inclusive); past the last bound: the +Inf bucket.
  const size_t index = std::isnan(v) ? bounds_->size()
                                     : std::lower_bound(bounds_->begin(), bounds_->end(), v) - bounds_->begin();
  buckets_[index].fetch_add(1, std::memory_order_relaxed);
  AtomicAdd(sum_, v);
  count_.fetch_add(1, std::memory_order_relaxed);
}

Histogram::Snapshot Histogram::snapshot() const {
  Snapshot snapshot;
  snapshot.cumulative.resize(bounds_->size() + 1);
  uint64_t running = 0;
  for (size_t i = 0; i <= bounds_->size(); ++i) {
    running += buckets_[i].load(std::memory_order_relaxed);
    snapshot.cumulative[i] = running;
  }
  snapshot.sum = sum_.load(std::memory_order_relaxed);
  // The count is the +Inf bucket, so _count and le="+Inf" always agree in one scrape.
  snapshot.count = running;
  return snapshot;
}

template <typename T>
Family<T>::Family(std::string name, std::string help, std::vector<std::string> label_names,
                  std::vector<double> bounds)
    : name_(std::move(name)), help_(std::move(help)), label_names_(std::move(label_names)),
      bounds_(std::move(bounds)) {
  std::sort(bounds_.begin(), bounds_.end());
  // A family without labels has exactly one child: export it (as 0) from the start.
  if (label_names_.empty()) With(LabelValues{});
}

template <typename T>
T& Family<T>::With(const LabelValues& values) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = children_.find(values);
  if (it == children_.end()) {
    LabelValues key = values;
    key.resize(label_names_.size());  // a caller's miscount must not produce a malformed line
    it = children_.find(key);
    if (it == children_.end()) {
      std::unique_ptr<T> child;
      if constexpr (std::is_same_v<T, Histogram>) {
        child = std::make_unique<Histogram>(&bounds_);
      } else {
        child = std::make_unique<T>();
      }
      it = children_.emplace(std::move(key), std::move(child)).first;
    }
  }
  return *it->second;
}

template <typename T>
T& Family<T>::With(std::initializer_list<std::string_view> values) {
  LabelValues copy;
  copy.reserve(values.size());
  for (std::string_view v : values) copy.emplace_back(v);
  return With(copy);
}

template <typename T>
void Family<T>::Render(std::string& out) const {
  out += "# HELP ";
  out += name_;
  out += ' ';
  out += EscapeHelp(help_);
  out += "\n# TYPE ";
  out += name_;
  out += ' ';
  out += TypeName<T>();
  out += '\n';
  std::lock_guard<std::mutex> lock(mutex_);
  for (const auto& [values, child] : children_) {
    if constexpr (std::is_same_v<T, Histogram>) {
      const Histogram::Snapshot snapshot = child->snapshot();
      for (size_t i = 0; i <= bounds_.size(); ++i) {
        const std::string le = i < bounds_.size() ? FormatValue(bounds_[i]) : "+Inf";
        out += name_;
        out += "_bucket";
        out += LabelSet(label_names_, values, "le", le);
        out += ' ';
        out += std::to_string(snapshot.cumulative[i]);
        out += '\n';
      }
      const std::string labels = LabelSet(label_names_, values);
      out += name_ + "_sum" + labels + ' ' + FormatValue(snapshot.sum) + '\n';
      out += name_ + "_count" + labels + ' ' + std::to_string(snapshot.count) + '\n';
    } else {
      out += name_;
      out += LabelSet(label_names_, values);
      out += ' ';
      out += FormatValue(child->value());
      out += '\n';
    }
  }
}

template class Family<Counter>;
template class Family<Gauge>;
template class Family<Histogram>;

const std::vector<double>& LatencyBuckets() {
  static const std::vector<double> buckets = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                              0.1,    0.25,  0.5,    1,     2.5,  5,     10,
                                              30,     60};
  return buckets;
}

Registry& Registry::Global() {
  static Registry* registry = new Registry();  // never destroyed: metrics may be touched at exit
  return *registry;
}

namespace {

template <typename Map>
bool Declared(const Map& map, const std::string& name) {
  return map.find(name) != map.end();
}

}  // namespace

CounterFamily& Registry::AddCounter(std::string name, std::string help, std::vector<std::string> labels) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (auto it = counters_.find(name); it != counters_.end()) return *it->second;
  if (Declared(gauges_, name) || Declared(histograms_, name)) {
    throw std::logic_error("metric " + name + " is already declared with another type");
  }
  auto family = std::make_unique<CounterFamily>(name, std::move(help), std::move(labels));
  return *counters_.emplace(std::move(name), std::move(family)).first->second;
}

GaugeFamily& Registry::AddGauge(std::string name, std::string help, std::vector<std::string> labels) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (auto it = gauges_.find(name); it != gauges_.end()) return *it->second;
  if (Declared(counters_, name) || Declared(histograms_, name)) {
    throw std::logic_error("metric " + name + " is already declared with another type");
  }
  auto family = std::make_unique<GaugeFamily>(name, std::move(help), std::move(labels));
  return *gauges_.emplace(std::move(name), std::move(family)).first->second;
}

HistogramFamily& Registry::AddHistogram(std::string name, std::string help, std::vector<std::string> labels,
                                        std::vector<double> bounds) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (auto it = histograms_.find(name); it != histograms_.end()) return *it->second;
  if (Declared(counters_, name) || Declared(gauges_, name)) {
    throw std::logic_error("metric " + name + " is already declared with another type");
  }
  auto family = std::make_unique<HistogramFamily>(name, std::move(help), std::move(labels), std::move(bounds));
  return *histograms_.emplace(std::move(name), std::move(family)).first->second;
}

void Registry::AddCollector(std::function<void()> collect) {
  std::lock_guard<std::mutex> lock(mutex_);
  collectors_.push_back(std::move(collect));
}

std::string Registry::Exposition() {
  std::vector<std::function<void()>> collectors;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    collectors = collectors_;
  }
  // Outside the registry lock: a collector may look up children or declare families.
  for (const auto& collect : collectors) collect();

  std::lock_guard<std::mutex> lock(mutex_);
  std::vector<std::pair<const std::string*, std::function<void(std::string&)>>> families;
  for (const auto& [name, family] : counters_) families.emplace_back(&name, [f = family.get()](std::string& out) { f->Render(out); });
  for (const auto& [name, family] : gauges_) families.emplace_back(&name, [f = family.get()](std::string& out) { f->Render(out); });
  for (const auto& [name, family] : histograms_) families.emplace_back(&name, [f = family.get()](std::string& out) { f->Render(out); });
  std::sort(families.begin(), families.end(), [](const auto& a, const auto& b) { return *a.first < *b.first; });
  std::string out;
  out.reserve(families.size() * 256);
  for (const auto& family : families) family.second(out);
  return out;
}

std::vector<std::string> Registry::FamilyNames() const {
  std::lock_guard<std::mutex> lock(mutex_);
  std::vector<std::string> names;
  for (const auto& entry : counters_) names.push_back(entry.first);
  for (const auto& entry : gauges_) names.push_back(entry.first);
  for (const auto& entry : histograms_) names.push_back(entry.first);
  std::sort(names.begin(), names.end());
  return names;
}

}  // namespace vcfagent::obs
