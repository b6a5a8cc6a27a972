// A running `vcf-agent serve` meets hostile or broken clients: malformed JSON, wrong content
// types, huge headers and bodies, path traversal in file references, SQL that writes, clients that
// stall half-way or drop the connection mid-request and mid-stream. Each gets a clean error (or a
// clean close) and the service keeps answering: after every test /health is 200 and the process
// is alive. The kill test SIGKILLs the service during an ingest and checks that a restart on the
// same store keeps every committed batch and that a new ingest completes to exactly what an
// uninterrupted ingest builds.
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <thread>

#include "support/provider_wire.h"
#include "support/raw_connection.h"
#include "support/scripted_http_server.h"
#include "support/service_process.h"
#include "support/test_support.h"

namespace vcfagent::testing {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using ::testing::AnyOf;
using ::testing::HasSubstr;
using ::testing::Not;
using Clock = std::chrono::steady_clock;

class ServiceFaultsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir();
    provider_ = new ScriptedHttpServer();
    fs::create_directories(dir_->File("data"));
    fs::create_directories(dir_->File("home"));
    fs::copy_file(ExamplePath("giab-ashk-trio-slice.vcf.gz"), dir_->File("data/trio.vcf.gz"));
    // A file outside the data directory, and a symlink inside pointing to it.
    WriteFile(dir_->File("outside.vcf"), "##fileformat=VCFv4.2\n##SECRET-MARKER\n#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n");
    fs::create_symlink(dir_->File("outside.vcf"), dir_->File("data/link.vcf"));
    // Many requests in a row from one key: no rate limit here (the server core's tests cover it).
    WriteFile(dir_->File("config.yml"), "server:\n  rate_limit_per_second: 0\n");
    ServiceProcess::Options options;
    options.extra_args = {"--data-dir", dir_->File("data"), "--config", dir_->File("config.yml")};
    options.env = {{"HOME", dir_->File("home")},       {"XDG_CONFIG_HOME", dir_->File("home")},
                   {"VCF_AGENT_CONFIG", ""},            {"ANTHROPIC_API_KEY", ""},
                   {"OLLAMA_HOST", ""},                 {"OPENAI_API_KEY", kTestOpenAiKey},
                   {"OPENAI_BASE_URL", provider_->url() + "/v1"}, {"VCF_AGENT_PROVIDER", "openai"}};
    service_ = ServiceProcess::Start(options).release();
  }
  static void TearDownTestSuite() {
    delete service_;
    delete provider_;
    delete dir_;
  }

  // Every test ends with a live, answering service.
  void TearDown() override {
    ASSERT_EQ(::kill(service_->pid(), 0), 0) << "the service died\n" << service_->Logs();
    auto health = service_->Client()->Get("/health");
    ASSERT_TRUE(health) << "no answer to /health\n" << service_->Logs();
    EXPECT_EQ(health->status, 200);
  }

  static httplib::Result Post(const std::string& path, const std::string& body,
                              const std::string& content_type = "application/json") {
    return service_->Client()->Post(path, body, content_type);
  }
  static void ExpectProblem(const httplib::Result& r, int status, const std::string& what) {
    ASSERT_TRUE(r) << what << ": no answer";
    EXPECT_EQ(r->status, status) << what << ": " << r->body;
    EXPECT_EQ(r->get_header_value("Content-Type"), "application/problem+json") << what;
    json problem = json::parse(r->body, nullptr, false);
    ASSERT_FALSE(problem.is_discarded()) << what << ": " << r->body;
    EXPECT_EQ(problem.value("status", 0), r->status) << what;
    EXPECT_THAT(problem.value("type", ""), HasSubstr("/problems/")) << what;
  }
  static json Sql(const std::string& query) {
    auto r = Post("/api/v1/sql", json{{"query", query}}.dump());
    EXPECT_TRUE(r && r->status == 200) << query << ": " << (r ? r->body : "no answer");
    return r ? json::parse(r->body, nullptr, false) : json();
  }

  static TempDir* dir_;
  static ScriptedHttpServer* provider_;
  static ServiceProcess* service_;
};

