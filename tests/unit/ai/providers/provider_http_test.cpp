// The pieces providers share: circuit breaker, Retry-After, error messages, key redaction, SSE and
// line splitting, tool-call arguments, and the factory's configuration checks.
#include "ai/provider_http.h"

#include <gtest/gtest.h>

#include <ctime>
#include <thread>

#include "ai/providers.h"

namespace vcfagent::ai {
namespace {

using nlohmann::json;

TEST(CircuitBreakerTest, OpensAfterConsecutiveFailuresAndLetsOneTrialThrough) {
  CircuitBreaker breaker(3, 0.1);
  breaker.RecordFailure();
  breaker.RecordFailure();
  breaker.RecordSuccess();  // not consecutive any more
  breaker.RecordFailure();
  breaker.RecordFailure();
  EXPECT_TRUE(breaker.Allow());
  breaker.RecordFailure();
  EXPECT_EQ(breaker.state(), CircuitBreaker::State::kOpen);
  EXPECT_FALSE(breaker.Allow());
  EXPECT_GT(breaker.SecondsUntilTrial(), 0);

  std::this_thread::sleep_for(std::chrono::milliseconds(120));
  EXPECT_TRUE(breaker.Allow());   // the trial
  EXPECT_EQ(breaker.state(), CircuitBreaker::State::kHalfOpen);
  EXPECT_FALSE(breaker.Allow());  // only one at a time
  breaker.RecordFailure();        // a failed trial reopens at once
  EXPECT_EQ(breaker.state(), CircuitBreaker::State::kOpen);
  EXPECT_FALSE(breaker.Allow());

  std::this_thread::sleep_for(std::chrono::milliseconds(120));
  EXPECT_TRUE(breaker.Allow());
  breaker.RecordSuccess();
  EXPECT_EQ(breaker.state(), CircuitBreaker::State::kClosed);
  EXPECT_TRUE(breaker.Allow());
  EXPECT_TRUE(breaker.Allow());
}

TEST(CircuitBreakerTest, ReleasedTrialCanBeRetried) {
  CircuitBreaker breaker(1, 0.05);
  breaker.RecordFailure();
  std::this_thread::sleep_for(std::chrono::milliseconds(70));
  ASSERT_TRUE(breaker.Allow());
  breaker.Release();  // cancelled: no verdict
  EXPECT_TRUE(breaker.Allow());
}

TEST(CircuitBreakerTest, ZeroThresholdNeverOpens) {
  CircuitBreaker breaker(0, 10);
  for (int i = 0; i < 100; ++i) breaker.RecordFailure();
  EXPECT_TRUE(breaker.Allow());
}

TEST(RetryAfterTest, SecondsAndHttpDates) {
  EXPECT_DOUBLE_EQ(ParseRetryAfter("1"), 1);
  EXPECT_DOUBLE_EQ(ParseRetryAfter(" 20 "), 20);
  EXPECT_DOUBLE_EQ(ParseRetryAfter("0.5"), 0.5);
  EXPECT_LT(ParseRetryAfter(""), 0);
  EXPECT_LT(ParseRetryAfter("soon"), 0);
  EXPECT_LT(ParseRetryAfter("-3"), 0);
  char date[64];
  std::time_t later = std::time(nullptr) + 30;
  std::tm utc{};
  gmtime_r(&later, &utc);
  std::strftime(date, sizeof date, "%a, %d %b %Y %H:%M:%S GMT", &utc);
  double seconds = ParseRetryAfter(date);
  EXPECT_GE(seconds, 28);
  EXPECT_LE(seconds, 30);
  EXPECT_DOUBLE_EQ(ParseRetryAfter("Wed, 21 Oct 2015 07:28:00 GMT"), 0);  // in the past: now
}

TEST(ErrorMessageTest, ReadsEachProvidersErrorBody) {
  EXPECT_EQ(ExtractErrorMessage(R"({"error":{"message":"Rate limit reached for gpt-4o","type":"requests",
                                    "param":null,"code":"rate_limit_exceeded"}})"),
            "rate_limit_exceeded: Rate limit reached for gpt-4o");
  EXPECT_EQ(ExtractErrorMessage(R"({"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}})"),
            "overloaded_error: Overloaded");
  EXPECT_EQ(ExtractErrorMessage(R"({"error":"model 'x' not found"})"), "model 'x' not found");
  EXPECT_EQ(ExtractErrorMessage("<html>502 Bad Gateway</html>"), "<html>502 Bad Gateway</html>");
  EXPECT_EQ(ExtractErrorMessage(""), "(empty body)");
  EXPECT_EQ(ExtractErrorMessage(std::string(500, 'x')).size(), 203u);
}

