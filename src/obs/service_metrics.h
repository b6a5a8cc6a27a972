// The service's metric catalog: every metric vcf-agent exports, declared in one place.
//
// deploy/prometheus rules and deploy/grafana dashboards use only these names (a test checks it
// against a live /metrics). Naming follows Prometheus conventions: vcfagent_ prefix, base units
// (seconds, bytes), counters end in _total. The first call of Metrics() registers every family
// in Registry::Global(), so /metrics lists each family even before it has a sample.
#pragma once

#include "obs/metrics.h"

namespace vcfagent::obs {

struct ServiceMetrics {
  // HTTP (route = the route template, e.g. /api/v1/jobs/{id}; unmatched paths use "unmatched").
  CounterFamily& http_requests;            // vcfagent_http_requests_total{route,method,status}
  HistogramFamily& http_request_duration;  // vcfagent_http_request_duration_seconds{route,method}
  GaugeFamily& http_in_flight;             // vcfagent_http_requests_in_flight
  CounterFamily& http_rate_limited;        // vcfagent_http_rate_limited_total{key} (key id, not the key)
  CounterFamily& http_connections_closed;  // vcfagent_http_connections_closed_total{reason} (refused or cut off)
  // Ingest.
  CounterFamily& ingest_records;           // vcfagent_ingest_records_total (input records read)
  CounterFamily& ingest_variants;          // vcfagent_ingest_variants_total (allele rows written)
  GaugeFamily& ingest_rate;                // vcfagent_ingest_rate_variants_per_second (running ingest; 0 idle)
  GaugeFamily& ingest_running;             // vcfagent_ingest_running (ingests in progress)
  GaugeFamily& ingest_last_progress;       // vcfagent_ingest_last_progress_timestamp_seconds
  // Store queries and similarity.
  HistogramFamily& query_duration;         // vcfagent_query_duration_seconds{kind} kind=variants|graph|sql|summary
  HistogramFamily& similarity_duration;    // vcfagent_similarity_duration_seconds
  GaugeFamily& store_variants;             // vcfagent_store_variants (collected at scrape)
  GaugeFamily& store_samples;              // vcfagent_store_samples
  GaugeFamily& store_size;                 // vcfagent_store_size_bytes
  // Jobs (kind=ingest|analyze; outcome=succeeded|failed|cancelled).
  CounterFamily& jobs_started;             // vcfagent_jobs_started_total{kind}
  CounterFamily& jobs_finished;            // vcfagent_jobs_finished_total{kind,outcome}
  GaugeFamily& jobs_running;               // vcfagent_jobs_running{kind}
  HistogramFamily& job_duration;           // vcfagent_job_duration_seconds{kind}
  // AI providers (outcome=ok|error; class = the failure class: rate_limited, server, timeout,
  // auth, connection, invalid_response, circuit_open, cancelled).
  CounterFamily& ai_requests;              // vcfagent_ai_requests_total{provider,model,outcome}
  CounterFamily& ai_errors;                // vcfagent_ai_request_errors_total{provider,model,class}
  HistogramFamily& ai_request_duration;    // vcfagent_ai_request_duration_seconds{provider,model}
  CounterFamily& ai_tokens;                // vcfagent_ai_tokens_total{provider,model,direction} direction=input|output
  CounterFamily& tool_calls;               // vcfagent_tool_calls_total{tool,outcome} outcome=ok|error
  HistogramFamily& tool_call_duration;     // vcfagent_tool_call_duration_seconds{tool}
  // Tracing (collected at scrape from the OTLP exporter's counts).
  CounterFamily& trace_spans_exported;     // vcfagent_trace_spans_exported_total
  CounterFamily& trace_spans_dropped;      // vcfagent_trace_spans_dropped_total (export queue full)
  CounterFamily& trace_export_failures;    // vcfagent_trace_export_failures_total (failed batches)
  // The C heap (glibc mallinfo2 at scrape): RSS growth with flat allocated bytes is fragmentation
  // or caches malloc keeps, not a leak.
  GaugeFamily& heap_allocated;             // vcfagent_heap_allocated_bytes
  GaugeFamily& heap_free;                  // vcfagent_heap_free_bytes
  // Build: vcfagent_build_info{version} 1.
  GaugeFamily& build_info;
};

ServiceMetrics& Metrics();

}  // namespace vcfagent::obs