TempDir* ServiceFaultsTest::dir_ = nullptr;
ScriptedHttpServer* ServiceFaultsTest::provider_ = nullptr;
ServiceProcess* ServiceFaultsTest::service_ = nullptr;

TEST_F(ServiceFaultsTest, MalformedJsonIsABadRequest) {
  const std::vector<std::string> bodies = {"{", "{\"query\": }", "{\"query\": \"SELECT 1\"", "\xff\xfe{}", "",
                                           std::string(10000, '[')};
  for (const std::string& body : bodies) {
    ExpectProblem(Post("/api/v1/sql", body), 400, "body '" + body.substr(0, 20) + "'");
  }
  // Valid JSON of the wrong shape.
  for (const std::string body : {"[]", "null", "\"SELECT 1\"", "{\"query\": 42}", "{\"sql\": \"SELECT 1\"}"}) {
    auto r = Post("/api/v1/sql", body);
    ASSERT_TRUE(r);
    EXPECT_THAT(r->status, AnyOf(400, 422)) << body << ": " << r->body;
    EXPECT_EQ(r->get_header_value("Content-Type"), "application/problem+json");
  }
}

TEST_F(ServiceFaultsTest, WrongContentTypeIsRefused) {
  const std::string body = json{{"query", "SELECT 1"}}.dump();
  for (const char* type : {"text/plain", "application/x-www-form-urlencoded", "application/xml"}) {
    ExpectProblem(Post("/api/v1/sql", body, type), 415, type);
  }
  // A multipart type makes the HTTP layer parse the body as parts first: a JSON body is malformed there.
  auto multipart = Post("/api/v1/sql", body, "multipart/form-data; boundary=x");
  ASSERT_TRUE(multipart);
  EXPECT_THAT(multipart->status, AnyOf(400, 415)) << multipart->body;
  EXPECT_EQ(multipart->get_header_value("Content-Type"), "application/problem+json");
  // No Content-Type at all.
  RawConnection c(service_->port());
  ASSERT_TRUE(c.Send(RawRequest("POST", "/api/v1/sql", service_->admin_key(), "", body, "Connection: close\r\n")));
  EXPECT_THAT(StatusOf(c.Read(10, "\r\n\r\n")), AnyOf(400, 415));
}

TEST_F(ServiceFaultsTest, HugeHeadersGetACleanAnswer) {
  // One 100 kB header, many headers, and a 100 kB URL: refused or served, never a crash or a hang.
  const std::string big(100 * 1024, 'a');
  std::string many;
  for (int i = 0; i < 2000; ++i) many += "X-Filler-" + std::to_string(i) + ": " + std::string(50, 'b') + "\r\n";
  struct Case {
    std::string name, request;
  };
  const std::vector<Case> cases = {
      {"100 kB header", RawRequest("GET", "/health", "", "", "", "X-Big: " + big + "\r\nConnection: close\r\n")},
      {"100 kB bearer token", RawRequest("GET", "/api/v1/store", "", "", "", "Authorization: Bearer " + big + "\r\nConnection: close\r\n")},
      {"2000 headers", RawRequest("GET", "/health", "", "", "", many + "Connection: close\r\n")},
      {"100 kB path", RawRequest("GET", "/api/v1/variants?region=" + big, service_->admin_key(), "", "", "Connection: close\r\n")},
  };
  for (const Case& c : cases) {
    RawConnection connection(service_->port());
    ASSERT_TRUE(connection.connected());
    connection.Send(c.request);  // the server may close before reading everything
    const std::string response = connection.Read(15, "\r\n\r\n");
    const int status = StatusOf(response);
    // Either a clean HTTP refusal or answer, or a closed connection: never a 5xx.
    if (status != -1) {
      EXPECT_THAT(status, AnyOf(200, 400, 401, 404, 413, 414, 431)) << c.name << ": " << response.substr(0, 300);
    } else {
      EXPECT_TRUE(response.empty()) << c.name << ": " << response.substr(0, 300);
    }
    // The key never echoes back (the bearer token above is not a key, but nothing is echoed).
    EXPECT_EQ(response.find(big.substr(0, 1000)), std::string::npos) << c.name;
  }
}

