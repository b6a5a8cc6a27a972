// Failure handling shared by every provider, run against each of them through ScriptedHttpServer
// speaking that provider's wire format: retries, Retry-After, timeouts, malformed bodies, key
// redaction, refused connections, the circuit breaker and streaming that must not be retried.
#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <thread>

#include "ai/providers.h"
#include "support/provider_wire.h"

namespace vcfagent::ai {
namespace {

using testing::ChatPath;
using testing::ErrorAnswer;
using testing::ScriptedHttpServer;
using testing::ScriptedProviderSettings;
using testing::ScriptedResponse;
using testing::TextAnswer;

double SecondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

ChatRequest Question() {
  ChatRequest request;
  request.messages.push_back({Role::kUser, "How many variants are in sample.vcf?"});
  return request;
}

// provider_config's ToString(ProviderKind) belongs to the configuration code; the names are fixed.
std::string KindName(ProviderKind kind) {
  switch (kind) {
    case ProviderKind::kOpenAi: return "openai";
    case ProviderKind::kAnthropic: return "anthropic";
    case ProviderKind::kOllama: return "ollama";
  }
  return "";
}

std::string Key(ProviderKind kind) {
  switch (kind) {
    case ProviderKind::kOpenAi: return testing::kTestOpenAiKey;
    case ProviderKind::kAnthropic: return testing::kTestAnthropicKey;
    case ProviderKind::kOllama: return "";
  }
  return "";
}

class ProviderFailuresTest : public ::testing::TestWithParam<ProviderKind> {
 protected:
  std::shared_ptr<ChatProvider> Make(const ProviderSettings& settings) {
    auto provider = MakeChatProvider(settings);
    EXPECT_TRUE(provider.ok()) << provider.status().message();
    return provider.ok() ? provider.value() : nullptr;
  }
  ProviderSettings Settings() { return ScriptedProviderSettings(GetParam(), server_); }
  void Enqueue(ScriptedResponse response) { server_.Enqueue("POST", ChatPath(GetParam()), std::move(response)); }

