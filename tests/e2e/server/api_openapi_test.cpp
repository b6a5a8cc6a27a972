// /openapi.json checked by real OpenAPI tooling (tools/openapi, installed by scripts/setup.sh
// with `npm ci`):
// - Redocly CLI's linter (its recommended-strict rules, tools/openapi/redocly.yaml) finds nothing;
// - the real answers of every operation the document lists (success and problem responses, from a
//   service with a small store ingested from examples/ and a scripted OpenAI provider for ask)
//   validate against the schema the document declares for that route, status and content type
//   (tools/openapi/check-responses.mjs: Ajv in strict mode), and every status an operation
//   declares was seen. The operations to exercise come from the document itself: a route added
//   without an exchange here fails the check.
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <set>
#include <thread>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "server/auth.h"
#include "support/provider_wire.h"
#include "support/raw_connection.h"
#include "support/scripted_http_server.h"
#include "support/service_process.h"
#include "support/test_support.h"

namespace vcfagent::testing {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr const char* kOpenApiTrio = "giab-ashk-trio-slice.vcf.gz";
constexpr const char* k1kg = "1kg-chr22-slice.vcf.gz";
const std::string kTools = VCFAGENT_OPENAPI_TOOLS;

std::string ToolsReadyOrWhy() {
  for (const char* file : {"node_modules/.bin/redocly", "node_modules/ajv/package.json"}) {
    if (!fs::exists(kTools + "/" + file)) {
      return kTools + "/" + file + " is missing: run scripts/setup.sh (npm ci in tools/openapi)";
    }
  }
  return "";
}

// Sends requests to the service and keeps each exchange as check-responses.mjs reads it.
class Recorder {
 public:
  explicit Recorder(std::string url) : url_(std::move(url)) {}

  struct Answer {
    int status = -1;
    std::string content_type, body;
    json Json() const { return json::parse(body, nullptr, false); }
  };