TEST_F(ServiceFaultsTest, PathTraversalIsRefused) {
  const std::string outside = dir_->File("outside.vcf");
  const std::vector<json> refs = {
      "../outside.vcf",
      {{"path", "../outside.vcf"}},
      {{"path", "trio.vcf.gz/../../outside.vcf"}},
      {{"path", outside}},
      {{"path", dir_->File("data") + "/../outside.vcf"}},
      {{"path", "link.vcf"}},  // a symlink inside pointing out
      {{"path", "/etc/passwd"}},
      {{"path", "/proc/self/environ"}},
  };
  for (const json& ref : refs) {
    for (const char* route : {"/api/v1/validate", "/api/v1/stats"}) {
      auto r = Post(route, json{{"file", ref}}.dump());
      ExpectProblem(r, 403, std::string(route) + " " + ref.dump());
      if (r) {
        EXPECT_THAT(r->body, HasSubstr("path-outside-data-dirs")) << ref.dump();
        EXPECT_THAT(r->body, Not(HasSubstr("SECRET-MARKER")));
        EXPECT_THAT(r->body, Not(HasSubstr("root:")));
      }
    }
    auto ingest = Post("/api/v1/ingest", json{{"files", {ref}}}.dump());
    ExpectProblem(ingest, 403, "ingest " + ref.dump());
  }
  // Upload ids are ids, not paths.
  for (const char* id : {"../../outside.vcf", "upl-0000000000000000/../../outside.vcf", "/etc/passwd"}) {
    auto r = Post("/api/v1/validate", json{{"file", {{"upload", id}}}}.dump());
    ASSERT_TRUE(r);
    EXPECT_THAT(r->status, AnyOf(400, 403, 404)) << id << ": " << r->body;
    EXPECT_THAT(r->body, Not(HasSubstr("SECRET-MARKER")));
  }
  // Nothing was started, and a file inside is still fine.
  auto jobs = service_->Client()->Get("/api/v1/jobs");
  ASSERT_TRUE(jobs);
  EXPECT_THAT(jobs->body, Not(HasSubstr("outside"))) << jobs->body;
  auto ok = Post("/api/v1/validate", json{{"file", "trio.vcf.gz"}}.dump());
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->status, 200) << ok->body;
}

TEST_F(ServiceFaultsTest, HugeBodiesAre413) {
  // 2 MiB of JSON over the 1 MiB default of server.max_body_bytes. The server answers from the
  // headers and may close before the client has sent everything, so this client ignores send errors.
  const std::string body = json{{"query", "SELECT '" + std::string(2 << 20, 'x') + "'"}}.dump();
  {
    RawConnection c(service_->port());
    c.Send(RawRequest("POST", "/api/v1/sql", service_->admin_key(), "application/json", body));
    const std::string response = c.Read(10, "}");
    EXPECT_EQ(StatusOf(response), 413) << response.substr(0, 300);
    EXPECT_THAT(response, HasSubstr("application/problem+json"));
    EXPECT_THAT(response, HasSubstr("payload-too-large"));
  }
  // A Content-Length of 10 GB is refused from the headers alone: the answer comes without the body.
  RawConnection c(service_->port());
  ASSERT_TRUE(c.Send("POST /api/v1/sql HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + service_->admin_key() +
                     "\r\nContent-Type: application/json\r\nContent-Length: 10000000000\r\n\r\n{\"query\":"));
  const auto start = Clock::now();
  const std::string response = c.Read(10, "\r\n\r\n");
  EXPECT_EQ(StatusOf(response), 413) << response.substr(0, 300);
  EXPECT_LT(SecondsSince(start), 5);
}

