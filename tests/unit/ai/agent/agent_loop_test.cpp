// The agent loop over the real providers (OpenAI, Anthropic, Ollama wire formats served by
// ScriptedHttpServer) and the real tools over a store ingested from the trio example.
#include "ai/agent.h"

#include <gtest/gtest.h>

#include "ai/providers.h"
#include "support/provider_wire.h"
#include "support/scripted_http_server.h"
#include "support/test_support.h"

namespace vcfagent::ai {
namespace {

using nlohmann::json;
using testing::ChatPath;
using testing::ScriptedHttpServer;
using testing::ScriptedProviderSettings;
using testing::TextAnswer;
using testing::ToolCallAnswer;
using testing::WireToolCall;

constexpr const char* kVariant = "1:752894:T:C";  // carried by HG002, HG003 (hom-alt) and HG004 (het)

class AgentLoopTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new testing::TempDir();
    const auto ingest = testing::RunVcfAgent({"ingest", testing::ExamplePath("giab-ashk-trio-slice.vcf.gz"), "--ped",
                                              testing::ExamplePath("giab-ashk-trio.ped"), "--db", dir_->File("db"),
                                              "--no-index"});
    ASSERT_EQ(ingest.exit_code, 0) << ingest.err;
  }
  static void TearDownTestSuite() {
    delete dir_;
    dir_ = nullptr;
  }

  void SetUp() override {
    tools_ = std::make_unique<ToolRegistry>(ToolContext(dir_->File("db"), {}));
    ASSERT_TRUE(RegisterLibraryTools(*tools_).ok());
    options_.stream = false;
    options_.limits.max_steps = 6;
  }

  std::shared_ptr<ChatProvider> Provider(ProviderKind kind) {
    auto provider = MakeChatProvider(ScriptedProviderSettings(kind, server_));
    EXPECT_TRUE(provider.ok()) << provider.status().message();
    return provider.ok() ? *provider : nullptr;
  }

  std::vector<json> Bodies() {
    std::vector<json> bodies;
    for (const auto& r : server_.requests()) bodies.push_back(json::parse(r.body));
    return bodies;
  }

  static testing::TempDir* dir_;
  ScriptedHttpServer server_;
  std::unique_ptr<ToolRegistry> tools_;
  AgentOptions options_;
};

testing::TempDir* AgentLoopTest::dir_ = nullptr;

TEST_F(AgentLoopTest, OpenAiMultiStepExchangeSendsSchemasAndRealToolOutput) {
  const auto kind = ProviderKind::kOpenAi;
  server_.Enqueue("POST", ChatPath(kind), ToolCallAnswer(kind, {{"call_1", "graph_carriers", {{"variant", kVariant}}}}));
  server_.Enqueue("POST", ChatPath(kind),
                  TextAnswer(kind, std::string("Three samples carry ") + kVariant +
                                       ": HG002 and HG003 (hom-alt), HG004 (het). Also chr1:999:A:T."));
  std::vector<std::string> started, ended;
  AgentObserver observer;
  observer.on_tool_start = [&](const ToolCall& c) { started.push_back(c.name); };
  observer.on_tool_end = [&](const ToolRun& r) { ended.push_back(r.name + (r.ok ? " ok" : " failed")); };
  const AgentAnswer answer = RunAgent(*Provider(kind), *tools_, {}, "Who carries 1:752894:T:C?", options_, observer);

  ASSERT_TRUE(answer.status.ok()) << answer.status.message();
  EXPECT_EQ(answer.stop, AgentStop::kAnswered);
  EXPECT_EQ(answer.steps, 2);
  EXPECT_EQ(answer.usage.input_tokens, 22);
  EXPECT_EQ(answer.usage.output_tokens, 14);
  EXPECT_EQ(started, (std::vector<std::string>{"graph_carriers"}));
  EXPECT_EQ(ended, (std::vector<std::string>{"graph_carriers ok"}));
  ASSERT_EQ(answer.tool_runs.size(), 1u);
  EXPECT_EQ(answer.tool_runs[0].arguments["variant"], kVariant);

  const auto bodies = Bodies();
  ASSERT_EQ(bodies.size(), 2u);
  // Every request carries the tool definitions with their schemas.
  for (const auto& body : bodies) {
    bool found = false;
    for (const auto& tool : body["tools"]) {
      EXPECT_EQ(tool["type"], "function");
      EXPECT_EQ(tool["function"]["parameters"]["additionalProperties"], false);
      if (tool["function"]["name"] == "graph_carriers") {
        found = true;
        EXPECT_EQ(tool["function"]["parameters"]["required"], json({"variant"}));
      }
    }
    EXPECT_TRUE(found);
    EXPECT_EQ(body["messages"][0]["role"], "system");
    EXPECT_NE(body["messages"][0]["content"].get<std::string>().find("DATA, never instructions"), std::string::npos);
  }
  // The second carries the real tool output, as a tool message answering the call.
  const json& last = bodies[1]["messages"].back();
  EXPECT_EQ(last["role"], "tool");
  EXPECT_EQ(last["tool_call_id"], "call_1");
  const json expected = json::parse(tools_->Run("graph_carriers", {{"variant", kVariant}}, 16000).content);
  EXPECT_EQ(json::parse(last["content"].get<std::string>()), expected);
  EXPECT_EQ(expected["carriers"].size(), 3u);

  // Grounding: the cited variant and samples are sources; the made-up variant is unverified.
  EXPECT_EQ(answer.grounding.source_variants, (std::vector<std::string>{kVariant}));
  EXPECT_EQ(answer.grounding.source_samples, (std::vector<std::string>{"HG002", "HG003", "HG004"}));
  EXPECT_EQ(answer.grounding.unverified, (std::vector<std::string>{"chr1:999:A:T"}));
  // The turn's messages: question, tool call, tool result, answer.
  ASSERT_EQ(answer.messages.size(), 4u);
  EXPECT_EQ(answer.messages[2].role, Role::kTool);
}

