#!/usr/bin/env python3
# Generates the Grafana dashboards in dashboards/ (python3 deploy/grafana/generate_dashboards.py).
# Edit panels here, not in the JSON: one layout and one query style for every dashboard.
# Metric names must come from src/obs/service_metrics.h (tests/e2e/ops/metrics_usage_test checks).
import json, os
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "dashboards")
os.makedirs(OUT, exist_ok=True)
DS = {"type": "prometheus", "uid": "${DS_PROMETHEUS}"}
SEL = 'job="vcf-agent", instance=~"$instance"'
RI = "$__rate_interval"

def templating():
    return {"list": [
        {"name": "DS_PROMETHEUS", "label": "Prometheus", "type": "datasource", "query": "prometheus",
         "current": {}, "hide": 0, "refresh": 1, "regex": "", "options": []},
        {"name": "instance", "label": "Instance", "type": "query", "datasource": DS,
         "query": {"query": 'label_values(up{job="vcf-agent"}, instance)', "refId": "instance"},
         "definition": 'label_values(up{job="vcf-agent"}, instance)',
         "includeAll": True, "multi": True, "allValue": ".*", "refresh": 2, "sort": 1,
         "current": {"selected": True, "text": ["All"], "value": ["$__all"]}, "hide": 0, "options": []},
    ]}

class Board:
    def __init__(self, uid, title, description):
        self.uid, self.title, self.description = uid, title, description
        self.panels, self.next_id, self.x, self.y, self.row_h = [], 1, 0, 0, 0

    def row(self, title):
        if self.x:
            self.y += self.row_h; self.x = 0
        self.panels.append({"id": self.next_id, "type": "row", "title": title, "collapsed": False,
                            "gridPos": {"h": 1, "w": 24, "x": 0, "y": self.y}, "panels": []})
        self.next_id += 1; self.y += 1; self.row_h = 0

    def panel(self, kind, title, targets, unit="short", w=8, h=8, description="", stack=False, thresholds=None):
        if self.x + w > 24:
            self.y += self.row_h; self.x = 0; self.row_h = 0
        refs = "ABCDEFGH"
        tg = [{"datasource": DS, "refId": refs[i], "expr": e, "legendFormat": l,
               "range": True, "instant": False} for i, (e, l) in enumerate(targets)]
        defaults = {"unit": unit, "color": {"mode": "palette-classic"}}
        if thresholds:
            defaults["thresholds"] = {"mode": "absolute", "steps": [{"color": "green", "value": None}] +
                                      [{"color": c, "value": v} for v, c in thresholds]}
            defaults["color"] = {"mode": "thresholds"}
        if kind == "timeseries":
            defaults["custom"] = {"drawStyle": "line", "lineWidth": 1, "fillOpacity": 10,
                                  "showPoints": "never", "spanNulls": False,
                                  "stacking": {"mode": "normal" if stack else "none", "group": "A"}}
        p = {"id": self.next_id, "type": kind, "title": title, "description": description,
             "datasource": DS, "gridPos": {"h": h, "w": w, "x": self.x, "y": self.y},
             "targets": tg, "fieldConfig": {"defaults": defaults, "overrides": []}}
        if kind == "timeseries":
            p["options"] = {"legend": {"displayMode": "list", "placement": "bottom", "showLegend": True},
                            "tooltip": {"mode": "multi", "sort": "desc"}}
        elif kind == "stat":
            p["options"] = {"reduceOptions": {"calcs": ["lastNotNull"], "fields": "", "values": False},
                            "colorMode": "value", "graphMode": "area", "textMode": "auto",
                            "justifyMode": "auto", "orientation": "auto"}
        self.panels.append(p)
        self.next_id += 1; self.x += w; self.row_h = max(self.row_h, h)

    def write(self, name):
        d = {"uid": self.uid, "title": self.title, "description": self.description,
             "tags": ["vcf-agent"], "schemaVersion": 38, "version": 1, "editable": True,
             "graphTooltip": 1, "time": {"from": "now-6h", "to": "now"}, "refresh": "30s",
             "timezone": "", "timepicker": {}, "annotations": {"list": []}, "links": [
                 {"title": "vcf-agent", "type": "dashboards", "tags": ["vcf-agent"], "asDropdown": True,
                  "includeVars": True, "keepTime": True}],
             "templating": templating(), "panels": self.panels,
             "__inputs": [{"name": "DS_PROMETHEUS", "label": "Prometheus", "type": "datasource",
                           "pluginId": "prometheus", "pluginName": "Prometheus"}]}
        with open(os.path.join(OUT, name), "w") as f:
            json.dump(d, f, indent=2); f.write("\n")

