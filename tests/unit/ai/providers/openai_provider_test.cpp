// OpenAiProvider against ScriptedHttpServer speaking Chat Completions and Embeddings.
#include "ai/openai_provider.h"

#include <gtest/gtest.h>

#include "ai/providers.h"
#include "support/provider_wire.h"

namespace vcfagent::ai {
namespace {

using nlohmann::json;
using testing::kOpenAiChatPath;
using testing::kOpenAiEmbeddingsPath;
using testing::ScriptedHttpServer;
using testing::WireToolCall;

ToolDefinition VariantsTool() {
  return {"variants", "Variants of a gene, with their carriers",
          json::parse(R"({"type":"object","properties":{"gene":{"type":"string"},"limit":{"type":"integer"}},
                          "required":["gene"]})")};
}

class OpenAiProviderTest : public ::testing::Test {
 protected:
  ProviderSettings Settings() { return testing::ScriptedProviderSettings(ProviderKind::kOpenAi, server_); }
  ScriptedHttpServer server_;
};

TEST_F(OpenAiProviderTest, ToolCallingExchangeInTwoSteps) {
  server_.Enqueue("POST", kOpenAiChatPath,
                  testing::OpenAiToolCallResponse({{"call_Q1", "variants", {{"gene", "BRCA2"}, {"limit", 5}}}},
                                                  {120, 18}));
  server_.Enqueue("POST", kOpenAiChatPath,
                  testing::OpenAiTextResponse("Samples S1 and S7 carry rs80359550 in BRCA2.", {260, 25}));
  OpenAiProvider provider(Settings());

  ChatRequest request;
  request.messages = {{Role::kSystem, "You analyse VCF files."}, {Role::kUser, "Who carries BRCA2 variants?"}};
  request.tools = {VariantsTool()};
  request.max_tokens = 800;
  auto first = provider.Chat(request);
  ASSERT_TRUE(first.ok()) << first.status().message();
  EXPECT_EQ(first->stop_reason, StopReason::kToolUse);
  ASSERT_EQ(first->message.tool_calls.size(), 1u);
  const ToolCall& call = first->message.tool_calls[0];
  EXPECT_EQ(call.id, "call_Q1");
  EXPECT_EQ(call.name, "variants");
  EXPECT_EQ(call.arguments, json({{"gene", "BRCA2"}, {"limit", 5}}));
  EXPECT_EQ(first->usage.input_tokens, 120);
  EXPECT_EQ(first->usage.output_tokens, 18);
  EXPECT_EQ(first->provider, "openai");
  EXPECT_EQ(first->model, "gpt-4o-mini-2024-07-18");

  request.messages.push_back(first->message);
  ChatMessage result{Role::kTool, R"({"variants":[{"id":"rs80359550","carriers":["S1","S7"]}]})"};
  result.tool_call_id = call.id;
  result.tool_name = call.name;
  request.messages.push_back(result);
  auto second = provider.Chat(request);
  ASSERT_TRUE(second.ok()) << second.status().message();
  EXPECT_EQ(second->message.text, "Samples S1 and S7 carry rs80359550 in BRCA2.");
  EXPECT_EQ(second->stop_reason, StopReason::kEndTurn);

  auto requests = server_.requests();
  ASSERT_EQ(requests.size(), 2u);
  for (const auto& sent : requests) {
    EXPECT_EQ(sent.path, kOpenAiChatPath);
    EXPECT_EQ(sent.Header("authorization"), std::string("Bearer ") + testing::kTestOpenAiKey);
    EXPECT_EQ(sent.Header("content-type"), "application/json");
  }
  json body1 = json::parse(requests[0].body);
  EXPECT_EQ(body1["model"], "gpt-4o-mini");
  EXPECT_EQ(body1["messages"][0], json({{"role", "system"}, {"content", "You analyse VCF files."}}));
  EXPECT_EQ(body1["messages"][1], json({{"role", "user"}, {"content", "Who carries BRCA2 variants?"}}));
  ASSERT_EQ(body1["tools"].size(), 1u);
  EXPECT_EQ(body1["tools"][0]["type"], "function");
  EXPECT_EQ(body1["tools"][0]["function"]["name"], "variants");
  EXPECT_EQ(body1["tools"][0]["function"]["description"], "Variants of a gene, with their carriers");
  EXPECT_EQ(body1["tools"][0]["function"]["parameters"], VariantsTool().parameters);
  EXPECT_EQ(body1["max_tokens"], 800);  // not api.openai.com: the field compatible servers know
  EXPECT_FALSE(body1.contains("stream"));

  json body2 = json::parse(requests[1].body);
  ASSERT_EQ(body2["messages"].size(), 4u);
  const json& assistant = body2["messages"][2];
  EXPECT_EQ(assistant["role"], "assistant");
  EXPECT_TRUE(assistant["content"].is_null());
  ASSERT_EQ(assistant["tool_calls"].size(), 1u);
  EXPECT_EQ(assistant["tool_calls"][0]["id"], "call_Q1");
  EXPECT_EQ(assistant["tool_calls"][0]["type"], "function");
  EXPECT_EQ(assistant["tool_calls"][0]["function"]["name"], "variants");
  ASSERT_TRUE(assistant["tool_calls"][0]["function"]["arguments"].is_string());
  EXPECT_EQ(json::parse(assistant["tool_calls"][0]["function"]["arguments"].get<std::string>()),
            json({{"gene", "BRCA2"}, {"limit", 5}}));
  EXPECT_EQ(body2["messages"][3], json({{"role", "tool"},
                                        {"tool_call_id", "call_Q1"},
                                        {"content", R"({"variants":[{"id":"rs80359550","carriers":["S1","S7"]}]})"}}));
}

TEST_F(OpenAiProviderTest, OfficialApiGetsMaxCompletionTokens) {
  ProviderSettings settings = Settings();
  settings.base_url = "https://api.openai.com/v1";
  OpenAiProvider provider(settings);
  ChatRequest request;
  request.messages = {{Role::kUser, "hi"}};
  request.max_tokens = 300;
  json body = provider.BuildChatBody(request);
  EXPECT_EQ(body["max_completion_tokens"], 300);
  EXPECT_FALSE(body.contains("max_tokens"));
}

TEST_F(OpenAiProviderTest, ResponseSchemaBecomesJsonSchemaResponseFormat) {
  server_.Enqueue("POST", kOpenAiChatPath, testing::OpenAiTextResponse(R"({"summary":"ok"})"));
  ChatRequest request;
  request.messages = {{Role::kUser, "Summarise."}};
  json schema = json::parse(R"({"type":"object","properties":{"summary":{"type":"string"}},"required":["summary"]})");
  request.response_schema = schema;
  OpenAiProvider provider(Settings());
  ASSERT_TRUE(provider.Chat(request).ok());
  json body = json::parse(server_.requests().at(0).body);
  EXPECT_EQ(body["response_format"]["type"], "json_schema");
  EXPECT_EQ(body["response_format"]["json_schema"]["schema"], schema);
  EXPECT_TRUE(body["response_format"]["json_schema"]["name"].is_string());
}

TEST_F(OpenAiProviderTest, StreamedToolCallIsAssembledFromFragments) {
  std::vector<WireToolCall> calls = {{"call_A", "variants", {{"gene", "BRCA2"}, {"limit", 3}}},
                                     {"call_B", "stats", {{"file", "cohort.vcf.gz"}}}};
  server_.Enqueue("POST", kOpenAiChatPath, testing::SseResponse(testing::OpenAiToolCallStreamEvents(calls, 4, {50, 12})));
  ChatRequest request;
  request.messages = {{Role::kUser, "Look up BRCA2 and the stats."}};
  request.tools = {VariantsTool()};
  request.stream = true;
  int text_pieces = 0;
  OpenAiProvider provider(Settings());
  auto answer = provider.Chat(request, [&](std::string_view) { ++text_pieces; });
  ASSERT_TRUE(answer.ok()) << answer.status().message();
  EXPECT_EQ(text_pieces, 0);
  EXPECT_EQ(answer->stop_reason, StopReason::kToolUse);
  ASSERT_EQ(answer->message.tool_calls.size(), 2u);
  EXPECT_EQ(answer->message.tool_calls[0].id, "call_A");
  EXPECT_EQ(answer->message.tool_calls[0].name, "variants");
  EXPECT_EQ(answer->message.tool_calls[0].arguments, json({{"gene", "BRCA2"}, {"limit", 3}}));
  EXPECT_EQ(answer->message.tool_calls[1].id, "call_B");
  EXPECT_EQ(answer->message.tool_calls[1].arguments, json({{"file", "cohort.vcf.gz"}}));
  EXPECT_EQ(answer->usage.input_tokens, 50);
  EXPECT_EQ(answer->usage.output_tokens, 12);
  json body = json::parse(server_.requests().at(0).body);
  EXPECT_EQ(body["stream"], true);
  EXPECT_EQ(body["stream_options"]["include_usage"], true);
}

TEST_F(OpenAiProviderTest, ToolArgumentsThatAreNotJsonAreKeptRaw) {
  WireToolCall broken{"call_X", "variants"};
  broken.raw_arguments = R"({"gene": "BRCA2", )";
  server_.Enqueue("POST", kOpenAiChatPath, testing::OpenAiToolCallResponse({broken}));
  OpenAiProvider provider(Settings());
  auto answer = provider.Chat(ChatRequest{"", {{Role::kUser, "go"}}});
  ASSERT_TRUE(answer.ok()) << answer.status().message();
  ASSERT_EQ(answer->message.tool_calls.size(), 1u);
  EXPECT_TRUE(answer->message.tool_calls[0].arguments.is_null());
  EXPECT_EQ(answer->message.tool_calls[0].raw_arguments, R"({"gene": "BRCA2", )");
}

TEST_F(OpenAiProviderTest, LengthFinishIsMaxTokens) {
  server_.Enqueue("POST", kOpenAiChatPath, testing::ScriptedResponse{
      200, "application/json", {}, testing::OpenAiCompletionBody("The report is cut", {}, "length")});
  OpenAiProvider provider(Settings());
  auto answer = provider.Chat(ChatRequest{"", {{Role::kUser, "go"}}});
  ASSERT_TRUE(answer.ok());
  EXPECT_EQ(answer->stop_reason, StopReason::kMaxTokens);
}

TEST_F(OpenAiProviderTest, StreamThatBreaksAfterTextIsNotRetried) {
  std::vector<std::string> events = testing::OpenAiTextStreamEvents({"Partial ", "answer"});
  events.resize(3);  // role chunk and two text chunks; then the server reports an error
  events.push_back(R"(data: {"error":{"message":"The server had an error","type":"server_error","code":null}})"
                   "\n\n");
  server_.Enqueue("POST", kOpenAiChatPath, testing::SseResponse(events));
  server_.Enqueue("POST", kOpenAiChatPath, testing::OpenAiTextResponse("should not be asked for"));
  ChatRequest request{"", {{Role::kUser, "go"}}};
  request.stream = true;
  std::string shown;
  CallReport report;
  OpenAiProvider provider(Settings());
  auto answer = provider.Chat(request, [&](std::string_view text) { shown += text; }, &report);
  ASSERT_FALSE(answer.ok());
  EXPECT_EQ(shown, "Partial answer");
  EXPECT_EQ(report.attempts, 1);
  EXPECT_EQ(report.failure, FailureClass::kServer);
  EXPECT_EQ(server_.request_count(), 1u);
  EXPECT_NE(answer.status().message().find("not retried"), std::string::npos) << answer.status().message();
}

TEST_F(OpenAiProviderTest, StreamCutShortIsABadResponse) {
  std::vector<std::string> events = testing::OpenAiTextStreamEvents({"Half"});
  events.resize(2);  // no finish_reason, no [DONE]
  server_.Enqueue("POST", kOpenAiChatPath, testing::SseResponse(events));
  ChatRequest request{"", {{Role::kUser, "go"}}};
  request.stream = true;
  CallReport report;
  OpenAiProvider provider(Settings());
  auto answer = provider.Chat(request, [](std::string_view) {}, &report);
  ASSERT_FALSE(answer.ok());
  EXPECT_EQ(report.failure, FailureClass::kBadResponse);
  EXPECT_NE(answer.status().message().find("ended before the answer was complete"), std::string::npos);
}

TEST_F(OpenAiProviderTest, EmbeddingsInBatchesAndInInputOrder) {
  server_.Handle("POST", kOpenAiEmbeddingsPath, testing::OpenAiEmbeddingsHandler(16));
  std::vector<std::string> inputs;
  for (int i = 0; i < 300; ++i) inputs.push_back("chr1:" + std::to_string(1000 + i) + " A>G missense BRCA2");
  auto provider = MakeEmbeddingProvider(Settings());
  ASSERT_TRUE(provider.ok()) << provider.status().message();
  CallReport report;
  auto result = provider.value()->Embed(inputs, &report);
  ASSERT_TRUE(result.ok()) << result.status().message();
  ASSERT_EQ(result->vectors.size(), inputs.size());
  for (size_t i = 0; i < inputs.size(); ++i) {
    ASSERT_EQ(result->vectors[i], testing::DeterministicEmbedding(inputs[i], 16)) << "input " << i;
  }
  EXPECT_EQ(result->model, "text-embedding-3-small");
  EXPECT_GT(result->usage.input_tokens, 0);
  auto requests = server_.requests();
  ASSERT_EQ(requests.size(), 3u);  // 128 + 128 + 44
  EXPECT_EQ(json::parse(requests[0].body)["input"].size(), 128u);
  EXPECT_EQ(json::parse(requests[2].body)["input"].size(), 44u);
  EXPECT_EQ(json::parse(requests[0].body)["model"], "text-embedding-3-small");
  EXPECT_EQ(requests[0].Header("authorization"), std::string("Bearer ") + testing::kTestOpenAiKey);
  EXPECT_EQ(report.attempts, 3);
}

TEST_F(OpenAiProviderTest, EmbeddingsOfMixedDimensionsAreRefused) {
  server_.Enqueue("POST", kOpenAiEmbeddingsPath,
                  testing::OpenAiEmbeddingsResponse({{0.1f, 0.2f, 0.3f}, {0.4f, 0.5f}}));
  OpenAiProvider provider(Settings());
  auto result = provider.Embed({"a", "b"});
  ASSERT_FALSE(result.ok());
  EXPECT_NE(result.status().message().find("different dimensions"), std::string::npos);
}

TEST_F(OpenAiProviderTest, CompatibleServerWithoutKeySendsNoAuthorization) {
  server_.Enqueue("POST", kOpenAiChatPath, testing::OpenAiTextResponse("local answer"));
  ProviderSettings settings = Settings();
  settings.api_key = Secret();
  auto provider = MakeChatProvider(settings);
  ASSERT_TRUE(provider.ok()) << provider.status().message();
  auto answer = provider.value()->Chat(ChatRequest{"", {{Role::kUser, "hi"}}});
  ASSERT_TRUE(answer.ok()) << answer.status().message();
  EXPECT_EQ(server_.requests().at(0).Header("authorization"), "");
}

}  // namespace
}  // namespace vcfagent::ai
