// POST /api/v1/ask against a scripted OpenAI server speaking the Chat Completions wire format
// (tests/support/provider_wire.h): the JSON answer, the server-sent event stream, the W3C trace
// context carried to the provider, and the 503 without a configured provider.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <thread>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "e2e/server/api_client.h"
#include "support/provider_wire.h"
#include "support/scripted_http_server.h"
#include "support/service_process.h"
#include "support/test_support.h"

namespace vcfagent::testing {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using ::testing::HasSubstr;

constexpr const char* kClientTraceId = "4bf92f3577b34da6a3ce929d0e0e4736";
const std::string kClientTraceparent = std::string("00-") + kClientTraceId + "-00f067aa0ba902b7-01";

struct Sse {
  std::string event;
  json data;
};

std::vector<Sse> ParseEvents(const std::string& body) {
  std::vector<Sse> events;
  size_t start = 0;
  while (start < body.size()) {
    size_t end = body.find("\n\n", start);
    if (end == std::string::npos) end = body.size();
    const std::string block = body.substr(start, end - start);
    start = end + 2;
    Sse e;
    std::stringstream in(block);
    for (std::string line; std::getline(in, line);) {
      if (line.rfind("event: ", 0) == 0) e.event = line.substr(7);
      if (line.rfind("data: ", 0) == 0) e.data = json::parse(line.substr(6), nullptr, false);
    }
    if (!e.event.empty()) events.push_back(std::move(e));
  }
  return events;
}

class ApiAskTest : public ::testing::Test {
 protected:
  void SetUp() override {
    fs::create_directories(dir_.File("data"));
    fs::create_directories(dir_.File("home"));
    fs::copy_file(ExamplePath("giab-ashk-trio-slice.vcf.gz"), dir_.File("data/trio.vcf.gz"));
    local_path_ = fs::canonical(dir_.File("data/trio.vcf.gz")).string();
  }

  std::unique_ptr<testing::ServiceProcess> Start(bool with_provider) {
    testing::ServiceProcess::Options options;
    options.extra_args = {"--data-dir", dir_.File("data")};
    options.env = {{"HOME", dir_.File("home")},
                   {"XDG_CONFIG_HOME", dir_.File("home")},
                   {"VCF_AGENT_CONFIG", ""},
                   {"ANTHROPIC_API_KEY", ""},
                   {"OLLAMA_HOST", ""},
                   {"OPENAI_API_KEY", with_provider ? kTestOpenAiKey : ""},
                   {"OPENAI_BASE_URL", with_provider ? provider_.url() + "/v1" : ""},
                   {"VCF_AGENT_PROVIDER", with_provider ? "openai" : ""}};
    return testing::ServiceProcess::Start(options);
  }