  // `route` is the document's path template the target belongs to. The per-key rate limit (429
  // rate-limited) is waited out and retried unless `keep_rate_limited`.
  Answer Send(const std::string& method, const std::string& route, const std::string& target, const std::string& key,
              const std::string& body = "", const std::string& content_type = "application/json",
              httplib::Headers headers = {}, bool keep_rate_limited = false) {
    if (!key.empty()) headers.emplace("Authorization", "Bearer " + key);
    Answer answer;
    for (int attempt = 0; attempt < 100; ++attempt) {
      httplib::Client client(url_);
      client.set_read_timeout(120, 0);
      httplib::Result r = method == "GET"      ? client.Get(target, headers)
                          : method == "DELETE" ? client.Delete(target, headers)
                                               : client.Post(target, headers, body, content_type);
      if (!r) {
        ADD_FAILURE() << method << " " << target << ": " << httplib::to_string(r.error());
        return answer;
      }
      answer = {r->status, r->get_header_value("Content-Type"), r->body};
      if (keep_rate_limited || r->status != 429 || r->body.find("/rate-limited") == std::string::npos) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    exchanges_.push_back({{"method", method},
                          {"route", route},
                          {"request", method + " " + target + " " +
                                          (content_type == "application/json" ? body.substr(0, 200)
                                                                              : std::to_string(body.size()) + " bytes")},
                          {"status", answer.status},
                          {"content_type", answer.content_type},
                          {"body", answer.body}});
    return answer;
  }
  Answer Get(const std::string& route, const std::string& target, const std::string& key) {
    return Send("GET", route, target, key);
  }
  Answer Post(const std::string& route, const json& body, const std::string& key, httplib::Headers headers = {}) {
    return Send("POST", route, route, key, body.dump(), "application/json", std::move(headers));
  }

  // Polls the job (each poll recorded) until it leaves queued/running.
  json WaitForJob(const std::string& id, const std::string& key) {
    for (int i = 0; i < 2400; ++i) {
      Answer r = Get("/api/v1/jobs/{id}", "/api/v1/jobs/" + id, key);
      json job = r.Json();
      if (r.status != 200 || !job.is_object()) {
        ADD_FAILURE() << "GET job " << id << ": " << r.status << " " << r.body;
        return job;
      }
      if (job["state"] != "queued" && job["state"] != "running") return job;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    ADD_FAILURE() << "job " << id << " did not finish";
    return json();
  }

  // A request as raw bytes (what no client library sends); the answer is read to the close.
  Answer SendRaw(int port, const std::string& method, const std::string& route, const std::string& bytes) {
    RawConnection connection(port);
    EXPECT_TRUE(connection.Send(bytes)) << bytes;
    const std::string response = connection.Read(10);
    Answer answer;
    answer.status = StatusOf(response);
    const size_t end = response.find("\r\n\r\n");
    const std::string head = response.substr(0, end);
    answer.body = end == std::string::npos ? "" : response.substr(end + 4);
    std::string lower = head;
    for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (size_t at = lower.find("\r\ncontent-type:"); at != std::string::npos) {
      at += 15;
      const size_t line_end = head.find("\r\n", at);
      answer.content_type = head.substr(at, line_end - at);
      answer.content_type.erase(0, answer.content_type.find_first_not_of(' '));
    }
    exchanges_.push_back({{"method", method},
                          {"route", route},
                          {"request", bytes.substr(0, 200)},
                          {"status", answer.status},
                          {"content_type", answer.content_type},
                          {"body", answer.body}});
    return answer;
  }

  const json& exchanges() const { return exchanges_; }

 private:
  std::string url_;
  json exchanges_ = json::array();
};

class ApiOpenApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (std::string why = ToolsReadyOrWhy(); !why.empty()) GTEST_FAIL() << why;
    fs::create_directories(dir_.File("data"));
    fs::create_directories(dir_.File("home"));
    for (const std::string name : {kOpenApiTrio, k1kg}) {
      fs::copy_file(ExamplePath(name), dir_.File("data/" + name));
      fs::copy_file(ExamplePath(name + ".tbi"), dir_.File("data/" + name + ".tbi"));
    }
    fs::copy_file(ExamplePath("giab-ashk-trio.ped"), dir_.File("data/trio.ped"));
    trio_path_ = fs::canonical(dir_.File("data/") + kOpenApiTrio).string();
    admin_ = server::KeyStore::GenerateKey();
    reader_ = server::KeyStore::GenerateKey();
    limited_ = server::KeyStore::GenerateKey();
    WriteFile(dir_.File("keys"), "admin admin " + server::KeyStore::HashKey(admin_) + "\nviewer read " +
                                     server::KeyStore::HashKey(reader_) + "\nlimited admin " +
                                     server::KeyStore::HashKey(limited_) + "\n");
  }

  std::unique_ptr<ServiceProcess> Start(const std::string& store_dir = "") {
    ServiceProcess::Options options;
    options.store_dir = store_dir;
    options.extra_args = {"--data-dir", dir_.File("data"), "--api-keys", dir_.File("keys")};
    options.env = {{"HOME", dir_.File("home")},
                   {"XDG_CONFIG_HOME", dir_.File("home")},
                   {"VCF_AGENT_CONFIG", ""},
                   {"ANTHROPIC_API_KEY", ""},
                   {"OLLAMA_HOST", ""},
                   {"OPENAI_API_KEY", kTestOpenAiKey},
                   {"OPENAI_BASE_URL", provider_.url() + "/v1"},
                   {"VCF_AGENT_PROVIDER", "openai"}};
    return ServiceProcess::Start(options);
  }

  std::string Save(const std::string& name, const json& value) {
    const std::string path = dir_.File(name);
    WriteFile(path, value.dump(1, ' ', false, json::error_handler_t::replace));
    return path;
  }