TEST(ClassifyHttpStatusTest, Classes) {
  EXPECT_EQ(ClassifyHttpStatus(200), FailureClass::kNone);
  EXPECT_EQ(ClassifyHttpStatus(429), FailureClass::kRateLimited);
  EXPECT_EQ(ClassifyHttpStatus(401), FailureClass::kAuth);
  EXPECT_EQ(ClassifyHttpStatus(403), FailureClass::kAuth);
  EXPECT_EQ(ClassifyHttpStatus(400), FailureClass::kBadRequest);
  EXPECT_EQ(ClassifyHttpStatus(404), FailureClass::kBadRequest);
  EXPECT_EQ(ClassifyHttpStatus(500), FailureClass::kServer);
  EXPECT_EQ(ClassifyHttpStatus(529), FailureClass::kServer);
}

TEST(RedactKeyTest, RemovesTheKeyWholeOrInPart) {
  const std::string key = "sk-proj-AbCdEfGh1234567890IjKlMnOp";
  std::string text = "Incorrect API key provided: " + key + ". Also sk-proj-AbCd****MnOp and AbCdEfGh1234.";
  std::string redacted = RedactKey(text, key);
  EXPECT_EQ(redacted.find(key), std::string::npos) << redacted;
  EXPECT_EQ(redacted.find("AbCd"), std::string::npos) << redacted;
  EXPECT_EQ(redacted.find("AbCdEfGh1234"), std::string::npos) << redacted;
  EXPECT_NE(redacted.find("Incorrect API key provided: [redacted]"), std::string::npos) << redacted;
  // Key-shaped tokens go even when they are not ours.
  EXPECT_EQ(RedactKey("bad key sk-ant-api03-zzzzzzzzzzzz", ""), "bad key [redacted]");
  EXPECT_EQ(RedactKey("task-list is fine", "sk-other-key-123456"), "task-list is fine");
  // A key that shares letters with the mark itself must not loop.
  EXPECT_EQ(RedactKey("echo: x-redacted-x", "x-redacted-x"), "echo: [redacted]");
}

TEST(SseDecoderTest, EventsAcrossChunkBoundaries) {
  SseDecoder decoder;
  std::vector<std::pair<std::string, std::string>> events;
  auto collect = [&](std::string_view event, std::string_view data) {
    events.emplace_back(event, data);
    return true;
  };
  std::string stream =
      ": keep-alive\n\nevent: message_start\ndata: {\"a\":1}\n\nevent: ping\r\ndata: {}\r\n\r\n"
      "data: line one\ndata: line two\n\ndata: [DONE]\n\n";
  for (size_t i = 0; i < stream.size(); i += 7) decoder.Feed(std::string_view(stream).substr(i, 7), collect);
  ASSERT_EQ(events.size(), 4u);
  EXPECT_EQ(events[0], (std::pair<std::string, std::string>{"message_start", "{\"a\":1}"}));
  EXPECT_EQ(events[1], (std::pair<std::string, std::string>{"ping", "{}"}));
  EXPECT_EQ(events[2], (std::pair<std::string, std::string>{"", "line one\nline two"}));
  EXPECT_EQ(events[3].second, "[DONE]");
}

TEST(SseDecoderTest, FlushDeliversAnUnterminatedEvent) {
  SseDecoder decoder;
  int count = 0;
  auto collect = [&](std::string_view, std::string_view data) {
    EXPECT_EQ(data, "{\"last\":true}");
    ++count;
    return true;
  };
  decoder.Feed("data: {\"last\":true}", collect);
  EXPECT_EQ(count, 0);
  decoder.Flush(collect);
  EXPECT_EQ(count, 1);
}

