#include "obs/tracing.h"

#include <algorithm>
#include <atomic>
#include <cctype>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <deque>
#include <memory>
#include <mutex>
#include <random>

#include "obs/log.h"
#include "obs/otlp_exporter.h"

namespace vcfagent::obs {
namespace {

enum class SamplerKind { kAlwaysOn, kAlwaysOff, kRatio };

// What a Span constructor reads on every call: immutable once published.
struct SamplingPolicy {
  bool enabled = true;
  SamplerKind root = SamplerKind::kRatio;
  bool parent_based = true;
  uint64_t ratio_bound = 0;  // sample when the trace id's lower 8 bytes are below it
  bool ratio_all = true;     // ratio >= 1
};

std::atomic<const SamplingPolicy*> g_policy{nullptr};
std::mutex g_mutex;  // guards g_exporter and the policies' storage
std::deque<std::unique_ptr<SamplingPolicy>>* g_policies = new std::deque<std::unique_ptr<SamplingPolicy>>();
std::shared_ptr<OtlpExporter> g_exporter;
std::atomic<bool> g_exporting{false};

thread_local const Span* t_current = nullptr;

const SamplingPolicy& Policy() {
  const SamplingPolicy* policy = g_policy.load(std::memory_order_acquire);
  if (policy) return *policy;
  static const SamplingPolicy kDefault;  // parentbased_traceidratio, ratio 1
  return kDefault;
}

std::mt19937_64& Random() {
  thread_local std::mt19937_64 random(std::random_device{}());
  return random;
}

template <size_t N>
void FillRandom(std::array<uint8_t, N>& bytes) {
  do {
    for (size_t i = 0; i < N; i += 8) {
      uint64_t value = Random()();
      for (size_t j = 0; j < 8 && i + j < N; ++j) bytes[i + j] = static_cast<uint8_t>(value >> (8 * j));
    }
  } while (std::all_of(bytes.begin(), bytes.end(), [](uint8_t b) { return b == 0; }));
}

uint64_t LowerEightBytes(const std::array<uint8_t, 16>& trace_id) {
  uint64_t value = 0;
  for (size_t i = 8; i < 16; ++i) value = (value << 8) | trace_id[i];
  return value;
}

bool SampleRoot(const SamplingPolicy& policy, const std::array<uint8_t, 16>& trace_id) {
  switch (policy.root) {
    case SamplerKind::kAlwaysOn: return true;
    case SamplerKind::kAlwaysOff: return false;
    case SamplerKind::kRatio: return policy.ratio_all || LowerEightBytes(trace_id) < policy.ratio_bound;
  }
  return false;
}

bool IsLowerHex(std::string_view text) {
  return std::all_of(text.begin(), text.end(), [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

int HexValue(char c) { return c <= '9' ? c - '0' : c - 'a' + 10; }

template <size_t N>
bool DecodeHex(std::string_view text, std::array<uint8_t, N>& out) {
  if (text.size() != 2 * N || !IsLowerHex(text)) return false;
  for (size_t i = 0; i < N; ++i) out[i] = static_cast<uint8_t>(HexValue(text[2 * i]) * 16 + HexValue(text[2 * i + 1]));
  return true;
}

template <size_t N>
std::string EncodeHex(const std::array<uint8_t, N>& bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out(2 * N, '0');
  for (size_t i = 0; i < N; ++i) {
    out[2 * i] = kDigits[bytes[i] >> 4];
    out[2 * i + 1] = kDigits[bytes[i] & 15];
  }
  return out;
}

template <size_t N>
bool AllZero(const std::array<uint8_t, N>& bytes) {
  return std::all_of(bytes.begin(), bytes.end(), [](uint8_t b) { return b == 0; });
}

uint64_t NowUnixNano() {
  return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                   std::chrono::system_clock::now().time_since_epoch())
                                   .count());
}

// ---- environment ----

std::string Env(const char* name) {
  const char* value = std::getenv(name);
  return value ? std::string(value) : std::string();
}

std::string Trim(std::string_view text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) text.remove_prefix(1);
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) text.remove_suffix(1);
  return std::string(text);
}

bool PercentDecode(std::string_view text, std::string* out) {
  out->clear();
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') {
      *out += text[i];
      continue;
    }
    if (i + 2 >= text.size()) return false;
    auto digit = [](char c) -> int {
      if (c >= '0' && c <= '9') return c - '0';
      if (c >= 'a' && c <= 'f') return c - 'a' + 10;
      if (c >= 'A' && c <= 'F') return c - 'A' + 10;
      return -1;
    };
    const int high = digit(text[i + 1]), low = digit(text[i + 2]);
    if (high < 0 || low < 0) return false;
    *out += static_cast<char>(high * 16 + low);
    i += 2;
  }
  return true;
}

