#include "obs/service_metrics.h"

#include <malloc.h>

#include "obs/tracing.h"

namespace vcfagent::obs {
namespace {

ServiceMetrics* Register(Registry& r) {
  const std::vector<double>& latency = LatencyBuckets();
  // Jobs run for seconds to hours.
  const std::vector<double> job_buckets = {1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600, 7200, 21600};
  auto* metrics = new ServiceMetrics{
      r.AddCounter("vcfagent_http_requests_total", "HTTP requests answered, by route template, method and status code.",
                   {"route", "method", "status"}),
      r.AddHistogram("vcfagent_http_request_duration_seconds",
                     "Time from receiving an HTTP request to the end of its answer, by route template and method.",
                     {"route", "method"}, latency),
      r.AddGauge("vcfagent_http_requests_in_flight", "HTTP requests being processed now."),
      r.AddCounter("vcfagent_http_rate_limited_total",
                   "HTTP requests refused with 429 because a key exceeded its request rate, by key id.", {"key"}),
      r.AddCounter("vcfagent_http_connections_closed_total",
                   "Connections the server closed to protect itself, by reason: per_client_limit (refused with 429), "
                   "bad_headers (a header section too slow, too large or malformed), unread_body (a response given "
                   "without reading the request body).",
                   {"reason"}),
      r.AddCounter("vcfagent_ingest_records_total", "VCF/BCF input records read and committed by ingests."),
      r.AddCounter("vcfagent_ingest_variants_total",
                   "Variant allele rows written to the store by ingests (one per alternate allele)."),
      r.AddGauge("vcfagent_ingest_rate_variants_per_second",
                 "Allele rows per second of the running ingest (0 when none runs)."),
      r.AddGauge("vcfagent_ingest_running", "Ingests in progress."),
      r.AddGauge("vcfagent_ingest_last_progress_timestamp_seconds",
                 "Unix time of the last batch an ingest committed (0 before the first)."),
      r.AddHistogram("vcfagent_query_duration_seconds",
                     "Time to answer a store query, by kind (variants, graph, sql, summary).", {"kind"}, latency),
      r.AddHistogram("vcfagent_similarity_duration_seconds", "Time to answer a variant similarity search.", {},
                     latency),
      r.AddGauge("vcfagent_store_variants", "Variant alleles in the store."),
      r.AddGauge("vcfagent_store_samples", "Samples in the store."),
      r.AddGauge("vcfagent_store_size_bytes", "Size of the store's files on disk in bytes."),
      r.AddCounter("vcfagent_jobs_started_total", "Background jobs started, by kind (ingest, analyze).", {"kind"}),
      r.AddCounter("vcfagent_jobs_finished_total",
                   "Background jobs finished, by kind and outcome (succeeded, failed, cancelled).", {"kind", "outcome"}),
      r.AddGauge("vcfagent_jobs_running", "Background jobs running now, by kind.", {"kind"}),
      r.AddHistogram("vcfagent_job_duration_seconds", "Run time of finished background jobs, by kind.", {"kind"},
                     job_buckets),
      r.AddCounter("vcfagent_ai_requests_total",
                   "Calls to AI providers (retries included in one call), by provider, model and outcome (ok, error).",
                   {"provider", "model", "outcome"}),
      r.AddCounter("vcfagent_ai_request_errors_total",
                   "Failed calls to AI providers, by provider, model and failure class (rate_limited, server, "
                   "timeout, auth, connection, invalid_response, circuit_open, cancelled, bad_request, "
                   "not_configured).",
                   {"provider", "model", "class"}),
      r.AddHistogram("vcfagent_ai_request_duration_seconds",
                     "Wall time of calls to AI providers including retries, by provider and model.",
                     {"provider", "model"}, latency),
      r.AddCounter("vcfagent_ai_tokens_total", "Tokens AI providers reported, by provider, model and direction "
                   "(input, output).", {"provider", "model", "direction"}),
      r.AddCounter("vcfagent_tool_calls_total", "Agent tool calls, by tool and outcome (ok, error).",
                   {"tool", "outcome"}),
      r.AddHistogram("vcfagent_tool_call_duration_seconds", "Run time of agent tool calls, by tool.", {"tool"},
                     latency),
      r.AddCounter("vcfagent_trace_spans_exported_total", "Spans the OTLP exporter delivered to the collector."),
      r.AddCounter("vcfagent_trace_spans_dropped_total",
                   "Spans dropped because the export queue was full (the collector is slow or down)."),
      r.AddCounter("vcfagent_trace_export_failures_total", "OTLP export requests that failed."),
      r.AddGauge("vcfagent_heap_allocated_bytes",
                 "Bytes the C heap has handed out and not freed (glibc mallinfo2: in-use chunks and mmapped blocks)."),
      r.AddGauge("vcfagent_heap_free_bytes",
                 "Bytes the C heap holds free for reuse without returning them to the system (glibc mallinfo2)."),
      r.AddGauge("vcfagent_build_info", "Always 1; the version label says which vcf-agent build runs.",
                 {"version"}),
  };
  metrics->build_info.With({VCFAGENT_VERSION}).Set(1);
  r.AddCollector([metrics] {
    const struct mallinfo2 heap = mallinfo2();
    metrics->heap_allocated.With({}).Set(static_cast<double>(heap.uordblks + heap.hblkhd));
    metrics->heap_free.With({}).Set(static_cast<double>(heap.fordblks));
  });
  // The exporter keeps its own totals; each scrape advances the counters to them.
  r.AddCollector([metrics] {
    const TracingStats stats = GetTracingStats();
    metrics->trace_spans_exported.With({}).AdvanceTo(static_cast<double>(stats.exported));
    metrics->trace_spans_dropped.With({}).AdvanceTo(static_cast<double>(stats.dropped));
    metrics->trace_export_failures.With({}).AdvanceTo(static_cast<double>(stats.export_failures));
  });
  RegisterProcessMetrics(r);
  return metrics;
}

}  // namespace

ServiceMetrics& Metrics() {
  static ServiceMetrics* metrics = Register(Registry::Global());  // lives for the process
  return *metrics;
}

}  // namespace vcfagent::obs