def q(p, hist, by, extra=""):
    sel = SEL + (", " + extra if extra else "")
    return f'histogram_quantile({p}, sum by (le{", " + by if by else ""}) (rate({hist}_bucket{{{sel}}}[{RI}])))'

# --- service overview
b = Board("vcfagent-service", "vcf-agent / Service overview", "HTTP traffic, errors, latency and the process of vcf-agent serve.")
b.row("Health")
b.panel("stat", "Targets up", [(f'sum(up{{{SEL}}})', "up")], w=4, h=4, thresholds=None)
b.panel("stat", "Uptime", [(f'time() - max(process_start_time_seconds{{{SEL}}})', "uptime")], unit="s", w=4, h=4)
b.panel("stat", "Requests/s", [(f'sum(rate(vcfagent_http_requests_total{{{SEL}}}[{RI}]))', "req/s")], unit="reqps", w=4, h=4)
b.panel("stat", "5xx ratio", [(f'sum(rate(vcfagent_http_requests_total{{{SEL}, status=~"5.."}}[{RI}])) / sum(rate(vcfagent_http_requests_total{{{SEL}}}[{RI}]))', "5xx")], unit="percentunit", w=4, h=4, thresholds=[(0.01, "orange"), (0.05, "red")])
b.panel("stat", "In flight", [(f'sum(vcfagent_http_requests_in_flight{{{SEL}}})', "in flight")], w=4, h=4)
b.panel("stat", "Version", [(f'count by (version) (vcfagent_build_info{{{SEL}}})', "{{version}}")], w=4, h=4)
b.row("Traffic")
b.panel("timeseries", "Request rate by route", [(f'sum by (route) (rate(vcfagent_http_requests_total{{{SEL}}}[{RI}]))', "{{route}}")], unit="reqps", w=12, stack=True)
b.panel("timeseries", "Request rate by status", [(f'sum by (status) (rate(vcfagent_http_requests_total{{{SEL}}}[{RI}]))', "{{status}}")], unit="reqps", w=12, stack=True)
b.panel("timeseries", "Error ratio (5xx and 4xx)", [
    (f'sum(rate(vcfagent_http_requests_total{{{SEL}, status=~"5.."}}[{RI}])) / sum(rate(vcfagent_http_requests_total{{{SEL}}}[{RI}]))', "5xx"),
    (f'sum(rate(vcfagent_http_requests_total{{{SEL}, status=~"4.."}}[{RI}])) / sum(rate(vcfagent_http_requests_total{{{SEL}}}[{RI}]))', "4xx")], unit="percentunit", w=8)
b.panel("timeseries", "5xx by route", [(f'sum by (route, status) (rate(vcfagent_http_requests_total{{{SEL}, status=~"5.."}}[{RI}]))', "{{route}} {{status}}")], unit="reqps", w=8)
b.panel("timeseries", "Rate-limited requests by key", [(f'sum by (key) (rate(vcfagent_http_rate_limited_total{{{SEL}}}[{RI}]))', "{{key}}")], unit="reqps", w=8)
b.row("Latency")
b.panel("timeseries", "Latency p50 / p95 / p99", [
    (q(0.5, "vcfagent_http_request_duration_seconds", ""), "p50"),
    (q(0.95, "vcfagent_http_request_duration_seconds", ""), "p95"),
    (q(0.99, "vcfagent_http_request_duration_seconds", ""), "p99")], unit="s", w=12)