// "k=v,k2=v2" with URL-encoded keys and values (the W3C Baggage-like format OTEL_* lists use).
bool ParseKeyValueList(const std::string& variable, const std::string& text,
                       std::map<std::string, std::string>* out, std::string* error) {
  size_t begin = 0;
  while (begin <= text.size()) {
    size_t end = text.find(',', begin);
    if (end == std::string::npos) end = text.size();
    const std::string item = Trim(std::string_view(text).substr(begin, end - begin));
    begin = end + 1;
    if (item.empty()) {
      if (end == text.size()) break;
      continue;
    }
    const size_t equals = item.find('=');
    std::string key, value;
    if (equals == std::string::npos || equals == 0 || !PercentDecode(Trim(item.substr(0, equals)), &key) ||
        !PercentDecode(Trim(item.substr(equals + 1)), &value) || key.empty()) {
      // The value may be a credential: name the variable and the key only.
      *error = variable + ": malformed entry" +
               (equals == std::string::npos || equals == 0 ? std::string() : " for key \"" + Trim(item.substr(0, equals)) + "\"") +
               " (expected key=value pairs separated by commas, values URL-encoded)";
      return false;
    }
    (*out)[key] = value;
    if (end == text.size()) break;
  }
  return true;
}

bool IsHttpUrl(const std::string& url) {
  return url.rfind("http://", 0) == 0 || url.rfind("https://", 0) == 0;
}

}  // namespace

// ---- SpanContext and traceparent ----

bool SpanContext::valid() const { return !AllZero(trace_id) && !AllZero(span_id); }
std::string SpanContext::TraceIdHex() const { return EncodeHex(trace_id); }
std::string SpanContext::SpanIdHex() const { return EncodeHex(span_id); }

std::optional<SpanContext> ParseTraceparent(std::string_view header) {
  // version "-" trace-id "-" parent-id "-" trace-flags: 2 + 1 + 32 + 1 + 16 + 1 + 2 = 55.
  constexpr size_t kLength = 55;
  if (header.size() < kLength) return std::nullopt;
  const std::string_view version = header.substr(0, 2);
  if (!IsLowerHex(version) || version == "ff") return std::nullopt;
  // Version 00 has exactly these fields; a later version may append "-..." after them.
  if (version == "00" && header.size() != kLength) return std::nullopt;
  if (header.size() > kLength && header[kLength] != '-') return std::nullopt;
  if (header[2] != '-' || header[35] != '-' || header[52] != '-') return std::nullopt;
  SpanContext context;
  std::array<uint8_t, 1> flags{};
  if (!DecodeHex(header.substr(3, 32), context.trace_id) || !DecodeHex(header.substr(36, 16), context.span_id) ||
      !DecodeHex(header.substr(53, 2), flags)) {
    return std::nullopt;
  }
  if (!context.valid()) return std::nullopt;
  context.sampled = (flags[0] & 1) != 0;
  return context;
}

std::string FormatTraceparent(const SpanContext& context) {
  if (!context.valid()) return "";
  return "00-" + context.TraceIdHex() + "-" + context.SpanIdHex() + (context.sampled ? "-01" : "-00");
}

// ---- configuration ----

