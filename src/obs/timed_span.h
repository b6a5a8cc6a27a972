// TimedSpan: a Span that also observes its duration in a latency histogram when it ends, for the
// one-line instrumentation of library entry points (queries, similarity, tools).
#pragma once

#include <chrono>
#include <string>

#include "obs/metrics.h"
#include "obs/tracing.h"

namespace vcfagent::obs {

class TimedSpan {
 public:
  TimedSpan(std::string name, Histogram& histogram, SpanKind kind = SpanKind::kInternal)
      : span_(std::move(name), kind), histogram_(histogram), start_(std::chrono::steady_clock::now()) {}
  ~TimedSpan() { histogram_.Observe(seconds()); }
  TimedSpan(const TimedSpan&) = delete;
  TimedSpan& operator=(const TimedSpan&) = delete;

  Span& span() { return span_; }
  double seconds() const {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  }

 private:
  Span span_;
  Histogram& histogram_;
  std::chrono::steady_clock::time_point start_;
};

}  // namespace vcfagent::obs