b.panel("timeseries", "p95 by route", [(q(0.95, "vcfagent_http_request_duration_seconds", "route"), "{{route}}")], unit="s", w=12)
b.panel("timeseries", "In-flight requests", [(f'sum by (instance) (vcfagent_http_requests_in_flight{{{SEL}}})', "{{instance}}")], w=12)
b.panel("timeseries", "Mean latency by route", [(f'sum by (route) (rate(vcfagent_http_request_duration_seconds_sum{{{SEL}}}[{RI}])) / sum by (route) (rate(vcfagent_http_request_duration_seconds_count{{{SEL}}}[{RI}]))', "{{route}}")], unit="s", w=12)
b.row("Process")
b.panel("timeseries", "Resident memory", [(f'process_resident_memory_bytes{{{SEL}}}', "RSS {{instance}}"), (f'process_virtual_memory_bytes{{{SEL}}}', "virtual {{instance}}")], unit="bytes", w=8)
b.panel("timeseries", "CPU", [(f'rate(process_cpu_seconds_total{{{SEL}}}[{RI}])', "{{instance}}")], unit="percentunit", w=8)
b.panel("timeseries", "Open file descriptors", [(f'process_open_fds{{{SEL}}}', "open {{instance}}"), (f'process_max_fds{{{SEL}}}', "max {{instance}}")], w=8)
b.write("service-overview.json")

# --- ingestion
b = Board("vcfagent-ingestion", "vcf-agent / Ingestion", "Ingest throughput, progress and jobs.")
b.row("Now")
b.panel("stat", "Running ingests", [(f'sum(vcfagent_ingest_running{{{SEL}}})', "running")], w=6, h=4)
b.panel("stat", "Ingest rate", [(f'sum(vcfagent_ingest_rate_variants_per_second{{{SEL}}})', "variants/s")], unit="short", w=6, h=4)
b.panel("stat", "Seconds since last progress (running ingests)", [(f'max((time() - vcfagent_ingest_last_progress_timestamp_seconds{{{SEL}}}) and on (instance) (vcfagent_ingest_running{{{SEL}}} > 0))', "stall")], unit="s", w=6, h=4, thresholds=[(60, "orange"), (300, "red")])
b.panel("stat", "Variants ingested (range)", [(f'sum(increase(vcfagent_ingest_variants_total{{{SEL}}}[$__range]))', "variants")], w=6, h=4)
b.row("Throughput")
b.panel("timeseries", "Ingest rate (reported by the running ingest)", [(f'sum by (instance) (vcfagent_ingest_rate_variants_per_second{{{SEL}}})', "{{instance}}")], unit="short", w=12)
b.panel("timeseries", "Variants and records ingested per second", [
    (f'sum(rate(vcfagent_ingest_variants_total{{{SEL}}}[{RI}]))', "variants (allele rows)"),
    (f'sum(rate(vcfagent_ingest_records_total{{{SEL}}}[{RI}]))', "input records")], unit="short", w=12)
b.panel("timeseries", "Running ingests", [(f'sum by (instance) (vcfagent_ingest_running{{{SEL}}})', "{{instance}}")], w=12)
b.panel("timeseries", "Seconds since last progress", [(f'(time() - vcfagent_ingest_last_progress_timestamp_seconds{{{SEL}}}) and on (instance) (vcfagent_ingest_running{{{SEL}}} > 0)', "{{instance}}")], unit="s", w=12)
b.row("Jobs")
b.panel("timeseries", "Jobs running by kind", [(f'sum by (kind) (vcfagent_jobs_running{{{SEL}}})', "{{kind}}")], w=8)
b.panel("timeseries", "Jobs finished by outcome", [(f'sum by (kind, outcome) (increase(vcfagent_jobs_finished_total{{{SEL}}}[{RI}]))', "{{kind}} {{outcome}}")], w=8, stack=True)
b.panel("timeseries", "Job duration p50 / p95", [
    (q(0.5, "vcfagent_job_duration_seconds", "kind"), "p50 {{kind}}"),
    (q(0.95, "vcfagent_job_duration_seconds", "kind"), "p95 {{kind}}")], unit="s", w=8)
b.panel("timeseries", "Jobs started per minute", [(f'sum by (kind) (rate(vcfagent_jobs_started_total{{{SEL}}}[{RI}])) * 60', "{{kind}}")], w=24, h=6)
b.write("ingestion.json")

