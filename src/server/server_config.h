// The REST service's configuration: `serve` flags > environment > the `server:` section of the
// YAML config file (the same file as the `ai:` section, docs/configuration.md) > defaults.
//
//   server:
//     host: 127.0.0.1            port: 8080
//     data_dirs: [/data/vcf]     upload_dir: <store>/uploads
//     api_keys_file: <store>/api-keys      auth: true   # false only for local use
//     max_body_bytes: 1048576    max_upload_bytes: 4294967296
//     request_timeout_seconds: 60   max_jobs: 2   threads: 128
//     header_timeout_seconds: 10    body_timeout_seconds: 30   max_connections_per_client: 64
//     rate_limit_per_second: 20  rate_limit_burst: 40
//     cors_origins: [https://lab.example.org]
//     tls_cert_file: ...  tls_key_file: ...
//     log_level: info
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "util/status.h"

namespace vcfagent::server {

struct ServerConfig {
  std::string host = "127.0.0.1";
  int port = 8080;
  std::string store_dir;                 // --db; resolved with cli::StoreDirectory
  std::vector<std::string> data_dirs;    // absolute, canonical; files by path must lie inside one
  std::string upload_dir;                // default <store_dir>/uploads
  std::string api_keys_file;             // default <store_dir>/api-keys
  bool auth = true;
  int64_t max_body_bytes = 1 << 20;      // JSON bodies
  int64_t max_upload_bytes = int64_t{4} << 30;
  int request_timeout_seconds = 60;      // synchronous requests (jobs are not bound by it)
  int max_jobs = 2;                      // concurrent jobs; more are refused with 429
  int threads = 128;                     // HTTP worker threads (each keep-alive connection holds one)
  int header_timeout_seconds = 10;       // a request's headers, from its first byte (and a TLS handshake)
  int body_timeout_seconds = 30;         // a JSON body, from the end of its headers (uploads: per read)
  int max_connections_per_client = 64;   // open connections per client address; 0: no limit
  double rate_limit_per_second = 20;     // per key; <= 0 disables
  double rate_limit_burst = 40;
  std::vector<std::string> cors_origins; // exact origins; empty: no CORS headers
  std::string tls_cert_file, tls_key_file;
  std::string log_level = "info";
  std::string config_path;               // the YAML file read, for messages
};

// Reads the `server:` section of `config_path` (if not empty) over the defaults; unknown keys and
// wrong types are errors naming the file, key and line.
Result<ServerConfig> LoadServerConfig(const std::string& config_path);

// Checks and completes a configuration after flags were applied: port range, positive limits,
// TLS cert and key together and readable, data_dirs made absolute and canonical (each must be an
// existing directory), upload_dir and api_keys_file defaulted under store_dir (which must be set).
Status FinishServerConfig(ServerConfig& config);

}  // namespace vcfagent::server
