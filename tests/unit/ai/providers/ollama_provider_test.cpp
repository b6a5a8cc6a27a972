// OllamaProvider against ScriptedHttpServer speaking /api/chat and /api/embed.
#include "ai/ollama_provider.h"

#include <gtest/gtest.h>

#include <set>

#include "ai/providers.h"
#include "support/provider_wire.h"

namespace vcfagent::ai {
namespace {

using nlohmann::json;
using testing::kOllamaChatPath;
using testing::kOllamaEmbedPath;
using testing::ScriptedHttpServer;
using testing::WireToolCall;

ToolDefinition SimilarTool() {
  return {"similar", "Samples most similar to one sample",
          json::parse(R"({"type":"object","properties":{"sample":{"type":"string"},"k":{"type":"integer"}},
                          "required":["sample"]})")};
}

class OllamaProviderTest : public ::testing::Test {
 protected:
  ProviderSettings Settings() { return testing::ScriptedProviderSettings(ProviderKind::kOllama, server_); }
  ScriptedHttpServer server_;
};

TEST_F(OllamaProviderTest, ToolCallingExchangeInTwoSteps) {
  std::vector<WireToolCall> calls = {{"", "similar", {{"sample", "NA12878"}, {"k", 3}}},
                                     {"", "similar", {{"sample", "NA12891"}, {"k", 3}}}};
  server_.Enqueue("POST", kOllamaChatPath, testing::OllamaToolCallResponse(calls, {210, 33}));
  server_.Enqueue("POST", kOllamaChatPath, testing::OllamaTextResponse("NA12878 is closest to NA12892.", {390, 14}));
  auto made = MakeChatProvider(Settings());
  ASSERT_TRUE(made.ok()) << made.status().message();
  ChatProvider& provider = *made.value();

  ChatRequest request{"", {{Role::kSystem, "You analyse VCF files."}, {Role::kUser, "Who is like NA12878?"}}};
  request.tools = {SimilarTool()};
  request.max_tokens = 512;
  request.temperature = 0.2;
  auto first = provider.Chat(request);
  ASSERT_TRUE(first.ok()) << first.status().message();
  EXPECT_EQ(first->stop_reason, StopReason::kToolUse);
  ASSERT_EQ(first->message.tool_calls.size(), 2u);
  EXPECT_EQ(first->message.tool_calls[0].id, "call_1");
  EXPECT_EQ(first->message.tool_calls[1].id, "call_2");
  EXPECT_EQ(first->message.tool_calls[0].name, "similar");
  EXPECT_EQ(first->message.tool_calls[0].arguments, json({{"sample", "NA12878"}, {"k", 3}}));
  EXPECT_EQ(first->usage.input_tokens, 210);
  EXPECT_EQ(first->usage.output_tokens, 33);
  EXPECT_EQ(first->provider, "ollama");
  EXPECT_EQ(first->model, "llama3.2");

  request.messages.push_back(first->message);
  for (const ToolCall& call : first->message.tool_calls) {
    ChatMessage result{Role::kTool, R"({"neighbours":["NA12892","NA12891"]})"};
    result.tool_call_id = call.id;
    result.tool_name = call.name;
    request.messages.push_back(result);
  }
  auto second = provider.Chat(request);
  ASSERT_TRUE(second.ok()) << second.status().message();
  EXPECT_EQ(second->message.text, "NA12878 is closest to NA12892.");
  EXPECT_EQ(second->stop_reason, StopReason::kEndTurn);

  auto requests = server_.requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(requests[0].Header("authorization"), "");
  json body1 = json::parse(requests[0].body);
  EXPECT_EQ(body1["model"], "llama3.2");
  EXPECT_EQ(body1["stream"], false);
  EXPECT_EQ(body1["options"]["num_predict"], 512);
  EXPECT_DOUBLE_EQ(body1["options"]["temperature"].get<double>(), 0.2);
  EXPECT_EQ(body1["messages"][0], json({{"role", "system"}, {"content", "You analyse VCF files."}}));
  ASSERT_EQ(body1["tools"].size(), 1u);
  EXPECT_EQ(body1["tools"][0]["type"], "function");
  EXPECT_EQ(body1["tools"][0]["function"]["name"], "similar");
  EXPECT_EQ(body1["tools"][0]["function"]["parameters"], SimilarTool().parameters);

  json body2 = json::parse(requests[1].body);
  ASSERT_EQ(body2["messages"].size(), 5u);
  const json& assistant = body2["messages"][2];
  EXPECT_EQ(assistant["role"], "assistant");
  ASSERT_EQ(assistant["tool_calls"].size(), 2u);
  EXPECT_EQ(assistant["tool_calls"][0]["function"]["name"], "similar");
  EXPECT_EQ(assistant["tool_calls"][0]["function"]["arguments"], json({{"sample", "NA12878"}, {"k", 3}}));
  EXPECT_EQ(body2["messages"][3], json({{"role", "tool"},
                                        {"content", R"({"neighbours":["NA12892","NA12891"]})"},
                                        {"tool_name", "similar"}}));
}

TEST_F(OllamaProviderTest, GeneratedToolCallIdsStayUniqueAcrossCalls) {
  server_.Enqueue("POST", kOllamaChatPath, testing::OllamaToolCallResponse({{"", "similar", {{"sample", "A"}}}}));
  server_.Enqueue("POST", kOllamaChatPath, testing::OllamaToolCallResponse({{"", "similar", {{"sample", "B"}}}}));
  OllamaProvider provider(Settings());
  std::set<std::string> ids;
  for (int i = 0; i < 2; ++i) {
    auto answer = provider.Chat(ChatRequest{"", {{Role::kUser, "go"}}});
    ASSERT_TRUE(answer.ok()) << answer.status().message();
    ids.insert(answer->message.tool_calls.at(0).id);
  }
  EXPECT_EQ(ids, (std::set<std::string>{"call_1", "call_2"}));
}

TEST_F(OllamaProviderTest, StreamedToolCallAndFinalCounts) {
  std::vector<WireToolCall> calls = {{"", "similar", {{"sample", "NA12878"}}}};
  server_.Enqueue("POST", kOllamaChatPath, testing::NdjsonResponse(testing::OllamaToolCallStreamLines(calls, {70, 20})));
  ChatRequest request{"", {{Role::kUser, "Who is like NA12878?"}}};
  request.tools = {SimilarTool()};
  request.stream = true;
  OllamaProvider provider(Settings());
  auto answer = provider.Chat(request, [](std::string_view) {});
  ASSERT_TRUE(answer.ok()) << answer.status().message();
  EXPECT_EQ(answer->stop_reason, StopReason::kToolUse);
  ASSERT_EQ(answer->message.tool_calls.size(), 1u);
  EXPECT_EQ(answer->message.tool_calls[0].arguments, json({{"sample", "NA12878"}}));
  EXPECT_EQ(answer->usage.input_tokens, 70);
  EXPECT_EQ(answer->usage.output_tokens, 20);
  EXPECT_EQ(json::parse(server_.requests().at(0).body)["stream"], true);
}

TEST_F(OllamaProviderTest, ErrorLineInTheStreamFailsTheCall) {
  std::vector<std::string> lines = testing::OllamaTextStreamLines({"Part"});
  lines.pop_back();
  lines.push_back("{\"error\":\"an error was encountered while running the model\"}\n");
  server_.Enqueue("POST", kOllamaChatPath, testing::NdjsonResponse(lines));
  ChatRequest request{"", {{Role::kUser, "go"}}};
  request.stream = true;
  CallReport report;
  OllamaProvider provider(Settings());
  auto answer = provider.Chat(request, [](std::string_view) {}, &report);
  ASSERT_FALSE(answer.ok());
  EXPECT_EQ(report.attempts, 1);  // text was already shown
  EXPECT_NE(answer.status().message().find("an error was encountered while running the model"), std::string::npos)
      << answer.status().message();
}

TEST_F(OllamaProviderTest, ModelNotFoundIsABadRequest) {
  server_.Enqueue("POST", kOllamaChatPath, testing::OllamaErrorResponse(404, "model \"llama9\" not found, try pulling it first"));
  CallReport report;
  OllamaProvider provider(Settings());
  auto answer = provider.Chat(ChatRequest{"llama9", {{Role::kUser, "go"}}}, {}, &report);
  ASSERT_FALSE(answer.ok());
  EXPECT_EQ(report.failure, FailureClass::kBadRequest);
  EXPECT_EQ(answer.status().message(), "ollama: HTTP 404 model \"llama9\" not found, try pulling it first");
  EXPECT_EQ(json::parse(server_.requests().at(0).body)["model"], "llama9");
}

TEST_F(OllamaProviderTest, ResponseSchemaIsSentAsFormat) {
  ChatRequest request{"", {{Role::kUser, "Summarise."}}};
  json schema = json::parse(R"({"type":"object","properties":{"summary":{"type":"string"}}})");
  request.response_schema = schema;
  OllamaProvider provider(Settings());
  EXPECT_EQ(provider.BuildChatBody(request)["format"], schema);
}

TEST_F(OllamaProviderTest, EmbeddingsInBatchesAndInInputOrder) {
  server_.Handle("POST", kOllamaEmbedPath, testing::OllamaEmbedHandler(24));
  std::vector<std::string> inputs;
  for (int i = 0; i < 130; ++i) inputs.push_back("sample S" + std::to_string(i) + " carries 12 rare LoF variants");
  auto provider = MakeEmbeddingProvider(Settings());
  ASSERT_TRUE(provider.ok()) << provider.status().message();
  auto result = provider.value()->Embed(inputs);
  ASSERT_TRUE(result.ok()) << result.status().message();
  ASSERT_EQ(result->vectors.size(), inputs.size());
  for (size_t i = 0; i < inputs.size(); ++i) {
    ASSERT_EQ(result->vectors[i], testing::DeterministicEmbedding(inputs[i], 24)) << "input " << i;
  }
  EXPECT_EQ(result->model, "nomic-embed-text");
  EXPECT_GT(result->usage.input_tokens, 0);
  auto requests = server_.requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(json::parse(requests[0].body)["input"].size(), 128u);
  EXPECT_EQ(json::parse(requests[1].body)["input"].size(), 2u);
}

TEST_F(OllamaProviderTest, EmbedCountMismatchIsABadResponse) {
  server_.Enqueue("POST", kOllamaEmbedPath, testing::OllamaEmbedResponse({{0.1f, 0.2f}}));
  CallReport report;
  OllamaProvider provider(Settings());
  auto result = provider.Embed({"a", "b"}, &report);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(report.failure, FailureClass::kBadResponse);
  EXPECT_NE(result.status().message().find("asked for 2 embeddings, got 1"), std::string::npos);
}

TEST(OllamaUrlTest, AcceptsOllamaHostForms) {
  EXPECT_EQ(NormalizeOllamaUrl(""), "http://localhost:11434");
  EXPECT_EQ(NormalizeOllamaUrl("localhost:11434"), "http://localhost:11434");
  EXPECT_EQ(NormalizeOllamaUrl("gpu-box"), "http://gpu-box:11434");
  EXPECT_EQ(NormalizeOllamaUrl("0.0.0.0:9000/"), "http://0.0.0.0:9000");
  EXPECT_EQ(NormalizeOllamaUrl("https://ollama.example.org/"), "https://ollama.example.org");
  EXPECT_EQ(NormalizeOllamaUrl("http://127.0.0.1:11434"), "http://127.0.0.1:11434");
}

}  // namespace
}  // namespace vcfagent::ai
