// The service's core behaviour through a real `vcf-agent serve` process: public operational
// routes, API keys and roles, request ids, trace context, problem+json, route matching, CORS,
// body limits, rate limits, TLS, the OpenAPI document against the routes, and startup errors.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <regex>
#include <set>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <httplib.h>
#include <nlohmann/json.hpp>

#include "server/auth.h"
#include "support/service_process.h"
#include "support/test_support.h"

namespace vcfagent::testing {
namespace {

using nlohmann::json;

json Body(const httplib::Result& r) { return json::parse(r->body); }

void ExpectProblem(const httplib::Result& r, int status, const std::string& slug) {
  ASSERT_TRUE(r) << "no response";
  EXPECT_EQ(r->status, status) << r->body;
  EXPECT_EQ(r->get_header_value("Content-Type"), "application/problem+json");
  const json body = Body(r);
  EXPECT_EQ(body["type"], "https://vcf-agent.dev/problems/" + slug) << r->body;
  EXPECT_EQ(body["status"], status);
  EXPECT_TRUE(body.contains("title"));
  EXPECT_EQ(body["request_id"], r->get_header_value("X-Request-Id"));
}

class ServerCoreTest : public ::testing::Test {
 protected:
  // Many requests in a burst: no rate limit here (ServerLimitsTest covers it).
  static void SetUpTestSuite() {
    dir_ = new TempDir();
    WriteFile(dir_->File("config.yaml"), "server:\n  rate_limit_per_second: 0\n");
    ServiceProcess::Options options;
    options.extra_args = {"--config", dir_->File("config.yaml")};
    service_ = ServiceProcess::Start(options).release();
  }
  static void TearDownTestSuite() {
    delete service_;
    delete dir_;
    service_ = nullptr;
  }
  static TempDir* dir_;
  static ServiceProcess* service_;
};
TempDir* ServerCoreTest::dir_ = nullptr;
ServiceProcess* ServerCoreTest::service_ = nullptr;

TEST_F(ServerCoreTest, OperationalRoutesArePublicAndFast) {
  httplib::Client client(service_->url());
  for (const char* path : {"/health", "/ready", "/metrics", "/openapi.json"}) {
    const auto start = std::chrono::steady_clock::now();
    auto r = client.Get(path);
    const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    ASSERT_TRUE(r) << path;
    EXPECT_EQ(r->status, 200) << path << ": " << r->body;
    EXPECT_LT(ms, 1000) << path;
  }
  auto health = client.Get("/health");
  EXPECT_EQ(Body(health)["status"], "ok");
  auto ready = client.Get("/ready");
  const json checks = Body(ready)["checks"];
  EXPECT_EQ(checks["store"]["status"], "ok") << ready->body;
  EXPECT_TRUE(checks.contains("similarity_index"));
  EXPECT_TRUE(checks.contains("providers"));
  auto metrics = client.Get("/metrics");
  EXPECT_NE(metrics->get_header_value("Content-Type").find("text/plain"), std::string::npos);
  EXPECT_NE(metrics->body.find("vcfagent_http_requests_total{"), std::string::npos);
  EXPECT_NE(metrics->body.find("process_resident_memory_bytes"), std::string::npos);
}

TEST_F(ServerCoreTest, AnAdminKeyWasCreatedAndOnlyItsHashIsStored) {
  ASSERT_FALSE(service_->admin_key().empty()) << service_->Stdout();
  EXPECT_EQ(service_->admin_key().rfind("vca_", 0), 0u);
  const std::string keys = ReadFile(service_->store_dir() + "/api-keys");
  EXPECT_EQ(keys.find(service_->admin_key()), std::string::npos);
  EXPECT_NE(keys.find(server::KeyStore::HashKey(service_->admin_key())), std::string::npos);
  EXPECT_EQ(service_->Logs().find(service_->admin_key()), std::string::npos) << "the key was logged";
}

TEST_F(ServerCoreTest, ApiRoutesNeedAValidKey) {
  httplib::Client anonymous(service_->url());
  auto r = anonymous.Get("/api/v1/jobs");
  ExpectProblem(r, 401, "unauthorized");
  EXPECT_NE(r->get_header_value("WWW-Authenticate").find("Bearer"), std::string::npos);
  ExpectProblem(anonymous.Get("/api/v1/jobs", AuthHeaders("vca_not-a-key")), 401, "unauthorized");
  auto bearer = anonymous.Get("/api/v1/jobs", AuthHeaders(service_->admin_key()));
  ASSERT_TRUE(bearer);
  EXPECT_EQ(bearer->status, 200) << bearer->body;
  auto header = anonymous.Get("/api/v1/jobs", httplib::Headers{{"X-API-Key", service_->admin_key()}});
  EXPECT_EQ(header->status, 200);
}

TEST_F(ServerCoreTest, RequestIdsAreEchoedOrCreated) {
  auto client = service_->Client();
  auto given = client->Get("/health", httplib::Headers{{"X-Request-Id", "lab-run-42"}});
  EXPECT_EQ(given->get_header_value("X-Request-Id"), "lab-run-42");
  auto created = client->Get("/health");
  EXPECT_TRUE(std::regex_match(created->get_header_value("X-Request-Id"), std::regex("req-[0-9a-f]{16}")));
  // A malformed id (spaces, too long) is replaced, not echoed.
  auto bad = client->Get("/health", httplib::Headers{{"X-Request-Id", std::string(300, 'x')}});
  EXPECT_NE(bad->get_header_value("X-Request-Id").size(), 300u);
}

TEST_F(ServerCoreTest, TraceContextContinuesTheCallersTrace) {
  auto client = service_->Client();
  const std::string trace = "4bf92f3577b34da6a3ce929d0e0e4736";
  auto r = client->Get("/health", httplib::Headers{{"traceparent", "00-" + trace + "-00f067aa0ba902b7-01"}});
  const std::string out = r->get_header_value("traceparent");
  ASSERT_TRUE(std::regex_match(out, std::regex("00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]"))) << out;
  EXPECT_EQ(out.substr(3, 32), trace);
  EXPECT_NE(out.substr(36, 16), "00f067aa0ba902b7");  // the server's own span
  // A malformed traceparent starts a new trace.
  auto fresh = client->Get("/health", httplib::Headers{{"traceparent", "00-XYZ-00f067aa0ba902b7-01"}});
  EXPECT_NE(fresh->get_header_value("traceparent").substr(3, 32), trace);
}

TEST_F(ServerCoreTest, UnknownRoutesAndMethodsAreProblems) {
  auto client = service_->Client();
  ExpectProblem(client->Get("/api/v1/no-such-thing"), 404, "not-found");
  ExpectProblem(client->Get("/../../etc/passwd"), 404, "not-found");
  auto r = client->Delete("/health");
  ExpectProblem(r, 405, "method-not-allowed");
  EXPECT_NE(r->get_header_value("Allow").find("GET"), std::string::npos);
}

// Sends raw request bytes and returns what the server answers before closing or `ms` pass.
std::string RawExchange(int port, const std::string& request, int ms = 3000) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) return "";
  (void)!write(fd, request.data(), request.size());
  std::string answer;
  char buffer[4096];
  pollfd p{fd, POLLIN, 0};
  while (poll(&p, 1, ms) > 0) {
    const ssize_t n = read(fd, buffer, sizeof buffer);
    if (n <= 0) break;
    answer.append(buffer, n);
    if (answer.find("\r\n\r\n") != std::string::npos && answer.find('}') != std::string::npos) break;
  }
  close(fd);
  return answer;
}