TracingConfig TracingConfig::FromEnvironment(std::string* error) {
  TracingConfig config;
  std::string local_error;
  std::string& err = error ? *error : local_error;
  err.clear();

  const std::string disabled = Trim(Env("OTEL_SDK_DISABLED"));
  if (disabled == "true" || disabled == "TRUE" || disabled == "True") config.enabled = false;

  const std::string deployment = Trim(Env("VCF_AGENT_ENV"));
  config.ratio = deployment == "production" ? 0.1 : 1.0;
  if (!deployment.empty()) config.resource_attributes["deployment.environment"] = deployment;

  const std::string exporter = Trim(Env("OTEL_TRACES_EXPORTER"));
  bool export_enabled = true;
  if (exporter == "none") {
    export_enabled = false;
  } else if (!exporter.empty() && exporter != "otlp") {
    err = "OTEL_TRACES_EXPORTER: unsupported exporter \"" + exporter + "\" (expected otlp or none)";
    return config;
  }

  const std::string protocol = Trim(Env("OTEL_EXPORTER_OTLP_TRACES_PROTOCOL").empty()
                                        ? Env("OTEL_EXPORTER_OTLP_PROTOCOL")
                                        : Env("OTEL_EXPORTER_OTLP_TRACES_PROTOCOL"));
  if (!protocol.empty() && protocol != "http/json") {
    err = std::string(Env("OTEL_EXPORTER_OTLP_TRACES_PROTOCOL").empty() ? "OTEL_EXPORTER_OTLP_PROTOCOL"
                                                                        : "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL") +
          ": unsupported protocol \"" + protocol + "\" (vcf-agent sends http/json)";
    return config;
  }

  const std::string traces_endpoint = Trim(Env("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"));
  const std::string base_endpoint = Trim(Env("OTEL_EXPORTER_OTLP_ENDPOINT"));
  if (!traces_endpoint.empty()) {
    if (!IsHttpUrl(traces_endpoint)) {
      err = "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: not an http:// or https:// URL";
      return config;
    }
    config.endpoint = traces_endpoint;
  } else if (!base_endpoint.empty()) {
    if (!IsHttpUrl(base_endpoint)) {
      err = "OTEL_EXPORTER_OTLP_ENDPOINT: not an http:// or https:// URL";
      return config;
    }
    std::string base = base_endpoint;
    while (!base.empty() && base.back() == '/') base.pop_back();
    config.endpoint = base + "/v1/traces";
  }
  if (!export_enabled) config.endpoint.clear();

  for (const char* variable : {"OTEL_EXPORTER_OTLP_HEADERS", "OTEL_EXPORTER_OTLP_TRACES_HEADERS"}) {
    if (!ParseKeyValueList(variable, Env(variable), &config.headers, &err)) return config;
  }
  for (const char* variable : {"OTEL_EXPORTER_OTLP_TIMEOUT", "OTEL_EXPORTER_OTLP_TRACES_TIMEOUT"}) {
    const std::string text = Trim(Env(variable));
    if (text.empty()) continue;
    char* end = nullptr;
    const long value = std::strtol(text.c_str(), &end, 10);
    if (*end != '\0' || value <= 0 || value > 600000) {
      err = std::string(variable) + ": expected a timeout in milliseconds (1-600000), got \"" + text + "\"";
      return config;
    }
    config.export_timeout_ms = static_cast<int>(value);
  }

  if (!ParseKeyValueList("OTEL_RESOURCE_ATTRIBUTES", Env("OTEL_RESOURCE_ATTRIBUTES"), &config.resource_attributes,
                         &err)) {
    return config;
  }
  if (auto it = config.resource_attributes.find("service.name"); it != config.resource_attributes.end()) {
    config.service_name = it->second;
  }
  if (const std::string name = Trim(Env("OTEL_SERVICE_NAME")); !name.empty()) config.service_name = name;
  config.resource_attributes["service.name"] = config.service_name;

  const std::string sampler = Trim(Env("OTEL_TRACES_SAMPLER"));
  if (!sampler.empty()) {
    static const char* kSamplers[] = {"always_on", "always_off", "traceidratio", "parentbased_always_on",
                                      "parentbased_always_off", "parentbased_traceidratio"};
    if (std::find(std::begin(kSamplers), std::end(kSamplers), sampler) == std::end(kSamplers)) {
      err = "OTEL_TRACES_SAMPLER: unsupported sampler \"" + sampler +
            "\" (expected always_on, always_off, traceidratio, parentbased_always_on, "
            "parentbased_always_off or parentbased_traceidratio)";
      return config;
    }
    config.sampler = sampler;
  }
  const std::string argument = Trim(Env("OTEL_TRACES_SAMPLER_ARG"));
  if (!argument.empty() && config.sampler.find("traceidratio") != std::string::npos) {
    char* end = nullptr;
    const double ratio = std::strtod(argument.c_str(), &end);
    if (*end != '\0' || !(ratio >= 0 && ratio <= 1)) {
      err = "OTEL_TRACES_SAMPLER_ARG: expected a sampling ratio between 0 and 1, got \"" + argument + "\"";
      return config;
    }
    config.ratio = ratio;
  }
  return config;
}