  ScriptedHttpServer server_;
};

TEST_P(ProviderFailuresTest, RateLimitHonoursRetryAfterThenSucceeds) {
  ScriptedResponse limited = ErrorAnswer(GetParam(), 429, "Rate limit reached for requests");
  limited.headers.emplace_back("Retry-After", "1");
  Enqueue(limited);
  Enqueue(TextAnswer(GetParam(), "There are 42 variants."));
  auto provider = Make(Settings());  // backoff 0.05 s: only Retry-After explains a 1 s wait
  CallReport report;
  auto start = std::chrono::steady_clock::now();
  auto answer = provider->Chat(Question(), {}, &report);
  double seconds = SecondsSince(start);
  ASSERT_TRUE(answer.ok()) << answer.status().message();
  EXPECT_EQ(answer->message.text, "There are 42 variants.");
  EXPECT_GE(seconds, 0.95);
  EXPECT_LT(seconds, 1.9);
  EXPECT_EQ(report.attempts, 2);
  EXPECT_EQ(report.http_status, 200);
  EXPECT_EQ(report.failure, FailureClass::kNone);
  EXPECT_EQ(server_.request_count(), 2u);
}

TEST_P(ProviderFailuresTest, ServerErrorIsRetriedThenSucceeds) {
  Enqueue(ErrorAnswer(GetParam(), 500, "The server had an error while processing your request."));
  Enqueue(TextAnswer(GetParam(), "Done."));
  CallReport report;
  auto answer = Make(Settings())->Chat(Question(), {}, &report);
  ASSERT_TRUE(answer.ok()) << answer.status().message();
  EXPECT_EQ(answer->message.text, "Done.");
  EXPECT_EQ(report.attempts, 2);
  EXPECT_EQ(server_.request_count(), 2u);
}

TEST_P(ProviderFailuresTest, PersistentServerErrorFailsAfterAllAttempts) {
  server_.Handle("POST", ChatPath(GetParam()), [this](const testing::RecordedRequest&) {
    return ErrorAnswer(GetParam(), 500, "The server had an error while processing your request.");
  });
  ProviderSettings settings = Settings();
  settings.max_retries = 3;
  CallReport report;
  auto answer = Make(settings)->Chat(Question(), {}, &report);
  ASSERT_FALSE(answer.ok());
  EXPECT_EQ(report.failure, FailureClass::kServer);
  EXPECT_EQ(report.attempts, 4);
  EXPECT_EQ(report.http_status, 500);
  EXPECT_EQ(server_.request_count(), 4u);
  const std::string& message = answer.status().message();
  EXPECT_EQ(message.rfind(std::string(KindName(GetParam())) + ": HTTP 500 ", 0), 0u) << message;
  EXPECT_NE(message.find("The server had an error"), std::string::npos) << message;
  EXPECT_NE(message.find("(after 4 attempts)"), std::string::npos) << message;
}

TEST_P(ProviderFailuresTest, SlowServerTimesOut) {
  ScriptedResponse slow = TextAnswer(GetParam(), "too late");
  slow.delay_seconds = 1.5;
  Enqueue(slow);
  ProviderSettings settings = Settings();
  settings.timeout_seconds = 0.3;
  settings.max_retries = 0;
  CallReport report;
  auto start = std::chrono::steady_clock::now();
  auto answer = Make(settings)->Chat(Question(), {}, &report);
  ASSERT_FALSE(answer.ok());
  EXPECT_LT(SecondsSince(start), 1.2);
  EXPECT_EQ(report.failure, FailureClass::kTimeout);
  EXPECT_NE(answer.status().message().find("no complete answer within 0.3 s"), std::string::npos)
      << answer.status().message();
}

TEST_P(ProviderFailuresTest, MalformedJsonIsABadResponseAndNotRetried) {
  ScriptedResponse broken;
  broken.body = R"({"id": "x", "choices": [ {"message": )";
  Enqueue(broken);
  CallReport report;
  auto answer = Make(Settings())->Chat(Question(), {}, &report);
  ASSERT_FALSE(answer.ok());
  EXPECT_EQ(report.failure, FailureClass::kBadResponse);
  EXPECT_EQ(report.attempts, 1);
  EXPECT_NE(answer.status().message().find("the answer is not JSON"), std::string::npos)
      << answer.status().message();
}

TEST_P(ProviderFailuresTest, UnauthorizedMessageNeverContainsTheKey) {
  if (GetParam() == ProviderKind::kOllama) GTEST_SKIP() << "Ollama takes no key";
  const std::string key = Key(GetParam());
  // Servers echo the key whole or in part; neither may reach the message.
  Enqueue(ErrorAnswer(GetParam(), 401, "Incorrect API key provided: " + key + " (" + key.substr(0, 14) +
                                           "****" + key.substr(key.size() - 4) + ")"));
  CallReport report;
  auto answer = Make(Settings())->Chat(Question(), {}, &report);
  ASSERT_FALSE(answer.ok());
  EXPECT_EQ(report.failure, FailureClass::kAuth);
  EXPECT_EQ(report.attempts, 1);
  EXPECT_EQ(answer.status().kind(), ErrorKind::kUsage);
  const std::string& message = answer.status().message();
  EXPECT_NE(message.find("HTTP 401"), std::string::npos) << message;
  EXPECT_NE(message.find("Incorrect API key provided"), std::string::npos) << message;
  EXPECT_EQ(message.find(key), std::string::npos) << message;
  EXPECT_EQ(message.find(key.substr(0, 14)), std::string::npos) << message;
  EXPECT_EQ(message.find("KEY0123456789"), std::string::npos) << message;
  // The key did go out, in the provider's own header.
  auto requests = server_.requests();
  ASSERT_EQ(requests.size(), 1u);
  std::string sent = GetParam() == ProviderKind::kOpenAi ? requests[0].Header("authorization")
                                                          : requests[0].Header("x-api-key");
  EXPECT_NE(sent.find(key), std::string::npos);
}

TEST_P(ProviderFailuresTest, RefusedConnectionIsAConnectionFailure) {
  ProviderSettings settings = Settings();
  {
    ScriptedHttpServer gone;  // a port that was just free: nothing listens there any more
    std::string url = gone.url();
    settings.base_url = GetParam() == ProviderKind::kOpenAi ? url + "/v1" : url;
  }
  settings.max_retries = 1;
  CallReport report;
  auto answer = Make(settings)->Chat(Question(), {}, &report);
  ASSERT_FALSE(answer.ok());
  EXPECT_EQ(report.failure, FailureClass::kConnection);
  EXPECT_EQ(report.attempts, 2);
  EXPECT_EQ(report.http_status, 0);
}

TEST_P(ProviderFailuresTest, CircuitBreakerOpensThenClosesAfterTrial) {
  ProviderSettings settings = Settings();
  settings.max_retries = 0;
  settings.breaker_failures = 2;
  settings.breaker_cooldown_seconds = 0.4;
  auto provider = Make(settings);
  Enqueue(ErrorAnswer(GetParam(), 503, "unavailable"));
  Enqueue(ErrorAnswer(GetParam(), 503, "unavailable"));
  EXPECT_FALSE(provider->Chat(Question()).ok());
  EXPECT_FALSE(provider->Chat(Question()).ok());
  ASSERT_EQ(server_.request_count(), 2u);

  // Open: fails at once and sends nothing.
  Enqueue(TextAnswer(GetParam(), "recovered"));
  CallReport report;
  auto refused = provider->Chat(Question(), {}, &report);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(report.failure, FailureClass::kCircuitOpen);
  EXPECT_EQ(report.attempts, 0);
  EXPECT_NE(refused.status().message().find("circuit breaker open"), std::string::npos);
  EXPECT_EQ(server_.request_count(), 2u);

  // After the cooldown one trial goes through; its success closes the circuit.
  std::this_thread::sleep_for(std::chrono::milliseconds(450));
  auto trial = provider->Chat(Question(), {}, &report);
  ASSERT_TRUE(trial.ok()) << trial.status().message();
  EXPECT_EQ(trial->message.text, "recovered");
  EXPECT_EQ(server_.request_count(), 3u);
  Enqueue(TextAnswer(GetParam(), "still fine"));
  auto after = provider->Chat(Question());
  ASSERT_TRUE(after.ok()) << after.status().message();
  EXPECT_EQ(server_.request_count(), 4u);
}

TEST_P(ProviderFailuresTest, BadRequestIsNotRetried) {
  Enqueue(ErrorAnswer(GetParam(), 400, "messages: field required"));
  CallReport report;
  auto answer = Make(Settings())->Chat(Question(), {}, &report);
  ASSERT_FALSE(answer.ok());
  EXPECT_EQ(report.failure, FailureClass::kBadRequest);
  EXPECT_EQ(report.attempts, 1);
  EXPECT_NE(answer.status().message().find("messages: field required"), std::string::npos);
}

TEST_P(ProviderFailuresTest, StreamsTextPiecesBeforeTheEnd) {
  Enqueue(testing::StreamedTextAnswer(GetParam(), {"Forty", "-two ", "variants ", "pass."}, {31, 9}, 0.05));
  ChatRequest request = Question();
  request.stream = true;
  std::vector<std::string> pieces;
  std::chrono::steady_clock::time_point first_piece;
  auto answer = Make(Settings())->Chat(request, [&](std::string_view text) {
    if (pieces.empty()) first_piece = std::chrono::steady_clock::now();
    pieces.emplace_back(text);
  });
  auto end = std::chrono::steady_clock::now();
  ASSERT_TRUE(answer.ok()) << answer.status().message();
  EXPECT_EQ(pieces, (std::vector<std::string>{"Forty", "-two ", "variants ", "pass."}));
  EXPECT_EQ(answer->message.text, "Forty-two variants pass.");
  EXPECT_EQ(answer->stop_reason, StopReason::kEndTurn);
  EXPECT_EQ(answer->usage.input_tokens, 31);
  EXPECT_EQ(answer->usage.output_tokens, 9);
  // The first piece was shown while the rest was still on its way.
  EXPECT_GT(std::chrono::duration<double>(end - first_piece).count(), 0.1);
}

TEST_P(ProviderFailuresTest, TraceparentIsSent) {
  Enqueue(TextAnswer(GetParam(), "ok"));
  ChatRequest request = Question();
  request.traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
  ASSERT_TRUE(Make(Settings())->Chat(request).ok());
  EXPECT_EQ(server_.requests().at(0).Header("traceparent"), request.traceparent);
}

INSTANTIATE_TEST_SUITE_P(AllProviders, ProviderFailuresTest,
                         ::testing::Values(ProviderKind::kOpenAi, ProviderKind::kAnthropic, ProviderKind::kOllama),
                         [](const ::testing::TestParamInfo<ProviderKind>& info) {
                           return KindName(info.param);
                         });

}  // namespace
}  // namespace vcfagent::ai