TEST_F(ServerCoreTest, BodiesOverTheLimitAreRefusedBeforeTheyAreRead) {
  // The default JSON body limit is 1 MiB. The server answers from the headers alone: with
  // Expect: 100-continue (curl) and without it (the body is never sent here).
  for (const std::string expect : {"Expect: 100-continue\r\n", ""}) {
    const std::string answer = RawExchange(
        service_->port(), "POST /api/v1/sql HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + service_->admin_key() +
                              "\r\nContent-Type: application/json\r\nContent-Length: 2097152\r\n" + expect + "\r\n");
    EXPECT_EQ(answer.rfind("HTTP/1.1 413", 0), 0u) << answer;
    EXPECT_NE(answer.find("payload-too-large"), std::string::npos) << answer;
  }
  // Chunked JSON bodies are refused (their size is unknown until read).
  const std::string chunked = RawExchange(
      service_->port(), "POST /api/v1/sql HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + service_->admin_key() +
                            "\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n");
  EXPECT_EQ(chunked.rfind("HTTP/1.1 411", 0), 0u) << chunked;
  // Without a key, the body is not wanted either.
  const std::string anonymous = RawExchange(
      service_->port(), "POST /api/v1/sql HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\nExpect: 100-continue\r\n\r\n");
  EXPECT_EQ(anonymous.rfind("HTTP/1.1 401", 0), 0u) << anonymous;
}