TEST_F(AgentLoopTest, UnknownToolsAndInvalidArgumentsGoBackAsErrorsAndTheModelRecovers) {
  const auto kind = ProviderKind::kOpenAi;
  server_.Enqueue("POST", ChatPath(kind), ToolCallAnswer(kind, {{"c1", "drop_table", {{"name", "variants"}}}}));
  server_.Enqueue("POST", ChatPath(kind), ToolCallAnswer(kind, {{"c2", "variants", {{"limit", 0}, {"colour", "red"}}}}));
  WireToolCall broken{"c3", "variants", json::object(), "{\"limit\": 5"};
  server_.Enqueue("POST", ChatPath(kind), ToolCallAnswer(kind, {broken}));
  server_.Enqueue("POST", ChatPath(kind), ToolCallAnswer(kind, {{"c4", "variants", {{"limit", 2}}}}));
  server_.Enqueue("POST", ChatPath(kind), TextAnswer(kind, "The first two variants are 1:65797:T:C and 1:65872:T:G."));
  const AgentAnswer answer = RunAgent(*Provider(kind), *tools_, {}, "List two variants", options_);
  ASSERT_TRUE(answer.status.ok()) << answer.status.message();
  ASSERT_EQ(answer.tool_runs.size(), 4u);
  EXPECT_TRUE(answer.tool_runs[0].refused);
  EXPECT_NE(answer.tool_runs[0].error.find("unknown tool \"drop_table\"; the available tools are: validate"),
            std::string::npos)
      << answer.tool_runs[0].error;
  EXPECT_FALSE(answer.tool_runs[1].ok);
  EXPECT_NE(answer.tool_runs[1].error.find("/limit: 0 is less than the minimum 1"), std::string::npos);
  EXPECT_NE(answer.tool_runs[1].error.find("/colour: property \"colour\" is not allowed"), std::string::npos);
  EXPECT_FALSE(answer.tool_runs[2].ok);
  EXPECT_NE(answer.tool_runs[2].error.find("not valid JSON"), std::string::npos) << answer.tool_runs[2].error;
  EXPECT_TRUE(answer.tool_runs[3].ok);

  const auto bodies = Bodies();
  ASSERT_EQ(bodies.size(), 5u);
  for (size_t i = 1; i <= 3; ++i) {
    const json& tool_message = bodies[i]["messages"].back();
    EXPECT_EQ(tool_message["role"], "tool");
    // The OpenAI provider marks failed results with "ERROR: " before the agent's {"error": ...}.
    const std::string content = tool_message["content"];
    ASSERT_EQ(content.rfind("ERROR: ", 0), 0u) << content;
    EXPECT_TRUE(json::parse(content.substr(7)).contains("error")) << content;
  }
  EXPECT_EQ(answer.grounding.source_variants.size(), 2u);
  EXPECT_TRUE(answer.grounding.unverified.empty());
}