# --- AI providers
b = Board("vcfagent-ai", "vcf-agent / AI providers", "Requests, failures, latency and tokens of the AI providers, and the agent's tool calls.")
b.row("Requests")
b.panel("timeseries", "Requests by provider and model", [(f'sum by (provider, model, outcome) (rate(vcfagent_ai_requests_total{{{SEL}}}[{RI}]))', "{{provider}} {{model}} {{outcome}}")], unit="reqps", w=12)
b.panel("timeseries", "Error ratio by provider", [(f'sum by (provider) (rate(vcfagent_ai_requests_total{{{SEL}, outcome="error"}}[{RI}])) / sum by (provider) (rate(vcfagent_ai_requests_total{{{SEL}}}[{RI}]))', "{{provider}}")], unit="percentunit", w=12, thresholds=[(0.2, "red")])
b.panel("timeseries", "Errors by class", [(f'sum by (provider, class) (rate(vcfagent_ai_request_errors_total{{{SEL}}}[{RI}]))', "{{provider}} {{class}}")], unit="reqps", w=12, stack=True)
b.panel("stat", "Rate-limited answers (range)", [(f'sum by (provider) (increase(vcfagent_ai_request_errors_total{{{SEL}, class="rate_limited"}}[$__range]))', "{{provider}}")], w=12, thresholds=[(1, "orange")])
b.row("Latency and tokens")
b.panel("timeseries", "Latency p50 / p95 by provider", [
    (q(0.5, "vcfagent_ai_request_duration_seconds", "provider"), "p50 {{provider}}"),
    (q(0.95, "vcfagent_ai_request_duration_seconds", "provider"), "p95 {{provider}}")], unit="s", w=12)
b.panel("timeseries", "Tokens per minute by model and direction", [(f'sum by (provider, model, direction) (rate(vcfagent_ai_tokens_total{{{SEL}}}[{RI}])) * 60', "{{provider}} {{model}} {{direction}}")], w=12)
b.row("Tools")
b.panel("timeseries", "Tool calls by tool", [(f'sum by (tool, outcome) (rate(vcfagent_tool_calls_total{{{SEL}}}[{RI}]))', "{{tool}} {{outcome}}")], unit="reqps", w=12, stack=True)
b.panel("timeseries", "Tool call p95", [(q(0.95, "vcfagent_tool_call_duration_seconds", "tool"), "{{tool}}")], unit="s", w=12)
b.write("ai-providers.json")

# --- store
b = Board("vcfagent-store", "vcf-agent / Store", "The variant store: size, contents, query and similarity latency, and the process serving it.")
b.row("Contents")
b.panel("stat", "Store size", [(f'sum(vcfagent_store_size_bytes{{{SEL}}})', "size")], unit="bytes", w=8, h=4)
b.panel("stat", "Variants", [(f'sum(vcfagent_store_variants{{{SEL}}})', "variants")], w=8, h=4)
b.panel("stat", "Samples", [(f'sum(vcfagent_store_samples{{{SEL}}})', "samples")], w=8, h=4)
b.panel("timeseries", "Store size", [(f'vcfagent_store_size_bytes{{{SEL}}}', "{{instance}}")], unit="bytes", w=12)
b.panel("timeseries", "Variants and samples", [(f'vcfagent_store_variants{{{SEL}}}', "variants {{instance}}"), (f'vcfagent_store_samples{{{SEL}}}', "samples {{instance}}")], w=12)
b.row("Queries")
b.panel("timeseries", "Query latency p95 by kind", [(q(0.95, "vcfagent_query_duration_seconds", "kind"), "{{kind}}")], unit="s", w=8)
b.panel("timeseries", "Queries per second by kind", [(f'sum by (kind) (rate(vcfagent_query_duration_seconds_count{{{SEL}}}[{RI}]))', "{{kind}}")], unit="reqps", w=8)
b.panel("timeseries", "Similarity latency p50 / p95", [
    (q(0.5, "vcfagent_similarity_duration_seconds", ""), "p50"),
    (q(0.95, "vcfagent_similarity_duration_seconds", ""), "p95")], unit="s", w=8)
b.row("Process")
b.panel("timeseries", "Resident memory", [(f'process_resident_memory_bytes{{{SEL}}}', "{{instance}}")], unit="bytes", w=8)
b.panel("timeseries", "CPU", [(f'rate(process_cpu_seconds_total{{{SEL}}}[{RI}])', "{{instance}}")], unit="percentunit", w=8)
b.panel("timeseries", "Open file descriptors", [(f'process_open_fds{{{SEL}}}', "{{instance}}")], w=8)
b.write("store.json")
