// AnthropicProvider against ScriptedHttpServer speaking the Messages API.
#include "ai/anthropic_provider.h"

#include <gtest/gtest.h>

#include "ai/providers.h"
#include "support/provider_wire.h"

namespace vcfagent::ai {
namespace {

using nlohmann::json;
using testing::kAnthropicMessagesPath;
using testing::ScriptedHttpServer;
using testing::WireToolCall;

ToolDefinition GenotypesTool() {
  return {"genotypes", "Genotypes of one variant",
          json::parse(R"({"type":"object","properties":{"variant":{"type":"string"}},"required":["variant"]})")};
}

class AnthropicProviderTest : public ::testing::Test {
 protected:
  ProviderSettings Settings() { return testing::ScriptedProviderSettings(ProviderKind::kAnthropic, server_); }
  ScriptedHttpServer server_;
};

TEST_F(AnthropicProviderTest, ToolCallingExchangeInTwoSteps) {
  std::vector<WireToolCall> calls = {{"toolu_01A", "genotypes", {{"variant", "rs80359550"}}},
                                     {"toolu_01B", "genotypes", {{"variant", "rs28897743"}}}};
  server_.Enqueue("POST", kAnthropicMessagesPath,
                  testing::AnthropicToolUseResponse(calls, {400, 60}, "I will look up both variants."));
  server_.Enqueue("POST", kAnthropicMessagesPath,
                  testing::AnthropicTextResponse("S1 is heterozygous for both.", {700, 30}));
  AnthropicProvider provider(Settings());

  ChatRequest request;
  request.messages = {{Role::kSystem, "You analyse VCF files."}, {Role::kUser, "Genotypes of S1?"}};
  request.tools = {GenotypesTool()};
  request.max_tokens = 1024;
  auto first = provider.Chat(request);
  ASSERT_TRUE(first.ok()) << first.status().message();
  EXPECT_EQ(first->stop_reason, StopReason::kToolUse);
  EXPECT_EQ(first->message.text, "I will look up both variants.");
  ASSERT_EQ(first->message.tool_calls.size(), 2u);
  EXPECT_EQ(first->message.tool_calls[0].id, "toolu_01A");
  EXPECT_EQ(first->message.tool_calls[0].name, "genotypes");
  EXPECT_EQ(first->message.tool_calls[0].arguments, json({{"variant", "rs80359550"}}));
  EXPECT_EQ(first->usage.input_tokens, 400);
  EXPECT_EQ(first->usage.output_tokens, 60);
  EXPECT_EQ(first->provider, "anthropic");

  request.messages.push_back(first->message);
  ChatMessage ok{Role::kTool, R"({"S1":"0/1"})"};
  ok.tool_call_id = "toolu_01A";
  ok.tool_name = "genotypes";
  ChatMessage failed{Role::kTool, "unknown variant rs28897743"};
  failed.tool_call_id = "toolu_01B";
  failed.tool_name = "genotypes";
  failed.tool_error = true;
  request.messages.push_back(ok);
  request.messages.push_back(failed);
  auto second = provider.Chat(request);
  ASSERT_TRUE(second.ok()) << second.status().message();
  EXPECT_EQ(second->message.text, "S1 is heterozygous for both.");
  EXPECT_EQ(second->stop_reason, StopReason::kEndTurn);

  auto requests = server_.requests();
  ASSERT_EQ(requests.size(), 2u);
  for (const auto& sent : requests) {
    EXPECT_EQ(sent.path, kAnthropicMessagesPath);
    EXPECT_EQ(sent.Header("x-api-key"), testing::kTestAnthropicKey);
    EXPECT_EQ(sent.Header("anthropic-version"), "2023-06-01");
    EXPECT_EQ(sent.Header("content-type"), "application/json");
    EXPECT_EQ(sent.Header("authorization"), "");
  }
  json body1 = json::parse(requests[0].body);
  EXPECT_EQ(body1["system"], "You analyse VCF files.");
  EXPECT_EQ(body1["max_tokens"], 1024);
  ASSERT_EQ(body1["messages"].size(), 1u);
  EXPECT_EQ(body1["messages"][0]["role"], "user");
  EXPECT_EQ(body1["messages"][0]["content"][0], json({{"type", "text"}, {"text", "Genotypes of S1?"}}));
  ASSERT_EQ(body1["tools"].size(), 1u);
  EXPECT_EQ(body1["tools"][0], json({{"name", "genotypes"},
                                     {"description", "Genotypes of one variant"},
                                     {"input_schema", GenotypesTool().parameters}}));

  json body2 = json::parse(requests[1].body);
  ASSERT_EQ(body2["messages"].size(), 3u);  // user, assistant, one user message of both results
  const json& assistant = body2["messages"][1];
  EXPECT_EQ(assistant["role"], "assistant");
  ASSERT_EQ(assistant["content"].size(), 3u);
  EXPECT_EQ(assistant["content"][0], json({{"type", "text"}, {"text", "I will look up both variants."}}));
  EXPECT_EQ(assistant["content"][1], json({{"type", "tool_use"},
                                           {"id", "toolu_01A"},
                                           {"name", "genotypes"},
                                           {"input", {{"variant", "rs80359550"}}}}));
  const json& results = body2["messages"][2];
  EXPECT_EQ(results["role"], "user");
  ASSERT_EQ(results["content"].size(), 2u);
  EXPECT_EQ(results["content"][0], json({{"type", "tool_result"},
                                         {"tool_use_id", "toolu_01A"},
                                         {"content", R"({"S1":"0/1"})"},
                                         {"is_error", false}}));
  EXPECT_EQ(results["content"][1]["tool_use_id"], "toolu_01B");
  EXPECT_EQ(results["content"][1]["is_error"], true);
}

TEST_F(AnthropicProviderTest, StreamedToolUseIsAssembledFromPartialJson) {
  std::vector<WireToolCall> calls = {{"toolu_9", "genotypes", {{"variant", "chr13:32340300:G:A"}}}};
  server_.Enqueue("POST", kAnthropicMessagesPath,
                  testing::SseResponse(testing::AnthropicToolUseStreamEvents({"Checking ", "it."}, calls, 5, {90, 40})));
  ChatRequest request{"", {{Role::kUser, "Genotypes of chr13:32340300?"}}};
  request.tools = {GenotypesTool()};
  request.stream = true;
  std::vector<std::string> pieces;
  AnthropicProvider provider(Settings());
  auto answer = provider.Chat(request, [&](std::string_view text) { pieces.emplace_back(text); });
  ASSERT_TRUE(answer.ok()) << answer.status().message();
  EXPECT_EQ(pieces, (std::vector<std::string>{"Checking ", "it."}));
  EXPECT_EQ(answer->message.text, "Checking it.");
  EXPECT_EQ(answer->stop_reason, StopReason::kToolUse);
  ASSERT_EQ(answer->message.tool_calls.size(), 1u);
  EXPECT_EQ(answer->message.tool_calls[0].id, "toolu_9");
  EXPECT_EQ(answer->message.tool_calls[0].arguments, json({{"variant", "chr13:32340300:G:A"}}));
  EXPECT_EQ(answer->usage.input_tokens, 90);
  EXPECT_EQ(answer->usage.output_tokens, 40);
  EXPECT_EQ(json::parse(server_.requests().at(0).body)["stream"], true);
}

TEST_F(AnthropicProviderTest, OverloadedErrorEventBeforeTextIsRetried) {
  std::vector<std::string> overloaded = {testing::AnthropicTextStreamEvents({"x"})[0],
                                         testing::AnthropicErrorEvent("overloaded_error", "Overloaded")};
  server_.Enqueue("POST", kAnthropicMessagesPath, testing::SseResponse(overloaded));
  server_.Enqueue("POST", kAnthropicMessagesPath,
                  testing::SseResponse(testing::AnthropicTextStreamEvents({"Fine ", "now."})));
  ChatRequest request{"", {{Role::kUser, "go"}}};
  request.stream = true;
  std::string shown;
  CallReport report;
  AnthropicProvider provider(Settings());
  auto answer = provider.Chat(request, [&](std::string_view text) { shown += text; }, &report);
  ASSERT_TRUE(answer.ok()) << answer.status().message();
  EXPECT_EQ(shown, "Fine now.");
  EXPECT_EQ(report.attempts, 2);
}

TEST_F(AnthropicProviderTest, OverloadedErrorEventAfterTextFailsWithoutRetry) {
  std::vector<std::string> events = testing::AnthropicTextStreamEvents({"Half ", "an answer"});
  events.resize(6);  // message_start, ping, block start, two deltas, block stop
  events.push_back(testing::AnthropicErrorEvent("overloaded_error", "Overloaded"));
  server_.Enqueue("POST", kAnthropicMessagesPath, testing::SseResponse(events));
  ChatRequest request{"", {{Role::kUser, "go"}}};
  request.stream = true;
  std::string shown;
  CallReport report;
  AnthropicProvider provider(Settings());
  auto answer = provider.Chat(request, [&](std::string_view text) { shown += text; }, &report);
  ASSERT_FALSE(answer.ok());
  EXPECT_EQ(shown, "Half an answer");
  EXPECT_EQ(report.failure, FailureClass::kServer);
  EXPECT_EQ(report.attempts, 1);
  EXPECT_EQ(server_.request_count(), 1u);
  EXPECT_NE(answer.status().message().find("overloaded_error: Overloaded"), std::string::npos)
      << answer.status().message();
}

TEST_F(AnthropicProviderTest, Overloaded529IsTransient) {
  server_.Enqueue("POST", kAnthropicMessagesPath, testing::AnthropicErrorResponse(529, "overloaded_error", "Overloaded"));
  server_.Enqueue("POST", kAnthropicMessagesPath, testing::AnthropicTextResponse("after the overload"));
  CallReport report;
  AnthropicProvider provider(Settings());
  auto answer = provider.Chat(ChatRequest{"", {{Role::kUser, "go"}}}, {}, &report);
  ASSERT_TRUE(answer.ok()) << answer.status().message();
  EXPECT_EQ(report.attempts, 2);
}

TEST_F(AnthropicProviderTest, ResponseSchemaGoesIntoTheSystemPrompt) {
  ChatRequest request{"", {{Role::kSystem, "Be precise."}, {Role::kUser, "Summarise."}}};
  json schema = json::parse(R"({"type":"object","properties":{"summary":{"type":"string"}}})");
  request.response_schema = schema;
  AnthropicProvider provider(Settings());
  json body = provider.BuildChatBody(request);
  std::string system = body["system"].get<std::string>();
  EXPECT_EQ(system.rfind("Be precise.", 0), 0u);
  EXPECT_NE(system.find("one JSON object only"), std::string::npos);
  EXPECT_NE(system.find(schema.dump()), std::string::npos);
  EXPECT_FALSE(body.contains("response_format"));
}

TEST_F(AnthropicProviderTest, HasNoEmbeddings) {
  auto provider = MakeEmbeddingProvider(Settings());
  ASSERT_FALSE(provider.ok());
  EXPECT_EQ(provider.status().kind(), ErrorKind::kUsage);
  EXPECT_NE(provider.status().message().find("use --embeddings openai or --embeddings ollama"), std::string::npos);
}

}  // namespace
}  // namespace vcfagent::ai
