// OtlpExporter: sends finished spans to an OTLP/HTTP collector in the JSON encoding.
//
// Contract: Enqueue() never blocks (a full queue of 2048 spans drops the span and counts it). One
// background thread posts batches of up to 512 spans at least every second to the configured
// endpoint (Content-Type application/json, the configured headers); failures are counted and
// logged at most once a minute, never thrown. Shutdown() sends what is queued and stops the thread.
#pragma once

#include <array>
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "obs/tracing.h"

namespace vcfagent::obs {

struct FinishedSpan {
  SpanContext context;
  std::array<uint8_t, 8> parent_span_id{};  // all zero for a root span
  std::string name;
  SpanKind kind = SpanKind::kInternal;
  uint64_t start_unix_nano = 0;
  uint64_t end_unix_nano = 0;
  std::vector<std::pair<std::string, AttributeValue>> attributes;
  bool error = false;
  std::string status_message;
};

// The ExportTraceServiceRequest body (OTLP JSON: hex ids, 64-bit integers as strings).
std::string EncodeOtlpJson(const std::vector<FinishedSpan>& spans, const TracingConfig& config);

class OtlpExporter {
 public:
  static constexpr size_t kMaxQueue = 2048;
  static constexpr size_t kMaxBatch = 512;

  explicit OtlpExporter(TracingConfig config);
  ~OtlpExporter();  // Shutdown()
  OtlpExporter(const OtlpExporter&) = delete;
  OtlpExporter& operator=(const OtlpExporter&) = delete;

  // Queues a span; false (and counted as dropped) when the queue is full.
  bool Enqueue(FinishedSpan span);
  void Shutdown();

  const TracingConfig& config() const { return config_; }

 private:
  void Loop();
  // Posts one batch; true on a 2xx answer.
  bool Post(const std::string& body, std::string* error);

  const TracingConfig config_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<FinishedSpan> queue_;
  bool stopping_ = false;
  std::thread thread_;
};

// Process-wide counters behind GetTracingStats().
struct TracingCounters {
  std::atomic<uint64_t> exported{0}, dropped{0}, export_failures{0};
};
TracingCounters& GlobalTracingCounters();

}  // namespace vcfagent::obs
