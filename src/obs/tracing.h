// Tracing: W3C trace context and spans exported over OTLP/HTTP (JSON encoding) to a collector.
//
// Configured from the standard OpenTelemetry environment (TracingConfig::FromEnvironment):
// OTEL_SDK_DISABLED, OTEL_TRACES_EXPORTER (otlp|none), OTEL_EXPORTER_OTLP_ENDPOINT (+ /v1/traces)
// or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT (used as is), OTEL_EXPORTER_OTLP_HEADERS and
// OTEL_EXPORTER_OTLP_TRACES_HEADERS (k=v,k2=v2, URL-encoded values), OTEL_SERVICE_NAME,
// OTEL_RESOURCE_ATTRIBUTES, OTEL_TRACES_SAMPLER (always_on, always_off, traceidratio,
// parentbased_always_on, parentbased_always_off, parentbased_traceidratio) and
// OTEL_TRACES_SAMPLER_ARG. The default sampler is parentbased_traceidratio with ratio 1.0 in
// development and 0.1 in production (deployment environment from VCF_AGENT_ENV, default development).
// With no endpoint configured nothing is exported, but spans still carry ids (logs and traceparent
// propagation work). Ended spans are queued and sent in batches by one background thread
// (at most every second or 512 spans); a full queue drops spans (counted), never blocks a request.
//
// A Span is RAII: it becomes the current span of its thread for its lifetime, and spans started
// on that thread without an explicit parent become its children. Threads a request starts pass
// the parent explicitly (Span(name, kind, &parent_context)).
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace vcfagent::obs {

struct SpanContext {
  std::array<uint8_t, 16> trace_id{};
  std::array<uint8_t, 8> span_id{};
  bool sampled = false;
  bool valid() const;  // non-zero trace and span ids
  std::string TraceIdHex() const;
  std::string SpanIdHex() const;
};

// "00-<32 hex>-<16 hex>-<2 hex flags>"; nullopt for anything malformed (all-zero ids, version ff,
// wrong lengths, upper-case hex), as the W3C spec requires.
std::optional<SpanContext> ParseTraceparent(std::string_view header);
std::string FormatTraceparent(const SpanContext& context);

enum class SpanKind { kInternal = 1, kServer = 2, kClient = 3 };  // OTLP enum values
using AttributeValue = std::variant<std::string, int64_t, double, bool>;

struct TracingConfig {
  bool enabled = true;           // false: no spans are recorded or exported at all
  std::string endpoint;          // full URL of the traces endpoint; empty: no export
  std::map<std::string, std::string> headers;
  std::string service_name = "vcf-agent";
  std::map<std::string, std::string> resource_attributes;
  std::string sampler = "parentbased_traceidratio";
  double ratio = 1.0;
  int export_timeout_ms = 10000;
  // Reads the OTEL_* environment; a malformed value is an error naming the variable.
  static TracingConfig FromEnvironment(std::string* error);
};

// Starts the exporter thread (idempotent); ShutdownTracing() flushes queued spans and stops it.
void StartTracing(const TracingConfig& config);
void ShutdownTracing();

class Span {
 public:
  // Parent: `parent` if given and valid (a remote traceparent or a context passed across
  // threads), else the thread's current span, else a new trace (sampling decided here).
  explicit Span(std::string name, SpanKind kind = SpanKind::kInternal,
                const SpanContext* parent = nullptr);
  ~Span();  // ends the span, restores the previous current span, queues it if sampled
  Span(const Span&) = delete;
  Span& operator=(const Span&) = delete;

  void SetAttribute(std::string key, AttributeValue value);
  void SetError(std::string message);  // status ERROR with the message (secrets redacted)
  const SpanContext& context() const { return context_; }
  std::string traceparent() const { return FormatTraceparent(context_); }

 private:
  struct Data;
  SpanContext context_;
  Data* data_;  // null when tracing is disabled or the span is not sampled
  const Span* previous_;
  friend const SpanContext* CurrentSpanContext();
};

// The current span's context on this thread, or nullptr.
const SpanContext* CurrentSpanContext();
// The traceparent header value for the current span, or "" when there is none.
std::string CurrentTraceparent();

// Spans dropped because the export queue was full, and export failures (for tests and /metrics).
struct TracingStats {
  uint64_t exported = 0, dropped = 0, export_failures = 0;
};
TracingStats GetTracingStats();

}  // namespace vcfagent::obs
