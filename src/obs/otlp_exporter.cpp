#include "obs/otlp_exporter.h"

#include <curl/curl.h>

#include <chrono>
#include <memory>

#include <nlohmann/json.hpp>

#include "obs/log.h"
#include "util/json_text.h"

namespace vcfagent::obs {
namespace {

using json = nlohmann::json;

json AttributeJson(const std::string& key, const AttributeValue& value) {
  json any;
  if (const auto* s = std::get_if<std::string>(&value)) {
    any["stringValue"] = *s;
  } else if (const auto* i = std::get_if<int64_t>(&value)) {
    any["intValue"] = std::to_string(*i);  // int64 is a JSON string in OTLP (proto3 JSON mapping)
  } else if (const auto* d = std::get_if<double>(&value)) {
    any["doubleValue"] = *d;
  } else {
    any["boolValue"] = std::get<bool>(value);
  }
  return {{"key", key}, {"value", std::move(any)}};
}

std::string Hex(const uint8_t* bytes, size_t size) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out(size * 2, '0');
  for (size_t i = 0; i < size; ++i) {
    out[2 * i] = kDigits[bytes[i] >> 4];
    out[2 * i + 1] = kDigits[bytes[i] & 15];
  }
  return out;
}

// The collector's answer is not needed (a partial-success body only repeats what we count).
size_t Discard(char*, size_t size, size_t count, void*) { return size * count; }

}  // namespace

TracingCounters& GlobalTracingCounters() {
  static TracingCounters* counters = new TracingCounters();
  return *counters;
}

std::string EncodeOtlpJson(const std::vector<FinishedSpan>& spans, const TracingConfig& config) {
  json resource_attributes = json::array();
  resource_attributes.push_back(AttributeJson("service.name", config.service_name));
  for (const auto& [key, value] : config.resource_attributes) {
    if (key != "service.name") resource_attributes.push_back(AttributeJson(key, value));
  }
  resource_attributes.push_back(AttributeJson("service.version", std::string(VCFAGENT_VERSION)));
  resource_attributes.push_back(AttributeJson("telemetry.sdk.language", std::string("cpp")));
  resource_attributes.push_back(AttributeJson("telemetry.sdk.name", std::string("vcf-agent")));

  json span_array = json::array();
  for (const FinishedSpan& span : spans) {
    bool has_parent = false;
    for (uint8_t b : span.parent_span_id) has_parent |= b != 0;
    json attributes = json::array();
    for (const auto& [key, value] : span.attributes) attributes.push_back(AttributeJson(key, value));
    json status = {{"code", span.error ? 2 : 0}};
    if (span.error) status["message"] = span.status_message;
    span_array.push_back({
        {"traceId", span.context.TraceIdHex()},
        {"spanId", span.context.SpanIdHex()},
        {"parentSpanId", has_parent ? Hex(span.parent_span_id.data(), 8) : ""},
        {"flags", span.context.sampled ? 1 : 0},
        {"name", span.name},
        {"kind", static_cast<int>(span.kind)},
        {"startTimeUnixNano", std::to_string(span.start_unix_nano)},
        {"endTimeUnixNano", std::to_string(span.end_unix_nano)},
        {"attributes", std::move(attributes)},
        {"status", std::move(status)},
    });
  }
  json body = {{"resourceSpans", json::array({{
                   {"resource", {{"attributes", std::move(resource_attributes)}}},
                   {"scopeSpans", json::array({{
                       {"scope", {{"name", "vcf-agent"}, {"version", VCFAGENT_VERSION}}},
                       {"spans", std::move(span_array)},
                   }})},
               }})}};
  return DumpJson(body);
}

OtlpExporter::OtlpExporter(TracingConfig config) : config_(std::move(config)) {
  static std::once_flag curl_once;
  std::call_once(curl_once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
  thread_ = std::thread([this] { Loop(); });
}

OtlpExporter::~OtlpExporter() { Shutdown(); }

bool OtlpExporter::Enqueue(FinishedSpan span) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (stopping_ || queue_.size() >= kMaxQueue) {
      GlobalTracingCounters().dropped.fetch_add(1, std::memory_order_relaxed);
      return false;
    }
    queue_.push_back(std::move(span));
    if (queue_.size() < kMaxBatch) return true;
  }
  wake_.notify_one();  // a full batch goes out without waiting for the second to pass
  return true;
}

void OtlpExporter::Shutdown() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_one();
  if (thread_.joinable()) thread_.join();
}

void OtlpExporter::Loop() {
  using Clock = std::chrono::steady_clock;
  Clock::time_point last_warning{};
  bool warned = false;
  for (;;) {
    std::vector<FinishedSpan> batch;
    {
      std::unique_lock<std::mutex> lock(mutex_);
      wake_.wait_for(lock, std::chrono::seconds(1), [&] { return stopping_ || queue_.size() >= kMaxBatch; });
      const size_t n = std::min(queue_.size(), kMaxBatch);
      for (size_t i = 0; i < n; ++i) {
        batch.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
      if (batch.empty() && stopping_) return;
    }
    if (batch.empty()) continue;
    std::string error;
    if (Post(EncodeOtlpJson(batch, config_), &error)) {
      GlobalTracingCounters().exported.fetch_add(batch.size(), std::memory_order_relaxed);
    } else {
      GlobalTracingCounters().export_failures.fetch_add(1, std::memory_order_relaxed);
      const auto now = Clock::now();
      if (!warned || now - last_warning >= std::chrono::minutes(1)) {
        warned = true;
        last_warning = now;
        Log(LogLevel::kWarn, "trace export failed",
            {{"endpoint", config_.endpoint}, {"error", error}, {"spans", batch.size()}});
      }
    }
    // When stopping, the loop drains the queue batch by batch, then returns.
  }
}

bool OtlpExporter::Post(const std::string& body, std::string* error) {
  std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> curl(curl_easy_init(), curl_easy_cleanup);
  if (!curl) {
    *error = "cannot create an HTTP handle";
    return false;
  }
  curl_slist* list = curl_slist_append(nullptr, "Content-Type: application/json");
  for (const auto& [name, value] : config_.headers) list = curl_slist_append(list, (name + ": " + value).c_str());
  list = curl_slist_append(list, "Expect:");
  std::unique_ptr<curl_slist, decltype(&curl_slist_free_all)> headers(list, curl_slist_free_all);
  CURL* h = curl.get();
  curl_easy_setopt(h, CURLOPT_URL, config_.endpoint.c_str());
  curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers.get());
  curl_easy_setopt(h, CURLOPT_POST, 1L);
  curl_easy_setopt(h, CURLOPT_POSTFIELDS, body.data());
  curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, static_cast<long>(std::max(1, config_.export_timeout_ms)));
  curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(std::max(1, config_.export_timeout_ms)));
  curl_easy_setopt(h, CURLOPT_USERAGENT, "vcf-agent/" VCFAGENT_VERSION);
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, Discard);
  const CURLcode code = curl_easy_perform(h);
  if (code != CURLE_OK) {
    *error = curl_easy_strerror(code);
    return false;
  }
  long status = 0;
  curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
  if (status < 200 || status >= 300) {
    *error = "HTTP " + std::to_string(status);
    return false;
  }
  return true;
}

}  // namespace vcfagent::obs