  TempDir dir_;
  std::string local_path_;
  ScriptedHttpServer provider_;
};

TEST_F(ApiAskTest, JsonAnswerWithAToolRunAndTheClientsTrace) {
  provider_.Enqueue("POST", kOpenAiChatPath, OpenAiToolCallResponse({{"", "stats", {{"path", local_path_}}, ""}}));
  provider_.Enqueue("POST", kOpenAiChatPath, OpenAiTextResponse("The file has 999 records."));
  auto service = Start(true);
  ApiClient api(service->url(), service->admin_key());
  auto r = api.Post("/api/v1/ask", {{"question", "How many records?"}, {"files", {"trio.vcf.gz"}}},
                    {{"traceparent", kClientTraceparent}});
  ASSERT_EQ(r.status, 200) << r.Describe();
  const json answer = r.Json();
  EXPECT_EQ(answer["answer"], "The file has 999 records.");
  EXPECT_EQ(answer["stop_reason"], "answered");
  ASSERT_EQ(answer["tool_runs"].size(), 1u);
  EXPECT_EQ(answer["tool_runs"][0]["name"], "stats");
  EXPECT_TRUE(answer["tool_runs"][0]["ok"].get<bool>()) << answer.dump();
  EXPECT_EQ(answer["steps"], 2);

  const auto requests = provider_.requests();
  ASSERT_EQ(requests.size(), 2u);
  for (const auto& request : requests) {
    EXPECT_EQ(request.Header("authorization"), std::string("Bearer ") + kTestOpenAiKey);
    const std::string traceparent = request.Header("traceparent");
    ASSERT_EQ(traceparent.size(), 55u) << traceparent;
    EXPECT_EQ(traceparent.substr(3, 32), kClientTraceId);           // the client's trace
    EXPECT_NE(traceparent.substr(36, 16), "00f067aa0ba902b7");       // a span of ours as parent
  }
  // The tool result the model saw is the real stats of the file.
  const json second = json::parse(requests[1].body);
  EXPECT_THAT(second.dump(), HasSubstr("999"));
  // The key never shows in the answer or the logs.
  EXPECT_THAT(r.body, ::testing::Not(HasSubstr(kTestOpenAiKey)));
  EXPECT_THAT(service->Logs(), ::testing::Not(HasSubstr(kTestOpenAiKey)));
}

TEST_F(ApiAskTest, ServerSentEventsStreamTextToolsAndTheAnswer) {
  provider_.Enqueue("POST", kOpenAiChatPath,
                    SseResponse(OpenAiToolCallStreamEvents({{"", "validate", {{"path", local_path_}}, ""}})));
  provider_.Enqueue("POST", kOpenAiChatPath, SseResponse(OpenAiTextStreamEvents({"The file ", "is ", "valid."})));
  auto service = Start(true);
  ApiClient api(service->url(), service->admin_key());
  auto r = api.Post("/api/v1/ask", {{"question", "Is it valid?"}, {"files", {{{"path", "trio.vcf.gz"}}}}},
                    {{"Accept", "text/event-stream"}});
  ASSERT_EQ(r.status, 200) << r.Describe();
  EXPECT_THAT(r.Header("Content-Type"), HasSubstr("text/event-stream"));
  const auto events = ParseEvents(r.body);
  std::vector<std::string> names;
  std::string text;
  for (const auto& e : events) {
    names.push_back(e.event);
    if (e.event == "text") text += e.data["text"].get<std::string>();
  }
  ASSERT_GE(events.size(), 5u) << r.body;
  EXPECT_EQ(names.front(), "tool_start");
  EXPECT_EQ(events[0].data["name"], "validate");
  EXPECT_EQ(names[1], "tool_end");
  EXPECT_TRUE(events[1].data["ok"].get<bool>()) << events[1].data.dump();
  EXPECT_EQ(names.back(), "done");
  EXPECT_EQ(text, "The file is valid.");
  EXPECT_EQ(events.back().data["answer"], "The file is valid.");
  EXPECT_EQ(std::count(names.begin(), names.end(), "text"), 3);
  // The stream asked the provider to stream.
  EXPECT_EQ(json::parse(provider_.requests()[0].body)["stream"], true);
}

// A client that goes away mid-stream stops the agent: the next event the service cannot deliver
// cancels the run, so the provider is not called for the remaining steps.
TEST_F(ApiAskTest, ADisconnectedStreamStopsTheAgent) {
  // Every model call asks for one more quick tool run, a little slowly: left alone, the agent
  // would go on for max_steps (100) calls.
  provider_.Handle("POST", kOpenAiChatPath, [this](const RecordedRequest&) {
    ScriptedResponse response = SseResponse(OpenAiToolCallStreamEvents({{"", "validate", {{"path", local_path_}}, ""}}));
    response.delay_seconds = 0.2;
    return response;
  });
  auto service = Start(true);
  const std::string body =
      json{{"question", "Validate it, again and again."}, {"files", {{{"path", "trio.vcf.gz"}}}}, {"max_steps", 100}}
          .dump();
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(fd, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>(service->port()));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
  const std::string request = "POST /api/v1/ask HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " +
                              service->admin_key() +
                              "\r\nAccept: text/event-stream\r\nContent-Type: application/json\r\nContent-Length: " +
                              std::to_string(body.size()) + "\r\n\r\n" + body;
  ASSERT_EQ(write(fd, request.data(), request.size()), static_cast<ssize_t>(request.size()));
  // Read until the first tool run has ended, then hang up.
  std::string received;
  char buffer[4096];
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (received.find("event: tool_end") == std::string::npos && std::chrono::steady_clock::now() < deadline) {
    const ssize_t n = read(fd, buffer, sizeof buffer);
    if (n <= 0) break;
    received.append(buffer, static_cast<size_t>(n));
  }
  close(fd);
  ASSERT_NE(received.find("event: tool_end"), std::string::npos) << received;
  const size_t at_hangup = provider_.request_count();
  // Uncancelled, 3 s are another dozen calls (0.2 s each plus the tool).
  std::this_thread::sleep_for(std::chrono::seconds(3));
  EXPECT_LE(provider_.request_count(), at_hangup + 2);
  // The service is fine.
  ApiClient api(service->url(), service->admin_key());
  EXPECT_EQ(api.Get("/health").status, 200);
}

TEST_F(ApiAskTest, AProviderFailureIsAProblemWithoutTheKey) {
  for (int i = 0; i < 4; ++i) {
    provider_.Enqueue("POST", kOpenAiChatPath, OpenAiErrorResponse(401, "invalid_request_error", "invalid_api_key",
                                                                   std::string("Incorrect API key provided: ") + kTestOpenAiKey));
  }
  auto service = Start(true);
  ApiClient api(service->url(), service->admin_key());
  auto r = api.Post("/api/v1/ask", {{"question", "Hello?"}});
  EXPECT_EQ(r.status, 503) << r.Describe();
  EXPECT_EQ(r.Header("Content-Type"), "application/problem+json");
  EXPECT_THAT(r.body, ::testing::Not(HasSubstr(kTestOpenAiKey)));
  auto sse = api.Post("/api/v1/ask", {{"question", "Hello?"}}, {{"Accept", "text/event-stream"}});
  const auto events = ParseEvents(sse.body);
  ASSERT_FALSE(events.empty()) << sse.Describe();
  EXPECT_EQ(events.back().event, "error");
  EXPECT_THAT(sse.body, ::testing::Not(HasSubstr(kTestOpenAiKey)));
}

TEST_F(ApiAskTest, WithoutAProviderTheAnswerIs503SayingHowToConfigureOne) {
  auto service = Start(false);
  ApiClient api(service->url(), service->admin_key());
  auto r = api.Post("/api/v1/ask", {{"question", "Hello?"}});
  EXPECT_EQ(r.status, 503) << r.Describe();
  const json problem = r.Json();
  EXPECT_THAT(problem["type"].get<std::string>(), ::testing::EndsWith("/unavailable"));
  EXPECT_THAT(problem["detail"].get<std::string>(), HasSubstr("configuration"));
  auto missing = api.Post("/api/v1/ask", json::object());
  EXPECT_EQ(missing.status, 400) << missing.Describe();
  EXPECT_EQ(provider_.request_count(), 0u);
}

}  // namespace
}  // namespace vcfagent::testing