TEST_F(ServiceFaultsTest, SqlThatWritesIsRefusedAndChangesNothing) {
  json before = Sql("SELECT count(*) AS n, group_concat(name) AS names FROM sqlite_master");
  for (const char* statement :
       {"CREATE TABLE pwned (a)", "DROP TABLE files", "DELETE FROM files", "INSERT INTO files DEFAULT VALUES",
        "UPDATE files SET status = 'x'", "PRAGMA journal_mode = DELETE", "ATTACH DATABASE '/tmp/x.db' AS x",
        "SELECT 1; DROP TABLE files", "VACUUM", "PRAGMA writable_schema = ON",
        "WITH t AS (SELECT 1) DELETE FROM files"}) {
    auto r = Post("/api/v1/sql", json{{"query", statement}}.dump());
    ASSERT_TRUE(r) << statement;
    EXPECT_THAT(r->status, AnyOf(400, 403, 422)) << statement << ": " << r->body;
    EXPECT_EQ(r->get_header_value("Content-Type"), "application/problem+json") << statement;
  }
  EXPECT_EQ(Sql("SELECT count(*) AS n, group_concat(name) AS names FROM sqlite_master").dump(), before.dump());
  EXPECT_FALSE(fs::exists("/tmp/x.db") && fs::file_size("/tmp/x.db") == 0);
}

