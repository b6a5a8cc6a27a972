#include "support/service_process.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <regex>
#include <stdexcept>
#include <thread>

namespace vcfagent::testing {

using vcfagent::testing::BinaryPath;
using vcfagent::testing::ReadFile;

std::unique_ptr<ServiceProcess> ServiceProcess::Start(Options options) {
  // The test's clients write to sockets the service may close (refused bodies, dropped
  // connections): that must fail the write, not kill the test process.
  signal(SIGPIPE, SIG_IGN);
  std::unique_ptr<ServiceProcess> p(new ServiceProcess());
  p->temp_ = std::make_unique<TempDir>();
  p->store_dir_ = options.store_dir.empty() ? p->temp_->File("store") : options.store_dir;
  p->stdout_path_ = p->temp_->File("stdout");
  p->stderr_path_ = p->temp_->File("stderr");
  std::vector<std::string> args = {"serve", "--host", "127.0.0.1", "--port", "0", "--db", p->store_dir_};
  args.insert(args.end(), options.extra_args.begin(), options.extra_args.end());

  const pid_t pid = fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    const int out = open(p->stdout_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    const int err = open(p->stderr_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    const int null = open("/dev/null", O_RDONLY);
    dup2(null, 0);
    dup2(out, 1);
    dup2(err, 2);
    for (const auto& [name, value] : options.env) {
      if (value.empty()) unsetenv(name.c_str()); else setenv(name.c_str(), value.c_str(), 1);
    }
    const std::string binary = BinaryPath();
    std::vector<char*> argv;
    argv.push_back(const_cast<char*>(binary.c_str()));
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    execv(binary.c_str(), argv.data());
    _exit(127);
  }
  p->pid_ = pid;

  static const std::regex listening(R"(listening on (https?)://([^:\s]+):(\d+))");
  static const std::regex key_line(R"(\n  (vca_[A-Za-z0-9_-]+)\n)");
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(options.startup_timeout_seconds);
  while (true) {
    const std::string out = p->Stdout();
    std::smatch m;
    if (std::regex_search(out, m, listening)) {
      p->url_ = m[1].str() + "://" + m[2].str() + ":" + m[3].str();
      p->port_ = std::stoi(m[3].str());
      std::smatch k;
      if (std::regex_search(out, k, key_line)) p->admin_key_ = k[1].str();
      return p;
    }
    int status = 0;
    if (waitpid(pid, &status, WNOHANG) == pid) {
      p->pid_ = -1;
      throw std::runtime_error("vcf-agent serve exited before listening:\n" + p->Logs() + out);
    }
    if (std::chrono::steady_clock::now() > deadline) {
      throw std::runtime_error("vcf-agent serve did not listen in time:\n" + p->Logs());
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

ServiceProcess::~ServiceProcess() {
  if (pid_ > 0) Stop(SIGTERM);
}

std::string ServiceProcess::Logs() const { return ReadFile(stderr_path_); }
std::string ServiceProcess::Stdout() const { return ReadFile(stdout_path_); }

std::unique_ptr<httplib::Client> ServiceProcess::Client(const std::string& key) const {
  auto client = std::make_unique<httplib::Client>(url_);
  client->set_connection_timeout(5);
  client->set_read_timeout(120);
  const std::string k = key.empty() ? admin_key_ : key;
  if (!k.empty()) client->set_default_headers({{"Authorization", "Bearer " + k}});
  return client;
}

int ServiceProcess::Stop(int signal) {
  if (pid_ <= 0) return exit_code_;
  kill(pid_, signal);
  int status = 0;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (waitpid(pid_, &status, WNOHANG) == 0) {
    if (std::chrono::steady_clock::now() > deadline) {
      kill(pid_, SIGKILL);
      waitpid(pid_, &status, 0);
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  pid_ = -1;
  exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return exit_code_;
}

httplib::Headers AuthHeaders(const std::string& key) { return {{"Authorization", "Bearer " + key}}; }

}  // namespace vcfagent::testing