TEST(LineSplitterTest, SplitsAcrossChunksAndStops) {
  LineSplitter lines;
  std::vector<std::string> seen;
  lines.Feed("{\"a\":1}\n{\"b\"", [&](std::string_view line) { seen.emplace_back(line); return true; });
  lines.Feed(":2}\r\n{\"c\":3}\n", [&](std::string_view line) { seen.emplace_back(line); return false; });
  EXPECT_EQ(seen, (std::vector<std::string>{"{\"a\":1}", "{\"b\":2}"}));
}

TEST(MakeToolCallTest, ObjectsParseOtherTextIsKeptRaw) {
  EXPECT_EQ(MakeToolCall("c1", "stats", R"({"file":"a.vcf"})").arguments, json({{"file", "a.vcf"}}));
  EXPECT_EQ(MakeToolCall("c1", "stats", "").arguments, json::object());
  ToolCall broken = MakeToolCall("c2", "stats", R"({"file": )");
  EXPECT_TRUE(broken.arguments.is_null());
  EXPECT_EQ(broken.raw_arguments, R"({"file": )");
  EXPECT_TRUE(MakeToolCall("c3", "stats", "[1,2]").arguments.is_null());
}

ProviderSettings Kind(ProviderKind kind) {
  ProviderSettings settings;
  settings.kind = kind;
  return settings;
}

TEST(ProviderFactoryTest, MissingKeysNameTheirVariables) {
  auto openai = MakeChatProvider(Kind(ProviderKind::kOpenAi));
  ASSERT_FALSE(openai.ok());
  EXPECT_EQ(openai.status().kind(), ErrorKind::kUsage);
  EXPECT_NE(openai.status().message().find("OPENAI_API_KEY"), std::string::npos);
  EXPECT_NE(openai.status().message().find("OPENAI_API_KEY_FILE"), std::string::npos);

  ProviderSettings official = Kind(ProviderKind::kOpenAi);
  official.base_url = "https://api.openai.com/v1";
  EXPECT_FALSE(MakeEmbeddingProvider(official).ok());

  auto anthropic = MakeChatProvider(Kind(ProviderKind::kAnthropic));
  ASSERT_FALSE(anthropic.ok());
  EXPECT_EQ(anthropic.status().kind(), ErrorKind::kUsage);
  EXPECT_NE(anthropic.status().message().find("ANTHROPIC_API_KEY"), std::string::npos);
  EXPECT_NE(anthropic.status().message().find("ANTHROPIC_API_KEY_FILE"), std::string::npos);
}

TEST(ProviderFactoryTest, KeylessProvidersAndNames) {
  auto ollama = MakeChatProvider(Kind(ProviderKind::kOllama));
  ASSERT_TRUE(ollama.ok()) << ollama.status().message();
  EXPECT_EQ(ollama.value()->name(), "ollama");

  ProviderSettings local = Kind(ProviderKind::kOpenAi);
  local.base_url = "http://127.0.0.1:8000/v1";  // vLLM / llama.cpp / LM Studio
  local.model = "qwen2.5-7b-instruct";
  auto compatible = MakeChatProvider(local);
  ASSERT_TRUE(compatible.ok()) << compatible.status().message();
  EXPECT_EQ(compatible.value()->name(), "openai");
  EXPECT_EQ(compatible.value()->default_model(), "qwen2.5-7b-instruct");

  ProviderSettings anthropic = Kind(ProviderKind::kAnthropic);
  anthropic.api_key = Secret("sk-ant-test");
  auto made = MakeChatProvider(anthropic);
  ASSERT_TRUE(made.ok());
  EXPECT_EQ(made.value()->name(), "anthropic");
}

TEST(ProviderFactoryTest, BaseUrlMustBeHttp) {
  ProviderSettings settings = Kind(ProviderKind::kOpenAi);
  settings.base_url = "ftp://example.org/v1";
  auto made = MakeChatProvider(settings);
  ASSERT_FALSE(made.ok());
  EXPECT_EQ(made.status().kind(), ErrorKind::kUsage);
  EXPECT_NE(made.status().message().find("OPENAI_BASE_URL"), std::string::npos);
}

}  // namespace
}  // namespace vcfagent::ai