void StartTracing(const TracingConfig& config) {
  auto policy = std::make_unique<SamplingPolicy>();
  policy->enabled = config.enabled;
  std::string sampler = config.sampler;
  policy->parent_based = sampler.rfind("parentbased_", 0) == 0;
  if (policy->parent_based) sampler = sampler.substr(std::string("parentbased_").size());
  policy->root = sampler == "always_on"    ? SamplerKind::kAlwaysOn
                 : sampler == "always_off" ? SamplerKind::kAlwaysOff
                                           : SamplerKind::kRatio;
  const double ratio = std::isnan(config.ratio) ? 1.0 : std::clamp(config.ratio, 0.0, 1.0);
  policy->ratio_all = ratio >= 1.0;
  policy->ratio_bound = policy->ratio_all ? UINT64_MAX : static_cast<uint64_t>(std::ldexp(ratio, 64));

  std::shared_ptr<OtlpExporter> previous;
  {
    std::lock_guard<std::mutex> lock(g_mutex);
    g_policy.store(policy.get(), std::memory_order_release);
    g_policies->push_back(std::move(policy));  // kept: a span may still read the previous one
    previous = std::move(g_exporter);
    g_exporting.store(false);
    if (config.enabled && !config.endpoint.empty()) {
      g_exporter = std::make_shared<OtlpExporter>(config);
      g_exporting.store(true);
    }
  }
  if (previous) previous->Shutdown();  // sends what it still holds
}

void ShutdownTracing() {
  std::shared_ptr<OtlpExporter> exporter;
  {
    std::lock_guard<std::mutex> lock(g_mutex);
    exporter = std::move(g_exporter);
    g_exporting.store(false);
  }
  if (exporter) exporter->Shutdown();
}

TracingStats GetTracingStats() {
  TracingCounters& counters = GlobalTracingCounters();
  return {counters.exported.load(), counters.dropped.load(), counters.export_failures.load()};
}

// ---- spans ----

struct Span::Data {
  FinishedSpan span;
};

Span::Span(std::string name, SpanKind kind, const SpanContext* parent) : data_(nullptr), previous_(nullptr) {
  const SamplingPolicy& policy = Policy();
  if (!policy.enabled) return;  // no context: the span is invisible, children attach above it
  const SpanContext* parent_context = (parent && parent->valid()) ? parent
                                      : t_current                 ? &t_current->context_
                                                                  : nullptr;
  if (parent_context) {
    context_.trace_id = parent_context->trace_id;
    context_.sampled = policy.parent_based ? parent_context->sampled : SampleRoot(policy, context_.trace_id);
  } else {
    FillRandom(context_.trace_id);
    context_.sampled = SampleRoot(policy, context_.trace_id);
  }
  FillRandom(context_.span_id);
  previous_ = t_current;
  t_current = this;
  if (context_.sampled && g_exporting.load(std::memory_order_relaxed)) {
    data_ = new Data();
    data_->span.context = context_;
    if (parent_context) data_->span.parent_span_id = parent_context->span_id;
    data_->span.name = std::move(name);
    data_->span.kind = kind;
    data_->span.start_unix_nano = NowUnixNano();
  }
}

Span::~Span() {
  if (t_current == this) t_current = previous_;
  if (!data_) return;
  std::unique_ptr<Data> data(data_);
  data->span.end_unix_nano = std::max(NowUnixNano(), data->span.start_unix_nano);
  std::shared_ptr<OtlpExporter> exporter;
  {
    std::lock_guard<std::mutex> lock(g_mutex);
    exporter = g_exporter;
  }
  if (exporter) exporter->Enqueue(std::move(data->span));
}

void Span::SetAttribute(std::string key, AttributeValue value) {
  if (!data_) return;
  for (auto& attribute : data_->span.attributes) {
    if (attribute.first == key) {
      attribute.second = std::move(value);
      return;
    }
  }
  data_->span.attributes.emplace_back(std::move(key), std::move(value));
}

void Span::SetError(std::string message) {
  if (!data_) return;
  data_->span.error = true;
  data_->span.status_message = RedactLogSecrets(std::move(message));
}

const SpanContext* CurrentSpanContext() { return t_current ? &t_current->context_ : nullptr; }

std::string CurrentTraceparent() {
  const SpanContext* context = CurrentSpanContext();
  return context ? FormatTraceparent(*context) : "";
}

}  // namespace vcfagent::obs