  TempDir dir_;
  ScriptedHttpServer provider_;
  std::string trio_path_, admin_, reader_, limited_;
};

TEST_F(ApiOpenApiTest, RedoclyLintFindsNothing) {
  auto service = Start();
  httplib::Client client(service->url());
  auto r = client.Get("/openapi.json");
  ASSERT_TRUE(r && r->status == 200);
  const std::string doc = Save("openapi.json", json::parse(r->body));
  auto lint = RunProgram(kTools + "/node_modules/.bin/redocly",
                         {"lint", "--config", kTools + "/redocly.yaml", "--format", "json", doc});
  EXPECT_EQ(lint.exit_code, 0) << lint.out << lint.err;
  // Nothing at all is reported: no error and no warning (recommended-strict makes every finding
  // an error; a rule turned off says why in redocly.yaml).
  const json report = json::parse(lint.out, nullptr, false);
  ASSERT_TRUE(report.is_object()) << lint.out << lint.err;
  EXPECT_EQ(report["totals"]["errors"], 0) << report.dump(1);
  EXPECT_EQ(report["totals"]["warnings"], 0) << report.dump(1);
  EXPECT_EQ(report["problems"], json::array()) << report.dump(1);
}

TEST_F(ApiOpenApiTest, EveryOperationAnswersAsTheDocumentDeclares) {
  // The agent: one answer with a tool run (JSON), one streamed with a tool run (SSE).
  provider_.Enqueue("POST", kOpenAiChatPath, OpenAiToolCallResponse({{"", "stats", {{"path", trio_path_}}, ""}}));
  provider_.Enqueue("POST", kOpenAiChatPath, OpenAiTextResponse("The file has 999 records."));
  provider_.Enqueue("POST", kOpenAiChatPath,
                    SseResponse(OpenAiToolCallStreamEvents({{"", "validate", {{"path", trio_path_}}, ""}})));
  provider_.Enqueue("POST", kOpenAiChatPath, SseResponse(OpenAiTextStreamEvents({"The file ", "is ", "valid."})));
  auto service = Start();
  Recorder rec(service->url());
  const std::string& key = admin_;

  const json doc = rec.Get("/openapi.json", "/openapi.json", "").Json();
  ASSERT_TRUE(doc.is_object() && doc["paths"].is_object());
  rec.Get("/health", "/health", "");
  rec.Get("/ready", "/ready", "");
  rec.Get("/metrics", "/metrics", "");

  // ---- the engine ----
  EXPECT_EQ(rec.Post("/api/v1/validate", {{"file", kOpenApiTrio}, {"max_findings", 3}}, key).status, 200);
  EXPECT_EQ(rec.Post("/api/v1/validate", {{"file", "trio.ped"}}, key).status, 200);  // a report: not VCF
  EXPECT_EQ(rec.Post("/api/v1/validate", json::object(), key).status, 400);
  EXPECT_EQ(rec.Post("/api/v1/validate", {{"file", "../../etc/passwd"}}, key).status, 403);
  EXPECT_EQ(rec.Post("/api/v1/stats", {{"file", kOpenApiTrio}, {"samples", "-"}}, key).status, 200);
  EXPECT_EQ(rec.Post("/api/v1/stats", {{"file", {{"path", k1kg}}}}, key).status, 200);
  EXPECT_EQ(rec.Post("/api/v1/stats", {{"file", "absent.vcf"}}, key).status, 404);
  // Every route that reads a file the client names refuses one outside the data directories.
  const json outside = {{"path", "../outside.vcf"}};
  EXPECT_EQ(rec.Post("/api/v1/stats", {{"file", outside}}, key).status, 403);
  EXPECT_EQ(rec.Post("/api/v1/view", {{"file", outside}}, key).status, 403);
  EXPECT_EQ(rec.Post("/api/v1/compare", {{"a", kOpenApiTrio}, {"b", outside}}, key).status, 403);
  EXPECT_EQ(rec.Post("/api/v1/analyze", {{"file", outside}}, key).status, 403);
  EXPECT_EQ(rec.Post("/api/v1/ingest", {{"files", {outside}}}, key).status, 403);
  EXPECT_EQ(rec.Post("/api/v1/ask", {{"question", "?"}, {"files", {outside}}}, key).status, 403);
  EXPECT_EQ(rec.Post("/api/v1/view", {{"file", kOpenApiTrio}, {"limit", 3}, {"genotypes", true}}, key).status, 200);
  EXPECT_EQ(rec.Post("/api/v1/view", {{"file", k1kg}, {"limit", 2}, {"regions", {"22"}}}, key).status, 200);
  EXPECT_EQ(rec.Post("/api/v1/view", {{"file", kOpenApiTrio}, {"limit", 2}, {"format", "vcf"}}, key).status, 200);
  EXPECT_EQ(rec.Post("/api/v1/view", {{"file", kOpenApiTrio}, {"format", "bcf"}}, key).status, 400);
  EXPECT_EQ(rec.Post("/api/v1/compare", {{"a", kOpenApiTrio}, {"b", kOpenApiTrio}, {"truth", "a"}}, key).status, 200);
  EXPECT_EQ(rec.Post("/api/v1/compare", {{"a", kOpenApiTrio}}, key).status, 400);
  EXPECT_EQ(rec.Send("POST", "/api/v1/compare", "/api/v1/compare", key, "{\"a\":", "application/json").status, 400);
  EXPECT_EQ(rec.Send("POST", "/api/v1/compare", "/api/v1/compare", key, "a=b", "text/plain").status, 415);

  // ---- analyze jobs and their reports ----
  std::string md_job, html_job;
  for (const auto& [format, id] : {std::pair<const char*, std::string*>{"md", &md_job}, {"html", &html_job}}) {
    auto accepted = rec.Post("/api/v1/analyze", {{"file", kOpenApiTrio}, {"ped", "trio.ped"}, {"format", format}}, key);
    ASSERT_EQ(accepted.status, 202) << accepted.body;
    *id = accepted.Json()["id"];
    EXPECT_EQ(rec.WaitForJob(*id, key)["state"], "succeeded");
    EXPECT_EQ(rec.Get("/api/v1/jobs/{id}/report", "/api/v1/jobs/" + *id + "/report", key).status, 200);
  }
  EXPECT_EQ(rec.Post("/api/v1/analyze", {{"file", kOpenApiTrio}, {"format", "pdf"}}, key).status, 400);
  EXPECT_EQ(rec.Get("/api/v1/jobs/{id}/report", "/api/v1/jobs/job-0123456789abcdef/report", key).status, 404);

  // ---- uploads ----
  const std::string vcf = ReadFile(ExamplePath(k1kg));
  auto upload = rec.Send("POST", "/api/v1/uploads", "/api/v1/uploads?filename=1kg.vcf.gz", key, vcf,
                         "application/octet-stream");
  ASSERT_EQ(upload.status, 201) << upload.body;
  EXPECT_EQ(rec.Send("POST", "/api/v1/uploads", "/api/v1/uploads?filename=x.vcf", key,
                     "--x\r\nContent-Disposition: form-data; name=\"f\"\r\n\r\nA\r\n--x--\r\n",
                     "multipart/form-data; boundary=x")
                .status,
            415);

  // ---- ingest (the store the other routes read), and cancelling ----
  auto ingest = rec.Post("/api/v1/ingest", {{"files", {kOpenApiTrio}}, {"ped", "trio.ped"}}, key);
  ASSERT_EQ(ingest.status, 202) << ingest.body;
  const json ingested = rec.WaitForJob(ingest.Json()["id"], key);
  ASSERT_EQ(ingested["state"], "succeeded") << ingested.dump();
  // Cancelling a running job (analyze: it leaves the store alone) answers 202; the job ends
  // cancelled, its error a problem. The job may finish before the DELETE arrives (then 200):
  // try again.
  int cancel_status = 0;
  for (int attempt = 0; attempt < 5 && cancel_status != 202; ++attempt) {
    auto started = rec.Post("/api/v1/analyze", {{"file", {{"upload", upload.Json()["upload"]}}}}, key);
    ASSERT_EQ(started.status, 202) << started.body;
    const std::string id = started.Json()["id"];
    cancel_status = rec.Send("DELETE", "/api/v1/jobs/{id}", "/api/v1/jobs/" + id, key).status;
    const json ended = rec.WaitForJob(id, key);
    if (cancel_status == 202) {
      EXPECT_EQ(ended["state"], "cancelled") << ended.dump();
    }
  }
  EXPECT_EQ(cancel_status, 202);
  EXPECT_EQ(rec.Send("DELETE", "/api/v1/jobs/{id}", "/api/v1/jobs/" + ingest.Json()["id"].get<std::string>(), key)
                .status,
            200);
  EXPECT_EQ(rec.Send("DELETE", "/api/v1/jobs/{id}", "/api/v1/jobs/job-0123456789abcdef", key).status, 404);
  EXPECT_EQ(rec.Get("/api/v1/jobs/{id}", "/api/v1/jobs/job-0123456789abcdef", key).status, 404);
  EXPECT_EQ(rec.Post("/api/v1/ingest", {{"files", json::array()}}, key).status, 400);
  EXPECT_EQ(rec.Post("/api/v1/ingest", {{"files", {"trio.ped"}}}, key).status, 422);
  EXPECT_EQ(rec.Get("/api/v1/jobs", "/api/v1/jobs?limit=10", key).status, 200);
  EXPECT_EQ(rec.Get("/api/v1/jobs", "/api/v1/jobs?kind=ingest&state=succeeded", key).status, 200);
  EXPECT_EQ(rec.Get("/api/v1/jobs", "/api/v1/jobs?limit=0", key).status, 400);

  // ---- the store ----
  auto page = rec.Get("/api/v1/variants", "/api/v1/variants?limit=5&sort=qual&desc=true", key);
  ASSERT_EQ(page.status, 200) << page.body;
  const json first = page.Json()["variants"][0];
  const std::string variant = first["variant"];
  EXPECT_EQ(rec.Get("/api/v1/variants", "/api/v1/variants?sample=HG002&zygosity=het&limit=3", key).status, 200);
  EXPECT_EQ(rec.Get("/api/v1/variants", "/api/v1/variants?zygosity=het", key).status, 400);
  EXPECT_EQ(rec.Get("/api/v1/variants/{id}", "/api/v1/variants/" + std::to_string(first["id"].get<int64_t>()), key)
                .status,
            200);
  EXPECT_EQ(rec.Get("/api/v1/variants/{id}", "/api/v1/variants/" + variant, key).status, 200);
  EXPECT_EQ(rec.Get("/api/v1/variants/{id}", "/api/v1/variants/chr9:1:A:C", key).status, 404);
  EXPECT_EQ(rec.Post("/api/v1/similar", {{"variant", variant}, {"k", 3}}, key).status, 200);
  EXPECT_EQ(rec.Post("/api/v1/similar", {{"variant", variant}, {"k", 3}, {"exact", true}, {"same_chrom", true}}, key)
                .status,
            200);
  EXPECT_EQ(rec.Post("/api/v1/similar", {{"variant", "chr9:1:A:C"}}, key).status, 400);
  EXPECT_EQ(rec.Post("/api/v1/similar", {{"k", 3}}, key).status, 400);
  // The gene with the most variants: burden lists its carriers (any impact, any frequency).
  auto genes = rec.Post("/api/v1/sql",
                        {{"query", "SELECT g.name AS gene FROM variants v JOIN genes g USING (gene_id) "
                                   "GROUP BY g.name ORDER BY count(*) DESC LIMIT 1"}},
                        key);
  ASSERT_EQ(genes.status, 200) << genes.body;
  ASSERT_EQ(genes.Json()["rows"].size(), 1u) << genes.body;
  const std::string gene = genes.Json()["rows"][0]["gene"];
  const std::vector<std::pair<std::string, std::string>> graph = {
      {"carriers", "variant=" + variant + "&include_missing=true"},
      {"sample-variants", "sample=HG002&limit=5"},
      {"shared", "sample1=HG002&sample2=HG003&limit=5"},
      {"burden", "gene=" + gene + "&min_impact=MODIFIER&max_af=1"},
      {"cooccur", "variant=" + variant + "&top=5"},
      {"relatedness", "min_sites=10&min_het_sites=10"},
      {"neighbors", "node=sample:HG002&max_nodes=20"},
  };
  for (const auto& [name, query] : graph) {
    const std::string route = "/api/v1/graph/" + name;
    auto r = rec.Get(route, route + "?" + query, key);
    EXPECT_EQ(r.status, 200) << route << ": " << r.body;
    EXPECT_EQ(rec.Get(route, route + "?unknown=1", key).status, 400) << route;
  }
  EXPECT_EQ(rec.Post("/api/v1/sql", {{"query", "SELECT pos, ref, pos / 2.0 AS half, NULL AS empty FROM variants LIMIT 3"}}, key)
                .status,
            200);
  EXPECT_EQ(rec.Post("/api/v1/sql", {{"query", "SELECT name FROM samples"}, {"max_rows", 1}}, key).status, 200);
  EXPECT_EQ(rec.Post("/api/v1/sql", {{"query", "DELETE FROM variants"}}, key).status, 422);
  EXPECT_EQ(rec.Get("/api/v1/store", "/api/v1/store", key).status, 200);

  // ---- the agent ----
  EXPECT_EQ(rec.Post("/api/v1/ask", {{"question", "How many records?"}, {"files", {kOpenApiTrio}}}, key).status, 200);
  EXPECT_EQ(rec.Post("/api/v1/ask", {{"question", "Is it valid?"}, {"files", {kOpenApiTrio}}}, key,
                     {{"Accept", "text/event-stream"}})
                .status,
            200);
  EXPECT_EQ(rec.Post("/api/v1/ask", {{"files", {kOpenApiTrio}}}, key).status, 400);
  // The provider fails (a wrong key, every retry): a 503 problem carrying the answer so far, and
  // in a stream an error event.
  for (int i = 0; i < 12; ++i) {
    provider_.Enqueue("POST", kOpenAiChatPath,
                      OpenAiErrorResponse(401, "invalid_request_error", "invalid_api_key", "Incorrect API key"));
  }
  EXPECT_EQ(rec.Post("/api/v1/ask", {{"question", "Hello?"}}, key).status, 503);
  auto failed_stream = rec.Post("/api/v1/ask", {{"question", "Hello?"}}, key, {{"Accept", "text/event-stream"}});
  EXPECT_EQ(failed_stream.status, 200);
  EXPECT_NE(failed_stream.body.find("event: error"), std::string::npos) << failed_stream.body;

  // ---- keys: none (401), too low a role (403), over the rate (429), for every operation listed ----
  int operations = 0;
  for (const auto& [route, item] : doc["paths"].items()) {
    for (const auto& [method, op] : item.items()) {
      ++operations;
      std::string target = route;
      for (size_t at; (at = target.find("{id}")) != std::string::npos;) target.replace(at, 4, "job-0123456789abcdef");
      std::string upper = method;
      for (auto& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      const std::string body = upper == "POST" ? "{}" : "";
      // Ambiguous framing is refused before routing, on every route.
      auto framing = rec.SendRaw(service->port(), upper, route,
                                 upper + " " + target + " HTTP/1.1\r\nHost: x\r\nContent-Length: +2\r\n\r\n{}");
      EXPECT_EQ(framing.status, 400) << route << ": " << framing.body;
      if (!op.contains("x-required-role")) continue;
      EXPECT_EQ(rec.Send(upper, route, target, "", body).status, 401) << route;
      if (op["x-required-role"] != "read") {
        EXPECT_EQ(rec.Send(upper, route, target, reader_, body).status, 403) << route;
      }
      int status = 0;
      for (int i = 0; i < 200 && status != 429; ++i) {
        status = rec.Send(upper, route, target, limited_, body, "application/json", {}, true).status;
      }
      EXPECT_EQ(status, 429) << route;
    }
  }
  EXPECT_GE(operations, 28);

  // ---- not ready: a store that no longer opens ----
  {
    TempDir broken;
    auto other = Start(broken.path());
    ASSERT_TRUE(fs::exists(broken.File("store.sqlite")));
    WriteFile(broken.File("store.sqlite"), std::string(8192, 'x'));
    std::this_thread::sleep_for(std::chrono::milliseconds(1100));  // past /ready's one-second cache
    Recorder other_rec(other->url());
    EXPECT_EQ(other_rec.Get("/ready", "/ready", "").status, 503);
    json all = rec.exchanges();
    for (const auto& x : other_rec.exchanges()) all.push_back(x);
    const std::string exchanges = Save("exchanges.json", {{"exchanges", all}, {"unexercised", json::object()}});
    const std::string doc_file = Save("openapi.json", doc);
    // To look at them (or check them against another document): VCFAGENT_OPENAPI_EXCHANGES=FILE.
    if (const char* keep = std::getenv("VCFAGENT_OPENAPI_EXCHANGES")) {
      fs::copy_file(exchanges, keep, fs::copy_options::overwrite_existing);
    }
    auto check = RunProgram("node", {kTools + "/check-responses.mjs", doc_file, exchanges});
    EXPECT_EQ(check.exit_code, 0) << check.out << check.err;
    const size_t summary = check.out.rfind("check-responses:");
    std::cout << check.out.substr(summary == std::string::npos ? 0 : summary);
  }
}

}  // namespace
}  // namespace vcfagent::testing