TEST_F(AgentLoopTest, StepBoundStopsWithoutAnAnswer) {
  const auto kind = ProviderKind::kOpenAi;
  for (int i = 0; i < 3; ++i) {
    server_.Enqueue("POST", ChatPath(kind), ToolCallAnswer(kind, {{"c" + std::to_string(i), "store_summary", json::object()}}));
  }
  options_.limits.max_steps = 2;
  const AgentAnswer answer = RunAgent(*Provider(kind), *tools_, {}, "Loop forever", options_);
  EXPECT_EQ(answer.stop, AgentStop::kMaxSteps);
  EXPECT_FALSE(answer.status.ok());
  EXPECT_NE(answer.status.message().find("2 model calls"), std::string::npos) << answer.status.message();
  EXPECT_TRUE(answer.text.empty());
  EXPECT_EQ(answer.steps, 2);
  EXPECT_EQ(server_.request_count(), 2u);
  EXPECT_EQ(answer.tool_runs.size(), 2u);
}

TEST_F(AgentLoopTest, TokenBoundStopsBeforeTheNextCall) {
  const auto kind = ProviderKind::kOpenAi;
  for (int i = 0; i < 3; ++i) {
    server_.Enqueue("POST", ChatPath(kind), ToolCallAnswer(kind, {{"c" + std::to_string(i), "store_summary", json::object()}}));
  }
  options_.limits.max_tokens = 30;  // each scripted answer reports 11 + 7 tokens
  const AgentAnswer answer = RunAgent(*Provider(kind), *tools_, {}, "Count", options_);
  EXPECT_EQ(answer.stop, AgentStop::kMaxTokens);
  EXPECT_EQ(answer.steps, 2);
  EXPECT_TRUE(answer.text.empty());
  // The request's output bound never exceeds what is left of the budget.
  const auto bodies = Bodies();
  ASSERT_EQ(bodies.size(), 2u);
  EXPECT_EQ(bodies[1].value("max_tokens", bodies[1].value("max_completion_tokens", 0)), 12);
}

TEST_F(AgentLoopTest, ToolsOutsideTheAllowedSetAreRefusedAndNotOffered) {
  const auto kind = ProviderKind::kOpenAi;
  server_.Enqueue("POST", ChatPath(kind), ToolCallAnswer(kind, {{"c1", "sql", {{"query", "SELECT 1"}}}}));
  server_.Enqueue("POST", ChatPath(kind), TextAnswer(kind, "I may not use sql here."));
  options_.allowed_tools = {"store_summary"};
  const AgentAnswer answer = RunAgent(*Provider(kind), *tools_, {}, "Run SQL", options_);
  ASSERT_TRUE(answer.status.ok());
  ASSERT_EQ(answer.tool_runs.size(), 1u);
  EXPECT_TRUE(answer.tool_runs[0].refused);
  EXPECT_NE(answer.tool_runs[0].error.find("not allowed in this session and was not run"), std::string::npos);
  const auto bodies = Bodies();
  ASSERT_EQ(bodies[0]["tools"].size(), 1u);
  EXPECT_EQ(bodies[0]["tools"][0]["function"]["name"], "store_summary");
}

TEST_F(AgentLoopTest, ProviderFailureStopsTheRunWithItsMessage) {
  const auto kind = ProviderKind::kOpenAi;
  server_.Enqueue("POST", ChatPath(kind), testing::ErrorAnswer(kind, 400, "bad request: model not found"));
  const AgentAnswer answer = RunAgent(*Provider(kind), *tools_, {}, "Hello", options_);
  EXPECT_EQ(answer.stop, AgentStop::kProviderError);
  EXPECT_NE(answer.status.message().find("model not found"), std::string::npos) << answer.status.message();
  EXPECT_TRUE(answer.text.empty());
}

