// The library's instrumentation end to end: a real ingest, a real query, and an agent turn against
// a scripted OpenAI server move the service metrics, and the provider sees our trace.
#include <gtest/gtest.h>

#include <chrono>
#include <set>
#include <string>

#include "ai/agent.h"
#include "ai/providers.h"
#include "ai/tools.h"
#include "obs/service_metrics.h"
#include "obs/tracing.h"
#include "store/ingest.h"
#include "store/store.h"
#include "store/variant_query.h"
#include "support/provider_wire.h"
#include "support/scripted_http_server.h"
#include "support/test_support.h"

namespace vcfagent {
namespace {

using obs::Metrics;

constexpr const char* kTrio = "giab-ashk-trio-slice.vcf.gz";

double HistogramCount(obs::HistogramFamily& family, std::initializer_list<std::string_view> labels) {
  return static_cast<double>(family.With(labels).snapshot().count);
}

// Data records of a VCF according to bcftools (the oracle for "input records read").
int64_t BcftoolsRecordCount(const std::string& path) {
  auto result = testing::RunProgram("/bin/sh", {"-c", "bcftools view -H '" + path + "' | wc -l"});
  EXPECT_EQ(result.exit_code, 0) << result.err;
  return std::stoll(result.out);
}

TEST(Instrumentation, IngestCountsRecordsAndAlleleRowsAndQueriesAreTimed) {
  testing::TempDir dir;
  const std::string input = testing::ExamplePath(kTrio);
  const double records_before = Metrics().ingest_records.With({}).value();
  const double variants_before = Metrics().ingest_variants.With({}).value();
  const double running_before = Metrics().ingest_running.With({}).value();
  {
    auto store = store::Store::Open(dir.File("db"), store::Store::Access::kWrite);
    ASSERT_TRUE(store.ok()) << store.status().message();
    store::IngestOptions options;
    options.show_progress = false;
    options.batch_records = 50;  // several committed batches
    const double now = std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
    auto summary = store::Ingest(**store, {input}, options);
    ASSERT_TRUE(summary.ok()) << summary.status().message();
    ASSERT_GT(summary->alleles, 0);
    EXPECT_EQ(Metrics().ingest_variants.With({}).value() - variants_before, static_cast<double>(summary->alleles));
    EXPECT_EQ(Metrics().ingest_records.With({}).value() - records_before, static_cast<double>(BcftoolsRecordCount(input)));
    EXPECT_EQ(summary->records, BcftoolsRecordCount(input));
    EXPECT_GE(Metrics().ingest_last_progress.With({}).value(), now - 1);
    EXPECT_EQ(Metrics().ingest_running.With({}).value(), running_before);
    EXPECT_EQ(Metrics().ingest_rate.With({}).value(), 0);  // idle again

    // Ingesting the same file again adds nothing and counts nothing.
    auto again = store::Ingest(**store, {input}, options);
    ASSERT_TRUE(again.ok());
    EXPECT_EQ(Metrics().ingest_variants.With({}).value() - variants_before, static_cast<double>(summary->alleles));
  }
  auto store = store::Store::Open(dir.File("db"), store::Store::Access::kRead);
  ASSERT_TRUE(store.ok());
  const double queries_before = HistogramCount(Metrics().query_duration, {"variants"});
  store::VariantQuery query;
  query.limit = 5;
  auto page = store::QueryVariants(**store, query);
  ASSERT_TRUE(page.ok()) << page.status().message();
  EXPECT_EQ(HistogramCount(Metrics().query_duration, {"variants"}), queries_before + 1);
  const std::string exposition = obs::Registry::Global().Exposition();
  EXPECT_NE(exposition.find("vcfagent_query_duration_seconds_count{kind=\"variants\"}"), std::string::npos);
}

TEST(Instrumentation, AgentTurnMovesAiAndToolMetricsAndPropagatesTheTrace) {
  testing::TempDir dir;
  const auto ingest = testing::RunVcfAgent({"ingest", testing::ExamplePath(kTrio), "--db", dir.File("db"), "--no-index"});
  ASSERT_EQ(ingest.exit_code, 0) << ingest.err;
  ai::ToolRegistry tools(ai::ToolContext(dir.File("db"), {}));
  ASSERT_TRUE(ai::RegisterLibraryTools(tools).ok());

  testing::ScriptedHttpServer server;
  const auto kind = ai::ProviderKind::kOpenAi;
  server.Enqueue("POST", testing::ChatPath(kind),
                 testing::ToolCallAnswer(kind, {{"call_1", "graph_carriers", {{"variant", "1:752894:T:C"}}}},
                                         {100, 20}));
  server.Enqueue("POST", testing::ChatPath(kind), testing::TextAnswer(kind, "HG002, HG003 and HG004.", {150, 30}));
  ai::ProviderSettings settings = testing::ScriptedProviderSettings(kind, server);
  settings.model = "gpt-test-obs";
  auto provider = ai::MakeChatProvider(settings);
  ASSERT_TRUE(provider.ok()) << provider.status().message();

  auto& m = Metrics();
  const double ok_before = m.ai_requests.With({"openai", "gpt-test-obs", "ok"}).value();
  const double input_before = m.ai_tokens.With({"openai", "gpt-test-obs", "input"}).value();
  const double output_before = m.ai_tokens.With({"openai", "gpt-test-obs", "output"}).value();
  const double tools_before = m.tool_calls.With({"graph_carriers", "ok"}).value();
  const double tool_durations_before = HistogramCount(m.tool_call_duration, {"graph_carriers"});
  const double ai_durations_before = HistogramCount(m.ai_request_duration, {"openai", "gpt-test-obs"});

  ai::AgentOptions options;
  options.stream = false;
  std::string trace_id, request_span_id;
  {
    obs::Span request("http POST /api/v1/ask", obs::SpanKind::kServer);
    trace_id = request.context().TraceIdHex();
    request_span_id = request.context().SpanIdHex();
    const ai::AgentAnswer answer = ai::RunAgent(**provider, tools, {}, "Who carries 1:752894:T:C?", options);
    ASSERT_TRUE(answer.status.ok()) << answer.status.message();
  }
  EXPECT_EQ(m.ai_requests.With({"openai", "gpt-test-obs", "ok"}).value(), ok_before + 2);
  EXPECT_EQ(m.ai_tokens.With({"openai", "gpt-test-obs", "input"}).value(), input_before + 250);
  EXPECT_EQ(m.ai_tokens.With({"openai", "gpt-test-obs", "output"}).value(), output_before + 50);
  EXPECT_EQ(HistogramCount(m.ai_request_duration, {"openai", "gpt-test-obs"}), ai_durations_before + 2);
  EXPECT_EQ(m.tool_calls.With({"graph_carriers", "ok"}).value(), tools_before + 1);
  EXPECT_EQ(HistogramCount(m.tool_call_duration, {"graph_carriers"}), tool_durations_before + 1);

  const auto requests = server.requests();
  ASSERT_EQ(requests.size(), 2u);
  std::set<std::string> span_ids;
  for (const auto& request : requests) {
    const std::string header = request.Header("traceparent");
    auto context = obs::ParseTraceparent(header);
    ASSERT_TRUE(context) << "traceparent: \"" << header << "\"";
    EXPECT_EQ(context->TraceIdHex(), trace_id);
    // The provider sees the client span of its call, a child of our span: not our span itself.
    EXPECT_NE(context->SpanIdHex(), request_span_id);
    span_ids.insert(context->SpanIdHex());
  }
  EXPECT_EQ(span_ids.size(), 2u);  // one client span per call
}

TEST(Instrumentation, ProviderFailuresAreCountedByClassAndAnExplicitTraceparentIsSentAsIs) {
  testing::ScriptedHttpServer server;
  const auto kind = ai::ProviderKind::kOpenAi;
  for (int i = 0; i < 3; ++i) server.Enqueue("POST", testing::ChatPath(kind), testing::ErrorAnswer(kind, 429, "slow down"));
  ai::ProviderSettings settings = testing::ScriptedProviderSettings(kind, server);
  settings.model = "gpt-test-failing";
  settings.backoff_initial_seconds = 0.01;
  settings.backoff_max_seconds = 0.01;
  auto provider = ai::MakeChatProvider(settings);
  ASSERT_TRUE(provider.ok());
  auto& m = Metrics();
  const double errors_before = m.ai_errors.With({"openai", "gpt-test-failing", "rate_limited"}).value();
  const double failed_before = m.ai_requests.With({"openai", "gpt-test-failing", "error"}).value();

  ai::ChatRequest request;
  request.messages.push_back({ai::Role::kUser, "hi"});
  request.traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
  auto response = (*provider)->Chat(request);
  ASSERT_FALSE(response.ok());
  EXPECT_EQ(m.ai_errors.With({"openai", "gpt-test-failing", "rate_limited"}).value(), errors_before + 1);
  EXPECT_EQ(m.ai_requests.With({"openai", "gpt-test-failing", "error"}).value(), failed_before + 1);
  const auto requests = server.requests();
  ASSERT_EQ(requests.size(), 3u);  // retries belong to the same call: same span
  for (const auto& recorded : requests) {
    // The caller's explicit traceparent is sent as it is (once); our span only joins its trace.
    EXPECT_EQ(recorded.Header("traceparent"), request.traceparent);
    EXPECT_EQ(recorded.headers.count("traceparent"), 1u);
  }
}

}  // namespace
}  // namespace vcfagent