TEST_F(ServerCoreTest, OpenApiDocumentMatchesTheRoutes) {
  auto client = service_->Client();
  const json doc = Body(client->Get("/openapi.json"));
  EXPECT_EQ(doc["openapi"], "3.0.3");
  ASSERT_TRUE(doc["paths"].is_object());
  std::set<std::string> operation_ids;
  int operations = 0;
  for (const auto& [path, item] : doc["paths"].items()) {
    for (const auto& [method, op] : item.items()) {
      ++operations;
      ASSERT_TRUE(op.contains("operationId")) << method << " " << path;
      EXPECT_TRUE(operation_ids.insert(op["operationId"].get<std::string>()).second)
          << "duplicate operationId " << op["operationId"];
      EXPECT_TRUE(op["responses"].is_object() && !op["responses"].empty()) << path;
      // Every documented operation is served: a request reaches a handler (no "no route" 404 and
      // no 405), whatever the handler then says about the made-up parameters.
      const std::string concrete = std::regex_replace(path, std::regex(R"(\{[^}]+\})"), "x");
      ASSERT_TRUE(method == "get" || method == "post" || method == "delete") << method;
      auto r = method == "get"    ? client->Get(concrete)
               : method == "post" ? client->Post(concrete, "{}", "application/json")
                                  : client->Delete(concrete);
      ASSERT_TRUE(r) << method << " " << path;
      EXPECT_NE(r->status, 405) << method << " " << path;
      if (r->status == 404) EXPECT_EQ(r->body.find("no route"), std::string::npos) << method << " " << path;
    }
  }
  EXPECT_GE(operations, 20) << "every capability has a route";
  for (const char* required : {"/health", "/ready", "/metrics", "/openapi.json", "/api/v1/validate",
                               "/api/v1/stats", "/api/v1/view", "/api/v1/compare", "/api/v1/ingest",
                               "/api/v1/variants", "/api/v1/similar", "/api/v1/sql", "/api/v1/analyze",
                               "/api/v1/ask", "/api/v1/jobs", "/api/v1/jobs/{id}", "/api/v1/uploads"}) {
    EXPECT_TRUE(doc["paths"].contains(required)) << required;
  }
  // And a path that is not in the document is not served.
  ExpectProblem(client->Get("/api/v2/variants"), 404, "not-found");
}

TEST(ServerKeysTest, RolesAreEnforcedAndTheAdminKeyIsShownOnce) {
  TempDir dir;
  const std::string read_key = server::KeyStore::GenerateKey();
  const std::string write_key = server::KeyStore::GenerateKey();
  WriteFile(dir.File("keys"), "# lab keys\nviewer read " + server::KeyStore::HashKey(read_key) + "\npipeline write " +
                                  server::KeyStore::HashKey(write_key) + "\n");
  auto service = ServiceProcess::StartWith({"--api-keys", dir.File("keys")});
  EXPECT_TRUE(service->admin_key().empty()) << "keys exist: no admin key is created";
  httplib::Client client(service->url());
  auto read = client.Get("/api/v1/jobs", AuthHeaders(read_key));
  EXPECT_EQ(read->status, 200) << read->body;
  // Ingest needs the write role.
  auto denied = client.Post("/api/v1/ingest", AuthHeaders(read_key), "{\"files\": []}", "application/json");
  ExpectProblem(denied, 403, "forbidden");
  EXPECT_NE(Body(denied)["detail"].get<std::string>().find("write"), std::string::npos);
  auto allowed = client.Post("/api/v1/ingest", AuthHeaders(write_key), "{\"files\": []}", "application/json");
  ASSERT_TRUE(allowed);
  EXPECT_NE(allowed->status, 403) << allowed->body;
}