TEST_F(ServiceFaultsTest, SlowClientsTimeOutWithoutBlockingOthers) {
  // Stalled clients: headers cut off half-way, and a body that never comes.
  std::vector<std::unique_ptr<RawConnection>> stalled;
  for (int i = 0; i < 6; ++i) {
    stalled.push_back(std::make_unique<RawConnection>(service_->port()));
    ASSERT_TRUE(stalled.back()->Send("GET /api/v1/store HTTP/1.1\r\nHost: x\r\nAuthoriz"));
  }
  for (int i = 0; i < 4; ++i) {
    stalled.push_back(std::make_unique<RawConnection>(service_->port()));
    ASSERT_TRUE(stalled.back()->Send("POST /api/v1/sql HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " +
                                     service_->admin_key() +
                                     "\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"qu"));
  }
  const auto stall_start = Clock::now();
  // Meanwhile everyone else is served promptly.
  auto client = service_->Client();
  for (int i = 0; i < 30; ++i) {
    const auto start = Clock::now();
    auto health = client->Get("/health");
    ASSERT_TRUE(health);
    EXPECT_EQ(health->status, 200);
    EXPECT_LT(SecondsSince(start), 2.0) << "a /health waited behind stalled clients";
    auto store = client->Get("/api/v1/store");
    ASSERT_TRUE(store);
    EXPECT_EQ(store->status, 200) << store->body;
  }
  // The server gives up on each stalled client (its read timeout), instead of holding a worker forever.
  for (auto& connection : stalled) {
    const double left = 25 - SecondsSince(stall_start);
    const bool closed = connection->WaitClosed(std::max(left, 0.1));
    EXPECT_TRUE(closed) << "a stalled connection was still open after 25 s";
  }
}

TEST_F(ServiceFaultsTest, DroppedConnectionsMidRequest) {
  const std::string key = service_->admin_key();
  for (int i = 0; i < 10; ++i) {
    // Half a body, then gone (FIN or RST).
    RawConnection half(service_->port());
    ASSERT_TRUE(half.Send("POST /api/v1/sql HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + key +
                          "\r\nContent-Type: application/json\r\nContent-Length: 200\r\n\r\n{\"query\": \"SEL"));
    if (i % 2) half.Reset(); else half.Close();
    // A complete request, gone before its answer is read.
    RawConnection eager(service_->port());
    ASSERT_TRUE(eager.Send(RawRequest("POST", "/api/v1/validate", key, "application/json",
                                   json{{"file", "trio.vcf.gz"}}.dump())));
    if (i % 2) eager.Reset(); else eager.Close();
    // Headers only, cut mid-line.
    RawConnection cut(service_->port());
    ASSERT_TRUE(cut.Send("GET /api/v1/variants?region=chr1 HTTP/1.1\r\nHo"));
    cut.Reset();
  }
  // Nothing stays counted as in flight once the dropped requests are over.
  const auto deadline = Clock::now() + std::chrono::seconds(20);
  std::string metrics;
  double in_flight = -1;
  while (Clock::now() < deadline) {
    auto r = service_->Client()->Get("/metrics");
    ASSERT_TRUE(r);
    metrics = r->body;
    size_t at = metrics.find("\nvcfagent_http_requests_in_flight ");
    in_flight = at == std::string::npos ? 0 : std::atof(metrics.c_str() + metrics.find(' ', at + 1) + 1);
    if (in_flight <= 1) break;  // the scrape itself may count
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  EXPECT_LE(in_flight, 1) << metrics;
}

TEST_F(ServiceFaultsTest, DroppedConnectionMidServerSentEvents) {
  // A slow stream from the provider: the client leaves after the first text event.
  std::vector<std::string> pieces;
  for (int i = 0; i < 20; ++i) pieces.push_back("word" + std::to_string(i) + " ");
  provider_->Enqueue("POST", kOpenAiChatPath, SseResponse(OpenAiTextStreamEvents(pieces), 0.1));
  {
    RawConnection sse(service_->port());
    ASSERT_TRUE(sse.Send(RawRequest("POST", "/api/v1/ask", service_->admin_key(), "application/json",
                                 json{{"question", "Say twenty words."}}.dump(), "Accept: text/event-stream\r\n")));
    const std::string first = sse.Read(20, "event: text");
    EXPECT_EQ(StatusOf(first), 200) << first.substr(0, 500);
    EXPECT_THAT(first, HasSubstr("event: text"));
    sse.Reset();
  }
  // The next question is answered normally.
  provider_->Enqueue("POST", kOpenAiChatPath, OpenAiTextResponse("Still here."));
  auto client = service_->Client();
  client->set_read_timeout(30, 0);
  // The abandoned stream may still be draining the provider's answer: the scripted queue serves in
  // order, so wait until the first response was consumed before asking again.
  const auto deadline = Clock::now() + std::chrono::seconds(20);
  while (provider_->request_count() < 1 && Clock::now() < deadline) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  auto r = client->Post("/api/v1/ask", json{{"question", "Are you there?"}}.dump(), "application/json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200) << r->body;
  EXPECT_THAT(r->body, HasSubstr("Still here."));
}

// ---- kill -9 during an ingest ----

// Records of committed batches, as a reader of the store sees them (client: with the admin key).
int64_t CommittedRecords(httplib::Client& client) {
  auto r = client.Post("/api/v1/sql", json{{"query", "SELECT coalesce(sum(records_done), 0) AS n FROM files"}}.dump(),
                       "application/json");
  if (!r || r->status != 200) return -1;
  json body = json::parse(r->body, nullptr, false);
  if (body.is_discarded() || !body.contains("rows") || body["rows"].empty()) return -1;
  const json& first = body["rows"][0];
  return first.is_array() ? first[0].get<int64_t>() : first["n"].get<int64_t>();
}

TEST(ServiceKillTest, KillDuringIngestLosesNothingCommittedAndResumes) {
  TempDir dir;
  fs::create_directories(dir.File("data"));
  const std::string corpus_file =
      CorpusPath("vcflib/samples/1kGP_high_coverage_Illumina.chr1.filtered.SNV_INDEL_SV_phased_panel-head-1000.vcf.gz");
  fs::copy_file(corpus_file, dir.File("data/big.vcf.gz"));
  auto reference = RunVcfAgent({"ingest", dir.File("data/big.vcf.gz"), "--db", dir.File("reference"),
                                "--no-index", "--batch", "10"});
  ASSERT_EQ(reference.exit_code, 0) << reference.err;

  ServiceProcess::Options options;
  options.store_dir = dir.File("store");
  options.extra_args = {"--data-dir", dir.File("data")};
  auto service = ServiceProcess::Start(options);
  const std::string key = service->admin_key();
  ASSERT_FALSE(key.empty());
  auto client = service->Client();
  client->set_read_timeout(30, 0);
  auto accepted = client->Post("/api/v1/ingest",
                               json{{"files", {{{"path", "big.vcf.gz"}}}}, {"batch_records", 10}, {"index", false}}.dump(),
                               "application/json");
  ASSERT_TRUE(accepted);
  ASSERT_EQ(accepted->status, 202) << accepted->body;
  const json job = json::parse(accepted->body);
  const std::string id = job.contains("id") ? job["id"].get<std::string>() : job["job"]["id"].get<std::string>();

  // Wait until a reader sees committed records while the job still runs: those are acknowledged.
  int64_t committed = 0;
  std::string state;
  const auto deadline = Clock::now() + std::chrono::seconds(120);
  while (Clock::now() < deadline) {
    committed = CommittedRecords(*client);
    auto r = client->Get("/api/v1/jobs/" + id);
    ASSERT_TRUE(r && r->status == 200);
    state = json::parse(r->body)["state"];
    if (committed > 0 || (state != "queued" && state != "running")) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  ASSERT_EQ(state, "running") << "the ingest ended before it could be killed mid-way";
  ASSERT_GT(committed, 0);

  EXPECT_EQ(service->Stop(SIGKILL), 128 + SIGKILL);
  service.reset();

  // Restarted on the same store: it serves, and every committed record is still there.
  auto restarted = ServiceProcess::Start(options);
  auto client2 = restarted->Client(key);
  auto health = client2->Get("/health");
  ASSERT_TRUE(health);
  EXPECT_EQ(health->status, 200);
  EXPECT_GE(CommittedRecords(*client2), committed);
  // SQLite's own check of the database file (read-only, beside the running service).
  if (fs::exists("/usr/bin/sqlite3")) {
    auto check = RunProgram("/usr/bin/sqlite3", {"-readonly", dir.File("store/store.sqlite"), "PRAGMA integrity_check"});
    EXPECT_EQ(check.out, "ok\n") << check.err;
  }
  EXPECT_GT(std::stoll(Lines(StoreSql(dir.File("store"), "SELECT count(*) AS n FROM variant_view")).back()), 0);

  // A new job of the same file completes the store to exactly what one clean ingest builds.
  auto again = client2->Post("/api/v1/ingest", json{{"files", {{{"path", "big.vcf.gz"}}}}, {"index", false}}.dump(), "application/json");
  ASSERT_TRUE(again);
  ASSERT_EQ(again->status, 202) << again->body;
  const json job2 = json::parse(again->body);
  const std::string id2 = job2.contains("id") ? job2["id"].get<std::string>() : job2["job"]["id"].get<std::string>();
  json finished;
  const auto deadline2 = Clock::now() + std::chrono::seconds(300);
  while (Clock::now() < deadline2) {
    auto r = client2->Get("/api/v1/jobs/" + id2);
    ASSERT_TRUE(r && r->status == 200);
    finished = json::parse(r->body);
    if (finished["state"] != "queued" && finished["state"] != "running") break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ASSERT_EQ(finished["state"], "succeeded") << finished.dump();
  restarted.reset();
  EXPECT_EQ(IngestedContents(dir.File("store")), IngestedContents(dir.File("reference")));
}

}  // namespace
}  // namespace vcfagent::testing
