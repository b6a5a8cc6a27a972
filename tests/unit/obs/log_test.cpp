// Structured logs: JSON lines with trace ids, redaction, no interleaving.
#include "obs/log.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "obs/tracing.h"
#include "support/test_support.h"

namespace vcfagent::obs {
namespace {

using nlohmann::json;

class LogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = dir_.File("log.jsonl");
    file_ = std::fopen(path_.c_str(), "w");
    ASSERT_NE(file_, nullptr);
    ConfigureLogging(LogLevel::kDebug, file_);
  }
  void TearDown() override {
    ConfigureLogging(LogLevel::kInfo, stderr);
    std::fclose(file_);
  }
  std::vector<json> Lines() {
    std::fflush(file_);
    std::vector<json> out;
    for (const std::string& line : testing::Lines(testing::ReadFile(path_))) {
      json parsed = json::parse(line, nullptr, false);
      EXPECT_FALSE(parsed.is_discarded()) << line;
      out.push_back(parsed);
    }
    return out;
  }
  testing::TempDir dir_;
  std::string path_;
  FILE* file_ = nullptr;
};

TEST_F(LogTest, LinesAreJsonWithTimestampLevelMessageAndFields) {
  Log(LogLevel::kInfo, "store opened", {{"path", "/data/store"}, {"variants", 12}, {"level", "overridden?"}});
  auto lines = Lines();
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0]["msg"], "store opened");
  EXPECT_EQ(lines[0]["level"], "info");  // a field cannot replace the fixed keys
  EXPECT_EQ(lines[0]["path"], "/data/store");
  EXPECT_EQ(lines[0]["variants"], 12);
  const std::string ts = lines[0]["ts"];
  ASSERT_EQ(ts.size(), 24u) << ts;  // 2026-11-28T23:51:28.123Z
  EXPECT_EQ(ts[10], 'T');
  EXPECT_EQ(ts[19], '.');
  EXPECT_EQ(ts.back(), 'Z');
  EXPECT_FALSE(lines[0].contains("trace_id"));
}

TEST_F(LogTest, MinimumLevelFilters) {
  ConfigureLogging(LogLevel::kWarn, file_);
  Log(LogLevel::kInfo, "quiet");
  Log(LogLevel::kError, "loud");
  auto lines = Lines();
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0]["level"], "error");
  LogLevel level;
  EXPECT_TRUE(ParseLogLevel("debug", &level));
  EXPECT_EQ(level, LogLevel::kDebug);
  EXPECT_FALSE(ParseLogLevel("verbose", &level));
}

TEST_F(LogTest, LinesInsideASpanCarryItsIds) {
  Span span("request", SpanKind::kServer);
  {
    Span child("inner");
    Log(LogLevel::kInfo, "inside");
    auto lines = Lines();
    ASSERT_EQ(lines.size(), 1u);
    EXPECT_EQ(lines[0]["trace_id"], span.context().TraceIdHex());
    EXPECT_EQ(lines[0]["span_id"], child.context().SpanIdHex());
  }
  Log(LogLevel::kInfo, "after the child");
  auto lines = Lines();
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[1]["span_id"], span.context().SpanIdHex());
  EXPECT_EQ(std::string(lines[1]["trace_id"]).size(), 32u);
}

TEST_F(LogTest, SecretsAreRedactedEverywhere) {
  AddLogSecret("vcfk_live_0123456789abcdef");
  Log(LogLevel::kWarn, "key vcfk_live_0123456789abcdef refused",
      {{"header", "Authorization: Bearer abc.def-ghi"},
       {"nested", {{"openai", "sk-proj-AAAABBBBCCCCDDDD"}, {"list", {"x vcfk_live_0123456789abcdef y"}}}},
       {"api_key", "whatever-it-is"}});
  const std::string text = testing::ReadFile(path_);
  for (const char* secret : {"vcfk_live_0123456789abcdef", "abc.def-ghi", "sk-proj-AAAABBBBCCCCDDDD", "whatever-it-is"}) {
    EXPECT_EQ(text.find(secret), std::string::npos) << secret << " in " << text;
  }
  auto lines = Lines();
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0]["msg"], "key [redacted] refused");
  EXPECT_EQ(lines[0]["header"], "Authorization: Bearer [redacted]");
  EXPECT_EQ(RedactLogSecrets("x sk-abcdefghijk y"), "x [redacted] y");
}

TEST_F(LogTest, InvalidUtf8IsReplacedNotThrown) {
  EXPECT_NO_THROW(Log(LogLevel::kInfo, std::string("bad \xff\xfe name"), {{"file", std::string("a\xc3")}}));
  auto lines = Lines();
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_NE(std::string(lines[0]["msg"]).find("bad "), std::string::npos);
}

TEST_F(LogTest, EightThreadsNeverInterleave) {
  constexpr int kThreads = 8, kLines = 2000;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([t] {
      const std::string payload(200 + t * 37, static_cast<char>('a' + t));
      for (int i = 0; i < kLines; ++i) Log(LogLevel::kInfo, "line", {{"thread", t}, {"i", i}, {"payload", payload}});
    });
  }
  for (auto& thread : threads) thread.join();
  auto lines = Lines();
  ASSERT_EQ(lines.size(), static_cast<size_t>(kThreads * kLines));
  std::vector<int> next(kThreads, 0);
  for (const json& line : lines) {
    const int t = line["thread"];
    EXPECT_EQ(line["i"], next[t]++);  // complete, and in order per thread
    EXPECT_EQ(std::string(line["payload"]), std::string(200 + t * 37, static_cast<char>('a' + t)));
  }
}

}  // namespace
}  // namespace vcfagent::obs