TEST(ServerKeysTest, TheCreatedAdminKeyIsPrintedOnlyAtTheFirstStart) {
  TempDir dir;
  const std::string store = dir.File("store");
  std::string key;
  {
    auto first = ServiceProcess::StartWith({}, store);
    key = first->admin_key();
    ASSERT_FALSE(key.empty());
  }
  auto second = ServiceProcess::StartWith({}, store);
  EXPECT_TRUE(second->admin_key().empty());
  EXPECT_EQ(second->Stdout().find(key), std::string::npos);
  httplib::Client client(second->url());
  EXPECT_EQ(client.Get("/api/v1/jobs", AuthHeaders(key))->status, 200);
}

TEST(ServerLimitsTest, RequestsPerKeyAreLimitedWithRetryAfter) {
  TempDir dir;
  WriteFile(dir.File("config.yaml"), "server:\n  rate_limit_per_second: 0.5\n  rate_limit_burst: 3\n");
  auto service = ServiceProcess::StartWith({"--config", dir.File("config.yaml")});
  auto client = service->Client();
  int ok = 0;
  for (int i = 0; i < 3; ++i) ok += client->Get("/api/v1/jobs")->status == 200;
  EXPECT_EQ(ok, 3);
  auto limited = client->Get("/api/v1/jobs");
  ExpectProblem(limited, 429, "rate-limited");
  EXPECT_GE(std::stoi(limited->get_header_value("Retry-After")), 1);
  // Health is never limited.
  for (int i = 0; i < 10; ++i) EXPECT_EQ(client->Get("/health")->status, 200);
}

TEST(ServerLimitsTest, CorsOnlyForConfiguredOrigins) {
  auto service = ServiceProcess::StartWith({"--cors-origin", "https://lab.example.org"});
  httplib::Client client(service->url());
  auto preflight = client.Options("/api/v1/variants", httplib::Headers{{"Origin", "https://lab.example.org"},
                                                                       {"Access-Control-Request-Method", "GET"}});
  ASSERT_TRUE(preflight);
  EXPECT_EQ(preflight->status, 204);
  EXPECT_EQ(preflight->get_header_value("Access-Control-Allow-Origin"), "https://lab.example.org");
  EXPECT_NE(preflight->get_header_value("Access-Control-Allow-Headers").find("Authorization"), std::string::npos);
  auto other = client.Options("/api/v1/variants", httplib::Headers{{"Origin", "https://evil.example.com"},
                                                                   {"Access-Control-Request-Method", "GET"}});
  ExpectProblem(other, 403, "forbidden");
  EXPECT_FALSE(other->has_header("Access-Control-Allow-Origin"));
  auto simple = client.Get("/health", httplib::Headers{{"Origin", "https://lab.example.org"}});
  EXPECT_EQ(simple->get_header_value("Access-Control-Allow-Origin"), "https://lab.example.org");
  auto plain = client.Get("/health", httplib::Headers{{"Origin", "https://evil.example.com"}});
  EXPECT_FALSE(plain->has_header("Access-Control-Allow-Origin"));
}

TEST(ServerTlsTest, ServesHttpsWithTheConfiguredCertificate) {
  TempDir dir;
  auto made = RunProgram("openssl", {"req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", dir.File("key.pem"),
                                     "-out", dir.File("cert.pem"), "-days", "1", "-subj", "/CN=127.0.0.1"});
  ASSERT_EQ(made.exit_code, 0) << made.err;
  auto service = ServiceProcess::Start(
      {.extra_args = {"--tls-cert", dir.File("cert.pem"), "--tls-key", dir.File("key.pem")}});
  EXPECT_EQ(service->url().rfind("https://", 0), 0u);
  httplib::SSLClient client("127.0.0.1", service->port());
  client.set_ca_cert_path(dir.File("cert.pem").c_str());
  client.enable_server_certificate_verification(true);
  auto r = client.Get("/health");
  ASSERT_TRUE(r) << httplib::to_string(r.error());
  EXPECT_EQ(r->status, 200);
  // Plain HTTP to the TLS port gets no answer.
  httplib::Client plain("127.0.0.1", service->port());
  plain.set_read_timeout(2);
  auto p = plain.Get("/health");
  EXPECT_TRUE(!p || p->status != 200);
}

