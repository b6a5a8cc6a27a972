// Trace context (W3C), sampling, OTEL_* configuration, and the OTLP/HTTP JSON export checked
// against the OTLP specification by a receiver in the test.
#include "obs/tracing.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <chrono>
#include <cmath>
#include <set>
#include <thread>

#include <nlohmann/json.hpp>

#include "obs/otlp_exporter.h"
#include "obs/service_metrics.h"
#include "support/scripted_http_server.h"

namespace vcfagent::obs {
namespace {

using nlohmann::json;
using testing::RecordedRequest;
using testing::ScriptedHttpServer;
using testing::ScriptedResponse;

// ---- traceparent (W3C Trace Context, section 3.2) ----

TEST(Traceparent, ParsesTheSpecExample) {
  auto context = ParseTraceparent("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
  ASSERT_TRUE(context);
  EXPECT_EQ(context->TraceIdHex(), "4bf92f3577b34da6a3ce929d0e0e4736");
  EXPECT_EQ(context->SpanIdHex(), "00f067aa0ba902b7");
  EXPECT_TRUE(context->sampled);
  EXPECT_EQ(FormatTraceparent(*context), "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
  auto unsampled = ParseTraceparent("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00");
  ASSERT_TRUE(unsampled);
  EXPECT_FALSE(unsampled->sampled);
  EXPECT_EQ(FormatTraceparent(*unsampled), "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00");
  // Other flag bits are allowed; only bit 0 means sampled.
  auto flags = ParseTraceparent("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-09");
  ASSERT_TRUE(flags);
  EXPECT_TRUE(flags->sampled);
}

TEST(Traceparent, RefusesWhatTheSpecRefuses) {
  for (const char* bad : {
           "00-00000000000000000000000000000000-00f067aa0ba902b7-01",  // all-zero trace id
           "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",  // all-zero parent id
           "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",  // upper case
           "00-4bf92f3577b34da6a3ce929d0e0e473-00f067aa0ba902b7-01",   // trace id 31 digits
           "00-4bf92f3577b34da6a3ce929d0e0e47366-00f067aa0ba902b7-01", // 33 digits
           "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b-01",   // parent id 15 digits
           "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-1",   // flags 1 digit
           "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",  // version ff is invalid
           "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra",  // version 00 has no more fields
           "0-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
           "00_4bf92f3577b34da6a3ce929d0e0e4736_00f067aa0ba902b7_01",
           "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902g7-01",  // not hex
           "zz-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
           "cc-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01x",  // future version: extra must start with '-'
           ""}) {
    EXPECT_FALSE(ParseTraceparent(bad)) << bad;
  }
}

TEST(Traceparent, AcceptsAFutureVersionWithExtraFields) {
  auto context = ParseTraceparent("cc-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-what-the-future-holds");
  ASSERT_TRUE(context);
  EXPECT_EQ(context->TraceIdHex(), "4bf92f3577b34da6a3ce929d0e0e4736");
  EXPECT_TRUE(context->sampled);
  // We answer in the version we know.
  EXPECT_EQ(FormatTraceparent(*context).substr(0, 3), "00-");
  EXPECT_TRUE(ParseTraceparent("cc-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"));
}

// ---- spans and sampling ----

TracingConfig NoExport(std::string sampler, double ratio) {
  TracingConfig config;
  config.sampler = std::move(sampler);
  config.ratio = ratio;
  return config;
}

class SpanTest : public ::testing::Test {
 protected:
  void TearDown() override {
    ShutdownTracing();
    StartTracing(TracingConfig{});  // back to the defaults for the next test
    ShutdownTracing();
  }
};

TEST_F(SpanTest, ChildrenShareTheTraceAndNestAsTheCurrentSpan) {
  StartTracing(NoExport("parentbased_always_on", 1));
  EXPECT_EQ(CurrentSpanContext(), nullptr);
  EXPECT_EQ(CurrentTraceparent(), "");
  Span root("root");
  EXPECT_TRUE(root.context().valid());
  EXPECT_EQ(CurrentTraceparent(), root.traceparent());
  {
    Span child("child");
    EXPECT_EQ(child.context().TraceIdHex(), root.context().TraceIdHex());
    EXPECT_NE(child.context().SpanIdHex(), root.context().SpanIdHex());
    EXPECT_EQ(CurrentSpanContext(), &child.context());
  }
  EXPECT_EQ(CurrentSpanContext(), &root.context());
  // A remote parent wins over the thread's current span.
  auto remote = ParseTraceparent("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00");
  Span server("server", SpanKind::kServer, &*remote);
  EXPECT_EQ(server.context().TraceIdHex(), "4bf92f3577b34da6a3ce929d0e0e4736");
  EXPECT_FALSE(server.context().sampled);  // parent-based: the caller said not sampled
}

TEST_F(SpanTest, DisabledTracingMakesNoContext) {
  TracingConfig config;
  config.enabled = false;
  StartTracing(config);
  Span span("x");
  EXPECT_FALSE(span.context().valid());
  EXPECT_EQ(CurrentSpanContext(), nullptr);
  EXPECT_EQ(span.traceparent(), "");
}

int SampledRoots(int n) {
  int sampled = 0;
  for (int i = 0; i < n; ++i) {
    Span span("root");
    sampled += span.context().sampled ? 1 : 0;
  }
  return sampled;
}

TEST_F(SpanTest, TraceIdRatioSamplesTheRatioOfRootSpans) {
  StartTracing(NoExport("parentbased_traceidratio", 0.1));
  const int sampled = SampledRoots(20000);
  EXPECT_NEAR(sampled / 20000.0, 0.1, 0.015) << sampled;
  StartTracing(NoExport("traceidratio", 0.5));
  EXPECT_NEAR(SampledRoots(20000) / 20000.0, 0.5, 0.015);
  StartTracing(NoExport("traceidratio", 0));
  EXPECT_EQ(SampledRoots(1000), 0);
  StartTracing(NoExport("always_on", 0));
  EXPECT_EQ(SampledRoots(1000), 1000);
  StartTracing(NoExport("always_off", 1));
  EXPECT_EQ(SampledRoots(1000), 0);
}

TEST_F(SpanTest, TraceIdRatioDecidesByTheLowerEightBytesOfTheTraceId) {
  StartTracing(NoExport("traceidratio", 0.25));
  // Lower 8 bytes 0x3fff... < 0.25 * 2^64; 0x4000...01 is above it.
  auto low = ParseTraceparent("00-ffffffffffffffff3fffffffffffffff-00f067aa0ba902b7-00");
  auto high = ParseTraceparent("00-00000000000000014000000000000001-00f067aa0ba902b7-01");
  Span a("a", SpanKind::kInternal, &*low);
  EXPECT_TRUE(a.context().sampled);  // not parent based: the ratio decides, whatever the parent said
  Span b("b", SpanKind::kInternal, &*high);
  EXPECT_FALSE(b.context().sampled);
}

TEST_F(SpanTest, ParentBasedSamplersFollowTheParent) {
  auto sampled_parent = ParseTraceparent("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
  auto unsampled_parent = ParseTraceparent("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00");
  StartTracing(NoExport("parentbased_always_off", 1));
  {
    Span root("root");
    EXPECT_FALSE(root.context().sampled);
    Span child("child", SpanKind::kInternal, &*sampled_parent);
    EXPECT_TRUE(child.context().sampled);
  }
  StartTracing(NoExport("parentbased_always_on", 1));
  {
    Span root("root");
    EXPECT_TRUE(root.context().sampled);
    Span child("child", SpanKind::kInternal, &*unsampled_parent);
    EXPECT_FALSE(child.context().sampled);
    Span grandchild("grandchild");  // follows its local parent, the unsampled child
    EXPECT_FALSE(grandchild.context().sampled);
  }
  StartTracing(NoExport("parentbased_traceidratio", 0));
  {
    Span child("child", SpanKind::kInternal, &*sampled_parent);
    EXPECT_TRUE(child.context().sampled);
  }
  EXPECT_EQ(SampledRoots(500), 0);
}

// ---- OTEL_* environment ----

class EnvTest : public ::testing::Test {
 protected:
  void SetUp() override { Clear(); }
  void TearDown() override { Clear(); }
  static void Clear() {
    for (const char* name : {"OTEL_SDK_DISABLED", "OTEL_TRACES_EXPORTER", "OTEL_EXPORTER_OTLP_ENDPOINT",
                             "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "OTEL_EXPORTER_OTLP_HEADERS",
                             "OTEL_EXPORTER_OTLP_TRACES_HEADERS", "OTEL_SERVICE_NAME", "OTEL_RESOURCE_ATTRIBUTES",
                             "OTEL_TRACES_SAMPLER", "OTEL_TRACES_SAMPLER_ARG", "VCF_AGENT_ENV",
                             "OTEL_EXPORTER_OTLP_PROTOCOL", "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL",
                             "OTEL_EXPORTER_OTLP_TIMEOUT", "OTEL_EXPORTER_OTLP_TRACES_TIMEOUT"}) {
      unsetenv(name);
    }
  }
};

TEST_F(EnvTest, DefaultsAreDevelopmentWithoutExport) {
  std::string error = "stale";
  TracingConfig config = TracingConfig::FromEnvironment(&error);
  EXPECT_EQ(error, "");
  EXPECT_TRUE(config.enabled);
  EXPECT_EQ(config.endpoint, "");
  EXPECT_EQ(config.sampler, "parentbased_traceidratio");
  EXPECT_EQ(config.ratio, 1.0);
  EXPECT_EQ(config.service_name, "vcf-agent");
}

TEST_F(EnvTest, ProductionSamplesATenthUnlessTheArgumentSaysOtherwise) {
  setenv("VCF_AGENT_ENV", "production", 1);
  std::string error;
  EXPECT_EQ(TracingConfig::FromEnvironment(&error).ratio, 0.1);
  setenv("OTEL_TRACES_SAMPLER_ARG", "0.25", 1);
  EXPECT_EQ(TracingConfig::FromEnvironment(&error).ratio, 0.25);
  EXPECT_EQ(error, "");
}

TEST_F(EnvTest, EndpointGetsTheTracesPathTracesEndpointIsUsedAsIs) {
  std::string error;
  setenv("OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4318/", 1);
  EXPECT_EQ(TracingConfig::FromEnvironment(&error).endpoint, "http://collector:4318/v1/traces");
  setenv("OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4318", 1);
  EXPECT_EQ(TracingConfig::FromEnvironment(&error).endpoint, "http://collector:4318/v1/traces");
  setenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "https://otel.example/custom/path", 1);
  EXPECT_EQ(TracingConfig::FromEnvironment(&error).endpoint, "https://otel.example/custom/path");
  setenv("OTEL_TRACES_EXPORTER", "none", 1);
  EXPECT_EQ(TracingConfig::FromEnvironment(&error).endpoint, "");
  EXPECT_EQ(error, "");
  setenv("OTEL_SDK_DISABLED", "true", 1);
  EXPECT_FALSE(TracingConfig::FromEnvironment(&error).enabled);
}

TEST_F(EnvTest, HeadersAreUrlDecodedAndTracesHeadersWin) {
  setenv("OTEL_EXPORTER_OTLP_HEADERS", "api-key=secret%20value%2C1, x-tenant = lab%3Dgenomics ,x-both=general", 1);
  setenv("OTEL_EXPORTER_OTLP_TRACES_HEADERS", "x-both=traces", 1);
  std::string error;
  TracingConfig config = TracingConfig::FromEnvironment(&error);
  EXPECT_EQ(error, "");
  EXPECT_EQ(config.headers, (std::map<std::string, std::string>{
                                {"api-key", "secret value,1"}, {"x-tenant", "lab=genomics"}, {"x-both", "traces"}}));
}

TEST_F(EnvTest, ServiceNameAndResourceAttributes) {
  setenv("OTEL_RESOURCE_ATTRIBUTES", "service.name=from-resource,deployment.environment=lab%201", 1);
  std::string error;
  TracingConfig config = TracingConfig::FromEnvironment(&error);
  EXPECT_EQ(config.service_name, "from-resource");
  EXPECT_EQ(config.resource_attributes["deployment.environment"], "lab 1");
  setenv("OTEL_SERVICE_NAME", "vcf-prod", 1);
  EXPECT_EQ(TracingConfig::FromEnvironment(&error).service_name, "vcf-prod");
}

TEST_F(EnvTest, MalformedValuesAreErrorsNamingTheVariable) {
  const std::vector<std::pair<const char*, const char*>> cases = {
      {"OTEL_TRACES_SAMPLER_ARG", "lots"}, {"OTEL_TRACES_SAMPLER_ARG", "1.5"},
      {"OTEL_TRACES_SAMPLER", "sometimes"}, {"OTEL_EXPORTER_OTLP_HEADERS", "novalue"},
      {"OTEL_EXPORTER_OTLP_HEADERS", "k=bad%zz"}, {"OTEL_EXPORTER_OTLP_ENDPOINT", "collector:4318"},
      {"OTEL_TRACES_EXPORTER", "zipkin"}, {"OTEL_EXPORTER_OTLP_PROTOCOL", "grpc"},
      {"OTEL_RESOURCE_ATTRIBUTES", "=x"}, {"OTEL_EXPORTER_OTLP_TIMEOUT", "soon"}};
  for (const auto& [name, value] : cases) {
    Clear();
    setenv(name, value, 1);
    std::string error;
    TracingConfig::FromEnvironment(&error);
    EXPECT_EQ(error.rfind(std::string(name) + ":", 0), 0u) << name << "=" << value << " -> " << error;
  }
  Clear();
  setenv("OTEL_EXPORTER_OTLP_HEADERS", "authorization=Bearer%20topsecret,broken", 1);
  std::string error;
  TracingConfig::FromEnvironment(&error);
  EXPECT_NE(error, "");
  EXPECT_EQ(error.find("topsecret"), std::string::npos) << error;
}

// ---- OTLP/HTTP export ----

class ExportTest : public ::testing::Test {
 protected:
  void TearDown() override {
    ShutdownTracing();
    StartTracing(TracingConfig{});
    ShutdownTracing();
  }
  TracingConfig ExportTo(const std::string& url) {
    TracingConfig config;
    config.endpoint = url + "/v1/traces";
    config.sampler = "parentbased_always_on";
    config.headers = {{"x-tenant", "lab 7"}, {"authorization", "Bearer collector-token"}};
    config.resource_attributes = {{"deployment.environment", "test"}};
    config.export_timeout_ms = 2000;
    return config;
  }
};

// Every span of every request the receiver got, keyed by name.
std::map<std::string, json> ReceivedSpans(const std::vector<RecordedRequest>& requests) {
  std::map<std::string, json> spans;
  for (const RecordedRequest& request : requests) {
    json body = json::parse(request.body);
    for (const json& resource_spans : body["resourceSpans"]) {
      for (const json& scope_spans : resource_spans["scopeSpans"]) {
        for (const json& span : scope_spans["spans"]) spans[span["name"]] = span;
      }
    }
  }
  return spans;
}

json Attribute(const json& attributes, const std::string& key) {
  for (const json& attribute : attributes) {
    if (attribute["key"] == key) return attribute["value"];
  }
  return nullptr;
}

bool IsLowerHexOfLength(const json& value, size_t length) {
  if (!value.is_string()) return false;
  const std::string text = value;
  return text.size() == length && text.find_first_not_of("0123456789abcdef") == std::string::npos;
}

bool IsDecimalString(const json& value) {
  if (!value.is_string()) return false;
  const std::string text = value;
  return !text.empty() && text.find_first_not_of("0123456789") == std::string::npos;
}

TEST_F(ExportTest, PayloadFollowsTheOtlpJsonEncoding) {
  ScriptedHttpServer receiver;
  receiver.Handle("POST", "/v1/traces", [](const RecordedRequest&) {
    return ScriptedResponse{200, "application/json", {}, "{}"};
  });
  StartTracing(ExportTo(receiver.url()));
  std::string root_span_id, child_span_id, trace_id;
  const uint64_t before = static_cast<uint64_t>(
      std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch()).count());
  {
    Span root("http request", SpanKind::kServer);
    root.SetAttribute("http.request.method", std::string("GET"));
    root.SetAttribute("http.response.status_code", int64_t{200});
    root.SetAttribute("ratio", 0.5);
    root.SetAttribute("cached", true);
    root_span_id = root.context().SpanIdHex();
    trace_id = root.context().TraceIdHex();
    {
      Span child("ai.chat", SpanKind::kClient);
      child.SetError("provider said no to sk-abcdefghijklmnop");
      child_span_id = child.context().SpanIdHex();
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    Span internal("store.query variants");
  }
  ShutdownTracing();  // flushes
  const auto requests = receiver.requests();
  ASSERT_GE(requests.size(), 1u);
  const RecordedRequest& request = requests[0];
  EXPECT_EQ(request.method, "POST");
  EXPECT_EQ(request.path, "/v1/traces");
  EXPECT_EQ(request.Header("content-type"), "application/json");
  EXPECT_EQ(request.Header("x-tenant"), "lab 7");
  EXPECT_EQ(request.Header("authorization"), "Bearer collector-token");

  json body = json::parse(request.body);
  ASSERT_EQ(body["resourceSpans"].size(), 1u);
  const json& resource = body["resourceSpans"][0]["resource"];
  EXPECT_EQ(Attribute(resource["attributes"], "service.name"), json({{"stringValue", "vcf-agent"}}));
  EXPECT_EQ(Attribute(resource["attributes"], "deployment.environment"), json({{"stringValue", "test"}}));
  const json& scope_spans = body["resourceSpans"][0]["scopeSpans"][0];
  EXPECT_EQ(scope_spans["scope"]["name"], "vcf-agent");
  EXPECT_TRUE(scope_spans["scope"]["version"].is_string());

  auto spans = ReceivedSpans(requests);
  ASSERT_EQ(spans.size(), 3u);
  const json& root = spans["http request"];
  const json& child = spans["ai.chat"];
  const json& internal = spans["store.query variants"];
  for (const json* span : {&root, &child, &internal}) {
    EXPECT_TRUE(IsLowerHexOfLength((*span)["traceId"], 32)) << *span;
    EXPECT_TRUE(IsLowerHexOfLength((*span)["spanId"], 16)) << *span;
    EXPECT_EQ((*span)["traceId"], trace_id);
    ASSERT_TRUE(IsDecimalString((*span)["startTimeUnixNano"])) << *span;
    ASSERT_TRUE(IsDecimalString((*span)["endTimeUnixNano"])) << *span;
    const uint64_t start = std::stoull((*span)["startTimeUnixNano"].get<std::string>());
    const uint64_t end = std::stoull((*span)["endTimeUnixNano"].get<std::string>());
    EXPECT_GE(end, start);
    EXPECT_GE(start, before);
    EXPECT_LT(start - before, 60ull * 1000 * 1000 * 1000);
  }
  EXPECT_EQ(root["spanId"], root_span_id);
  EXPECT_EQ(root["parentSpanId"], "");
  EXPECT_EQ(child["spanId"], child_span_id);
  EXPECT_EQ(child["parentSpanId"], root_span_id);
  EXPECT_EQ(internal["parentSpanId"], root_span_id);
  EXPECT_EQ(root["kind"], 2);      // SPAN_KIND_SERVER
  EXPECT_EQ(child["kind"], 3);     // SPAN_KIND_CLIENT
  EXPECT_EQ(internal["kind"], 1);  // SPAN_KIND_INTERNAL
  EXPECT_GE(std::stoull(child["endTimeUnixNano"].get<std::string>()) -
                std::stoull(child["startTimeUnixNano"].get<std::string>()),
            2000000ull);
  EXPECT_EQ(child["status"]["code"], 2);  // STATUS_CODE_ERROR
  EXPECT_EQ(child["status"]["message"], "provider said no to [redacted]");
  EXPECT_EQ(root["status"].value("code", 0), 0);  // STATUS_CODE_UNSET
  EXPECT_EQ(Attribute(root["attributes"], "http.request.method"), json({{"stringValue", "GET"}}));
  EXPECT_EQ(Attribute(root["attributes"], "http.response.status_code"), json({{"intValue", "200"}}));
  EXPECT_EQ(Attribute(root["attributes"], "ratio"), json({{"doubleValue", 0.5}}));
  EXPECT_EQ(Attribute(root["attributes"], "cached"), json({{"boolValue", true}}));
  EXPECT_GE(GetTracingStats().exported, 3u);
}

TEST_F(ExportTest, UnsampledSpansAreNotExported) {
  ScriptedHttpServer receiver;
  receiver.Handle("POST", "/v1/traces", [](const RecordedRequest&) { return ScriptedResponse{200, "application/json", {}, "{}"}; });
  TracingConfig config = ExportTo(receiver.url());
  config.sampler = "parentbased_always_off";
  StartTracing(config);
  { Span span("invisible"); }
  ShutdownTracing();
  EXPECT_EQ(ReceivedSpans(receiver.requests()).count("invisible"), 0u);
}

TEST_F(ExportTest, AFailingCollectorIsCountedAndHarmless) {
  ScriptedHttpServer receiver;
  receiver.Handle("POST", "/v1/traces", [](const RecordedRequest&) {
    return ScriptedResponse{503, "text/plain", {}, "overloaded"};
  });
  const TracingStats before = GetTracingStats();
  StartTracing(ExportTo(receiver.url()));
  for (int i = 0; i < 10; ++i) Span span("doomed");
  ShutdownTracing();
  const TracingStats after = GetTracingStats();
  EXPECT_GE(receiver.request_count(), 1u);
  EXPECT_GE(after.export_failures, before.export_failures + 1);
  EXPECT_EQ(after.exported, before.exported);
  // /metrics shows the exporter's totals.
  Metrics();
  const std::string exposition = Registry::Global().Exposition();
  EXPECT_NE(exposition.find("vcfagent_trace_export_failures_total " + std::to_string(after.export_failures) + "\n"),
            std::string::npos)
      << exposition.substr(exposition.find("vcfagent_trace"), 400);
  EXPECT_NE(exposition.find("vcfagent_trace_spans_exported_total " + std::to_string(after.exported) + "\n"),
            std::string::npos);
}

TEST_F(ExportTest, AFullQueueDropsInsteadOfBlocking) {
  ScriptedHttpServer receiver;
  // The collector takes its time: the exporter thread is stuck in its first POST while spans pile up.
  receiver.Handle("POST", "/v1/traces", [](const RecordedRequest&) {
    ScriptedResponse response{200, "application/json", {}, "{}"};
    response.delay_seconds = 0.5;
    return response;
  });
  TracingConfig config = ExportTo(receiver.url());
  config.export_timeout_ms = 300;
  StartTracing(config);
  const TracingStats before = GetTracingStats();
  const auto start = std::chrono::steady_clock::now();
  constexpr int kSpans = 20000;
  for (int i = 0; i < kSpans; ++i) Span span("flood");
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const TracingStats after = GetTracingStats();
  EXPECT_LT(seconds, 2.0);  // never waits for the collector
  EXPECT_GE(after.dropped - before.dropped, static_cast<uint64_t>(kSpans - 2 * OtlpExporter::kMaxQueue - 3 * OtlpExporter::kMaxBatch));
  ShutdownTracing();
}

TEST_F(ExportTest, NoCollectorListeningIsHarmless) {
  TracingConfig config;
  config.endpoint = "http://127.0.0.1:9/v1/traces";  // discard port: nothing listens
  config.export_timeout_ms = 500;
  const TracingStats before = GetTracingStats();
  StartTracing(config);
  { Span span("lost"); }
  ShutdownTracing();
  EXPECT_GE(GetTracingStats().export_failures, before.export_failures + 1);
}

}  // namespace
}  // namespace vcfagent::obs
