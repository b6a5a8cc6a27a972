// A running `vcf-agent serve` for end-to-end tests: a child process on a free loopback port with
// its own store (a temp dir unless given), stdout parsed for the listening URL and the admin key
// printed at first start, stderr (the JSON logs) kept in a file. The destructor stops it with
// SIGTERM (SIGKILL after 10 s).
#pragma once

#include <sys/types.h>

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <httplib.h>

#include "support/test_support.h"

namespace vcfagent::testing {

using vcfagent::testing::TempDir;

class ServiceProcess {
 public:
  struct Options {
    std::string store_dir;                 // empty: a fresh temp store
    std::vector<std::string> extra_args;   // e.g. {"--data-dir", dir} or {"--no-auth"}
    std::vector<std::pair<std::string, std::string>> env;  // empty value = unset
    int startup_timeout_seconds = 60;
  };
  // Starts the service and waits for it to listen; throws std::runtime_error with its stderr when
  // it exits or does not listen in time.
  static std::unique_ptr<ServiceProcess> Start(Options options);
  static std::unique_ptr<ServiceProcess> Start() { return Start(Options{}); }
  static std::unique_ptr<ServiceProcess> StartWith(std::vector<std::string> extra_args, std::string store_dir = "") {
    Options options;
    options.extra_args = std::move(extra_args);
    options.store_dir = std::move(store_dir);
    return Start(std::move(options));
  }
  ~ServiceProcess();

  const std::string& url() const { return url_; }
  int port() const { return port_; }
  const std::string& store_dir() const { return store_dir_; }
  const std::string& admin_key() const { return admin_key_; }  // "" if not created this start
  pid_t pid() const { return pid_; }
  std::string Logs() const;  // stderr so far
  std::string Stdout() const;

  // A client for url() (HTTP), with Authorization: Bearer admin_key() unless `key` is given.
  std::unique_ptr<httplib::Client> Client(const std::string& key = "") const;

  // Sends `signal` and waits for the exit; returns the exit code (128+signal when killed).
  int Stop(int signal);

 private:
  ServiceProcess() = default;
  std::unique_ptr<TempDir> temp_;
  std::string store_dir_, url_, admin_key_, stdout_path_, stderr_path_;
  int port_ = 0;
  pid_t pid_ = -1;
  int exit_code_ = -1;
};

// Headers for a JSON request with `key`.
httplib::Headers AuthHeaders(const std::string& key);

}  // namespace vcfagent::testing