TEST(ServerStartupTest, BadConfigurationFailsWithOneMessage) {
  TempDir dir;
  WriteFile(dir.File("typo.yaml"), "server:\n  prot: 8080\n");
  auto r = RunVcfAgent({"serve", "--db", dir.File("store"), "--config", dir.File("typo.yaml")});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("unknown key 'prot'"), std::string::npos) << r.err;
  auto tls = RunVcfAgent({"serve", "--db", dir.File("store"), "--tls-cert", dir.File("nothing.pem")});
  EXPECT_EQ(tls.exit_code, 2);
  EXPECT_NE(tls.err.find("both a certificate and a key"), std::string::npos) << tls.err;
  auto data = RunVcfAgent({"serve", "--db", dir.File("store"), "--data-dir", dir.File("missing")});
  EXPECT_EQ(data.exit_code, 2);
  EXPECT_NE(data.err.find("does not exist"), std::string::npos) << data.err;
}

TEST(ServerStartupTest, APortInUseIsReportedAndSigtermStopsCleanly) {
  auto first = ServiceProcess::Start();
  TempDir dir;
  auto r = RunVcfAgent({"serve", "--db", dir.File("store"), "--port", std::to_string(first->port())});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("cannot listen"), std::string::npos) << r.err;
  EXPECT_EQ(first->Stop(SIGTERM), 0) << first->Logs();
}

// Many clients connecting at once (wrk opens 64 connections) must not overflow the listen queue:
// a dropped handshake costs the client a 1 s SYN retransmission. With the process stopped, the
// kernel completes handshakes only up to the backlog: all 100 connect, not the 6 that httplib's
// default backlog of 5 admits.
TEST(ServerStartupTest, TheListenQueueHoldsABurstOfConnections) {
  auto service = ServiceProcess::Start();
  ASSERT_EQ(kill(service->pid(), SIGSTOP), 0);
  std::vector<int> sockets;
  for (int i = 0; i < 100; ++i) {
    const int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    ASSERT_GE(fd, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(static_cast<uint16_t>(service->port()));
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address);  // EINPROGRESS
    sockets.push_back(fd);
  }
  int connected = 0;
  for (int fd : sockets) {
    pollfd p{fd, POLLOUT, 0};
    int error = -1;
    socklen_t length = sizeof error;
    if (poll(&p, 1, 500) == 1 && getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length) == 0 && error == 0) ++connected;
  }
  ASSERT_EQ(kill(service->pid(), SIGCONT), 0);
  for (int fd : sockets) close(fd);
  EXPECT_EQ(connected, 100);
  // Workers finish the burst (closed by the client) before /health: one address holds at most
  // max_connections_per_client connections at a time.
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  auto client = service->Client();
  auto health = client->Get("/health");
  ASSERT_TRUE(health);
  EXPECT_EQ(health->status, 200);
}

TEST(ServerLogsTest, AccessLogsAreJsonWithRequestAndTraceIds) {
  auto service = ServiceProcess::Start();
  auto client = service->Client();
  auto r = client->Get("/api/v1/jobs", httplib::Headers{{"X-Request-Id", "log-check-1"}});
  ASSERT_EQ(r->status, 200);
  service->Stop(SIGTERM);
  bool found = false;
  for (const auto& line : Lines(service->Logs())) {
    if (line.rfind("vcf-agent serve:", 0) == 0) continue;  // the one human line (warnings)
    const json entry = json::parse(line);  // every log line is JSON
    EXPECT_TRUE(entry.contains("ts") && entry.contains("level") && entry.contains("msg")) << line;
    if (entry.value("request_id", "") == "log-check-1") {
      found = true;
      EXPECT_EQ(entry["status"], 200);
      EXPECT_EQ(entry["route"], "/api/v1/jobs");
      EXPECT_TRUE(std::regex_match(entry["trace_id"].get<std::string>(), std::regex("[0-9a-f]{32}"))) << line;
      EXPECT_EQ(entry["key"], "admin");
    }
  }
  EXPECT_TRUE(found) << service->Logs();
  EXPECT_EQ(service->Logs().find(service->admin_key()), std::string::npos);
}

}  // namespace
}  // namespace vcfagent::testing
