// A real Prometheus server (Debian's /usr/bin/prometheus) scrapes a running `vcf-agent serve`:
// the target is up and the service's HTTP metrics arrive in Prometheus' database, i.e. the
// exposition parses for Prometheus itself, not only for our own reader.
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>
#include <httplib.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <thread>

#include "support/service_process.h"
#include "support/test_support.h"

namespace vcfagent::testing {
namespace {

using nlohmann::json;

// A loopback port that was free a moment ago (Prometheus needs a fixed listen address).
int FreeLoopbackPort() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = 0;
  socklen_t length = sizeof address;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    ::close(fd);
    return -1;
  }
  ::close(fd);
  return ntohs(address.sin_port);
}

// The prometheus server as a child process, stopped (SIGTERM, then SIGKILL) on destruction.
class PrometheusProcess {
 public:
  PrometheusProcess(const std::string& config, const std::string& data_dir, int port, const std::string& log) {
    std::vector<std::string> args = {"/usr/bin/prometheus", "--config.file=" + config,
                                     "--storage.tsdb.path=" + data_dir,
                                     "--web.listen-address=127.0.0.1:" + std::to_string(port),
                                     "--log.level=warn"};
    pid_ = ::fork();
    if (pid_ == 0) {
      int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      ::dup2(fd, 1);
      ::dup2(fd, 2);
      std::vector<char*> argv;
      for (auto& arg : args) argv.push_back(arg.data());
      argv.push_back(nullptr);
      ::execv(argv[0], argv.data());
      ::_exit(127);
    }
  }
  ~PrometheusProcess() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGTERM);
    for (int i = 0; i < 100; ++i) {
      if (::waitpid(pid_, nullptr, WNOHANG) == pid_) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
  }
  bool alive() const { return pid_ > 0 && ::kill(pid_, 0) == 0 && ::waitpid(pid_, nullptr, WNOHANG) == 0; }

 private:
  pid_t pid_ = -1;
};

// The result vector of an instant query, or an empty array while Prometheus is not answering.
json Query(httplib::Client& client, const std::string& promql) {
  auto response = client.Get("/api/v1/query?query=" + httplib::detail::encode_query_param(promql));
  if (!response || response->status != 200) return json::array();
  json body = json::parse(response->body, nullptr, false);
  if (body.is_discarded() || body["status"] != "success") return json::array();
  return body["data"]["result"];
}

TEST(PrometheusScrapeTest, RealPrometheusScrapesTheService) {
  auto service = ServiceProcess::Start();
  TempDir dir;
  int port = FreeLoopbackPort();
  ASSERT_GT(port, 0);
  std::string target = service->url().substr(service->url().find("://") + 3);
  WriteFile(dir.File("prometheus.yml"),
            "global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\n"
            "scrape_configs:\n  - job_name: vcf-agent\n    static_configs:\n      - targets: [\"" +
                target + "\"]\n");
  PrometheusProcess prometheus(dir.File("prometheus.yml"), dir.File("data"), port, dir.File("prometheus.log"));

  // Traffic to count, so the request counter has a series whatever the service counts for /metrics.
  auto client = service->Client();
  ASSERT_TRUE(client->Get("/health"));

  httplib::Client api("127.0.0.1", port);
  api.set_connection_timeout(1, 0);
  api.set_read_timeout(5, 0);
  json up, requests;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (std::chrono::steady_clock::now() < deadline) {
    ASSERT_TRUE(prometheus.alive()) << ReadFile(dir.File("prometheus.log"));
    up = Query(api, "up{job=\"vcf-agent\"}");
    requests = Query(api, "vcfagent_http_requests_total{job=\"vcf-agent\"}");
    if (up.size() == 1 && up[0]["value"][1] == "1" && !requests.empty()) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
  }
  ASSERT_EQ(up.size(), 1u) << up.dump() << ReadFile(dir.File("prometheus.log"));
  EXPECT_EQ(up[0]["value"][1], "1") << up.dump();
  ASSERT_FALSE(requests.empty()) << "no vcfagent_http_requests_total series";
  EXPECT_EQ(requests[0]["metric"]["instance"], target);

  // The scrape found no samples Prometheus had to drop or reject.
  json health = json::parse(api.Get("/api/v1/targets")->body);
  bool found = false;
  for (const json& t : health["data"]["activeTargets"]) {
    if (t["labels"]["job"] != "vcf-agent") continue;
    found = true;
    EXPECT_EQ(t["health"], "up");
    EXPECT_EQ(t["lastError"], "") << t.dump();
  }
  EXPECT_TRUE(found) << health.dump();
  // Histograms arrive with their buckets, and process metrics from /proc.
  EXPECT_FALSE(Query(api, "vcfagent_http_request_duration_seconds_bucket{job=\"vcf-agent\"}").empty());
  EXPECT_FALSE(Query(api, "process_resident_memory_bytes{job=\"vcf-agent\"} > 0").empty());
}

}  // namespace
}  // namespace vcfagent::testing