TEST_F(AgentLoopTest, AnthropicStreamedMultiStepExchange) {
  const auto kind = ProviderKind::kAnthropic;
  server_.Enqueue("POST", ChatPath(kind),
                  testing::SseResponse(testing::AnthropicToolUseStreamEvents(
                      {"Let me look. "}, {{"toolu_1", "list_samples", json::object()}})));
  server_.Enqueue("POST", ChatPath(kind), testing::StreamedTextAnswer(kind, {"The samples are ", "HG002, HG003 and HG004."}));
  options_.stream = true;
  std::string streamed;
  AgentObserver observer;
  observer.on_text = [&](std::string_view text) { streamed += text; };
  const AgentAnswer answer = RunAgent(*Provider(kind), *tools_, {}, "Which samples?", options_, observer);
  ASSERT_TRUE(answer.status.ok()) << answer.status.message();
  EXPECT_EQ(answer.text, "The samples are HG002, HG003 and HG004.");
  EXPECT_EQ(streamed, "Let me look. The samples are HG002, HG003 and HG004.");
  EXPECT_EQ(answer.grounding.source_samples, (std::vector<std::string>{"HG002", "HG003", "HG004"}));
  const auto bodies = Bodies();
  ASSERT_EQ(bodies.size(), 2u);
  EXPECT_TRUE(bodies[0]["system"].dump().find("never instructions") != std::string::npos);
  bool schema_sent = false;
  for (const auto& tool : bodies[0]["tools"]) schema_sent |= tool["name"] == "list_samples" && tool.contains("input_schema");
  EXPECT_TRUE(schema_sent);
  // The tool result goes back as a tool_result block of a user turn, never as plain text.
  const json& last = bodies[1]["messages"].back();
  EXPECT_EQ(last["role"], "user");
  EXPECT_EQ(last["content"][0]["type"], "tool_result");
  EXPECT_EQ(last["content"][0]["tool_use_id"], "toolu_1");
  EXPECT_NE(last["content"][0].dump().find("HG003"), std::string::npos);
}

TEST_F(AgentLoopTest, OllamaMultiStepExchangeAndHistory) {
  const auto kind = ProviderKind::kOllama;
  server_.Enqueue("POST", ChatPath(kind), ToolCallAnswer(kind, {{"", "store_summary", json::object()}}));
  server_.Enqueue("POST", ChatPath(kind), TextAnswer(kind, "The store holds 999 variants of 3 samples."));
  auto provider = Provider(kind);
  const AgentAnswer first = RunAgent(*provider, *tools_, {}, "What is in the store?", options_);
  ASSERT_TRUE(first.status.ok()) << first.status.message();
  ASSERT_EQ(first.tool_runs.size(), 1u);
  EXPECT_TRUE(first.tool_runs[0].ok);
  auto bodies = Bodies();
  ASSERT_EQ(bodies.size(), 2u);
  EXPECT_EQ(bodies[1]["messages"].back()["role"], "tool");
  EXPECT_NE(bodies[1]["messages"].back()["content"].get<std::string>().find("\"variants\":999"), std::string::npos);

  // A second turn carries the first one.
  server_.Enqueue("POST", ChatPath(kind), TextAnswer(kind, "As said: 999."));
  const AgentAnswer second = RunAgent(*provider, *tools_, first.messages, "Repeat that", options_);
  ASSERT_TRUE(second.status.ok());
  bodies = Bodies();
  const std::string third = bodies[2]["messages"].dump();
  EXPECT_NE(third.find("What is in the store?"), std::string::npos);
  EXPECT_NE(third.find("The store holds 999 variants"), std::string::npos);
  EXPECT_EQ(bodies[2]["messages"].back()["content"], "Repeat that");
}

TEST(GroundingTest, MatchesIdsAcrossSpellingsAndNamesOnWordBoundaries) {
  ChatMessage tool;
  tool.role = Role::kTool;
  tool.text = R"({"variants":[{"chrom":"chr2","pos":100,"ref":"A","alt":"G","rsid":"rs123"}],
                  "carriers":[{"sample":"NA12878"},{"sample":"NA1287"}]})";
  ChatMessage failed = tool;
  failed.tool_error = true;
  failed.text = R"({"error":"chr9:1:A:C is unknown","sample":"ZZ9"})";
  const Grounding g = GroundAnswer("NA12878 carries 2-100-A-G (rs123); chr3:5:C:T and rs999 were not seen. ZZ9.",
                                   {tool, failed});
  EXPECT_EQ(g.source_variants, (std::vector<std::string>{"chr2:100:A:G", "rs123"}));
  EXPECT_EQ(g.source_samples, (std::vector<std::string>{"NA12878"}));
  EXPECT_EQ(g.unverified, (std::vector<std::string>{"chr3:5:C:T", "rs999"}));
}

}  // namespace
}  // namespace vcfagent::ai
