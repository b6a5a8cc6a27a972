// ProviderChain through the real providers and their wire formats: fallback in order, no fallback
// after streamed text, every reason named when all fail, tokens and cost in the ledger.
#include "ai/provider_chain.h"

#include <gtest/gtest.h>

#include "support/provider_wire.h"
#include "support/scripted_http_server.h"

namespace vcfagent::ai {
namespace {

using testing::ScriptedHttpServer;

ProviderSettings Fast(ProviderKind kind, const std::string& base_url, const std::string& key = "") {
  ProviderSettings settings;
  settings.kind = kind;
  settings.base_url = base_url;
  settings.api_key = Secret(key);
  settings.model = kind == ProviderKind::kOllama ? "llama3.2" : "gpt-4o-mini";
  settings.max_retries = 0;
  settings.timeout_seconds = 5;
  settings.backoff_initial_seconds = 0.01;
  return settings;
}

ChatRequest Question() {
  ChatRequest request;
  request.messages.push_back({Role::kUser, "How many variants are there?"});
  return request;
}

TEST(ProviderChainTest, FallsBackToTheNextProviderAndCountsTokensAndCost) {
  ScriptedHttpServer ollama, openai;
  ollama.Enqueue("POST", testing::kOllamaChatPath, testing::OllamaErrorResponse(500, "model crashed"));
  openai.Enqueue("POST", testing::kOpenAiChatPath,
                 testing::OpenAiTextResponse("There are 999 variants.", {1000, 200}));
  AiConfig config;
  config.chain = {Fast(ProviderKind::kOllama, ollama.url()),
                  Fast(ProviderKind::kOpenAi, openai.url() + "/v1", "sk-test-chain-000000")};
  config.prices = {{"gpt-4o-mini", {0.15, 0.60}}};
  UsageLedger ledger(config.prices);
  auto chain = MakeProviderChain(config, &ledger);
  ASSERT_TRUE(chain.ok()) << chain.status().message();
  EXPECT_EQ((*chain)->name(), "ollama -> openai");
  auto answer = (*chain)->Chat(Question());
  ASSERT_TRUE(answer.ok()) << answer.status().message();
  EXPECT_EQ(answer->message.text, "There are 999 variants.");
  EXPECT_EQ(answer->provider, "openai");
  EXPECT_EQ(ollama.request_count(), 1u);
  EXPECT_EQ(openai.request_count(), 1u);

  const auto entries = ledger.Entries();
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(entries[0].provider, "openai");
  EXPECT_EQ(entries[0].usage.input_tokens, 1000);
  EXPECT_EQ(entries[0].usage.output_tokens, 200);
  ASSERT_TRUE(entries[0].priced);  // "gpt-4o-mini-2024-07-18" priced by its prefix
  EXPECT_NEAR(entries[0].cost_usd, (1000 * 0.15 + 200 * 0.60) / 1e6, 1e-12);
  EXPECT_EQ(ledger.Failures().at("ollama").at("server_error"), 1);
  EXPECT_NE(ledger.Summary().find("ollama: 1 failed call (server_error)"), std::string::npos);
}

TEST(ProviderChainTest, ARefusedConnectionAndABadKeyAlsoFallBack) {
  ScriptedHttpServer anthropic, openai;
  anthropic.Enqueue("POST", testing::kAnthropicMessagesPath,
                    testing::AnthropicErrorResponse(401, "authentication_error", "invalid x-api-key"));
  openai.Enqueue("POST", testing::kOpenAiChatPath, testing::OpenAiTextResponse("ok"));
  int closed_port = 0;
  {
    ScriptedHttpServer gone;
    closed_port = gone.port();
  }
  AiConfig config;
  config.chain = {Fast(ProviderKind::kOllama, "http://127.0.0.1:" + std::to_string(closed_port)),
                  Fast(ProviderKind::kAnthropic, anthropic.url(), "sk-ant-test-111111"),
                  Fast(ProviderKind::kOpenAi, openai.url() + "/v1", "sk-test-222222")};
  UsageLedger ledger;
  auto chain = MakeProviderChain(config, &ledger);
  ASSERT_TRUE(chain.ok());
  auto answer = (*chain)->Chat(Question());
  ASSERT_TRUE(answer.ok()) << answer.status().message();
  EXPECT_EQ(answer->provider, "openai");
  const auto failures = ledger.Failures();
  EXPECT_EQ(failures.at("ollama").at("connection"), 1);
  EXPECT_EQ(failures.at("anthropic").at("auth"), 1);
  EXPECT_FALSE(ledger.Entries().front().priced);  // this ledger was given no prices
}

TEST(ProviderChainTest, WhenAllFailTheErrorNamesEveryReasonWithoutKeys) {
  ScriptedHttpServer openai, anthropic;
  openai.Enqueue("POST", testing::kOpenAiChatPath,
                 testing::OpenAiErrorResponse(401, "invalid_request_error", "invalid_api_key",
                                              "Incorrect API key provided: sk-test-333333333."));
  anthropic.Enqueue("POST", testing::kAnthropicMessagesPath,
                    testing::AnthropicErrorResponse(529, "overloaded_error", "Overloaded"));
  AiConfig config;
  config.chain = {Fast(ProviderKind::kOpenAi, openai.url() + "/v1", "sk-test-333333333"),
                  Fast(ProviderKind::kAnthropic, anthropic.url(), "sk-ant-test-444444")};
  auto chain = MakeProviderChain(config, nullptr);
  ASSERT_TRUE(chain.ok());
  CallReport report;
  auto answer = (*chain)->Chat(Question(), {}, &report);
  ASSERT_FALSE(answer.ok());
  const std::string& message = answer.status().message();
  EXPECT_NE(message.find("every AI provider failed"), std::string::npos) << message;
  EXPECT_NE(message.find("openai"), std::string::npos) << message;
  EXPECT_NE(message.find("anthropic"), std::string::npos) << message;
  EXPECT_NE(message.find("Overloaded"), std::string::npos) << message;
  EXPECT_EQ(message.find("sk-test-333333333"), std::string::npos) << message;
  EXPECT_EQ(report.attempts, 2);
}

TEST(ProviderChainTest, NoFallbackOnceTextWasStreamed) {
  ScriptedHttpServer anthropic, openai;
  std::vector<std::string> events = testing::AnthropicTextStreamEvents({"The file has ", "999 "});
  // Cut the stream after the text pieces and end it with an error event, as an overloaded API does.
  events.resize(events.size() - 3);
  events.push_back(testing::AnthropicErrorEvent("overloaded_error", "Overloaded"));
  anthropic.Enqueue("POST", testing::kAnthropicMessagesPath, testing::SseResponse(events));
  openai.Enqueue("POST", testing::kOpenAiChatPath, testing::OpenAiTextResponse("should not be asked"));
  AiConfig config;
  config.chain = {Fast(ProviderKind::kAnthropic, anthropic.url(), "sk-ant-test-555555"),
                  Fast(ProviderKind::kOpenAi, openai.url() + "/v1", "sk-test-666666")};
  auto chain = MakeProviderChain(config, nullptr);
  ASSERT_TRUE(chain.ok());
  ChatRequest request = Question();
  request.stream = true;
  std::string shown;
  auto answer = (*chain)->Chat(request, [&](std::string_view text) { shown += text; });
  ASSERT_FALSE(answer.ok());
  EXPECT_EQ(shown, "The file has 999 ");
  EXPECT_EQ(openai.request_count(), 0u);
}

TEST(ProviderChainTest, AnEmptyChainSaysHowToConfigureOne) {
  auto chain = MakeProviderChain(AiConfig{}, nullptr);
  ASSERT_FALSE(chain.ok());
  EXPECT_EQ(chain.status().kind(), ErrorKind::kUsage);
  EXPECT_NE(chain.status().message().find("OPENAI_API_KEY"), std::string::npos);
  EXPECT_NE(chain.status().message().find("OLLAMA_HOST"), std::string::npos);
}

}  // namespace
}  // namespace vcfagent::ai
